"""TCP SYN segments with an MSS option, for the `ip tcp adjust-mss` tests of the lab and the
gateway."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.node.ip import PROTO_TCP, IPv4Packet, checksum, parse_ipv4, pseudo_header


def syn(src: str, dst: str, mss: int, dport: int = 80) -> bytes:
    """A TCP SYN from `src` to `dst` offering `mss`."""
    source, destination = int(IPv4Address(src)), int(IPv4Address(dst))
    header = bytearray(24)
    header[0:2], header[2:4] = (40000).to_bytes(2, "big"), dport.to_bytes(2, "big")
    header[12], header[13] = 6 << 4, 0x02  # data offset 6 words, SYN
    header[14:16] = (65535).to_bytes(2, "big")
    header[20:24] = bytes((2, 4)) + mss.to_bytes(2, "big")
    pseudo = pseudo_header(source, destination, PROTO_TCP, 24)
    header[16:18] = checksum(pseudo + bytes(header)).to_bytes(2, "big")
    return IPv4Packet(source, destination, PROTO_TCP, bytes(header), ttl=64).to_bytes()


def syn_mss(packet: bytes) -> int:
    """The MSS a SYN made by `syn` offers, once its TCP checksum is found right."""
    parsed = parse_ipv4(packet)
    pseudo = pseudo_header(parsed.src, parsed.dst, PROTO_TCP, len(parsed.payload))
    assert checksum(pseudo + parsed.payload) == 0, "TCP checksum not recomputed"
    return int.from_bytes(parsed.payload[22:24], "big")
