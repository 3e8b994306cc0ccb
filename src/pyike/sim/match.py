"""Packet selectors for fault rules and captures: `udp_port(500)`, `between(a, b)`, ..."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, ip_address

from pyike.codec.udp_encap import NAT_T_PORT, NatTPayload, nat_t_payload
from pyike.node.ip import PROTO_ESP, PROTO_UDP

PacketMatch = Callable[[bytes], bool]


def _v4(packet: bytes) -> bool:
    return len(packet) >= 20 and packet[0] >> 4 == 4


def _l4(packet: bytes) -> bytes:
    return packet[(packet[0] & 0x0F) * 4 :]


def protocol(number: int) -> PacketMatch:
    return lambda p: _v4(p) and p[9] == number


def udp_port(port: int) -> PacketMatch:
    """UDP packets with `port` as source or destination (first fragments only)."""

    def match(p: bytes) -> bool:
        if not _v4(p) or p[9] != PROTO_UDP:
            return False
        l4 = _l4(p)
        return len(l4) >= 4 and port in (int.from_bytes(l4[:2]), int.from_bytes(l4[2:4]))

    return match


def esp() -> PacketMatch:
    """ESP, raw (protocol 50) or UDP-encapsulated on port 4500."""
    raw = protocol(PROTO_ESP)
    return lambda p: raw(p) or _on_nat_t_port(p) is NatTPayload.ESP


def nat_keepalive() -> PacketMatch:
    """A NAT keepalive on port 4500."""
    return lambda p: _on_nat_t_port(p) is NatTPayload.KEEPALIVE


def _on_nat_t_port(p: bytes) -> NatTPayload | None:
    """What a UDP packet on port 4500 carries (None for any other packet)."""
    if not udp_port(NAT_T_PORT)(p):
        return None
    return nat_t_payload(_l4(p)[8:])[0]


def between(a: str | IPv4Address, b: str | IPv4Address) -> PacketMatch:
    """Packets from a to b or from b to a."""
    pair = {ip_address(a).packed, ip_address(b).packed}

    def match(p: bytes) -> bool:
        return _v4(p) and {p[12:16], p[16:20]} == pair

    return match


def source(a: str | IPv4Address) -> PacketMatch:
    packed = ip_address(a).packed
    return lambda p: _v4(p) and p[12:16] == packed


def destination(a: str | IPv4Address) -> PacketMatch:
    packed = ip_address(a).packed
    return lambda p: _v4(p) and p[16:20] == packed


def all_of(*matches: PacketMatch) -> PacketMatch:
    return lambda p: all(m(p) for m in matches)


def any_of(*matches: PacketMatch) -> PacketMatch:
    return lambda p: any(m(p) for m in matches)
