"""A lab router's IP SLA operations (config/tracking_model.py), run on the router's clock:
each scheduled `icmp-echo` operation sends one echo every `frequency` seconds (from its
`source-interface`'s address, or `source-ip`) and waits `timeout` for the reply. The track
objects that follow them (state, `delay up|down`, `%TRACK-6-STATE`) are the ones `pyike run`
has too (pyike.host.track_objects)."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address

from pyike.config.tracking_model import IpSla, TrackingConfig
from pyike.host.track_objects import TrackObjects
from pyike.node.exec.ping import PingJob, PingOptions
from pyike.node.router import Router


class Tracking(TrackObjects):
    def __init__(self, router: Router, config: TrackingConfig, changed: Callable[[], None]) -> None:
        clock = router.clock
        super().__init__(config, clock.call_later, router.log_line, changed, lambda: clock.now)
        self.router = router

    def start(self) -> None:
        for sla in self.config.slas.values():
            if sla.scheduled and sla.echo is not None:
                self._probe(sla)

    def _probe(self, sla: IpSla) -> None:
        echo = sla.echo
        assert echo is not None
        options = PingOptions(
            echo.target, repeat=1, timeout=echo.timeout_ms / 1000, source=self._source(sla)
        )
        job = PingJob(self.router, options)
        started = self.router.clock.now
        job.on_finish = lambda: self.result(
            sla.number, started, job.rtt_max_ms if job.replies else None
        )
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


__all__ = ["Tracking"]
