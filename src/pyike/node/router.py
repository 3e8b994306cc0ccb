"""A simulated IOS router: interfaces and routing from a parsed configuration, and the IPv4
data plane (forwarding, ICMP, fragmentation, local UDP/ESP delivery to the hooks); IPv6 is in
`pyike.node.ipv6`.

VRFs: each has its own routing table and its own local addresses (they may overlap). A packet
is looked up in the table of the VRF it arrived in (its interface's), or that the router
originates it in (a ping's `vrf`, a reply's request, an IKE datagram's source address); a
tunnel's encapsulated packets are routed in its `tunnel vrf` (the front-door VRF), what it
carries in the tunnel interface's own VRF (the inside VRF).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, ip_address

from pyike.config.model import Config, Interface, Route
from pyike.config.query import nhrp_configs, runs_nhrp, vrf_of_address
from pyike.node import icmp, routing
from pyike.node.fragments import Reassembler, fragment
from pyike.node.gre import (
    GRE_PROTOCOL,
    GrePacket,
    carried,
    gre_packet,
    gre_wrap,
    ip_packet,
    keepalive_probe,
    parse_gre,
)
from pyike.node.hooks import (
    Decrypted,
    EspArrival,
    EspHandler,
    IkeHandler,
    InboundPolicy,
    MultipointHandler,
    OutboundPolicy,
    PolicyAction,
    Scheduler,
    TunnelHandler,
)
from pyike.node.ike_ports import IKE_PORT, NAT_T_PORT, serve_ike_ports
from pyike.node.interfaces import (
    ETHERNET_MTU,
    LOOPBACK_MTU,
    OUTER_IPV4_HEADER,
    ArpEntry,
    InterfaceKind,
    Link,
    RouterInterface,
    line_protocol_message,
    sort_key,
)
from pyike.node.ip import (
    PROTO_ESP,
    PROTO_ICMP,
    PROTO_UDP,
    IPv4Packet,
    IPv6Packet,
    MalformedPacket,
    ip_version,
    parse_ipv4,
    parse_ipv6,
)
from pyike.node.ipv6 import HOP_LIMIT, Ipv6Plane
from pyike.node.keepalive import KeepaliveState
from pyike.node.mgre import NHRP_PROTOCOL_TYPE, MultipointTunnel
from pyike.node.ratelimit import IntervalLimiter
from pyike.node.stats import IpStats
from pyike.node.tcp_mss import clamp_mss
from pyike.node.udp import UdpDatagram, parse_udp

# ("echo", ident) for echo replies and errors quoting our echo; ("udp", port) for errors
# quoting a UDP datagram we sent from that port (traceroute probes).
ListenerKey = tuple[str, int]
IcmpListener = Callable[[IPv4Packet | IPv6Packet, icmp.IcmpMessage], None]
IPAddress = IPv4Address | IPv6Address
Vrf = str | None  # a VRF's name; None: the global routing table
Tables = dict[Vrf, routing.RoutingTable]
_IPV4_MAX = 0xFFFFFFFF  # next hops above are IPv6 addresses, which IPv6 neighbours resolve


class Router:
    def __init__(
        self,
        config: Config,
        clock: Scheduler,
        *,
        log: Callable[[str], None] | None = None,
        device: int = 1,
    ) -> None:
        self.config = config
        self.hostname = config.hostname
        self.clock = clock
        self.log = log
        self.device = device  # its number in the lab, in its interfaces' MAC addresses
        self.stats = IpStats()
        self.interfaces: dict[str, RouterInterface] = {
            name: RouterInterface(iface, self.hostname, self.receive, device)
            for name, iface in sorted(config.interfaces.items(), key=lambda kv: sort_key(kv[0]))
        }
        # The interfaces configured with each address, for the set of interfaces in
        # `_holders_of` (rebuilt when interfaces are added or removed).
        self._holders: dict[int, list[RouterInterface]] = {}
        self._holders_of: tuple[int, int] | None = None
        # Routes peers sent over IKEv2 (FlexVPN `route set`), by the interface they leave by.
        self.pushed_routes: dict[str, list[routing.RouteEntry]] = {}
        # static routes the router made itself (reverse route injection), resolved as `ip route`
        self.injected_routes: tuple[Route, ...] = ()
        self.ike_handler: IkeHandler | None = None
        self.esp_handler: EspHandler | None = None
        self.tunnel_handler: TunnelHandler | None = None
        self.multipoint_handler: MultipointHandler | None = None
        self.outbound_policy: OutboundPolicy | None = None
        self.inbound_policy: InboundPolicy | None = None
        self.unreachable_limiter = IntervalLimiter()
        self.df_unreachable_limiter = IntervalLimiter()
        self.reassembler = Reassembler()
        self.tables: Tables = {None: routing.RoutingTable()}
        self._ribs: dict[tuple[int, Vrf], routing.Rib] = {}  # (IP version, VRF) -> its RIB
        self.v6 = Ipv6Plane(self)
        self._listeners: dict[ListenerKey, IcmpListener] = {}
        self._ident = 0
        self._booted = False
        self.keepalives: dict[str, KeepaliveState] = {
            name: KeepaliveState(iface.config.keepalive)
            for name, iface in self.interfaces.items()
            if iface.config.keepalive is not None and iface.config.is_point_to_point_gre
        }
        self.multipoint = self._multipoint_tunnels()
        self.refresh()
        self._booted = True
        for name, state in self.keepalives.items():
            self.clock.call_later(state.settings.period, self._keepalive_timer(name))
        for name, mgre in self.multipoint.items():
            if self.interfaces[name].line_up:
                self.clock.call_later(0.0, mgre.start)

    # -- configuration and state -------------------------------------------------------------

    def interface(self, name: str) -> RouterInterface:
        try:
            return self.interfaces[name]
        except KeyError:
            raise KeyError(f"% Invalid interface {name}") from None

    def attach(self, name: str, link: Link) -> RouterInterface:
        """Connect interface `name` to a link; the link learns of it through `link.attach`."""
        iface = self.interface(name)
        iface.link = link
        attach = getattr(link, "attach", None)
        if attach is not None:
            attach(iface)
        return iface

    def set_shutdown(self, name: str, shutdown: bool) -> None:
        self.interface(name).admin_up = not shutdown
        self.refresh()

    def set_carrier(self, name: str, carrier: bool) -> None:
        """The interface's link goes down (a cable pulled, the far end gone) or comes back."""
        iface = self.interface(name)
        if iface.carrier == carrier:
            return
        iface.carrier = carrier
        state = "up" if carrier else "down"
        self._log(f"%LINK-3-UPDOWN: Interface {name}, changed state to {state}")
        self.refresh()

    def set_tunnel_ipsec(self, name: str, installed: bool) -> None:
        """The lab says whether the tunnel's IPsec SAs are installed (line protocol follows)."""
        iface = self.interface(name)
        if not iface.is_tunnel:
            raise ValueError(f"{name} is not a tunnel interface")
        iface.ipsec_up = installed
        if not self._refresh_tunnel(iface):
            self.refresh()

    # -- FlexVPN: virtual-access interfaces, negotiated addresses, routes from IKEv2 --------

    def add_interface(self, config: Interface) -> RouterInterface:
        """A dynamic interface (a virtual template's clone, Virtual-AccessN) comes up."""
        iface = RouterInterface(config, self.hostname, self.receive, self.device)
        self.interfaces[config.name] = iface
        self._interfaces_changed()
        self._log(f"%LINK-3-UPDOWN: Interface {config.name}, changed state to up")
        if not (self._incremental(iface) and self._refresh_tunnel(iface)):
            self.refresh()
        return iface

    def remove_interface(self, name: str) -> None:
        """A dynamic interface goes, with the routes through it."""
        if self.interfaces.pop(name, None) is None:
            return
        self.pushed_routes.pop(name, None)
        self._interfaces_changed()
        self._log(f"%LINK-3-UPDOWN: Interface {name}, changed state to down")
        self._log(line_protocol_message(name, False))
        self.refresh()

    def set_negotiated_address(self, name: str, address: IPv4Address | None) -> None:
        """`ip address negotiated`: the address the peer lent (a host address), or none."""
        addresses = () if address is None else ((address, IPv4Address("255.255.255.255")),)
        self._reconfigure(name, replace(self.interface(name).config, addresses=addresses))

    def set_tunnel_destination(self, name: str, address: IPAddress) -> None:
        """`tunnel destination dynamic`: the peer a FlexVPN client chose for the tunnel."""
        config = replace(self.interface(name).config, tunnel_destination=str(address))
        self._reconfigure(name, config)

    def replace_interface(self, config: Interface) -> None:
        """`configure terminal` changed an interface: it runs with `config` from now on, its
        link, counters and IPsec state kept, shut down or not as `config` says."""
        self._reconfigure(config.name, config)
        self.set_shutdown(config.name, config.shutdown)

    def _reconfigure(self, name: str, config: Interface) -> None:
        """Interface `name` runs with `config` from now on, keeping its state and counters."""
        iface = self.interface(name)
        fresh = RouterInterface(config, self.hostname, self.receive, self.device)
        fresh.admin_up, fresh.ipsec_up, fresh.link = iface.admin_up, iface.ipsec_up, iface.link
        fresh.arp = iface.arp
        fresh.carrier, fresh.counters, fresh.line_up = iface.carrier, iface.counters, iface.line_up
        self.interfaces[name] = fresh
        self._interfaces_changed()
        self.refresh()

    def push_routes(
        self, interface: str, prefixes: Sequence[routing.IPNetwork], distance: int | None
    ) -> None:
        """Routes a peer sent over IKEv2, out `interface` (`S`, at `distance`); `None` or no
        prefixes withdraws them."""
        before = self.pushed_routes.pop(interface, [])
        if distance is not None and prefixes:
            self.pushed_routes[interface] = [
                routing.RouteEntry(
                    p, routing.RouteCode.STATIC, distance, 0, (routing.Path(interface, None),)
                )
                for p in prefixes
            ]
        iface = self.interfaces.get(interface)
        if iface is None or not self._incremental(iface):
            self.refresh()
        elif iface.line_up:  # only this interface's routes change
            for entry in before:
                rib = self._ribs[entry.prefix.version, iface.vrf]
                rib.remove_route(interface, entry.prefix, routing.RouteCode.STATIC)
            for version in (4, 6):
                self._add_pushed_routes(
                    self._ribs[version, iface.vrf], version, iface.vrf, interface
                )

    def inject_routes(self, routes: Sequence[Route]) -> None:
        """The static routes the router makes itself are now `routes` (reverse route
        injection: each is shown and resolved as an `ip route` through its next hop)."""
        if tuple(routes) != self.injected_routes:
            self.injected_routes = tuple(routes)
            self.refresh()

    def _incremental(self, iface: RouterInterface) -> bool:
        """A tunnel whose changes touch its own routes only (`_refresh_tunnel`'s case), so
        that a hub's hundreds of clones do not each rebuild every table."""
        return (
            iface.is_tunnel
            and bool(self._ribs)
            and not self._global_next_hops
            and (4, iface.vrf) in self._ribs
        )

    def _add_pushed_routes(
        self, rib: routing.Rib, version: int, vrf: Vrf, only: str | None = None
    ) -> None:
        """Routes from IKEv2 out of interfaces that are up (or out of `only`)."""
        pushed = self.pushed_routes
        owners = pushed.items() if only is None else [(only, pushed.get(only, []))]
        for owner, entries in owners:
            iface = self.interfaces.get(owner)
            if iface is None or iface.vrf != vrf or not iface.line_up:
                continue
            for entry in entries:
                if entry.prefix.version == version:
                    rib.add_route(owner, entry)

    def primary_of(self, iface: RouterInterface) -> IPv4Interface | None:
        """An interface's IPv4 address, or with `ip unnumbered IF` IF's."""
        lender = self.interfaces.get(iface.config.unnumbered or "")
        return iface.primary or (lender.primary if lender is not None else None)

    def _interfaces_changed(self) -> None:
        self._holders_of = None  # the address index (`_interfaces_holding`) is stale

    def _refresh_tunnel(self, tunnel: RouterInterface) -> bool:
        """What `refresh` does when one tunnel's IPsec state changed, at the cost of that
        tunnel alone: nothing else's line protocol depends on it (a tunnel's depends on the
        tables without tunnels), so only its own routes change. False when the whole refresh
        is needed (before the first one, or when a VRF resolves next hops in the global
        table, whose routes this would change under it)."""
        if not self._ribs or self._global_next_hops:
            return False
        before = tunnel.line_up
        tunnel.line_up = self._tunnel_line_up(tunnel, self._base, self._base6)
        keepalive = self.keepalives.get(tunnel.name)
        self._keepalive_held.discard(tunnel.name)
        if tunnel.line_up and keepalive is not None and keepalive.down:
            tunnel.line_up = False
            self._keepalive_held.add(tunnel.name)
        if tunnel.line_up == before:
            return True
        for version, addresses in ((4, tunnel.addresses), (6, tunnel.addresses6)):
            rib = self._ribs[version, tunnel.vrf]
            rib.interface_changed(tunnel.name, addresses)
            self._add_pushed_routes(rib, version, tunnel.vrf, tunnel.name)
        if self._booted:
            self._log(line_protocol_message(tunnel.name, tunnel.line_up))
            if tunnel.line_up and tunnel.name in self.multipoint:
                self.multipoint[tunnel.name].start()
        return True

    @property
    def table(self) -> routing.RoutingTable:
        """The global IPv4 routing table (`show ip route`)."""
        return self.tables[None]

    @property
    def vrfs(self) -> list[Vrf]:
        """The global table and every VRF, defined or named by an interface or a route."""
        named = set(self.config.vrfs) | {i.vrf for i in self.interfaces.values() if i.vrf}
        named |= {r.vrf for r in self.config.routes if r.vrf}
        return [None, *sorted(named)]

    def refresh(self) -> None:
        """Re-evaluate line protocols and rebuild the routing tables, as IOS does on any
        interface state change (routes over a down interface are withdrawn)."""
        before = {name: i.line_up for name, i in self.interfaces.items()}
        self._global_next_hops = any(r.global_next_hop for r in self.config.routes)
        for iface in self.interfaces.values():
            if not iface.is_tunnel:  # a virtual template carries nothing itself: its clones do
                iface.line_up = iface.admin_up and iface.carrier and not iface.config.type_tunnel
                if not iface.line_up:
                    iface.arp.clear()  # IOS flushes an interface's ARP entries when it goes down
        base = self._base = self._build_tables(tunnels=False)
        base6 = self._base6 = self._build_tables(tunnels=False, version=6)
        self._keepalive_held: set[str] = set()  # down for want of keepalive replies only
        for iface in self.interfaces.values():
            if iface.is_tunnel:
                iface.line_up = self._tunnel_line_up(iface, base, base6)
                keepalive = self.keepalives.get(iface.name)
                if iface.line_up and keepalive is not None and keepalive.down:
                    iface.line_up = False
                    self._keepalive_held.add(iface.name)
        self.tables = self._build_tables(tunnels=True)
        self.v6.tables = self._build_tables(tunnels=True, version=6)
        if self._booted:
            for name, iface in self.interfaces.items():
                if iface.line_up != before[name]:
                    self._log(line_protocol_message(name, iface.line_up))
                    if iface.line_up and name in self.multipoint:
                        self.multipoint[name].start()

    def _build_tables(self, tunnels: bool, version: int = 4) -> Tables:
        """The tables of every VRF, with or without the tunnels' routes; those with them are
        kept as RIBs that `_refresh_tunnel` updates."""

        def up(name: str) -> bool:
            iface = self.interfaces.get(name)
            return iface is not None and iface.line_up and (tunnels or not iface.is_tunnel)

        tables: Tables = {}
        for vrf in self.vrfs:
            connected: list[tuple[str, routing.IPInterface]] = [
                (name, address)
                for name, iface in self.interfaces.items()
                if iface.vrf == vrf and iface.line_up and (tunnels or not iface.is_tunnel)
                for address in (iface.addresses if version == 4 else iface.addresses6)
            ]
            statics = [r for r in (*self.config.routes, *self.injected_routes) if r.vrf == vrf]
            rib = routing.Rib(connected, statics, up, version, tables.get(None))
            if tunnels:
                self._ribs[version, vrf] = rib
                self._add_nhrp_routes(rib, version, vrf)
                self._add_pushed_routes(rib, version, vrf)
            tables[vrf] = rib.table
        return tables

    def table_for(self, address: IPAddress, vrf: Vrf = None) -> routing.RoutingTable:
        return self._table(address.version, vrf)

    def _table(self, version: int, vrf: Vrf = None) -> routing.RoutingTable:
        table = (self.tables if version == 4 else self.v6.tables).get(vrf)
        return table if table is not None else routing.RoutingTable(bits=routing.bits(version))

    def vrf_of(self, interface: str | None) -> Vrf:
        """The VRF an interface is in (None for none, or for the router itself)."""
        iface = self.interfaces.get(interface) if interface is not None else None
        return iface.vrf if iface is not None else None

    def _tunnel_line_up(self, tunnel: RouterInterface, tables: Tables, tables6: Tables) -> bool:
        """Up when its source is up and its destination routed, both in its front-door VRF
        (`tunnel vrf`), and its IPsec SAs are installed if it is protected (keepalives
        aside)."""
        if not tunnel.admin_up:
            return False
        fvrf = tunnel.config.tunnel_vrf
        source, destination = self.tunnel_endpoints(tunnel.name)
        if source is None or not self._address_up(int(source), fvrf):
            return False
        if tunnel.config.is_multipoint_gre:
            return True  # no destination: NHRP finds the peers, each with SAs of its own
        if destination is None:
            return False
        table = (tables if destination.version == 4 else tables6).get(fvrf)
        entry = table.lookup(int(destination)) if table is not None else None
        if entry is None:
            return False
        mode = tunnel.config.tunnel_mode or "gre ip"
        needs_ipsec = mode.startswith("ipsec") or tunnel.config.tunnel_protection is not None
        return tunnel.ipsec_up or not needs_ipsec

    def tunnel_endpoints(self, name: str) -> tuple[IPAddress | None, IPAddress | None]:
        """(source, destination) outer addresses of a tunnel; None where unknown. A tunnel
        in an IPv6 mode (`tunnel mode ipsec ipv6 [v4-overlay]`) runs over IPv6."""
        cfg = self.interface(name).config
        version = cfg.outer_version
        source: IPAddress | None = None
        if cfg.tunnel_source is not None:
            src_iface = self.interfaces.get(cfg.tunnel_source)
            if src_iface is not None:
                primary = src_iface.primary if version == 4 else src_iface.primary6
                source = primary.ip if primary else None
            else:
                source = _address(cfg.tunnel_source, version)
        destination = _address(cfg.tunnel_destination, version)
        return source, destination

    def _address_up(self, address: int, vrf: Vrf = None) -> bool:
        return any(i.line_up and i.vrf == vrf for i in self._interfaces_holding(address))

    def _interfaces_holding(self, address: int) -> list[RouterInterface]:
        interfaces = self.interfaces
        if self._holders_of != (id(interfaces), len(interfaces)):
            self._holders = {}
            for iface in interfaces.values():
                for held in iface.owned_addresses:
                    self._holders.setdefault(held, []).append(iface)
            self._holders_of = (id(interfaces), len(interfaces))
        return self._holders.get(address, [])

    def is_local(self, address: int, vrf: Vrf = None) -> bool:
        """An address of one of the router's up interfaces in `vrf`."""
        return self._address_up(address, vrf)

    def ip_mtu(self, name: str) -> int:
        """The IP MTU of an interface (`ip mtu`, else derived from the media or the tunnel)."""
        iface = self.interface(name)
        if iface.config.ip_mtu is not None:
            return iface.config.ip_mtu
        if iface.kind is InterfaceKind.LOOPBACK:
            return LOOPBACK_MTU
        if iface.is_tunnel:
            return self.tunnel_transport_mtu(name) - self.tunnel_overhead(name)
        return ETHERNET_MTU

    def tunnel_transport_mtu(self, name: str) -> int:
        """The IP MTU of the interface the tunnel's packets leave through."""
        _source, destination = self.tunnel_endpoints(name)
        if destination is not None:
            fvrf = self.interface(name).config.tunnel_vrf
            entry = self.table_for(destination, fvrf).lookup(int(destination))
            if entry is not None:
                egress = entry.paths[0].interface
                if egress != name and not self.interfaces[egress].is_tunnel:
                    return self.ip_mtu(egress)
        source_name = self.interface(name).config.tunnel_source
        if source_name in self.interfaces and not self.interfaces[source_name].is_tunnel:
            return self.ip_mtu(source_name)
        return ETHERNET_MTU

    def tunnel_overhead(self, name: str) -> int:
        config = self.interface(name).config
        if config.is_multipoint_gre or name in self.multipoint:  # GRE, in ESP if protected
            gre = 4 + (4 if config.tunnel_key is not None else 0)
            if self.tunnel_handler is not None and config.tunnel_protection is not None:
                return self.tunnel_handler.overhead(self, name) + gre
            return OUTER_IPV4_HEADER + gre
        if self.tunnel_handler is not None and not self._plain_gre(config):
            return self.tunnel_handler.overhead(self, name)
        key = 4 if config.is_gre and config.tunnel_key is not None else 0
        return OUTER_IPV4_HEADER + (4 + key if config.is_gre else 0)

    def source_address(self, destination: int, version: int = 4, vrf: Vrf = None) -> int | None:
        """The source IOS gives a packet it originates in `vrf`: the egress interface's
        (first) address of the destination's family (for IPv6, the global addresses pyike
        models)."""
        if self.is_local(destination, vrf):
            return destination
        entry = self._table(version, vrf).lookup(destination)
        if entry is None:
            return None
        egress = self.interfaces[entry.path_for(0, destination).interface]
        primary = self.primary_of(egress) if version == 4 else egress.primary6
        return int(primary.ip) if primary else None

    def next_ident(self) -> int:
        self._ident = (self._ident + 1) & 0xFFFF
        return self._ident

    # -- listeners for exec commands -----------------------------------------------------------

    def listen(self, key: ListenerKey, callback: IcmpListener) -> None:
        self._listeners[key] = callback

    def unlisten(self, key: ListenerKey) -> None:
        self._listeners.pop(key, None)

    # -- receive path ----------------------------------------------------------------------------

    def receive(self, name: str, data: bytes) -> None:
        """A packet arrives from the wire on interface `name`."""
        self._receive(name, data, None)

    def _receive(self, name: str, data: bytes, protected_by: str | None) -> None:
        iface = self.interfaces.get(name)
        # a tunnel down only for want of keepalive replies still takes the peer's probes
        if iface is None or not (iface.line_up or name in self._keepalive_held):
            return
        iface.counters.received(len(data))
        iface.last_input = self.clock.now
        self.stats.received += 1
        if ip_version(data) == 6:
            self.v6.receive(iface, data)
            return
        if ip_version(data) != 4:
            iface.counters.unknown_protocol += 1
            return
        try:
            packet = parse_ipv4(data)
        except MalformedPacket:
            iface.counters.input_errors += 1
            self.stats.bad_header += 1
            return
        if not self._inbound_allowed(iface, data, protected_by):
            return
        mss = iface.config.tcp_adjust_mss
        self._ingress(packet if mss is None else clamp_mss(packet, mss), name, iface.vrf)

    def _inbound_allowed(
        self, iface: RouterInterface, data: bytes, protected_by: str | None
    ) -> bool:
        if self.inbound_policy is None or iface.is_tunnel:
            return True
        if self.inbound_policy.inbound(self, iface.name, data, protected_by):
            return True
        self.stats.policy_dropped += 1
        return False

    def inject(self, name: str, data: bytes) -> None:
        """A packet arrives on a tunnel (or other) interface from within the router."""
        self.receive(name, data)

    def _ingress(self, packet: IPv4Packet, in_iface: str | None, vrf: Vrf) -> None:
        if self.is_local(packet.dst, vrf):
            self._deliver_local(packet, in_iface, vrf)
        elif packet.dst == 0xFFFFFFFF:
            return
        else:
            self._forward(packet, in_iface, vrf)

    def _forward(self, packet: IPv4Packet, in_iface: str | None, vrf: Vrf) -> None:
        if packet.ttl <= 1:
            self.stats.ttl_expired += 1
            self._icmp_error(icmp.time_exceeded(packet), packet, in_iface, vrf)
            return
        self.stats.forwarded += 1
        self._route_out(packet.with_ttl(packet.ttl - 1), in_iface, local=False, vrf=vrf)

    # -- send path ---------------------------------------------------------------------------

    def originate(self, packet: IPv4Packet, vrf: Vrf = None) -> None:
        """Send a packet the router itself generates (ping, IKE, ICMP errors) in `vrf`."""
        self.stats.originated += 1
        if self.is_local(packet.dst, vrf):
            self.clock.call_later(0.0, lambda: self._deliver_local(packet, None, vrf))
            return
        self._route_out(packet, None, local=True, vrf=vrf)

    def send_udp(
        self,
        dst: IPAddress,
        dst_port: int,
        payload: bytes,
        *,
        src: IPAddress | None = None,
        src_port: int = IKE_PORT,
        df: bool = False,
    ) -> bool:
        """Originate a UDP datagram (the IKE service's way out), in the VRF of `src` (the
        global table without it). False without a route. `src` of the other family than
        `dst` is ignored; so is `df` for IPv6."""
        version = dst.version
        vrf: Vrf = None
        if src is not None and src.version == version:
            source: int | None = int(src)
            vrf = vrf_of_address(self.config, src)
        else:
            source = self.source_address(int(dst), version)
        if source is None:
            self.stats.no_route += 1
            return False
        data = UdpDatagram(src_port, dst_port, payload).to_bytes(source, int(dst), version)
        if version == 6:
            packet6 = IPv6Packet(source, int(dst), PROTO_UDP, data, hop_limit=HOP_LIMIT)
            self.v6.originate(packet6, vrf)
        else:
            ident = self.next_ident()
            packet = IPv4Packet(source, int(dst), PROTO_UDP, data, ident=ident, df=df)
            self.originate(packet, vrf)
        return True

    def send_raw(self, data: bytes) -> None:
        """Originate a complete IPv4 packet, in the VRF of its source address."""
        try:
            packet = parse_ipv4(data)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        self.originate(packet, vrf_of_address(self.config, IPv4Address(packet.src)))

    def _route_out(
        self,
        packet: IPv4Packet,
        in_iface: str | None,
        local: bool,
        skip_policy: bool = False,
        vrf: Vrf = None,
    ) -> None:
        entry = self._table(4, vrf).lookup(packet.dst)
        if entry is None:
            self.stats.no_route += 1
            if not local:
                message = icmp.unreachable(icmp.NET_UNREACHABLE, packet)
                self._icmp_error(message, packet, in_iface, vrf)
            return
        path = entry.path_for(packet.src, packet.dst)
        out = self.interfaces[path.interface]
        next_hop = path.gateway if path.gateway is not None else packet.dst
        if out.config.tcp_adjust_mss is not None:
            packet = clamp_mss(packet, out.config.tcp_adjust_mss)
        if out.name in self.multipoint and out.config.is_multipoint_gre:
            self._multipoint_out(self.multipoint[out.name], packet, next_hop, in_iface, vrf)
        elif out.is_tunnel:
            self._tunnel_out(out, packet, in_iface, vrf)
        else:
            self._physical_out(out, packet, next_hop, in_iface, skip_policy, vrf)

    def _fit(
        self, packet: IPv4Packet, mtu: int, in_iface: str | None, vrf: Vrf
    ) -> list[IPv4Packet] | None:
        """The packet, or its fragments, for an egress MTU; None (and an ICMP
        fragmentation-needed) when DF forbids fragmenting."""
        if packet.total_length <= mtu:
            return [packet]
        if packet.df:
            self.stats.couldnt_fragment += 1
            message = icmp.unreachable(icmp.FRAGMENTATION_NEEDED, packet, next_hop_mtu=mtu)
            self._icmp_error(message, packet, in_iface, vrf)
            return None
        pieces = fragment(packet, mtu)
        self.stats.fragmented += 1
        self.stats.fragments_created += len(pieces)
        return pieces

    def _physical_out(
        self,
        out: RouterInterface,
        packet: IPv4Packet,
        next_hop: int,
        in_iface: str | None,
        skip_policy: bool,
        vrf: Vrf,
    ) -> None:
        if self.outbound_policy is not None and not skip_policy:
            decision = self.outbound_policy.outbound(self, out.name, packet.to_bytes())
            if decision.action is PolicyAction.DROP:
                self.stats.policy_dropped += 1
                return
            if decision.action is PolicyAction.PROTECT:
                for outer in decision.packets:
                    self._send_outer(outer, out.vrf)  # a crypto map's front door: its VRF
                return
            if decision.action is PolicyAction.TOO_BIG:
                self.stats.couldnt_fragment += 1
                message = icmp.unreachable(
                    icmp.FRAGMENTATION_NEEDED, packet, next_hop_mtu=decision.mtu
                )
                self._icmp_error(message, packet, in_iface, vrf)
                return
        pieces = self._fit(packet, self.ip_mtu(out.name), in_iface, vrf)
        for piece in pieces or ():
            self._transmit(out, piece.to_bytes(), next_hop)

    def _transmit(self, out: RouterInterface, data: bytes, next_hop: int) -> None:
        link = out.link
        if link is None:
            self._encapsulation_failed(out)
            return
        if not link.transmit(out, data, next_hop):
            self._encapsulation_failed(out)
            entry = out.arp.get(next_hop)
            if next_hop <= _IPV4_MAX and (entry is None or entry.mac is None):
                out.arp[next_hop] = ArpEntry(None, self.clock.now)  # asked, unanswered
            return
        entry = out.arp.get(next_hop)
        if (entry is None or entry.mac is None) and next_hop <= _IPV4_MAX:
            neighbour = link.resolve(out, next_hop)
            if neighbour is not None:
                out.arp[next_hop] = ArpEntry(neighbour.hardware_address, self.clock.now)
        out.counters.sent(len(data))
        out.last_output = self.clock.now

    def _encapsulation_failed(self, out: RouterInterface) -> None:
        self.stats.encapsulation_failed += 1
        out.counters.output_drops += 1

    def _tunnel_out(
        self, tunnel: RouterInterface, packet: IPv4Packet, in_iface: str | None, vrf: Vrf
    ) -> None:
        pieces = self._fit(packet, self.ip_mtu(tunnel.name), in_iface, vrf)
        if pieces is None:
            return
        if self.tunnel_handler is None:
            self.stats.tunnel_dropped += len(pieces)
            tunnel.counters.output_drops += len(pieces)
            return
        for piece in pieces:
            self.tunnel_send(tunnel, piece.to_bytes(), piece.total_length)

    def tunnel_send(self, tunnel: RouterInterface, data: bytes, size: int) -> None:
        """Hand one packet (that fits the tunnel's IP MTU) to the tunnel handler, or for a
        GRE tunnel without tunnel protection, send it in GRE (where a crypto map on the way
        out may protect it)."""
        plain = self._plain_gre(tunnel.config)
        outers: Sequence[bytes] = ()
        if plain:
            outers = self._gre_outers(tunnel, data)
        elif tunnel.name in self.multipoint:  # NHRP on it: our GRE, whole, in its SA
            gres = self._gre_outers(tunnel, data)
            outers = [outer for gre in gres for outer in self._protect(tunnel, gre)]
        elif self.tunnel_handler is not None:
            outers = self.tunnel_handler.encapsulate(self, tunnel.name, data)
        if not outers:
            self.stats.tunnel_dropped += 1
            tunnel.counters.output_drops += 1
            return
        tunnel.counters.sent(size)
        tunnel.last_output = self.clock.now
        for outer in outers:
            self._send_outer(outer, tunnel.config.tunnel_vrf, apply_policy=plain)

    def _protect(self, tunnel: RouterInterface, gre: bytes) -> Sequence[bytes]:
        """ESP for a whole GRE packet of point-to-point tunnel `tunnel`, which runs NHRP."""
        handler = self.tunnel_handler
        return handler.encapsulate(self, tunnel.name, gre) if handler is not None else ()

    @staticmethod
    def _plain_gre(config: Interface) -> bool:
        """A point-to-point GRE tunnel without tunnel protection: the router's own GRE."""
        return config.is_point_to_point_gre and config.tunnel_protection is None

    def _gre_outers(self, tunnel: RouterInterface, data: bytes) -> Sequence[bytes]:
        source, destination = self.tunnel_endpoints(tunnel.name)
        if source is None or destination is None or source.version != 4:
            return ()
        config = tunnel.config
        return (gre_packet(source, destination, data, config.tunnel_key, config.outer_ttl),)

    def send_encapsulated(self, data: bytes) -> None:
        """Route an encapsulated packet (ESP toward a peer) in the VRF of its source
        address, past the crypto maps."""
        try:
            packet = parse_ipv6(data) if ip_version(data) == 6 else parse_ipv4(data)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        self._send_outer(data, vrf_of_address(self.config, packet.src_address))

    def transmit(self, out: RouterInterface, data: bytes, next_hop: int) -> None:
        self._transmit(out, data, next_hop)

    def _send_outer(self, data: bytes, vrf: Vrf = None, apply_policy: bool = False) -> None:
        """Route an encapsulated packet in the front-door VRF `vrf`; it must not re-enter a
        tunnel (IOS: recursive routing) nor be matched again by a crypto map (unless
        `apply_policy`: plain GRE, which a crypto map may protect)."""
        try:
            packet = parse_ipv6(data) if ip_version(data) == 6 else parse_ipv4(data)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        entry = self._table(packet.version, vrf).lookup(packet.dst)
        if entry is None or self.interfaces[entry.paths[0].interface].is_tunnel:
            self.stats.tunnel_dropped += 1
            return
        self.stats.originated += 1
        if isinstance(packet, IPv6Packet):
            self.v6.route_out(packet, None, local=True, vrf=vrf)
        else:
            self._route_out(packet, None, local=True, skip_policy=not apply_policy, vrf=vrf)

    # -- local delivery ---------------------------------------------------------------------------

    def _deliver_local(self, packet: IPv4Packet, in_iface: str | None, vrf: Vrf) -> None:
        if packet.is_fragment:
            whole = self.reassembler.add(packet, self.clock.now)
            if whole is None:
                return
            self.stats.reassembled += 1
            packet = whole
        self.stats.delivered += 1
        if packet.protocol == PROTO_ICMP:
            self._local_icmp(packet, vrf)
        elif packet.protocol == PROTO_UDP:
            self._local_udp(packet, in_iface, vrf)
        elif packet.protocol == PROTO_ESP and self.esp_handler is not None:
            self._esp(EspArrival(in_iface or "", packet, packet.payload, False), in_iface)
        elif packet.protocol == GRE_PROTOCOL and self._gre_in(packet, vrf):
            pass
        else:
            self.stats.unknown_protocol += 1
            message = icmp.unreachable(icmp.PROTOCOL_UNREACHABLE, packet)
            self._icmp_error(message, packet, in_iface, vrf)

    def _local_icmp(self, packet: IPv4Packet, vrf: Vrf) -> None:
        try:
            message = icmp.parse_icmp(packet.payload)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        if message.type == icmp.ECHO_REQUEST:
            reply = icmp.echo(False, message.ident, message.sequence, message.data)
            self.stats.echo_replies_sent += 1
            answer = icmp.packet(packet.dst, packet.src, reply, ident=self.next_ident())
            self.originate(answer, vrf)
            return
        key: ListenerKey | None = None
        if message.type == icmp.ECHO_REPLY:
            key = ("echo", message.ident)
        elif message.is_error:
            key = _quoted_key(message)
            if message.type == icmp.DEST_UNREACHABLE and message.code == icmp.FRAGMENTATION_NEEDED:
                self._esp_too_big(message)
        self.notify_listener(key, packet, message)

    def _esp_too_big(self, message: icmp.IcmpMessage) -> None:
        """Fragmentation needed about ESP this router sent: its SA learns the path's MTU."""
        quoted = icmp.quoted_packet(message)
        if quoted is None or quoted.protocol != PROTO_ESP or len(quoted.payload) < 4:
            return
        if self.esp_handler is not None and self.is_local(quoted.src):
            self.esp_handler.path_mtu(self, quoted.payload[:4], message.next_hop_mtu)

    def _local_udp(self, packet: IPv4Packet, in_iface: str | None, vrf: Vrf) -> None:
        try:
            datagram = parse_udp(packet.payload, packet.src, packet.dst)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        if not serve_ike_ports(self, packet, datagram, in_iface):
            message = icmp.unreachable(icmp.PORT_UNREACHABLE, packet)
            self._icmp_error(message, packet, in_iface, vrf)

    def esp_arrival(self, arrival: EspArrival, in_iface: str | None) -> None:
        self._esp(arrival, in_iface)

    def notify_listener(
        self, key: ListenerKey | None, packet: IPv4Packet | IPv6Packet, message: icmp.IcmpMessage
    ) -> None:
        listener = self._listeners.get(key) if key else None
        if listener is not None:
            listener(packet, message)

    def _esp(self, arrival: EspArrival, in_iface: str | None) -> None:
        assert self.esp_handler is not None
        self.stats.esp_received += 1
        result: Decrypted | None = self.esp_handler.esp_packet(self, arrival)
        if result is None:
            self.stats.esp_dropped += 1
            return
        if result.tunnel in self.multipoint:  # the GRE packet whole, from the peer
            self._multipoint_in(self.multipoint[result.tunnel], result.inner, protected=True)
        elif result.tunnel is not None:
            self.receive(result.tunnel, result.inner)
        elif in_iface is not None:
            # A crypto map SA: forwarded as if received, decrypted, on the outer interface.
            self._receive(in_iface, result.inner, result.sa_name or "")

    # -- GRE tunnels ------------------------------------------------------------------------------

    def _gre_in(self, packet: IPv4Packet, vrf: Vrf) -> bool:
        """A GRE packet to this router: a keepalive reply, or what a tunnel without
        protection carries (a protected tunnel takes only ESP: clear GRE is dropped). False
        when no GRE tunnel takes it with its key: a point-to-point one between its addresses,
        or a multipoint one sourced from its destination."""
        gre = parse_gre(packet.payload)
        mgre = None if gre is None else self._multipoint_tunnel(packet, gre.key, vrf)
        if gre is not None and mgre is not None:
            self._multipoint_gre(mgre, gre, IPv4Address(packet.src), protected=False)
            return True
        tunnel = None if gre is None else self._gre_tunnel(packet, gre.key, vrf)
        if gre is None or tunnel is None:
            return False
        if gre.is_keepalive:
            self._keepalive_answered(tunnel.name)
        elif tunnel.config.tunnel_protection is None:
            inner = carried(gre, tunnel.config.tunnel_key)
            if inner is not None:
                self.receive(tunnel.name, inner)
        else:
            tunnel.counters.input_drops += 1
        return True

    def _gre_tunnel(self, packet: IPv4Packet, key: int | None, vrf: Vrf) -> RouterInterface | None:
        for iface in self.interfaces.values():
            config = iface.config
            if not config.is_point_to_point_gre or config.tunnel_vrf != vrf:
                continue
            if config.tunnel_key != key:
                continue
            source, destination = self.tunnel_endpoints(iface.name)
            if source == IPv4Address(packet.dst) and destination == IPv4Address(packet.src):
                return iface
        return None

    def _keepalive_timer(self, name: str) -> Callable[[], None]:
        def tick() -> None:
            state = self.keepalives[name]
            tunnel = self.interfaces[name]
            if tunnel.admin_up:
                if state.probe():
                    self.refresh()
                source, destination = self.tunnel_endpoints(name)
                if source is not None and destination is not None:
                    probe = keepalive_probe(source, destination, tunnel.config.tunnel_key)
                    self.tunnel_send(tunnel, probe, len(probe))
            self.clock.call_later(state.settings.period, tick)

        return tick

    def _keepalive_answered(self, name: str) -> None:
        state = self.keepalives.get(name)
        if state is not None and state.answered():
            self.refresh()

    # -- multipoint GRE tunnels (DMVPN: pyike.node.mgre) -----------------------------------------

    def _multipoint_tunnels(self) -> dict[str, MultipointTunnel]:
        """A MultipointTunnel for each multipoint GRE tunnel NHRP runs on."""
        out = {}
        for name, iface in self.interfaces.items():
            if not runs_nhrp(iface.config):
                continue
            try:
                out[name] = MultipointTunnel(self, nhrp_configs(self.config, iface.config))
            except ValueError:
                continue  # config check names why (query.nhrp_reason)
        return out

    def _multipoint_out(
        self,
        mgre: MultipointTunnel,
        packet: IPv4Packet,
        next_hop: int,
        in_iface: str | None,
        vrf: Vrf,
    ) -> None:
        """A data packet routed into a multipoint tunnel goes to the NBMA address NHRP
        gives its overlay next hop."""
        pieces = self._fit(packet, self.ip_mtu(mgre.name), in_iface, vrf)
        for piece in pieces or ():
            self.multipoint_forward(mgre, piece.to_bytes(), IPv4Address(next_hop), in_iface)

    def multipoint_forward(
        self, mgre: MultipointTunnel, data: bytes, next_hop: IPAddress, in_iface: str | None
    ) -> None:
        """A data packet (IPv4 or IPv6, that fits) into a multipoint tunnel: to the NBMA
        address NHRP gives its overlay next hop."""
        nbma = mgre.forward(data, next_hop, hairpin=in_iface == mgre.name)
        if nbma is None or not self.multipoint_send(mgre.name, nbma, None, data):
            self.stats.tunnel_dropped += 1
            self.interfaces[mgre.name].counters.output_drops += 1

    def multipoint_send(
        self, name: str, nbma: IPAddress, protocol_type: int | None, payload: bytes
    ) -> bool:
        """One packet of multipoint tunnel `name` to the peer at `nbma` in GRE (of
        `protocol_type`; None: the IP packet's own) from the tunnel source, on a protected
        tunnel inside the SA with that peer. False when it could not leave."""
        tunnel = self.interfaces[name]
        source, destination = self.tunnel_endpoints(name)
        if source is None or not tunnel.line_up or source.version != nbma.version:
            return False
        p2p = tunnel.config.is_point_to_point_gre  # NHRP on it: to its destination only
        if p2p and nbma != destination:
            return False
        gre = gre_wrap(payload, tunnel.config.tunnel_key, protocol_type)
        outer = ip_packet(source, nbma, GRE_PROTOCOL, gre, tunnel.config.outer_ttl)
        protected = tunnel.config.tunnel_protection is not None
        outers: Sequence[bytes] = (outer,)
        if protected and p2p:
            outers = self._protect(tunnel, outer)
        elif protected:
            handler = self.multipoint_handler
            outers = handler.protect(self, name, nbma, outer) if handler is not None else ()
        if not outers:
            return False
        tunnel.counters.sent(len(payload))
        tunnel.last_output = self.clock.now
        for data in outers:
            self._send_outer(data, tunnel.config.tunnel_vrf, apply_policy=not protected)
        return True

    def multipoint_ready(self, name: str, nbma: IPAddress) -> bool:
        tunnel = self.interfaces[name]
        if tunnel.config.is_point_to_point_gre:  # its own SA: up with its line protocol
            return tunnel.line_up
        handler = self.multipoint_handler
        return handler is not None and handler.peer_ready(self, name, nbma)

    def multipoint_want(self, name: str, nbma: IPAddress, wanted: bool) -> None:
        if self.multipoint_handler is not None and self.interfaces[name].config.is_multipoint_gre:
            self.multipoint_handler.want_peer(self, name, nbma, wanted)

    def multipoint_peer_up(self, name: str, nbma: IPAddress) -> None:
        """The protection handler says the SA with `nbma` on tunnel `name` is up."""
        mgre = self.multipoint.get(name)
        if mgre is not None:
            mgre.peer_up(nbma)

    def _multipoint_tunnel(
        self, packet: IPv4Packet, key: int | None, vrf: Vrf
    ) -> MultipointTunnel | None:
        """The multipoint tunnel a GRE packet is for: its source is the packet's destination,
        its key the packet's, in the front-door VRF it arrived in."""
        for name, mgre in self.multipoint.items():
            config = self.interfaces[name].config
            if config.tunnel_vrf != vrf or config.tunnel_key != key:
                continue
            source, destination = self.tunnel_endpoints(name)
            if config.is_point_to_point_gre and destination != IPv4Address(packet.src):
                continue
            if source == IPv4Address(packet.dst):
                return mgre
        return None

    def _multipoint_in(self, mgre: MultipointTunnel, data: bytes, protected: bool) -> None:
        """A GRE packet an SA of a multipoint tunnel opened."""
        try:
            outer = parse_ipv4(data, verify_checksum=False)
        except MalformedPacket:
            self.stats.bad_header += 1
            return
        gre = parse_gre(outer.payload) if outer.protocol == GRE_PROTOCOL else None
        if gre is None or gre.key != mgre.config.tunnel_key:
            self.interfaces[mgre.name].counters.input_drops += 1
            return
        self._multipoint_gre(mgre, gre, IPv4Address(outer.src), protected)

    def _multipoint_gre(
        self, mgre: MultipointTunnel, gre: GrePacket, nbma: IPAddress, protected: bool
    ) -> None:
        """GRE from `nbma` to a multipoint tunnel: NHRP for its engine, or a packet it
        carries (a protected tunnel takes them only from its SAs)."""
        tunnel = self.interfaces[mgre.name]
        if gre.is_keepalive and tunnel.config.is_point_to_point_gre:
            self._keepalive_answered(tunnel.name)
        elif mgre.config.protected and not protected:
            tunnel.counters.input_drops += 1
        elif gre.protocol_type == NHRP_PROTOCOL_TYPE:
            if tunnel.line_up:
                tunnel.counters.received(len(gre.payload))
                mgre.receive(gre.payload, nbma)
        else:
            inner = carried(gre, mgre.config.tunnel_key)
            if inner is not None:
                mgre.arrival = nbma  # forwarding it back out the tunnel redirects its sender
                try:
                    self.receive(mgre.name, inner)
                finally:
                    mgre.arrival = None

    def multipoint_routes_changed(self, mgre: MultipointTunnel, prefix: routing.IPNetwork) -> None:
        """NHRP installed or removed its route, or next-hop override, for `prefix`."""
        rib = self._ribs.get((prefix.version, self.interfaces[mgre.name].vrf))
        if rib is None:
            return
        rib.remove_route(mgre.name, prefix, routing.RouteCode.NHRP)
        entry = mgre.routes.get(prefix)
        if entry is not None and self.interfaces[mgre.name].line_up:
            rib.add_route(mgre.name, entry)
        override = mgre.overrides.get(prefix)
        rib.override(prefix, override)

    def _add_nhrp_routes(self, rib: routing.Rib, version: int, vrf: Vrf) -> None:
        """What NHRP installed, in a table built afresh."""
        for name, mgre in self.multipoint.items():
            tunnel = self.interfaces[name]
            if tunnel.vrf != vrf or not tunnel.line_up:
                continue
            for entry in mgre.routes.values():
                if entry.prefix.version == version:
                    rib.add_route(name, entry)
            for prefix, next_hop in mgre.overrides.items():
                if prefix.version == version:
                    rib.override(prefix, next_hop)

    # -- ICMP errors -------------------------------------------------------------------------------

    def _icmp_error(
        self, message: icmp.IcmpMessage, original: IPv4Packet, in_iface: str | None, vrf: Vrf
    ) -> None:
        if original.frag_offset or original.src in (0, 0xFFFFFFFF):
            return
        if (
            original.protocol == PROTO_ICMP
            and original.payload[:1]
            and (original.payload[0] in icmp.ERROR_TYPES)
        ):
            return  # never an error about an error (RFC 1122 3.2.2)
        if message.type == icmp.DEST_UNREACHABLE:
            limiter = (
                self.df_unreachable_limiter
                if message.code == icmp.FRAGMENTATION_NEEDED
                else self.unreachable_limiter
            )
            if not limiter.allow(self.clock.now):
                self.stats.unreachables_rate_limited += 1
                return
            self.stats.unreachables_sent += 1
        else:
            self.stats.time_exceeded_sent += 1
        source = self._error_source(original, in_iface, vrf)
        if source is None:
            return
        error = icmp.packet(source, original.src, message, ident=self.next_ident())
        self.originate(error, vrf)

    def _error_source(self, original: IPv4Packet, in_iface: str | None, vrf: Vrf) -> int | None:
        """IOS sources ICMP errors from the interface the offending packet came in on."""
        if in_iface is not None:
            iface = self.interfaces.get(in_iface)
            if iface is not None and iface.primary is not None:
                return int(iface.primary.ip)
        if self.is_local(original.src, vrf):
            return original.src
        return self.source_address(original.src, 4, vrf)

    def _log(self, message: str) -> None:
        if self.log is not None:
            self.log(message)

    log_line = _log  # what the router's features print on its console (`debug nhrp`)

    def __repr__(self) -> str:
        return f"Router({self.hostname!r})"


def _address(text: str | None, version: int) -> IPAddress | None:
    if text is None:
        return None
    try:
        address = ip_address(text)
    except ValueError:
        return None
    return address if address.version == version else None


def _quoted_key(message: icmp.IcmpMessage) -> ListenerKey | None:
    quoted = icmp.quoted_packet(message)
    if quoted is None or len(quoted.payload) < 8:
        return None
    if quoted.protocol == PROTO_ICMP:
        return ("echo", int.from_bytes(quoted.payload[4:6], "big"))
    if quoted.protocol == PROTO_UDP:
        return ("udp", int.from_bytes(quoted.payload[0:2], "big"))
    return None


__all__ = ["IKE_PORT", "NAT_T_PORT", "Router"]
