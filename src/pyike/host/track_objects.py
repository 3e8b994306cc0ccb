"""Track objects (`track N ip sla M [reachability|state]`, config/tracking_model.py), shared by
the lab's routers and `pyike run`: each follows its IP SLA operation's last result, `delay
up|down` seconds after it changes, and logs IOS's `%TRACK-6-STATE` line when it does. Tracks
start Down, as IOS's do until their operation first succeeds. How a probe is sent is the
caller's (lab/tracking.py on the virtual clock, net/ip_sla.py with ICMP on the host); it
reports each probe's outcome to `result`."""

from __future__ import annotations

from collections.abc import Callable

from pyike.config.tracking_model import Track, TrackingConfig
from pyike.host.crypto_host import CallLater
from pyike.node.hooks import Cancellable


class TrackObjects:
    def __init__(
        self,
        config: TrackingConfig,
        call_later: CallLater,
        log: Callable[[str], None],
        changed: Callable[[], None],
    ) -> None:
        self.config = config
        self.call_later = call_later
        self.log = log
        self.changed = changed  # called after a track object changes state
        self.up = {number: False for number in config.tracks}
        self._pending: dict[int, tuple[bool, Cancellable]] = {}

    def is_up(self, track: int) -> bool:
        """A track object's state (one the configuration does not define is Down)."""
        return self.up.get(track, False)

    def result(self, sla: int, ok: bool) -> None:
        """Operation `sla`'s probe was answered (`ok`) or not."""
        for track in self.config.tracks.values():
            if track.sla == sla:
                self._want(track, ok)

    def cancel(self) -> None:
        """No state change pending is to happen (the tracks are being replaced or stopped)."""
        for _, timer in self._pending.values():
            timer.cancel()
        self._pending.clear()

    def _want(self, track: Track, up: bool) -> None:
        """The operation says `up`: the track follows after its delay, unless it changes back
        meanwhile."""
        pending = self._pending.get(track.number)
        if pending is not None and pending[0] != up:
            pending[1].cancel()
            del self._pending[track.number]
        if self.up[track.number] == up or track.number in self._pending:
            return
        delay = track.delay_up if up else track.delay_down
        timer = self.call_later(float(delay), lambda: self._become(track, up))
        self._pending[track.number] = (up, timer)

    def _become(self, track: Track, up: bool) -> None:
        self._pending.pop(track.number, None)
        before, after = ("Down", "Up") if up else ("Up", "Down")
        self.up[track.number] = up
        self.log(f"%TRACK-6-STATE: {track.number} {track.typed} {before} -> {after}")
        self.changed()


__all__ = ["TrackObjects"]
