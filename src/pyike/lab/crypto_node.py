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
from pyike.config.flexvpn_model import FlexClientPeer
from pyike.config.model import TUNNEL_TTL, Config, Route
from pyike.config.query import (
    esp_df_bits,
    multipoint_parts,
    multipoint_sa_name,
    runs_nhrp,
    sa_interface,
    virtual_template_parts,
)
from pyike.host.configured_peers import ConfiguredPeers
from pyike.host.crypto_host import HostSetup, RandomBytes, TraceSink
from pyike.host.flexvpn_client import Address, ClientTunnel, ip_host
from pyike.host.flexvpn_host import FlexClientHost
from pyike.host.framing import GreFraming
from pyike.host.reconfigured import same_interface
from pyike.host.virtual_access import (
    VirtualAccesses,
    clone_config,
    clone_request,
    configured_routes,
)
from pyike.ike.child_mode import TRANSPORT
from pyike.ike.events import ChildSaInfo, Endpoint, IkeSaDown, IPAddress, PeerConfigured
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ipsec.acl_match import MapEntry
from pyike.ipsec.outer import DfBit, outer_df, wrap
from pyike.ipsec.sa import EspMode
from pyike.lab.tracking import Tracking
from pyike.node.exec.commands import UNRECOGNIZED_HOST
from pyike.node.hooks import Decrypted, EspArrival, IkeDatagram, Scheduler
from pyike.node.interfaces import ETHERNET_MTU
from pyike.node.router import Router
from pyike.show.dmvpn import CryptoPeer

_IPV4_HEADER = 20
_IPV6_HEADER = 40
_UDP_HEADER = 8
_SMALLEST_PATH_MTU = 576
PATH_MTU_AGE = 600.0  # seconds a learned path MTU is kept


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

    def __init__(self, router: Router, clones: VirtualAccesses) -> None:
        self.router = router
        self.clones = clones
        self.outers: list[bytes] = []
        self.decrypted: Decrypted | None = None
        # `crypto ipsec df-bit`: the configuration's and its interfaces' own (by address)
        self.df_default = DfBit.COPY
        self.df_by_address: dict[str, DfBit] = {}
        self.inner = b""  # the packet being protected, whose DF bit `copy` copies
        self.tunnel_ttls = False  # whether any tunnel has a `tunnel ttl` (else all send 255)

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self.router.send_udp(
            remote.address, remote.port, data, src=local.address, src_port=local.port
        )

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        nat_t = (child.local.port, child.remote.port) if udp else None
        local = child.local.address
        # IOS applies the setting to tunnel mode; transport mode keeps the original header's
        policy = DfBit.COPY if child.mode == TRANSPORT else self.df_policy(local)
        df = outer_df(policy, self.inner)
        ttl = self.outer_ttl(child.tunnel) if self.tunnel_ttls else TUNNEL_TTL
        self.outers.append(wrap(esp, local, child.remote.address, nat_t=nat_t, df=df, ttl=ttl))

    def outer_ttl(self, sa_name: str | None) -> int:
        """The TTL of the ESP an SA sends: its tunnel interface's `tunnel ttl` (a crypto map
        line's SA: 255)."""
        if sa_name is None:
            return TUNNEL_TTL
        iface = self.router.interfaces.get(self.interface_of(sa_name))
        return TUNNEL_TTL if iface is None else iface.config.outer_ttl

    def interface_of(self, sa_name: str) -> str:
        """The interface an SA belongs to: a virtual template's clone, else the tunnel (or
        crypto map entry) its name says."""
        return self.clones.name_for(sa_name) or sa_interface(sa_name)

    def df_policy(self, local: IPAddress) -> DfBit:
        """`crypto ipsec df-bit` for tunnel-mode ESP sent from the address `local`."""
        if not self.df_by_address:  # read for every packet: no text made of the address
            return self.df_default
        return self.df_by_address.get(str(local)) or self.df_default

    def protect(self, packet: bytes, framed: bool, send: Callable[[], None]) -> list[bytes]:
        """The outer packets `send` makes of `packet`: its DF bit is the one `copy` copies,
        unless the SA carries it in GRE (`framed`), whose delivery header IOS sends with DF
        clear (no `tunnel path-mtu-discovery`)."""
        self.inner = b"" if framed else packet
        try:
            send()
        finally:
            self.inner = b""
        return self.take_outers()

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        interface = self.interface_of(tunnel)
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


class CryptoNode(FlexClientHost):
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
        self.clones = VirtualAccesses()  # the virtual templates' clones, by SA name
        self.router_wire = RouterWire(router, self.clones)
        # by SA name: the path MTU ICMP reported for its ESP, and when
        self._path_mtus: dict[str, tuple[int, float]] = {}
        self._configured = ConfiguredPeers()
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
        # IP SLA probes and track objects, and FlexVPN clients' tunnels (`tunnel destination
        # dynamic`), aimed at their first possible peer
        self.tracking = Tracking(router, router.config.tracking, self.tracks_changed)
        clock.call_later(0.0, self.tracking.start)
        # The lab's own names (its routers' hostnames), asked after `ip host`.
        self.lab_hosts: Callable[[str, bool], Address | None] = lambda name, ipv6: None
        self.index_flex_clients(router.config)
        clock.call_later(0.0, self.connect_wanted)  # once the lab is wired (its names, its log)

    def index_config(self, config: Config) -> None:
        """As the host's, but a point-to-point GRE tunnel that runs NHRP (a phase 1 spoke)
        is framed by the router (`pyike.node.mgre`, NHRP in its GRE too): its SA carries the
        whole GRE packet, as a multipoint tunnel's peers' do."""
        super().index_config(config)
        default, by_address = esp_df_bits(config)
        self.router_wire.df_default = DfBit(default)
        self.router_wire.df_by_address = {a: DfBit(v) for a, v in by_address.items()}
        self.router_wire.tunnel_ttls = any(i.tunnel_ttl for i in config.interfaces.values())
        for iface in config.interfaces.values():
            if iface.is_point_to_point_gre and runs_nhrp(iface):
                self._framings.pop(iface.name, None)

    def reverse_routes_changed(self, routes: Sequence[Route]) -> None:
        self.router.inject_routes(routes)

    def reload(self, config: Config, policy: Policy, tunnels: Sequence[TunnelSpec]) -> list[str]:
        """As the host's (`configure terminal`), keeping the SAs the router made for itself
        (DMVPN peers, virtual template clones, FlexVPN clients' tunnels) on interfaces the
        change left as they were."""
        kept = [
            spec
            for name, spec in self.specs.items()
            if self._made_at_run_time(name)
            and self._unchanged(self.config, config, self._owner(name))
        ]
        return super().reload(config, policy, [*tunnels, *kept])

    def _made_at_run_time(self, name: str) -> bool:
        return (
            multipoint_parts(name) is not None
            or virtual_template_parts(name) is not None
            or name in self.flex_clients
        )

    @staticmethod
    def _owner(name: str) -> str:
        parts = virtual_template_parts(name)
        return parts[0] if parts is not None else sa_interface(name)

    @staticmethod
    def _unchanged(old: Config, new: Config, interface: str) -> bool:
        return same_interface(old.interfaces.get(interface), new.interfaces.get(interface))

    # -- what the show commands read (pyike.host.views.CryptoState) -------------------------

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        interface = self.interface_of(tunnel)
        if interface not in self.router.interfaces:  # a crypto map entry
            spec = self.specs.get(tunnel)
            return spec.local.address if spec is not None else None
        return self.router.tunnel_endpoints(interface)[0]

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        interface = self.interface_of(tunnel)
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
        """The SA's `plaintext mtu` as IOS prints it: the longest packet its ESP carries in
        the path's MTU, exactly (a tunnel interface's own IP MTU reserves the most padding);
        without an SA, the tunnel interface's IP MTU or the crypto map's estimate."""
        fits = self.largest_plaintext(tunnel, self.tunnel_path_mtu(tunnel))
        if fits is not None:
            return fits
        interface = self.interface_of(tunnel)
        if interface not in self.router.interfaces:  # a crypto map entry
            return self.tunnel_transport_mtu(tunnel) - self.overhead(self.router, tunnel)
        return self.router.ip_mtu(interface)

    def tunnel_path_mtu(self, tunnel: str) -> int:
        """What ICMP fragmentation needed taught the SA of `tunnel` (for ten minutes, RFC
        1191's suggestion, after which it tries the transport MTU again), else the latter."""
        return self.path_mtu_within(tunnel, self.tunnel_transport_mtu(tunnel))

    def path_mtu_within(self, tunnel: str, transport_mtu: int) -> int:
        """`tunnel`'s path MTU, given the MTU of the interface its ESP leaves through (read
        for every packet a crypto map protects: no search for that interface)."""
        learned = self._path_mtus.get(tunnel)
        if learned is None or self.router.clock.now - learned[1] >= PATH_MTU_AGE:
            return transport_mtu
        return min(learned[0], transport_mtu)

    def largest_plaintext(
        self, tunnel: str, path_mtu: int, tunnel_mode_only: bool = False
    ) -> int | None:
        """The longest packet the SA of `tunnel` can carry without its IPv4 ESP packet
        exceeding `path_mtu` (IOS's `plaintext mtu`); None without an SA, for IPv6, and with
        `tunnel_mode_only` for a transport-mode SA."""
        state = self.sad.tunnels.get(tunnel)
        child = state.current if state is not None else None
        if child is None or child.info.local.address.version != 4:
            return None
        room = path_mtu - _IPV4_HEADER - (_UDP_HEADER if child.info.udp_encapsulation else 0)
        if child.outbound.mode is EspMode.TUNNEL:
            return child.transform.largest_payload(room)
        if tunnel_mode_only:
            return None
        return _IPV4_HEADER + child.transform.largest_payload(room)  # the header stays outside

    def df_policy(self, tunnel: str) -> DfBit:
        """`crypto ipsec df-bit` for the tunnel-mode ESP of `tunnel`'s SA."""
        spec = self.specs.get(tunnel)
        if spec is None:
            return self.router_wire.df_default
        return self.router_wire.df_policy(spec.local.address)

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
            self._unconfigure(event)
        if self.observer is not None:
            self.observer(event)
        super()._apply(event)
        if isinstance(event, PeerConfigured):
            self._configured.add(event)
            self._configure(event)

    # -- FlexVPN client (pyike.host.flexvpn_host): what the lab answers ---------------------

    def track_up(self, track: int) -> bool:
        return self.tracking.is_up(track)

    def aimed(self, tunnel: str, address: Address) -> None:
        self.router.set_tunnel_destination(tunnel, address)

    def resolve(self, peer: FlexClientPeer) -> Address | None:
        """A `peer N fqdn NAME [ipv6]`'s address: from `ip host`, else the lab's own names."""
        hosts = self.router.config.flexvpn.hosts
        name = str(peer.fqdn)
        return ip_host(hosts, name, peer.ipv6) or self.lab_hosts(name, peer.ipv6)

    def unresolved(self, client_tunnel: ClientTunnel, peer: FlexClientPeer) -> None:
        self.router.log_line(
            f"FlexVPN({client_tunnel.client.name}): peer {peer.priority} fqdn {peer.fqdn}: "
            f"{UNRECOGNIZED_HOST}"
        )

    # -- FlexVPN: what the configuration exchange gives, virtual-access interfaces ----------

    def interface_of(self, sa_name: str) -> str:
        return self.router_wire.interface_of(sa_name)

    def _configure(self, event: PeerConfigured) -> None:
        """The address a spoke was lent (`ip address negotiated`) and the routes the peer
        sent, out of the interface the SA serves."""
        interface = self._configured_interface(event)
        if interface is None:
            return  # a clone not made yet: made with the SA's Child SA, routes then
        iface = self.router.interface(interface)
        if event.initiator and iface.config.address_negotiated and event.received.address:
            self.router.set_negotiated_address(interface, event.received.address)
        self.router.push_routes(interface, configured_routes(event), event.distance)

    def _configured_interface(self, event: PeerConfigured) -> str | None:
        if event.tunnel is None:
            return None
        interface = self.interface_of(event.tunnel)
        return interface if interface in self.router.interfaces else None

    def _unconfigure(self, event: IkeSaDown) -> None:
        done = self._configured.gone(event)
        if done is None:
            return
        interface = self._configured_interface(done)
        if interface is not None:
            self.router.push_routes(interface, (), None)
            if done.initiator and self.router.interface(interface).config.address_negotiated:
                self.router.set_negotiated_address(interface, None)

    def _clone(self, sa_name: str) -> str | None:
        """The Virtual-Access interface serving a virtual template's SAs with one peer,
        cloned from the template when the first Child SA is installed."""
        name = self.clones.name_for(sa_name)
        if name is not None:
            return name
        request = clone_request(self, self.router.config, sa_name)
        if request is None:
            return None
        self.specs[sa_name] = request.spec
        name = self.clones.allocate(sa_name)
        clone = clone_config(request.template, name, request.local, request.peer)
        if clone.is_point_to_point_gre:
            self._framings[sa_name] = GreFraming(request.local, request.peer, clone.tunnel_key)
        self.router.add_interface(clone)
        for done in self._configured.of_tunnel(sa_name):
            self._configure(done)
        return name

    def _unclone(self, sa_name: str) -> None:
        name = self.clones.free(sa_name)
        self.specs.pop(sa_name, None)
        self._framings.pop(sa_name, None)
        if name is not None:
            self.router.remove_interface(name)

    def _line_protocol(self, tunnel: str, up: bool) -> None:
        if virtual_template_parts(tunnel) is not None:  # a clone comes and goes with its SAs
            clone = self._clone(tunnel) if up else None
            if clone is not None:
                self.router.set_tunnel_ipsec(clone, True)
            elif not up:
                self._unclone(tunnel)
            return
        peer = multipoint_parts(tunnel)
        if peer is not None:  # a multipoint tunnel's line protocol does not follow its peers
            if up:
                self._adopt_peer(*peer)
                self.router.multipoint_peer_up(*peer)
            return
        if tunnel not in self.router.interfaces:
            return  # removed by `configure terminal` while its SAs were being deleted
        self.router.set_tunnel_ipsec(tunnel, up)  # the router logs the change
        if self.observer is not None:
            self.observer(TunnelState(self.clock(), tunnel, up))

    def _restarter(self, name: str) -> Callable[[], None]:
        if virtual_template_parts(name) is not None:
            return _nothing  # the peer brings a clone's SAs up again
        parts = multipoint_parts(name)
        if parts is not None and not self._static_peer(*parts):
            return _nothing  # NHRP asks again when it has something to send to that peer
        return super()._restarter(name)

    def _static_peer(self, tunnel: str, peer: IPAddress) -> bool:
        """A peer a multipoint tunnel always needs: an NHS or an `ip nhrp map` NBMA."""
        mgre = self.router.multipoint.get(tunnel)
        engines = mgre.engines.values() if mgre is not None else ()
        return any(peer in dict(e.config.static_maps()).values() for e in engines)

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

    def path_mtu(self, router: Router, spi: bytes, mtu: int) -> None:
        """The SA that sent ESP with `spi` learns its path's MTU (RFC 4301 section 8.2.1),
        as IOS's `path mtu`; below 576 octets (RFC 791's datagram every host takes) the
        message is ignored, so that a forged one cannot starve the SA."""
        if mtu < _SMALLEST_PATH_MTU:
            return
        for name, state in self.sad.tunnels.items():
            if any(child.info.spi_out == spi for child in state.live):
                if mtu < self.tunnel_path_mtu(name):
                    self._path_mtus[name] = (mtu, self.router.clock.now)
                return

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
        tunnel = self.clones.sa_of(tunnel) or tunnel
        if tunnel not in self.specs:
            return []
        framed = self.framing(tunnel) is not None
        return self.router_wire.protect(
            packet, framed, lambda: self.tunnel_packets(tunnel, (packet,))
        )

    def overhead(self, router: Router, tunnel: str) -> int:
        tunnel = self.clones.sa_of(tunnel) or tunnel
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
        return outer + udp + gre + child.transform.largest_overhead

    def show_lines(self, router: Router, tunnel: str) -> Sequence[str]:
        profile = router.interface(tunnel).config.tunnel_protection
        tunnel = self.clones.sa_of(tunnel) or tunnel
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
        # a multipoint tunnel's router hands over the whole GRE packet (pyike.node.mgre)
        name = multipoint_sa_name(tunnel, peer)
        return self.router_wire.protect(packet, True, lambda: self.tunnel_packets(name, (packet,)))

    def peer_crypto(self, tunnel: str, peer: IPAddress) -> CryptoPeer:
        """Crypto's state with a peer of a multipoint tunnel, as `show dmvpn` shows it: `UP`
        with an SA to send with, else the stage it waits at."""
        point_to_point = self.router.interface(tunnel).config.is_point_to_point_gre
        name = tunnel if point_to_point else multipoint_sa_name(tunnel, peer)  # its own SA
        state = self.sad.tunnels.get(name)
        if state is not None and state.current is not None:
            return CryptoPeer("UP", state.current.installed_at)
        ike = [sa for sa in self.engine.ike_sas_with_peer(peer) if not sa.closed]
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
