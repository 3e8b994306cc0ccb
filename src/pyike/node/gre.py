"""GRE (RFC 2784, with the key field of RFC 2890) as IOS tunnel interfaces use it: the
header before an IPv4 or IPv6 packet, the packet GRE travels in (IP protocol 47 from the
tunnel source to its destination), and IOS's keepalive, whose probe is the reply already
built: an IP packet from the peer back to this router carrying a GRE header of protocol
type 0, which the peer decapsulates and routes back as it would any packet.

Shared by the lab's routers (plain GRE tunnels, keepalives) and the crypto host (GRE over
IPsec, `pyike.host.framing`), which adds no GRE of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from pyike.node.ip import IPv4Packet, IPv6Packet, MalformedPacket, parse_ipv4, parse_ipv6

GRE_PROTOCOL = 47
KEEPALIVE_TYPE = 0  # the protocol type of a keepalive reply
_ETHERTYPE = {4: 0x0800, 6: 0x86DD}  # the carried packet's IP version -> GRE protocol type
_CHECKSUM, _KEY, _SEQUENCE = 0x8000, 0x2000, 0x1000
_VERSION_MASK = 0x0007
GRE_TTL = 255

IPAddress = IPv4Address | IPv6Address


@dataclass(frozen=True)
class GrePacket:
    """A GRE header's protocol type and key, and what follows it."""

    protocol_type: int
    key: int | None
    payload: bytes

    @property
    def is_keepalive(self) -> bool:
        return self.protocol_type == KEEPALIVE_TYPE


def header_length(key: int | None) -> int:
    return 4 if key is None else 8


def gre_wrap(packet: bytes, key: int | None = None, protocol_type: int | None = None) -> bytes:
    """`packet` behind a GRE header (with the key field when the tunnel has `tunnel key`)."""
    if protocol_type is None:
        version = packet[0] >> 4 if packet else 4
        protocol_type = _ETHERTYPE.get(version, _ETHERTYPE[4])
    flags = 0 if key is None else _KEY
    header = flags.to_bytes(2, "big") + protocol_type.to_bytes(2, "big")
    if key is not None:
        header += key.to_bytes(4, "big")
    return header + packet


def parse_gre(data: bytes) -> GrePacket | None:
    """The GRE header of `data` (checksum and sequence number skipped, not checked); None
    when it is not GRE version 0 or is cut short."""
    if len(data) < 4:
        return None
    flags = int.from_bytes(data[:2], "big")
    if flags & _VERSION_MASK:
        return None
    offset = 4 + (4 if flags & _CHECKSUM else 0)
    key = None
    if flags & _KEY:
        if len(data) < offset + 4:
            return None
        key = int.from_bytes(data[offset : offset + 4], "big")
        offset += 4
    offset += 4 if flags & _SEQUENCE else 0
    if len(data) < offset:
        return None
    return GrePacket(int.from_bytes(data[2:4], "big"), key, data[offset:])


def carried(gre: GrePacket, key: int | None) -> bytes | None:
    """The IP packet a data GRE packet carries, if its key is the tunnel's (IOS drops a
    packet whose key differs, or that has one when the tunnel has none, or the reverse)."""
    if gre.key != key or gre.protocol_type not in _ETHERTYPE.values():
        return None
    return gre.payload


def ip_packet(
    source: IPAddress, destination: IPAddress, protocol: int, payload: bytes, ttl: int = GRE_TTL
) -> bytes:
    """An IPv4 or IPv6 packet as a router originates it (TTL 255 unless told: a tunnel's
    delivery header carries its `tunnel ttl`)."""
    if isinstance(source, IPv6Address):
        return IPv6Packet(
            int(source), int(destination), protocol, payload, hop_limit=ttl
        ).to_bytes()
    return IPv4Packet(int(source), int(destination), protocol, payload, ttl=ttl).to_bytes()


def gre_packet(
    source: IPAddress, destination: IPAddress, inner: bytes, key: int | None, ttl: int = GRE_TTL
) -> bytes:
    """The whole GRE packet a tunnel sends from its source to its destination."""
    return ip_packet(source, destination, GRE_PROTOCOL, gre_wrap(inner, key), ttl)


def keepalive_probe(source: IPAddress, destination: IPAddress, key: int | None) -> bytes:
    """What a tunnel from `source` to `destination` sends through itself as a keepalive:
    the reply the peer will route back (its own address to ours, protocol type 0)."""
    reply = gre_wrap(b"", key, KEEPALIVE_TYPE)
    return ip_packet(destination, source, GRE_PROTOCOL, reply)


@dataclass(frozen=True)
class IpHeader:
    """What a received packet's IP header says, for GRE and transport mode."""

    src: IPAddress
    dst: IPAddress
    protocol: int
    payload: bytes


def read_ip(packet: bytes) -> IpHeader | None:
    """The addresses, protocol and payload of an IPv4 or IPv6 packet; None if malformed."""
    try:
        if packet[:1] and packet[0] >> 4 == 6:
            v6 = parse_ipv6(packet)
            return IpHeader(v6.src_address, v6.dst_address, v6.next_header, v6.payload)
        v4 = parse_ipv4(packet, verify_checksum=False)
    except MalformedPacket:
        return None
    return IpHeader(v4.src_address, v4.dst_address, v4.protocol, v4.payload)


__all__ = [
    "GRE_PROTOCOL",
    "KEEPALIVE_TYPE",
    "GrePacket",
    "IpHeader",
    "carried",
    "gre_packet",
    "gre_wrap",
    "header_length",
    "ip_packet",
    "keepalive_probe",
    "parse_gre",
    "read_ip",
]
