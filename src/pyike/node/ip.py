"""IPv4 and IPv6 headers: parse, build, checksum.

Addresses are plain ints on this path (routing works on ints); `IPv4Address(p.src)` converts at
the edges. Parsing checks every length field and raises `MalformedPacket`, never IndexError.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_ESP = 50
PROTO_ICMPV6 = 58

DEFAULT_TTL = 255  # what IOS puts in the packets it originates
_FLAG_DF = 0x4000
_FLAG_MF = 0x2000
_OFFSET_MASK = 0x1FFF

_V4 = struct.Struct(">BBHHHBBH4s4s")
_V6 = struct.Struct(">IHBB16s16s")


class MalformedPacket(ValueError):
    """A packet whose headers do not hold together (short, bad length, bad version)."""


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of `data`."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(memoryview(data).cast("H"))
    # memoryview.cast reads native order; fold and swap on little-endian hosts.
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    value = ~total & 0xFFFF
    return int.from_bytes(value.to_bytes(2, "little"), "big") if _LITTLE else value


_LITTLE = struct.pack("=H", 1) == b"\x01\x00"


@dataclass(frozen=True, slots=True)
class IPv4Packet:
    src: int
    dst: int
    protocol: int
    payload: bytes
    ttl: int = DEFAULT_TTL
    ident: int = 0
    tos: int = 0
    df: bool = False
    mf: bool = False
    frag_offset: int = 0  # in bytes (a multiple of 8)
    options: bytes = b""

    version = 4

    @property
    def header_length(self) -> int:
        return 20 + len(self.options)

    @property
    def total_length(self) -> int:
        return self.header_length + len(self.payload)

    @property
    def is_fragment(self) -> bool:
        return self.mf or self.frag_offset != 0

    @property
    def src_address(self) -> IPv4Address:
        return IPv4Address(self.src)

    @property
    def dst_address(self) -> IPv4Address:
        return IPv4Address(self.dst)

    def header_bytes(self) -> bytes:
        flags = (_FLAG_DF if self.df else 0) | (_FLAG_MF if self.mf else 0)
        head = _V4.pack(
            0x40 | (self.header_length // 4),
            self.tos,
            self.total_length,
            self.ident & 0xFFFF,
            flags | (self.frag_offset // 8),
            self.ttl,
            self.protocol,
            0,
            self.src.to_bytes(4, "big"),
            self.dst.to_bytes(4, "big"),
        )
        head += self.options
        csum = checksum(head)
        return head[:10] + csum.to_bytes(2, "big") + head[12:]

    def to_bytes(self) -> bytes:
        return self.header_bytes() + self.payload

    def with_ttl(self, ttl: int) -> IPv4Packet:
        return replace(self, ttl=ttl)


def parse_ipv4(data: bytes, verify_checksum: bool = True) -> IPv4Packet:
    if len(data) < 20:
        raise MalformedPacket("IPv4 packet shorter than its header")
    vihl, tos, total, ident, flags, ttl, proto, _csum, src, dst = _V4.unpack_from(data)
    if vihl >> 4 != 4:
        raise MalformedPacket("not an IPv4 packet")
    ihl = (vihl & 0x0F) * 4
    if ihl < 20 or total < ihl or total > len(data):
        raise MalformedPacket("bad IPv4 header or total length")
    if verify_checksum and checksum(data[:ihl]) != 0:
        raise MalformedPacket("bad IPv4 header checksum")
    return IPv4Packet(
        src=int.from_bytes(src, "big"),
        dst=int.from_bytes(dst, "big"),
        protocol=proto,
        payload=bytes(data[ihl:total]),
        ttl=ttl,
        ident=ident,
        tos=tos,
        df=bool(flags & _FLAG_DF),
        mf=bool(flags & _FLAG_MF),
        frag_offset=(flags & _OFFSET_MASK) * 8,
        options=bytes(data[20:ihl]),
    )


@dataclass(frozen=True, slots=True)
class IPv6Packet:
    src: int
    dst: int
    next_header: int
    payload: bytes
    hop_limit: int = 64
    traffic_class: int = 0
    flow_label: int = 0

    version = 6

    @property
    def src_address(self) -> IPv6Address:
        return IPv6Address(self.src)

    @property
    def dst_address(self) -> IPv6Address:
        return IPv6Address(self.dst)

    def to_bytes(self) -> bytes:
        first = (6 << 28) | (self.traffic_class << 20) | self.flow_label
        return (
            _V6.pack(
                first,
                len(self.payload),
                self.next_header,
                self.hop_limit,
                self.src.to_bytes(16, "big"),
                self.dst.to_bytes(16, "big"),
            )
            + self.payload
        )


def parse_ipv6(data: bytes) -> IPv6Packet:
    if len(data) < 40:
        raise MalformedPacket("IPv6 packet shorter than its header")
    first, length, nh, hops, src, dst = _V6.unpack_from(data)
    if first >> 28 != 6:
        raise MalformedPacket("not an IPv6 packet")
    if 40 + length > len(data):
        raise MalformedPacket("bad IPv6 payload length")
    return IPv6Packet(
        src=int.from_bytes(src, "big"),
        dst=int.from_bytes(dst, "big"),
        next_header=nh,
        payload=bytes(data[40 : 40 + length]),
        hop_limit=hops,
        traffic_class=(first >> 20) & 0xFF,
        flow_label=first & 0xFFFFF,
    )


def ip_version(data: bytes) -> int:
    return data[0] >> 4 if data else 0


def pseudo_header(src: int, dst: int, protocol: int, length: int, version: int = 4) -> bytes:
    """The pseudo-header UDP/TCP/ICMPv6 checksums cover (RFC 768, RFC 8200 section 8.1)."""
    if version == 4:
        return (
            src.to_bytes(4, "big")
            + dst.to_bytes(4, "big")
            + bytes((0, protocol))
            + (length.to_bytes(2, "big"))
        )
    return (
        src.to_bytes(16, "big")
        + dst.to_bytes(16, "big")
        + length.to_bytes(4, "big")
        + bytes((0, 0, 0, protocol))
    )
