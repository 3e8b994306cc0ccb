"""GRE (RFC 2784) as GRE over IPsec carries it when the SA is in transport mode: the basic
four-octet header (no checksum, key or sequence number) before the inner packet, the whole
inside ESP with next header 47 between the tunnel's endpoints, as IOS sends it."""

from __future__ import annotations

GRE_PROTOCOL = 47
_ETHERTYPE = {4: 0x0800, 6: 0x86DD}  # the inner packet's IP version -> GRE protocol type
_VERSION = {ethertype: version for version, ethertype in _ETHERTYPE.items()}


def gre_wrap(packet: bytes) -> bytes:
    """The GRE packet carrying an IPv4 or IPv6 `packet`."""
    version = packet[0] >> 4 if packet else 0
    return b"\x00\x00" + _ETHERTYPE.get(version, 0x0800).to_bytes(2, "big") + packet


def gre_unwrap(payload: bytes) -> bytes | None:
    """The IP packet a basic GRE packet carries; None for anything else (options, another
    version, another protocol type)."""
    if len(payload) < 4 or payload[:2] != b"\x00\x00":
        return None
    if int.from_bytes(payload[2:4], "big") not in _VERSION:
        return None
    return payload[4:]
