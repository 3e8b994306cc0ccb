"""A NAT box for NAT-T scenarios: many inside hosts masquerade behind one outside address.

UDP (IKE on 500/4500, ESP-in-UDP) and ICMP echo get port (identifier) translation with
endpoint-independent mappings; raw ESP gets one mapping per remote peer (the way simple
"IPsec passthrough" NATs work). A mapping lives `udp_timeout` / `icmp_timeout` seconds after
its last use (IOS's defaults: 300 s and 60 s). Inside hosts use the inside address as their
gateway; outside, the box sends to the destination on its subnet, else to `gateway`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from pyike.node import icmp
from pyike.node.interfaces import Link
from pyike.node.ip import PROTO_ESP, PROTO_ICMP, PROTO_UDP, IPv4Packet, MalformedPacket, parse_ipv4
from pyike.node.udp import UdpDatagram, parse_udp
from pyike.sim.clock import VirtualClock

UDP_TIMEOUT = 300.0
ICMP_TIMEOUT = 60.0
ESP_TIMEOUT = 300.0
PORT_BASE = 1024


@dataclass
class Mapping:
    protocol: int
    inside: int  # inside address
    inside_port: int  # UDP port / ICMP identifier; 0 for raw ESP
    outside_port: int  # 0 for raw ESP
    remote: int  # raw ESP: the peer; otherwise the first peer seen (for show only)
    last_used: float

    @property
    def inside_address(self) -> IPv4Address:
        return IPv4Address(self.inside)


@dataclass
class NatCounters:
    translated_out: int = 0
    translated_in: int = 0
    no_mapping: int = 0
    expired: int = 0
    dropped: int = 0


class NatPort:
    """One side of the box, attachable to a segment."""

    def __init__(self, box: NatBox, side: str, address: IPv4Interface) -> None:
        self.box = box
        self.side = side
        self.address = address
        self.link: Link | None = None

    @property
    def endpoint_name(self) -> str:
        return f"{self.box.name} {self.side}"

    @property
    def owned_addresses(self) -> frozenset[int]:
        return frozenset({int(self.address.ip)})

    def owns(self, address: int) -> bool:
        return address == int(self.address.ip)

    def deliver(self, packet: bytes) -> None:
        self.box.receive(self.side, packet)

    @property
    def hardware_address(self) -> int:
        """A NAT box's sides: aabb.ccff.0000 inside, aabb.ccff.0010 outside."""
        return 0xAABBCCFF0000 | (0x10 if self.side == "outside" else 0)

    def attach(self, link: Link) -> None:
        self.link = link
        attach = getattr(link, "attach", None)
        if attach is not None:
            attach(self)


class NatBox:
    def __init__(
        self,
        clock: VirtualClock,
        inside: str,
        outside: str,
        gateway: str | None = None,
        *,
        name: str = "NAT",
        udp_timeout: float = UDP_TIMEOUT,
        icmp_timeout: float = ICMP_TIMEOUT,
        esp_timeout: float = ESP_TIMEOUT,
        port_base: int = PORT_BASE,
        preserve_ports: bool = False,
    ) -> None:
        self.clock = clock
        self.name = name
        self.inside = NatPort(self, "inside", IPv4Interface(inside))
        self.outside = NatPort(self, "outside", IPv4Interface(outside))
        self.gateway = int(IPv4Address(gateway)) if gateway else None
        self.timeouts = {PROTO_UDP: udp_timeout, PROTO_ICMP: icmp_timeout, PROTO_ESP: esp_timeout}
        self.port_base = port_base
        self.preserve_ports = preserve_ports
        self.counters = NatCounters()
        self._by_inside: dict[tuple[int, int, int], Mapping] = {}
        self._by_outside: dict[tuple[int, int], Mapping] = {}

    @property
    def outside_address(self) -> int:
        return int(self.outside.address.ip)

    def mappings(self) -> list[Mapping]:
        self.expire()
        return list(self._by_inside.values())

    def expire(self) -> None:
        now = self.clock.now
        for key, m in list(self._by_inside.items()):
            if now - m.last_used >= self.timeouts[m.protocol]:
                del self._by_inside[key]
                self._by_outside.pop((m.protocol, self._outside_key(m)), None)
                self.counters.expired += 1

    # -- packets ------------------------------------------------------------------------------

    def receive(self, side: str, data: bytes) -> None:
        try:
            packet = parse_ipv4(data)
        except MalformedPacket:
            self.counters.dropped += 1
            return
        if packet.ttl <= 1 or packet.is_fragment:
            self.counters.dropped += 1
            return
        packet = packet.with_ttl(packet.ttl - 1)
        self.expire()
        if side == "inside":
            translated = self._outbound(packet)
            port, network = self.outside, self.outside.address.network
        else:
            translated = self._inbound(packet)
            port, network = self.inside, self.inside.address.network
        if translated is None:
            return
        if _on_subnet(network, translated.dst):
            next_hop = translated.dst
        elif port is self.outside and self.gateway is not None:
            next_hop = self.gateway
        else:
            self.counters.dropped += 1
            return
        if port.link is None or not port.link.transmit(port, translated.to_bytes(), next_hop):
            self.counters.dropped += 1

    def _outbound(self, packet: IPv4Packet) -> IPv4Packet | None:
        key = self._flow_key(packet, inside=True)
        if key is None:
            self.counters.dropped += 1
            return None
        mapping = self._by_inside.get((packet.protocol, packet.src, key))
        if mapping is None:
            mapping = self._create(packet, key)
            if mapping is None:
                self.counters.dropped += 1
                return None
        mapping.last_used = self.clock.now
        self.counters.translated_out += 1
        return self._rewrite(
            packet, src=self.outside_address, port=mapping.outside_port, inside=True
        )

    def _inbound(self, packet: IPv4Packet) -> IPv4Packet | None:
        if packet.dst != self.outside_address:
            self.counters.dropped += 1
            return None
        key = self._flow_key(packet, inside=False)
        mapping = None
        if key is not None:
            lookup = packet.src if packet.protocol == PROTO_ESP else key
            mapping = self._by_outside.get((packet.protocol, lookup))
        if mapping is None:
            self.counters.no_mapping += 1
            return None
        mapping.last_used = self.clock.now
        self.counters.translated_in += 1
        return self._rewrite(packet, dst=mapping.inside, port=mapping.inside_port, inside=False)

    def _flow_key(self, packet: IPv4Packet, inside: bool) -> int | None:
        """The port (or ICMP identifier) that identifies the flow on this side."""
        if packet.protocol == PROTO_UDP and len(packet.payload) >= 8:
            offset = 0 if inside else 2
            return int.from_bytes(packet.payload[offset : offset + 2], "big")
        if packet.protocol == PROTO_ICMP and len(packet.payload) >= 8:
            kind = packet.payload[0]
            if kind in (icmp.ECHO_REQUEST, icmp.ECHO_REPLY):
                return int.from_bytes(packet.payload[4:6], "big")
            return None
        if packet.protocol == PROTO_ESP:
            return 0
        return None

    def _create(self, packet: IPv4Packet, inside_port: int) -> Mapping | None:
        proto = packet.protocol
        if proto == PROTO_ESP:
            if (proto, packet.dst) in self._by_outside:
                return None  # another inside host already talks ESP to this peer
            mapping = Mapping(proto, packet.src, 0, 0, packet.dst, self.clock.now)
        else:
            outside_port = self._allocate(proto, inside_port)
            if outside_port is None:
                return None
            mapping = Mapping(
                proto, packet.src, inside_port, outside_port, packet.dst, self.clock.now
            )
        self._by_inside[(proto, packet.src, inside_port)] = mapping
        self._by_outside[(proto, self._outside_key(mapping))] = mapping
        return mapping

    @staticmethod
    def _outside_key(m: Mapping) -> int:
        return m.remote if m.protocol == PROTO_ESP else m.outside_port

    def _allocate(self, proto: int, wanted: int) -> int | None:
        if self.preserve_ports and (proto, wanted) not in self._by_outside:
            return wanted
        for port in range(self.port_base, 65536):
            if (proto, port) not in self._by_outside:
                return port
        return None

    def _rewrite(
        self,
        packet: IPv4Packet,
        *,
        port: int,
        inside: bool,
        src: int | None = None,
        dst: int | None = None,
    ) -> IPv4Packet | None:
        new_src = packet.src if src is None else src
        new_dst = packet.dst if dst is None else dst
        payload = packet.payload
        try:
            if packet.protocol == PROTO_UDP:
                d = parse_udp(payload, packet.src, packet.dst)
                d = (
                    UdpDatagram(port, d.dst_port, d.payload)
                    if inside
                    else UdpDatagram(d.src_port, port, d.payload)
                )
                payload = d.to_bytes(new_src, new_dst)
            elif packet.protocol == PROTO_ICMP:
                m = icmp.parse_icmp(payload)
                m = replace(m, rest=port.to_bytes(2, "big") + m.rest[2:])
                payload = m.to_bytes()
        except MalformedPacket:
            self.counters.dropped += 1
            return None
        return replace(packet, src=new_src, dst=new_dst, payload=payload)


def _on_subnet(network: IPv4Network, address: int) -> bool:
    return int(network.network_address) <= address <= int(network.broadcast_address)
