"""A lab router's crypto host (`pyike.host.crypto_host`), plugged into a `pyike.node.Router`
through its IKE, ESP and tunnel hooks and run on the router's virtual clock.

The Router's hooks return what they produce (the decrypted packet, the outer ESP packets),
while the host hands its output to a Wire: the lab's Wire (`RouterWire`) sends IKE through the
router and keeps ESP output for the hook that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyike.codec.udp_encap import NAT_T_PORT, NON_ESP_MARKER
from pyike.config.query import multipoint_parts, multipoint_sa_name, sa_interface
from pyike.host.crypto_host import CryptoHost, HostSetup, RandomBytes, TraceSink
from pyike.ike.events import ChildSaInfo, Endpoint, IkeSaDown, IPAddress
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ipsec.acl_match import MapEntry
from pyike.ipsec.outer import wrap
from pyike.ipsec.sa import EspMode
from pyike.node.hooks import Decrypted, EspArrival, IkeDatagram, Scheduler
from pyike.node.interfaces import ETHERNET_MTU
from pyike.node.router import Router
from pyike.show.dmvpn import CryptoPeer

_IPV4_HEADER = 20
_IPV6_HEADER = 40
_UDP_HEADER = 8


@dataclass(frozen=True)
class TunnelState:
    """A tunnel interface's line protocol went up or down with its IPsec SAs."""

    now: float
    tunnel: str
    up: bool


def _nothing() -> None:
    return None


class RouterWire:
    """The lab host's Wire: IKE leaves through the router's UDP; outer ESP packets and the
    decrypted packet are kept until the hook that caused them returns them."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.outers: list[bytes] = []
        self.decrypted: Decrypted | None = None

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self.router.send_udp(
            remote.address, remote.port, data, src=local.address, src_port=local.port
        )

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        nat_t = (child.local.port, child.remote.port) if udp else None
        self.outers.append(
            wrap(esp, str(child.local.address), str(child.remote.address), nat_t=nat_t)
        )

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        interface = sa_interface(tunnel)
        if interface in self.router.interfaces:
            self.decrypted = Decrypted(packet, interface)
        else:  # a crypto map line's SA: forwarded as received on the outer interface
            self.decrypted = Decrypted(packet, None, sa_name=tunnel)

    def take_outers(self) -> list[bytes]:
        outers, self.outers = self.outers, []
        return outers

    def take_decrypted(self) -> Decrypted | None:
        decrypted, self.decrypted = self.decrypted, None
        return decrypted


class CryptoNode(CryptoHost):
    """A router's crypto host; implements the router's IKE, ESP and tunnel hooks."""

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
        self.router_wire = RouterWire(router)
        self.ike_down: list[IkeSaDown] = []
        # Told of every engine event and line protocol change (`pyike lab --json`).
        self.observer: Callable[[object], None] | None = None
        setup = HostSetup(
            router.config,
            policy,
            tunnels,
            self.router_wire,
            clock=lambda: clock.now,
            call_later=clock.call_later,
            random_bytes=random_bytes,
            trace_sink=trace_sink,
        )
        super().__init__(setup)
        router.ike_handler = self
        router.esp_handler = self
        router.tunnel_handler = self
        router.multipoint_handler = self

    # -- what the show commands read (pyike.host.views.CryptoState) -------------------------

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        interface = sa_interface(tunnel)
        if interface not in self.router.interfaces:  # a crypto map entry
            spec = self.specs.get(tunnel)
            return spec.local.address if spec is not None else None
        return self.router.tunnel_endpoints(interface)[0]

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        interface = sa_interface(tunnel)
        if interface not in self.router.interfaces:
            spec = self.specs.get(tunnel)
            outer = self.interface_with_address(spec.local.address) if spec else None
            return self.router.ip_mtu(outer) if outer is not None else ETHERNET_MTU
        if interface != tunnel:  # a multipoint tunnel's peer: no destination to route
            source = self.router.tunnel_endpoints(interface)[0]
            outer = self.interface_with_address(source) if source is not None else None
            return self.router.ip_mtu(outer) if outer is not None else ETHERNET_MTU
        return self.router.tunnel_transport_mtu(tunnel)

    def tunnel_ip_mtu(self, tunnel: str) -> int:
        interface = sa_interface(tunnel)
        if interface not in self.router.interfaces:
            return self.tunnel_transport_mtu(tunnel) - self.overhead(self.router, tunnel)
        return self.router.ip_mtu(interface)

    def interface_with_address(self, address: IPAddress) -> str | None:
        for name, iface in self.router.interfaces.items():
            held = [str(a.ip) for a in iface.addresses] + [str(a.ip) for a in iface.addresses6]
            if str(address) in held:
                return name
        return None

    # -- what the lab adds to the host ------------------------------------------------------

    def _apply(self, event: object) -> None:
        if isinstance(event, IkeSaDown):
            self.ike_down.append(event)
        if self.observer is not None:
            self.observer(event)
        super()._apply(event)

    def _line_protocol(self, tunnel: str, up: bool) -> None:
        peer = multipoint_parts(tunnel)
        if peer is not None:  # a multipoint tunnel's line protocol does not follow its peers
            if up:
                self._adopt_peer(*peer)
                self.router.multipoint_peer_up(*peer)
            return
        self.router.set_tunnel_ipsec(tunnel, up)  # the router logs the change
        if self.observer is not None:
            self.observer(TunnelState(self.clock(), tunnel, up))

    def _restarter(self, name: str) -> Callable[[], None]:
        parts = multipoint_parts(name)
        if parts is not None and not self._static_peer(*parts):
            return _nothing  # NHRP asks again when it has something to send to that peer
        return super()._restarter(name)

    def _static_peer(self, tunnel: str, peer: IPAddress) -> bool:
        """A peer a multipoint tunnel always needs: an NHS or an `ip nhrp map` NBMA."""
        mgre = self.router.multipoint.get(tunnel)
        return mgre is not None and peer in dict(mgre.config.static_maps()).values()

    def _deliver_to_map(self, placed: tuple[str, MapEntry], sa_name: str, packet: bytes) -> None:
        self.router_wire.write_tunnel(sa_name, packet)  # the router's crypto map checks it

    # -- IKE hook ---------------------------------------------------------------------------

    def ike_datagram(self, router: Router, datagram: IkeDatagram) -> None:
        payload = datagram.payload
        if datagram.dst_port == NAT_T_PORT:
            payload = NON_ESP_MARKER + payload  # the router strips it; the engine reads it
        local = Endpoint(datagram.dst, datagram.dst_port)
        self.receive_ike(local, Endpoint(datagram.src, datagram.src_port), payload)

    # -- ESP hook ----------------------------------------------------------------------------

    def esp_packet(self, router: Router, arrival: EspArrival) -> Decrypted | None:
        # no port: the lab's SAs keep the peer's address and port IKE agreed on
        self.receive_esp(arrival.packet.src_address, None, arrival.esp)
        decrypted = self.router_wire.take_decrypted()
        if decrypted is None:
            self._log_invalid_spi(arrival)
        return decrypted

    def _log_invalid_spi(self, arrival: EspArrival) -> None:
        """IOS's message for a dropped packet whose SPI no SA has."""
        esp = arrival.esp
        spi = int.from_bytes(esp[:4], "big")
        if len(esp) < 8 or self.sad.inbound(spi) is not None:
            return
        outer = arrival.packet
        self.log(
            "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi "
            f"for destaddr={outer.dst_address}, prot=50, spi=0x{spi:X}({spi}), "
            f"srcaddr={outer.src_address}, input interface={arrival.interface}"
        )

    # -- tunnel hook -------------------------------------------------------------------------

    def encapsulate(self, router: Router, tunnel: str, packet: bytes) -> Sequence[bytes]:
        if tunnel not in self.specs:
            return []
        self.tunnel_packets(tunnel, (packet,))
        return self.router_wire.take_outers()

    def overhead(self, router: Router, tunnel: str) -> int:
        if tunnel in router.multipoint:  # what its peers' SAs add (the first one's)
            tunnel = next((n for n in self.specs if sa_interface(n) == tunnel), tunnel)
        spec = self.specs.get(tunnel)
        child = self.sad.tunnel(tunnel).current if spec is not None else None
        outer = (
            _IPV6_HEADER if spec is not None and spec.local.address.version == 6 else _IPV4_HEADER
        )
        framing = self.framing(tunnel)
        if child is None:
            return outer + (0 if framing is None else framing.overhead(EspMode.TRANSPORT))
        udp = _UDP_HEADER if child.info.udp_encapsulation else 0
        gre = 0 if framing is None else framing.overhead(child.outbound.mode)
        return outer + udp + gre + child.transform.overhead(0)

    def show_lines(self, router: Router, tunnel: str) -> Sequence[str]:
        profile = router.interface(tunnel).config.tunnel_protection
        if tunnel not in self.specs and not (profile and tunnel in router.multipoint):
            return []
        return [f'  Tunnel protection via IPSec (profile "{profile}")']

    # -- multipoint GRE hook (DMVPN) ------------------------------------------------------

    def want_peer(self, router: Router, tunnel: str, peer: IPAddress, wanted: bool) -> None:
        name = multipoint_sa_name(tunnel, peer)
        if wanted:
            self._adopt_peer(tunnel, peer)
            self.start_tunnel(name)
            return
        self.specs.pop(name, None)
        if not any(spec.remote.address == peer for spec in self.specs.values()):
            self.clear(Endpoint(peer))  # the IKE SA and its Child SAs go (IOS: crypto socket)

    def peer_ready(self, router: Router, tunnel: str, peer: IPAddress) -> bool:
        state = self.sad.tunnels.get(multipoint_sa_name(tunnel, peer))
        return state is not None and state.current is not None

    def protect(
        self, router: Router, tunnel: str, peer: IPAddress, packet: bytes
    ) -> Sequence[bytes]:
        self.tunnel_packets(multipoint_sa_name(tunnel, peer), (packet,))
        return self.router_wire.take_outers()

    def peer_crypto(self, tunnel: str, peer: IPAddress) -> CryptoPeer:
        """Crypto's state with a peer of a multipoint tunnel, as `show dmvpn` shows it: `UP`
        with an SA to send with, else the stage it waits at."""
        state = self.sad.tunnels.get(multipoint_sa_name(tunnel, peer))
        if state is not None and state.current is not None:
            return CryptoPeer("UP", state.current.installed_at)
        ike = [sa for sa in self.engine.ike_sas if sa.remote.address == peer and not sa.closed]
        return CryptoPeer("IPSEC" if any(sa.established for sa in ike) else "IKE")

    def _adopt_peer(self, tunnel: str, peer: IPAddress) -> None:
        """The policy toward a peer of multipoint tunnel `tunnel`: NHRP wants it, or the peer
        set up an SA with us."""
        name = multipoint_sa_name(tunnel, peer)
        source = self.router.tunnel_endpoints(tunnel)[0]
        if name in self.specs or source is None:
            return
        offered = self.policy.tunnels_for_peer(Endpoint(source), Endpoint(peer), None)
        spec = next((s for s in offered if s.name == name), None)
        if spec is not None:
            self.specs[name] = spec
