"""Outer headers around an ESP packet: IPv4 / IPv6 with protocol 50, or UDP 4500 for NAT-T.

`wrap` builds what goes on the wire (RFC 4303 in IP, RFC 3948 in UDP); `unwrap` takes a
received IP packet apart and says what it carries: ESP, UDP-encapsulated ESP, an IKE message
behind the non-ESP marker, or a NAT keepalive. In transport mode the caller passes the
original packet's addresses.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address

from pyike.codec.udp_encap import Carried, classify
from pyike.ipsec.errors import EspMalformedPacket

ESP_PROTOCOL = 50
UDP_PROTOCOL = 17
DEFAULT_TTL = 255  # what IOS puts in a tunnel's outer header (`tunnel ttl` default)
_DF = 0x4000
_MF = 0x2000
_OFFSET = 0x1FFF

_IPV4 = struct.Struct(">BBHHHBBH4s4s")
_IPV6 = struct.Struct(">IHBB16s16s")
_UDP = struct.Struct(">HHHH")

Address = IPv4Address | IPv6Address


class DfBit(enum.Enum):
    """IOS `crypto ipsec df-bit {copy|set|clear}`: the outer header's DF bit (tunnel mode)."""

    COPY = "copy"
    SET = "set"
    CLEAR = "clear"


def outer_df(policy: DfBit, inner: bytes) -> bool:
    """The DF bit for the outer IPv4 header of `inner` (an IPv6 inner packet has no DF)."""
    if policy is DfBit.COPY:
        return len(inner) >= 20 and inner[0] >> 4 == 4 and bool(inner[6] & 0x40)
    return policy is DfBit.SET


@dataclass(frozen=True, slots=True)
class OuterPacket:
    """A received packet taken apart; `payload` is the ESP packet (SPI through ICV), or the
    IKE message without its non-ESP marker, or the keepalive octet."""

    carried: Carried
    src: Address
    dst: Address
    payload: bytes
    ttl: int
    tos: int
    df: bool = False
    sport: int | None = None
    dport: int | None = None


def _address(value: str | Address) -> Address:
    try:
        return ip_address(value) if isinstance(value, str) else value
    except ValueError:
        raise EspMalformedPacket(f"{value!r} is not an IP address") from None


def internet_checksum(data: bytes | memoryview) -> int:
    """RFC 1071 ones' complement sum, complemented."""
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    total: int = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_header(
    src: IPv4Address,
    dst: IPv4Address,
    payload_length: int,
    *,
    protocol: int = ESP_PROTOCOL,
    ttl: int = DEFAULT_TTL,
    df: bool = False,
    tos: int = 0,
    identification: int = 0,
) -> bytes:
    """A 20-octet IPv4 header with its checksum."""
    total = 20 + payload_length
    if total > 0xFFFF:
        raise EspMalformedPacket(f"IPv4 packet of {total} octets is too long")
    fields = [0x45, tos, total, identification, _DF if df else 0, ttl, protocol, 0]
    header = _IPV4.pack(*fields, src.packed, dst.packed)
    fields[-1] = internet_checksum(header)
    return _IPV4.pack(*fields, src.packed, dst.packed)


def ipv6_header(
    src: IPv6Address,
    dst: IPv6Address,
    payload_length: int,
    *,
    next_header: int = ESP_PROTOCOL,
    hop_limit: int = DEFAULT_TTL,
    traffic_class: int = 0,
    flow_label: int = 0,
) -> bytes:
    if payload_length > 0xFFFF:
        raise EspMalformedPacket(f"IPv6 payload of {payload_length} octets needs a jumbogram")
    first = 6 << 28 | traffic_class << 20 | flow_label
    return _IPV6.pack(first, payload_length, next_header, hop_limit, src.packed, dst.packed)


def _udp(src: Address, dst: Address, sport: int, dport: int, payload: bytes) -> bytes:
    length = 8 + len(payload)
    if isinstance(src, IPv4Address):
        return _UDP.pack(sport, dport, length, 0)  # RFC 3948 section 2.1: zero over IPv4
    pseudo = src.packed + dst.packed + struct.pack(">IxxxB", length, UDP_PROTOCOL)
    checksum = internet_checksum(pseudo + _UDP.pack(sport, dport, length, 0) + payload)
    return _UDP.pack(sport, dport, length, checksum or 0xFFFF)


def wrap(
    esp: bytes,
    src: str | Address,
    dst: str | Address,
    *,
    nat_t: tuple[int, int] | None = None,
    ttl: int = DEFAULT_TTL,
    df: bool = False,
    tos: int = 0,
    identification: int = 0,
    flow_label: int = 0,
) -> bytes:
    """`esp` in an outer IP header from `src` to `dst`; with `nat_t` = (sport, dport), in UDP
    first (RFC 3948). IPv4 or IPv6 follows the addresses' family."""
    source, destination = _address(src), _address(dst)
    if type(source) is not type(destination):
        raise EspMalformedPacket("outer source and destination are of different families")
    payload, protocol = esp, ESP_PROTOCOL
    if nat_t is not None:
        payload = _udp(source, destination, *nat_t, esp) + esp
        protocol = UDP_PROTOCOL
    if isinstance(source, IPv4Address) and isinstance(destination, IPv4Address):
        header = ipv4_header(
            source,
            destination,
            len(payload),
            protocol=protocol,
            ttl=ttl,
            df=df,
            tos=tos,
            identification=identification,
        )
    else:
        assert isinstance(source, IPv6Address) and isinstance(destination, IPv6Address)
        header = ipv6_header(
            source,
            destination,
            len(payload),
            next_header=protocol,
            hop_limit=ttl,
            traffic_class=tos,
            flow_label=flow_label,
        )
    return header + payload


def unwrap(packet: bytes | bytearray | memoryview) -> OuterPacket:
    """Take a received IPv4/IPv6 packet apart; raise EspMalformedPacket for anything that is
    not ESP, UDP-encapsulated ESP, IKE on 4500/500 or a NAT keepalive, or is damaged."""
    data = bytes(packet)
    version = data[0] >> 4 if data else 0
    if version == 4:
        return _unwrap_ipv4(data)
    if version == 6:
        return _unwrap_ipv6(data)
    raise EspMalformedPacket("not an IPv4 or IPv6 packet")


def _unwrap_ipv4(data: bytes) -> OuterPacket:
    if len(data) < 20:
        raise EspMalformedPacket("IPv4 header is truncated")
    first, tos, total, _ident, flags, ttl, protocol, _sum, src, dst = _IPV4.unpack_from(data)
    header_length = (first & 0x0F) * 4
    if header_length < 20 or not header_length <= total <= len(data):
        raise EspMalformedPacket("IPv4 header or total length is inconsistent")
    if internet_checksum(data[:header_length]):
        raise EspMalformedPacket("IPv4 header checksum is wrong")
    if flags & (_MF | _OFFSET):
        raise EspMalformedPacket("IPv4 fragment: reassemble before ESP processing")
    return _inner(
        protocol,
        data[header_length:total],
        IPv4Address(src),
        IPv4Address(dst),
        ttl=ttl,
        tos=tos,
        df=bool(flags & _DF),
    )


def _unwrap_ipv6(data: bytes) -> OuterPacket:
    if len(data) < 40:
        raise EspMalformedPacket("IPv6 header is truncated")
    first, length, next_header, hop_limit, src, dst = _IPV6.unpack_from(data)
    if 40 + length > len(data):
        raise EspMalformedPacket("IPv6 payload length exceeds the packet")
    return _inner(
        next_header,
        data[40 : 40 + length],
        IPv6Address(src),
        IPv6Address(dst),
        ttl=hop_limit,
        tos=first >> 20 & 0xFF,
    )


def _inner(
    protocol: int, body: bytes, src: Address, dst: Address, *, ttl: int, tos: int, df: bool = False
) -> OuterPacket:
    if protocol == ESP_PROTOCOL:
        return OuterPacket(Carried.ESP, src, dst, body, ttl, tos, df)
    if protocol != UDP_PROTOCOL:
        raise EspMalformedPacket(f"IP protocol {protocol} is neither ESP nor UDP")
    if len(body) < 8:
        raise EspMalformedPacket("UDP header is truncated")
    sport, dport, length, _checksum = _UDP.unpack_from(body)
    if not 8 <= length <= len(body):
        raise EspMalformedPacket("UDP length is inconsistent")
    carried, payload = classify(sport, dport, body[8:length])
    if carried is Carried.OTHER:
        raise EspMalformedPacket(f"UDP {sport} -> {dport} is not IKE or NAT-T")
    return OuterPacket(carried, src, dst, payload, ttl, tos, df, sport, dport)
