"""Track objects (`track N ip sla M [reachability|state]`, config/tracking_model.py), shared by
the lab's routers and `pyike run`: each follows its IP SLA operation's last result, `delay
up|down` seconds after it changes, and logs IOS's `%TRACK-6-STATE` line when it does. Tracks
start Down, as IOS's do until their operation first succeeds. How a probe is sent is the
caller's (lab/tracking.py on the virtual clock, net/ip_sla.py with ICMP on the host); it
reports each probe's outcome to `result`, which keeps what `show ip sla statistics` and `show
track` print (pyike.show.tracking)."""

from __future__ import annotations

from collections.abc import Callable

from pyike.config.tracking_model import Track, TrackingConfig
from pyike.host.crypto_host import CallLater
from pyike.node.hooks import Cancellable
from pyike.show.tracking import OK, TIMEOUT, OperationStats, TrackHistory, TrackView


class TrackObjects:
    def __init__(
        self,
        config: TrackingConfig,
        call_later: CallLater,
        log: Callable[[str], None],
        changed: Callable[[], None],
        now: Callable[[], float],
    ) -> None:
        self.config = config
        self.call_later = call_later
        self.log = log
        self.changed = changed  # called after a track object changes state
        self.now = now  # the clock `result`'s start times are on
        self.up = {number: False for number in config.tracks}
        self.history = {number: TrackHistory() for number in config.tracks}
        self.stats = {number: OperationStats() for number in config.slas}
        self._pending: dict[int, tuple[bool, Cancellable]] = {}

    def is_up(self, track: int) -> bool:
        """A track object's state (one the configuration does not define is Down)."""
        return self.up.get(track, False)

    def result(self, sla: int, started: float, rtt_ms: int | None, failure: str = TIMEOUT) -> None:
        """Operation `sla`'s probe sent at `started` was answered after `rtt_ms`, or (None)
        was not, for the reason IOS's return code `failure` says."""
        ok = rtt_ms is not None
        stats = self.stats.setdefault(sla, OperationStats())
        stats.started, stats.rtt_ms = started, rtt_ms
        stats.return_code = OK if ok else failure
        if ok:
            stats.successes += 1
        else:
            stats.failures += 1
        for track in self.config.tracks.values():
            if track.sla == sla:
                self._want(track, ok)

    def keep(self, before: TrackObjects, tracks: dict[int, bool]) -> None:
        """A reload keeps `tracks` (their states as they were) and the records of the
        operations it does not change."""
        self.up.update(tracks)
        for number in tracks:
            self.history[number] = before.history[number]
        for number, sla in self.config.slas.items():
            if before.config.slas.get(number) == sla and number in before.stats:
                self.stats[number] = before.stats[number]

    def views(self, only: int | None = None) -> list[TrackView]:
        """What `show track [N]` prints of each track object (or of track `only`)."""
        return [
            TrackView(
                track,
                self.up[number],
                self.history[number],
                None if track.sla is None else self.stats.get(track.sla, OperationStats()),
            )
            for number, track in sorted(self.config.tracks.items())
            if only is None or number == only
        ]

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
        history = self.history[track.number]
        history.changes += 1
        history.last_change = self.now()
        self.log(f"%TRACK-6-STATE: {track.number} {track.typed} {before} -> {after}")
        self.changed()


__all__ = ["TrackObjects"]
