"""ICMPv6 (RFC 4443): echo, destination unreachable, packet too big, time exceeded.

The message layout is ICMP's (type, code, checksum, four more octets, data); the checksum
covers the IPv6 pseudo-header. Errors quote as much of the offending packet as fits in the
minimum IPv6 MTU (RFC 4443 section 2.4 (c)).
"""

from __future__ import annotations

from pyike.node.icmp import IcmpMessage, parse_icmp
from pyike.node.ip import PROTO_ICMPV6, IPv6Packet, MalformedPacket, checksum, parse_ipv6
from pyike.node.ip import pseudo_header as _pseudo

DEST_UNREACHABLE = 1
PACKET_TOO_BIG = 2
TIME_EXCEEDED = 3
PARAMETER_PROBLEM = 4
ECHO_REQUEST = 128
ECHO_REPLY = 129

# Destination unreachable codes.
NO_ROUTE = 0
ADDRESS_UNREACHABLE = 3
PORT_UNREACHABLE = 4

ERROR_TYPES = frozenset({DEST_UNREACHABLE, PACKET_TOO_BIG, TIME_EXCEEDED, PARAMETER_PROBLEM})
MIN_MTU = 1280
_QUOTE_LIMIT = MIN_MTU - 40 - 8


def to_bytes(message: IcmpMessage, src: int, dst: int) -> bytes:
    raw = bytes((message.type, message.code, 0, 0)) + message.rest + message.data
    csum = checksum(_pseudo(src, dst, PROTO_ICMPV6, len(raw), 6) + raw)
    return raw[:2] + csum.to_bytes(2, "big") + raw[4:]


def parse(packet: IPv6Packet) -> IcmpMessage:
    """The ICMPv6 message an IPv6 packet carries; `MalformedPacket` if short or corrupt."""
    data = packet.payload
    if len(data) < 8:
        raise MalformedPacket("ICMPv6 message shorter than its header")
    if checksum(_pseudo(packet.src, packet.dst, PROTO_ICMPV6, len(data), 6) + data) != 0:
        raise MalformedPacket("bad ICMPv6 checksum")
    return parse_icmp(data, verify_checksum=False)


def is_error(message: IcmpMessage) -> bool:
    return message.type in ERROR_TYPES


def echo(request: bool, ident: int, sequence: int, data: bytes) -> IcmpMessage:
    rest = ident.to_bytes(2, "big") + sequence.to_bytes(2, "big")
    return IcmpMessage(ECHO_REQUEST if request else ECHO_REPLY, 0, rest, data)


def _quote(original: IPv6Packet) -> bytes:
    return original.to_bytes()[:_QUOTE_LIMIT]


def unreachable(code: int, original: IPv6Packet) -> IcmpMessage:
    return IcmpMessage(DEST_UNREACHABLE, code, b"\x00" * 4, _quote(original))


def packet_too_big(original: IPv6Packet, mtu: int) -> IcmpMessage:
    return IcmpMessage(PACKET_TOO_BIG, 0, mtu.to_bytes(4, "big"), _quote(original))


def time_exceeded(original: IPv6Packet) -> IcmpMessage:
    return IcmpMessage(TIME_EXCEEDED, 0, b"\x00" * 4, _quote(original))


def packet(src: int, dst: int, message: IcmpMessage, hop_limit: int = 64) -> IPv6Packet:
    return IPv6Packet(src, dst, PROTO_ICMPV6, to_bytes(message, src, dst), hop_limit=hop_limit)


def quoted_packet(message: IcmpMessage) -> IPv6Packet | None:
    """The packet an ICMPv6 error quotes (perhaps truncated), or None if unreadable."""
    data = message.data
    if len(data) < 40 or data[0] >> 4 != 6:
        return None
    # The quote may be cut short: pretend the payload length is what we hold.
    patched = data[:4] + (len(data) - 40).to_bytes(2, "big") + data[6:]
    try:
        return parse_ipv6(patched)
    except MalformedPacket:
        return None
