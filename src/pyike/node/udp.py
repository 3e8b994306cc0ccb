"""UDP (RFC 768) over IPv4 and IPv6, with the pseudo-header checksum."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pyike.node.ip import PROTO_UDP, IPv4Packet, MalformedPacket, checksum, pseudo_header

_HEAD = struct.Struct(">HHHH")


@dataclass(frozen=True, slots=True)
class UdpDatagram:
    src_port: int
    dst_port: int
    payload: bytes

    def to_bytes(self, src: int, dst: int, version: int = 4) -> bytes:
        length = 8 + len(self.payload)
        head = _HEAD.pack(self.src_port, self.dst_port, length, 0)
        csum = checksum(pseudo_header(src, dst, PROTO_UDP, length, version) + head + self.payload)
        if csum == 0:
            csum = 0xFFFF  # zero means "no checksum" in IPv4 UDP
        return head[:6] + csum.to_bytes(2, "big") + self.payload


def parse_udp(data: bytes, src: int, dst: int, version: int = 4) -> UdpDatagram:
    if len(data) < 8:
        raise MalformedPacket("UDP datagram shorter than its header")
    sport, dport, length, csum = _HEAD.unpack_from(data)
    if length < 8 or length > len(data):
        raise MalformedPacket("bad UDP length")
    data = data[:length]
    if (csum or version == 6) and checksum(
        pseudo_header(src, dst, PROTO_UDP, length, version) + data
    ):
        raise MalformedPacket("bad UDP checksum")
    return UdpDatagram(sport, dport, bytes(data[8:]))


def udp_ports(data: bytes) -> tuple[int, int] | None:
    """(source, destination) ports from the first bytes of a UDP header, unchecked."""
    if len(data) < 4:
        return None
    sport, dport = struct.unpack_from(">HH", data)
    return sport, dport


def packet(
    src: int, dst: int, datagram: UdpDatagram, ident: int = 0, ttl: int = 255, df: bool = False
) -> IPv4Packet:
    return IPv4Packet(src, dst, PROTO_UDP, datagram.to_bytes(src, dst), ttl=ttl, ident=ident, df=df)
