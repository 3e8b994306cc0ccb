"""A lab router's IP SLA operations and track objects (config/tracking_model.py), run on the
router's clock: each scheduled `icmp-echo` operation sends one echo every `frequency`
seconds (from its `source-interface`'s address, or `source-ip`) and waits `timeout` for the
reply; a `track N ip sla M` follows the operation's last result, `delay up|down` seconds
after it changes, and logs IOS's `%TRACK-6-STATE` line when it does. Tracks start Down, as
IOS's do until their operation first succeeds."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address

from pyike.config.tracking_model import IpSla, Track, TrackingConfig
from pyike.node.exec.ping import PingJob, PingOptions
from pyike.node.hooks import Cancellable
from pyike.node.router import Router


class Tracking:
    def __init__(self, router: Router, config: TrackingConfig, changed: Callable[[], None]) -> None:
        self.router = router
        self.config = config
        self.changed = changed  # called after a track object changes state
        self.up = {number: False for number in config.tracks}
        self._pending: dict[int, tuple[bool, Cancellable]] = {}

    def start(self) -> None:
        for sla in self.config.slas.values():
            if sla.scheduled and sla.echo is not None:
                self._probe(sla)

    def is_up(self, track: int) -> bool:
        """A track object's state (one the configuration does not define is Down)."""
        return self.up.get(track, False)

    def _probe(self, sla: IpSla) -> None:
        echo = sla.echo
        assert echo is not None
        options = PingOptions(
            echo.target, repeat=1, timeout=echo.timeout_ms / 1000, source=self._source(sla)
        )
        job = PingJob(self.router, options)
        job.on_finish = lambda: self._result(sla.number, job.replies > 0)
        job.start()
        self.router.clock.call_later(float(echo.frequency), lambda: self._probe(sla))

    def _source(self, sla: IpSla) -> IPv4Address | None:
        echo = sla.echo
        assert echo is not None
        if echo.source_ip is not None:
            return echo.source_ip
        iface = self.router.interfaces.get(echo.source_interface or "")
        primary = self.router.primary_of(iface) if iface is not None else None
        return primary.ip if primary is not None else None

    def _result(self, sla: int, ok: bool) -> None:
        for track in self.config.tracks.values():
            if track.sla == sla:
                self._want(track, ok)

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
        timer = self.router.clock.call_later(float(delay), lambda: self._become(track, up))
        self._pending[track.number] = (up, timer)

    def _become(self, track: Track, up: bool) -> None:
        self._pending.pop(track.number, None)
        before, after = ("Down", "Up") if up else ("Up", "Down")
        self.up[track.number] = up
        self.router.log_line(f"%TRACK-6-STATE: {track.number} {track.typed} {before} -> {after}")
        self.changed()


__all__ = ["Tracking"]
