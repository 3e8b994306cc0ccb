"""`ip tcp adjust-mss N`: the MSS option of TCP SYN segments crossing the interface is
lowered to N (never raised), and the TCP checksum recomputed, as IOS does it."""

from __future__ import annotations

from dataclasses import replace

from pyike.node.ip import (
    PROTO_TCP,
    IPv4Packet,
    MalformedPacket,
    checksum,
    parse_ipv4,
    pseudo_header,
)

_SYN = 0x02
_END, _NOP, _MSS = 0, 1, 2


def clamp_mss(packet: IPv4Packet, mss: int) -> IPv4Packet:
    """`packet` with its SYN's MSS option at most `mss`; any other packet unchanged."""
    tcp = packet.payload
    if packet.protocol != PROTO_TCP or packet.frag_offset or len(tcp) < 20:
        return packet
    if not tcp[13] & _SYN:
        return packet
    at = _mss_offset(tcp)
    if at is None or int.from_bytes(tcp[at : at + 2], "big") <= mss:
        return packet
    segment = bytearray(tcp)
    segment[at : at + 2] = mss.to_bytes(2, "big")
    segment[16:18] = b"\x00\x00"
    header = pseudo_header(packet.src, packet.dst, PROTO_TCP, len(segment))
    segment[16:18] = checksum(header + bytes(segment)).to_bytes(2, "big")
    return replace(packet, payload=bytes(segment))


def clamp_mss_packet(packet: bytes, mss: int) -> bytes:
    """`clamp_mss` on a packet's bytes; what is not an unfragmented IPv4 TCP SYN is
    returned as it is without being parsed."""
    if len(packet) < 40 or packet[0] >> 4 != 4 or packet[9] != PROTO_TCP:
        return packet
    start = (packet[0] & 0x0F) * 4
    if len(packet) < start + 14 or not packet[start + 13] & _SYN:
        return packet
    try:
        parsed = parse_ipv4(packet, verify_checksum=False)
    except MalformedPacket:
        return packet
    clamped = clamp_mss(parsed, mss)
    return packet if clamped is parsed else clamped.to_bytes()


def _mss_offset(tcp: bytes) -> int | None:
    """Where the MSS option's value is in the TCP header, if it has one."""
    end = min((tcp[12] >> 4) * 4, len(tcp))
    at = 20
    while at < end:
        kind = tcp[at]
        if kind == _END:
            return None
        if kind == _NOP:
            at += 1
            continue
        if at + 1 >= end or tcp[at + 1] < 2:
            return None
        if kind == _MSS and tcp[at + 1] == 4 and at + 4 <= end:
            return at + 2
        at += tcp[at + 1]
    return None


__all__ = ["clamp_mss", "clamp_mss_packet"]
