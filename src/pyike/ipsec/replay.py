"""The anti-replay window (RFC 4303 section 3.4.3 and appendix A).

The window is a bitmap of the `size` sequence numbers ending at the highest one accepted so
far. The check is a cheap pre-filter run before the ICV; the window moves only when the
caller reports an authenticated packet with `accept`, so a forged packet cannot push it.

With ESN only the low 32 bits travel: `infer` recovers the high half from where the window
stands (appendix A2.2), and a guess that is wrong makes the ICV fail.
"""

from __future__ import annotations

from pyike.ipsec.errors import EspConfigError
from pyike.ipsec.esp import MAX_SEQ_32, MAX_SEQ_64

DEFAULT_WINDOW = 64  # IOS `set security-association replay window-size` default
MAX_WINDOW = 1024
# With replay detection off, ESN inference still needs a window: half the 32-bit space means
# "the high half that puts the packet nearest the highest one seen".
_INFERENCE_WINDOW_WITHOUT_REPLAY = 1 << 31


class ReplayWindow:
    """`size` 0 turns replay detection off (IOS `replay disable`)."""

    __slots__ = ("_bitmap", "_inference", "_mask", "esn", "highest", "size")

    def __init__(self, size: int = DEFAULT_WINDOW, *, esn: bool = False) -> None:
        if not 0 <= size <= MAX_WINDOW:
            raise EspConfigError(f"replay window size {size} is not between 0 and {MAX_WINDOW}")
        self.size = size
        self.esn = esn
        self.highest = 0  # the highest authenticated sequence number, 64-bit with ESN
        self._bitmap = 0  # bit i set: sequence number highest - i was received
        self._mask = (1 << size) - 1
        self._inference = size or _INFERENCE_WINDOW_WITHOUT_REPLAY

    def __repr__(self) -> str:
        return f"ReplayWindow(size={self.size}, esn={self.esn}, highest={self.highest})"

    def infer(self, seq_low: int) -> int:
        """The full sequence number of a packet carrying `seq_low` (identity without ESN).

        May return a value below 1 or above 2^64 - 1, which `reason` rejects.
        """
        if not self.esn:
            return seq_low
        top_low = self.highest & MAX_SEQ_32
        top_high = self.highest >> 32
        bottom_low = top_low - self._inference + 1
        if bottom_low >= 0:  # the window lies within one 2^32 subspace
            high = top_high if seq_low >= bottom_low else top_high + 1
        else:  # the window straddles two subspaces
            high = top_high - 1 if seq_low >= bottom_low & MAX_SEQ_32 else top_high
        return (high << 32) | seq_low  # negative when high is -1

    def reason(self, seq: int) -> str | None:
        """Why `seq` must be dropped before any ICV is computed, or None if it may pass."""
        limit = MAX_SEQ_64 if self.esn else MAX_SEQ_32
        if seq < 1 or seq > limit:
            return f"sequence number {seq} is out of range"
        if not self.size or seq > self.highest:
            return None
        behind = self.highest - seq
        if behind >= self.size:
            return f"sequence number {seq} is left of the window"
        if self._bitmap >> behind & 1:
            return f"sequence number {seq} was already received"
        return None

    def accept(self, seq: int) -> None:
        """Record an authenticated packet: slide the window or mark its bit."""
        if seq > self.highest:
            if self.size:
                shift = seq - self.highest
                self._bitmap = (
                    ((self._bitmap << shift) | 1) & self._mask if shift < self.size else 1
                )
            self.highest = seq
        elif self.size:
            self._bitmap |= 1 << (self.highest - seq)

    def received(self, seq: int) -> bool:
        """Whether `seq` is inside the window and was already accepted (for show commands and
        tests)."""
        behind = self.highest - seq
        return 0 <= behind < self.size and bool(self._bitmap >> behind & 1)
