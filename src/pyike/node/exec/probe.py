"""What `ping` and `traceroute` share: probes sent one at a time from the router, each
answered or timed out on the router's clock before the next."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from pyike.node.exec.job import ExecJob
from pyike.node.hooks import Cancellable
from pyike.node.router import Router


class ProbeJob(ExecJob):
    def __init__(self, router: Router) -> None:
        super().__init__()
        self.router = router
        self._sent_at = 0.0
        self._timer: Cancellable | None = None

    def _source(
        self,
        target: IPv4Address | IPv6Address,
        source: IPv4Address | IPv6Address | None,
        vrf: str | None = None,
    ) -> int | None:
        """The source asked for, else the egress interface's address in `vrf`; None without
        a route."""
        if source is not None:
            return int(source)
        return self.router.source_address(int(target), target.version, vrf)

    def _probe_sent(self, timeout: float) -> None:
        """A probe leaves now: its round trip is timed, its answer awaited `timeout` seconds."""
        self._sent_at = self.router.clock.now
        self._timer = self.router.clock.call_later(timeout, self._timed_out)

    @property
    def _round_trip(self) -> float:
        return self.router.clock.now - self._sent_at

    def _timed_out(self) -> None:
        self._timer = None
        self._on_timeout()

    def _on_timeout(self) -> None:
        raise NotImplementedError

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
