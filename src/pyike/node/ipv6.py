"""A router's IPv6 data plane: forwarding (with `ipv6 unicast-routing`), ICMPv6 echo and
errors, local delivery of IKE (UDP 500/4500) and ESP to the hooks, and tunnels.

As IOS: a router forwards IPv6 only with `ipv6 unicast-routing` (it still answers for its own
addresses without it); routers never fragment IPv6 in transit but send Packet Too Big; errors
are rate-limited as `ipv6 icmp error-interval 100 10` does. Not modelled: extension headers
(the next header is taken as the upper-layer protocol), neighbour discovery (a segment
delivers to whichever interface owns the next hop, as for IPv4), link-local addresses, and
crypto maps (IPv4 ACLs). Each VRF has its own table, as for IPv4 (`pyike.node.router`).
"""

from __future__ import annotations

from ipaddress import IPv6Address
from typing import TYPE_CHECKING

from pyike.node import icmpv6
from pyike.node.hooks import EspArrival
from pyike.node.icmp import IcmpMessage
from pyike.node.ike_ports import serve_ike_ports
from pyike.node.interfaces import RouterInterface
from pyike.node.ip import (
    PROTO_ESP,
    PROTO_ICMPV6,
    PROTO_UDP,
    IPv6Packet,
    MalformedPacket,
    parse_ipv6,
)
from pyike.node.ratelimit import TokenBucket
from pyike.node.routing import RoutingTable
from pyike.node.udp import parse_udp

if TYPE_CHECKING:
    from pyike.node.router import Router

Vrf = str | None

HOP_LIMIT = 64  # what IOS puts in the IPv6 packets it originates

UNICAST_ROUTING = "ipv6 unicast-routing"


class Ipv6Plane:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.tables: dict[Vrf, RoutingTable] = {None: RoutingTable(bits=128)}
        self.forwarding = any(b.keyword == UNICAST_ROUTING for b in router.config.unmodelled)
        self.error_limiter = TokenBucket()

    @property
    def table(self) -> RoutingTable:
        """The global IPv6 routing table."""
        return self.tables[None]

    # -- receive ----------------------------------------------------------------------------

    def receive(self, iface: RouterInterface, data: bytes) -> None:
        stats = self.router.stats
        try:
            packet = parse_ipv6(data)
        except MalformedPacket:
            iface.counters.input_errors += 1
            stats.bad_header += 1
            return
        if self.router.is_local(packet.dst, iface.vrf):
            self.deliver_local(packet, iface.name, iface.vrf)
        elif not self.forwarding:
            iface.counters.input_drops += 1
        else:
            self.forward(packet, iface.name, iface.vrf)

    def forward(self, packet: IPv6Packet, in_iface: str | None, vrf: Vrf) -> None:
        if packet.hop_limit <= 1:
            self.router.stats.ttl_expired += 1
            self.error(icmpv6.time_exceeded(packet), packet, in_iface, vrf)
            return
        self.router.stats.forwarded += 1
        hops = packet.hop_limit - 1
        self.route_out(
            IPv6Packet(packet.src, packet.dst, packet.next_header, packet.payload, hop_limit=hops),
            in_iface,
            local=False,
            vrf=vrf,
        )

    # -- send -------------------------------------------------------------------------------

    def originate(self, packet: IPv6Packet, vrf: Vrf = None) -> None:
        self.router.stats.originated += 1
        if self.router.is_local(packet.dst, vrf):
            self.router.clock.call_later(0.0, lambda: self.deliver_local(packet, None, vrf))
            return
        self.route_out(packet, None, local=True, vrf=vrf)

    def route_out(
        self, packet: IPv6Packet, in_iface: str | None, local: bool, vrf: Vrf = None
    ) -> None:
        router = self.router
        entry = router.table_for(packet.dst_address, vrf).lookup(packet.dst)
        if entry is None:
            router.stats.no_route += 1
            if not local:
                self.error(icmpv6.unreachable(icmpv6.NO_ROUTE, packet), packet, in_iface, vrf)
            return
        path = entry.path_for(packet.src, packet.dst)
        out = router.interfaces[path.interface]
        data = packet.to_bytes()
        mtu = router.ip_mtu(out.name)
        if len(data) > mtu:
            if local and not out.is_tunnel:
                router.stats.couldnt_fragment += 1  # IPv6 fragmentation is not modelled
                return
            router.stats.couldnt_fragment += 1
            self.error(icmpv6.packet_too_big(packet, mtu), packet, in_iface, vrf)
            return
        next_hop = path.gateway if path.gateway is not None else packet.dst
        mgre = router.multipoint.get(out.name)
        if mgre is not None and out.config.is_multipoint_gre:  # DMVPN's IPv6 overlay
            router.multipoint_forward(mgre, data, IPv6Address(next_hop), in_iface)
            return
        if out.is_tunnel:
            router.tunnel_send(out, data, len(data))
            return
        router.transmit(out, data, next_hop)

    # -- local delivery ---------------------------------------------------------------------

    def deliver_local(self, packet: IPv6Packet, in_iface: str | None, vrf: Vrf) -> None:
        router = self.router
        router.stats.delivered += 1
        if packet.next_header == PROTO_ICMPV6:
            self._local_icmp(packet, vrf)
        elif packet.next_header == PROTO_UDP:
            self._local_udp(packet, in_iface, vrf)
        elif packet.next_header == PROTO_ESP and router.esp_handler is not None:
            router.esp_arrival(EspArrival(in_iface or "", packet, packet.payload, False), in_iface)
        else:
            router.stats.unknown_protocol += 1

    def _local_icmp(self, packet: IPv6Packet, vrf: Vrf) -> None:
        try:
            message = icmpv6.parse(packet)
        except MalformedPacket:
            self.router.stats.bad_header += 1
            return
        if message.type == icmpv6.ECHO_REQUEST:
            reply = icmpv6.echo(False, message.ident, message.sequence, message.data)
            self.router.stats.echo_replies_sent += 1
            self.originate(icmpv6.packet(packet.dst, packet.src, reply, HOP_LIMIT), vrf)
            return
        key: tuple[str, int] | None = None
        if message.type == icmpv6.ECHO_REPLY:
            key = ("echo6", message.ident)
        elif icmpv6.is_error(message):
            quoted = icmpv6.quoted_packet(message)
            if quoted is not None and len(quoted.payload) >= 8:
                if quoted.next_header == PROTO_ICMPV6:
                    key = ("echo6", int.from_bytes(quoted.payload[4:6], "big"))
                elif quoted.next_header == PROTO_UDP:
                    key = ("udp", int.from_bytes(quoted.payload[0:2], "big"))
        self.router.notify_listener(key, packet, message)

    def _local_udp(self, packet: IPv6Packet, in_iface: str | None, vrf: Vrf) -> None:
        router = self.router
        try:
            datagram = parse_udp(packet.payload, packet.src, packet.dst, 6)
        except MalformedPacket:
            router.stats.bad_header += 1
            return
        if not serve_ike_ports(router, packet, datagram, in_iface):
            message = icmpv6.unreachable(icmpv6.PORT_UNREACHABLE, packet)
            self.error(message, packet, in_iface, vrf)

    # -- errors -----------------------------------------------------------------------------

    def error(
        self, message: IcmpMessage, original: IPv6Packet, in_iface: str | None, vrf: Vrf
    ) -> None:
        quoted_type = original.payload[0] if original.payload else None
        if original.next_header == PROTO_ICMPV6 and quoted_type in icmpv6.ERROR_TYPES:
            return  # never an error about an error (RFC 4443 2.4 (e))
        if not self.error_limiter.allow(self.router.clock.now):
            self.router.stats.unreachables_rate_limited += 1
            return
        if message.type == icmpv6.TIME_EXCEEDED:
            self.router.stats.time_exceeded_sent += 1
        else:
            self.router.stats.unreachables_sent += 1
        source = self._error_source(original, in_iface, vrf)
        if source is not None:
            self.originate(icmpv6.packet(source, original.src, message, HOP_LIMIT), vrf)

    def _error_source(self, original: IPv6Packet, in_iface: str | None, vrf: Vrf) -> int | None:
        if in_iface is not None:
            iface = self.router.interfaces.get(in_iface)
            if iface is not None and iface.primary6 is not None:
                return int(iface.primary6.ip)
        return self.router.source_address(original.src, 6, vrf)
