"""The two addresses of a data packet, and the part of it a Traffic Indication quotes."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from pyike.nhrp.codec import IPAddress

QUOTED_PAYLOAD = 8  # octets after the IP header that a Traffic Indication carries


def _header_length(packet: bytes) -> int | None:
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4:
        length = (packet[0] & 0x0F) * 4
        return length if length >= 20 and len(packet) >= length else None
    if version == 6:
        return 40 if len(packet) >= 40 else None
    return None


def endpoints(packet: bytes) -> tuple[IPAddress, IPAddress] | None:
    """(source, destination) of an IPv4 or IPv6 packet; None when it is not one."""
    length = _header_length(packet)
    if length is None:
        return None
    if packet[0] >> 4 == 4:
        return IPv4Address(packet[12:16]), IPv4Address(packet[16:20])
    return IPv6Address(packet[8:24]), IPv6Address(packet[24:40])


def quoted(packet: bytes) -> bytes:
    """The IP header and the first octets after it."""
    length = _header_length(packet) or 0
    return packet[: length + QUOTED_PAYLOAD]
