"""A lab router's crypto subsystem: the IKEv2 engine and the SA database, plugged into a
`pyike.node.Router` through its IKE, ESP and tunnel hooks.

The engine negotiates; the SA database (`pyike.ipsec.sad`) installs what it agrees on; this
module moves packets and datagrams between them and the router, and keeps the engine's
timer armed on the router's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pyike.ike.driver import EngineDriver, TunnelStarter, renegotiation_delay
from pyike.ike.engine import IkeEngine
from pyike.ike.events import (
    Datagram,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    IPAddress,
    NegotiationFailed,
)
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import TraceRecord
from pyike.ipsec.errors import EspError
from pyike.ipsec.outer import NAT_T_PORT, NON_ESP_MARKER, wrap
from pyike.ipsec.sad import InstalledChild, SecurityAssociationDatabase
from pyike.node.hooks import Decrypted, EspArrival, IkeDatagram, Scheduler
from pyike.node.interfaces import ETHERNET_MTU
from pyike.node.router import Router
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace import ipsec_debug

RandomBytes = Callable[[int], bytes]
TraceSink = Callable[[list[TraceRecord]], None]
LineSink = Callable[[list[str]], None]

# How often (in bytes through an SA) the engine hears of a child SA's usage, for its
# kilobyte lifetime.
_USAGE_REPORT_BYTES = 256 * 1024
_IPV4_HEADER = 20
_IPV6_HEADER = 40
_UDP_HEADER = 8


@dataclass
class CryptoStats:
    invalid_spi: int = 0
    decrypt_failures: int = 0
    negotiations_failed: list[NegotiationFailed] = field(default_factory=list)


class CryptoNode:
    """Engine + ESP for one router; implements the router's IKE, ESP and tunnel hooks."""

    def __init__(
        self,
        router: Router,
        clock: Scheduler,
        policy: Policy,
        tunnels: Sequence[TunnelSpec],
        random_bytes: RandomBytes,
        trace_sink: TraceSink | None = None,
    ) -> None:
        self.router = router
        self.clock = clock
        self.policy = policy
        self.specs = {spec.name: spec for spec in tunnels}
        self.sad = SecurityAssociationDatabase(random_bytes, self.specs)
        self.engine = IkeEngine(policy, random_bytes, traffic=self.sad)
        self.trace_sink = trace_sink
        self.ipsec_debug: LineSink | None = None  # set while `debug crypto ipsec` is on
        self.log: Callable[[str], None] | None = None  # console messages (%CRYPTO-4-...)
        self.ike_up: dict[int, IkeSaUp] = {}
        self.ike_down: list[IkeSaDown] = []
        self.stats = CryptoStats()
        self.counters = Ikev2Counters()
        self.driver = EngineDriver(
            self.engine,
            lambda: self.clock.now,
            self.clock.call_later,
            self._send,
            self._apply,
            self._trace,
        )
        self.starter = TunnelStarter(self.engine)
        router.ike_handler = self
        router.esp_handler = self
        router.tunnel_handler = self

    # -- what the show commands read (pyike.lab.views.CryptoState) -------------------------

    @property
    def now(self) -> float:
        return self.clock.now

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        if tunnel not in self.router.interfaces:  # a crypto map entry
            spec = self.specs.get(tunnel)
            return spec.local.address if spec is not None else None
        return self.router.tunnel_endpoints(tunnel)[0]

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        if tunnel not in self.router.interfaces:
            spec = self.specs.get(tunnel)
            outer = self.interface_with_address(spec.local.address) if spec else None
            return self.router.ip_mtu(outer) if outer is not None else ETHERNET_MTU
        return self.router.tunnel_transport_mtu(tunnel)

    def tunnel_ip_mtu(self, tunnel: str) -> int:
        if tunnel not in self.router.interfaces:
            return self.tunnel_transport_mtu(tunnel) - self.overhead(self.router, tunnel)
        return self.router.ip_mtu(tunnel)

    def interface_with_address(self, address: IPAddress) -> str | None:
        for name, iface in self.router.interfaces.items():
            held = [str(a.ip) for a in iface.addresses] + [str(a.ip) for a in iface.addresses6]
            if str(address) in held:
                return name
        return None

    def clear(self, peer: Endpoint | None = None) -> None:
        """`clear crypto ikev2 sa [peer ADDR]`."""
        self.engine.clear(self.clock.now, peer)
        self.flush()

    def clear_ipsec(self) -> None:
        """`clear crypto sa`: delete every child SA (telling the peer); the IKE SAs stay, and
        protected tunnels negotiate new child SAs."""
        now = self.clock.now
        for child in list(self.sad.children.values()):
            self.engine.delete_child_sa(now, child.info.ike_sa_id, child.info.spi_in)
        self.flush()

    # -- control ----------------------------------------------------------------------------

    def start_tunnel(self, name: str) -> None:
        """Bring up `name` as IOS does when a protected tunnel interface comes up, or when
        traffic meets a crypto map entry without an SA: a new IKE SA with the peer, or a
        child SA on the one already up."""
        if self.sad.tunnel(name).current is not None:
            return
        if self.starter.start(self.clock.now, self.specs[name]):
            self.flush()

    # -- IKE hook ---------------------------------------------------------------------------

    def ike_datagram(self, router: Router, datagram: IkeDatagram) -> None:
        local = Endpoint(datagram.dst, datagram.dst_port)
        remote = Endpoint(datagram.src, datagram.src_port)
        payload = datagram.payload
        if datagram.dst_port == NAT_T_PORT:
            payload = NON_ESP_MARKER + payload  # the router strips it; the engine reads it
        self.engine.receive_datagram(self.clock.now, local, remote, payload)
        self.flush()

    def flush(self) -> None:
        """Send what the engine wants sent, apply its events, and rearm its timer."""
        self.driver.flush()

    def _send(self, datagram: Datagram) -> None:
        self.router.send_udp(
            datagram.remote.address,
            datagram.remote.port,
            datagram.data,  # on port 4500 the engine has already put the non-ESP marker
            src=datagram.local.address,
            src_port=datagram.local.port,
        )

    def _trace(self, records: list[TraceRecord]) -> None:
        self.counters.count(records)
        if self.trace_sink is not None:
            self.trace_sink(records)

    def _apply(self, event: object) -> None:
        self.counters.note(event)
        if isinstance(event, IkeSaUp):
            self.ike_up[event.sa_id] = event
        elif isinstance(event, IkeSaDown):
            self.ike_up.pop(event.sa_id, None)
            self.ike_down.append(event)
        elif isinstance(event, NegotiationFailed):
            self.stats.negotiations_failed.append(event)
        change = self.sad.apply(event, self.clock.now)
        if self.ipsec_debug is not None:
            lines: list[str] = []
            for child in change.installed:
                lines += ipsec_debug.created(child)
            for child in change.sending:
                lines += ipsec_debug.outbound_switched(child)
            for child in change.removed:
                lines += ipsec_debug.deleted(child)
            if lines:
                self.ipsec_debug(lines)
        for name in change.up:
            if name in self.router.interfaces:  # not a crypto map entry
                self.router.set_tunnel_ipsec(name, True)
        for name in change.down:
            if name in self.router.interfaces:
                self.router.set_tunnel_ipsec(name, False)
                ours = any(c.info.initiator for c in change.removed if c.info.tunnel == name)
                delay = renegotiation_delay(ours)
                self.clock.call_later(delay, self._restarter(name))

    def _restarter(self, name: str) -> Callable[[], None]:
        return lambda: self.start_tunnel(name)

    # -- ESP hook ----------------------------------------------------------------------------

    def esp_packet(self, router: Router, arrival: EspArrival) -> Decrypted | None:
        if len(arrival.esp) < 8:
            self.stats.decrypt_failures += 1
            return None
        spi = int.from_bytes(arrival.esp[:4], "big")
        child = self.sad.inbound(spi)
        if child is None:
            self.stats.invalid_spi += 1
            if self.log is not None:
                outer = arrival.packet
                self.log(
                    "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi "
                    f"for destaddr={outer.dst_address}, prot=50, spi=0x{spi:X}({spi}), "
                    f"srcaddr={outer.src_address}, input interface={arrival.interface}"
                )
            return None
        try:
            result = child.inbound.decapsulate(arrival.esp)
        except EspError:
            self.stats.decrypt_failures += 1
            return None
        if self.sad.note_inbound(child, self.clock.now) and self.ipsec_debug is not None:
            self.ipsec_debug(ipsec_debug.outbound_switched(child))
        self._report_usage(child)
        name = child.info.tunnel
        if name is not None and name not in router.interfaces:
            # A crypto map entry's SA: forwarded as received on the outer interface.
            return Decrypted(result.payload, None, sa_name=name)
        return Decrypted(result.payload, name)

    # -- tunnel hook -------------------------------------------------------------------------

    def encapsulate(self, router: Router, tunnel: str, packet: bytes) -> Sequence[bytes]:
        if tunnel not in self.specs:
            return []
        child = self.sad.outbound(tunnel, self.clock.now)
        if child is None:
            self.start_tunnel(tunnel)
            return []
        try:
            esp = child.outbound.encapsulate(packet)
        except EspError:
            return []
        info = child.info
        nat_t = (info.local.port, info.remote.port) if info.udp_encapsulation else None
        self._report_usage(child)
        return [wrap(esp, str(info.local.address), str(info.remote.address), nat_t=nat_t)]

    def overhead(self, router: Router, tunnel: str) -> int:
        spec = self.specs.get(tunnel)
        child = self.sad.tunnel(tunnel).current if spec is not None else None
        outer = (
            _IPV6_HEADER if spec is not None and spec.local.address.version == 6 else _IPV4_HEADER
        )
        if child is None:
            return outer
        udp = _UDP_HEADER if child.info.udp_encapsulation else 0
        return outer + udp + child.transform.overhead(0)

    def show_lines(self, router: Router, tunnel: str) -> Sequence[str]:
        spec = self.specs.get(tunnel)
        if spec is None:
            return []
        return [f'  Tunnel protection via IPSec (profile "{spec.profile}")']

    def _report_usage(self, child: InstalledChild) -> None:
        used = child.bytes_used
        if used - child.reported_bytes >= _USAGE_REPORT_BYTES:
            child.reported_bytes = used
            self.engine.report_child_usage(self.clock.now, child.info.spi_in, used // 1024)
            self.flush()
