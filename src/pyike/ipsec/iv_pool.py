"""Random CBC IVs drawn from the system's generator in blocks rather than one system call per
packet (`os.urandom(16)` was a third of the cost of encapsulating an aes-cbc packet in
`pyike run`).

Only IVs come from a pool: they are sent in clear with their packet, so holding the next few
hundred in memory gives away nothing that was not about to be public, and each is still
unpredictable to anyone who has not read the process's memory (who would have the keys
anyway). Keys and nonces keep coming from the generator directly.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_BLOCK = 4096


class IvPool:
    """A `random_bytes(n)` for ESP SAs that serves successive slices of larger draws."""

    def __init__(self, random_bytes: Callable[[int], bytes], block: int = DEFAULT_BLOCK) -> None:
        self._draw = random_bytes
        self._block = block
        self._buffer = b""
        self._used = 0

    def __call__(self, size: int) -> bytes:
        end = self._used + size
        if end > len(self._buffer):
            if size > self._block:
                return self._draw(size)
            self._buffer = self._draw(self._block)
            self._used, end = 0, size
        out = self._buffer[self._used : end]
        self._used = end
        return out
