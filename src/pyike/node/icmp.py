"""ICMP for IPv4 (RFC 792): echo, destination unreachable, time exceeded."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pyike.node.ip import PROTO_ICMP, IPv4Packet, MalformedPacket, checksum, parse_ipv4

ECHO_REPLY = 0
DEST_UNREACHABLE = 3
SOURCE_QUENCH = 4
ECHO_REQUEST = 8
TIME_EXCEEDED = 11
PARAMETER_PROBLEM = 12

# Destination unreachable codes.
NET_UNREACHABLE = 0
HOST_UNREACHABLE = 1
PROTOCOL_UNREACHABLE = 2
PORT_UNREACHABLE = 3
FRAGMENTATION_NEEDED = 4
ADMIN_PROHIBITED = 13

ERROR_TYPES = frozenset({DEST_UNREACHABLE, SOURCE_QUENCH, TIME_EXCEEDED, PARAMETER_PROBLEM})

_HEAD = struct.Struct(">BBH4s")


@dataclass(frozen=True, slots=True)
class IcmpMessage:
    type: int
    code: int
    rest: bytes  # the 4 bytes after the checksum: (id, seq) for echo, next-hop MTU for code 4
    data: bytes

    @property
    def is_error(self) -> bool:
        return self.type in ERROR_TYPES

    @property
    def ident(self) -> int:
        return int.from_bytes(self.rest[:2], "big")

    @property
    def sequence(self) -> int:
        return int.from_bytes(self.rest[2:], "big")

    @property
    def next_hop_mtu(self) -> int:
        return int.from_bytes(self.rest[2:], "big")

    def to_bytes(self) -> bytes:
        head = _HEAD.pack(self.type, self.code, 0, self.rest)
        csum = checksum(head + self.data)
        return head[:2] + csum.to_bytes(2, "big") + head[4:] + self.data


def parse_icmp(data: bytes, verify_checksum: bool = True) -> IcmpMessage:
    if len(data) < 8:
        raise MalformedPacket("ICMP message shorter than its header")
    if verify_checksum and checksum(data) != 0:
        raise MalformedPacket("bad ICMP checksum")
    kind, code, _csum, rest = _HEAD.unpack_from(data)
    return IcmpMessage(kind, code, rest, bytes(data[8:]))


def echo(request: bool, ident: int, sequence: int, data: bytes) -> IcmpMessage:
    rest = ident.to_bytes(2, "big") + sequence.to_bytes(2, "big")
    return IcmpMessage(ECHO_REQUEST if request else ECHO_REPLY, 0, rest, data)


def error_quote(original: IPv4Packet) -> bytes:
    """What an ICMP error carries: the original header and the first 8 bytes of its data."""
    return original.header_bytes() + original.payload[:8]


def unreachable(code: int, original: IPv4Packet, next_hop_mtu: int = 0) -> IcmpMessage:
    rest = b"\x00\x00" + next_hop_mtu.to_bytes(2, "big")
    return IcmpMessage(DEST_UNREACHABLE, code, rest, error_quote(original))


def time_exceeded(original: IPv4Packet) -> IcmpMessage:
    return IcmpMessage(TIME_EXCEEDED, 0, b"\x00" * 4, error_quote(original))


def packet(
    src: int, dst: int, message: IcmpMessage, ident: int = 0, ttl: int = 255, df: bool = False
) -> IPv4Packet:
    return IPv4Packet(src, dst, PROTO_ICMP, message.to_bytes(), ttl=ttl, ident=ident, df=df)


def quoted_packet(message: IcmpMessage) -> IPv4Packet | None:
    """The original packet an ICMP error quotes (header and 8 bytes), or None if unreadable."""
    data = message.data
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    if ihl < 20 or len(data) < ihl:
        return None
    total = int.from_bytes(data[2:4], "big")
    # The quote is truncated: pretend the total length is what we hold.
    patched = data[:2] + min(total, len(data)).to_bytes(2, "big") + data[4:]
    try:
        return parse_ipv4(patched, verify_checksum=False)
    except MalformedPacket:
        return None
