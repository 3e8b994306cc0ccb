"""What an SA carries for the tunnel interface (or crypto map line) it protects, chosen by
the interface, never by the SA's mode alone:

- an IPsec VTI (`tunnel mode ipsec ipv4|ipv6`) and a crypto map line: the packet itself.
  In tunnel mode ESP carries the whole packet; an SA in transport mode (negotiated only for
  the peers' own traffic, `pyike.ike.child_mode`) carries what follows the IP header, which
  the receiver puts back from the SA's own addresses.
- a GRE tunnel (`tunnel mode gre ip|ipv6`, the default): the GRE packet from the tunnel's
  source to its destination (`pyike.node.gre`), protected by the SA whose selectors are GRE
  between those hosts: in transport mode ESP carries the GRE header and the packet (next
  header 47), in tunnel mode the whole outer packet, as a strongSwan peer that answers
  tunnel mode sends it.
- a multipoint GRE tunnel's peer (DMVPN): the router frames GRE itself (`pyike.node.mgre`,
  NHRP travels in it too) and the peer's SA carries the whole GRE packet as the peers' own
  traffic: no framing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from ipaddress import IPv4Address, IPv6Address

from pyike.config.model import TUNNEL_TTL
from pyike.ipsec.errors import EspPayloadError
from pyike.ipsec.esp import Decapsulated
from pyike.ipsec.sa import EspMode, OutboundEspSa
from pyike.node.gre import (
    GRE_PROTOCOL,
    GrePacket,
    carried,
    gre_packet,
    gre_wrap,
    ip_packet,
    parse_gre,
    read_ip,
)

IPAddress = IPv4Address | IPv6Address


def seal_own_traffic(sa: OutboundEspSa, packet: bytes) -> bytes:
    """ESP for `packet` on an SA that protects it as it is: whole in tunnel mode, without
    its IP header in transport mode."""
    if sa.mode is EspMode.TUNNEL:
        return sa.encapsulate(packet)
    header = read_ip(packet)
    if header is None:
        raise EspPayloadError("transport mode: not an IP packet", spi=sa.spi)
    return sa.encapsulate(header.payload, header.protocol)


def open_own_traffic(
    mode: EspMode, result: Decapsulated, remote: IPAddress, local: IPAddress
) -> bytes:
    """The packet an SA opened: the payload in tunnel mode; in transport mode the payload
    behind the IP header of the SA's own addresses (from the peer to this side)."""
    if mode is EspMode.TUNNEL:
        return result.payload
    return ip_packet(remote, local, result.next_header, result.payload)


@dataclass(frozen=True)
class GreFraming:
    """GRE over IPsec between `source` and `destination`, with the tunnel's key (if any)."""

    source: IPAddress
    destination: IPAddress
    key: int | None = None
    ttl: int = TUNNEL_TTL  # of the GRE delivery header inside tunnel-mode ESP

    def seal(self, sa: OutboundEspSa, packet: bytes) -> bytes:
        if sa.mode is EspMode.TRANSPORT:
            return sa.encapsulate(gre_wrap(packet, self.key), GRE_PROTOCOL)
        gre = gre_packet(self.source, self.destination, packet, self.key, self.ttl)
        return sa.encapsulate(gre)

    def open(self, mode: EspMode, result: Decapsulated) -> bytes | None:
        """The packet the GRE carried; None for anything else (another protocol, a key that
        is not the tunnel's, a keepalive reply: the lab's routers take those in the clear,
        the gateway's `pyike.net.gre_tunnel` in ESP)."""
        gre = self.gre_of(mode, result)
        return carried(gre, self.key) if gre is not None else None

    @staticmethod
    def gre_of(mode: EspMode, result: Decapsulated) -> GrePacket | None:
        """The GRE packet an SA opened, if it is one."""
        if mode is EspMode.TRANSPORT:
            gre_bytes = result.payload if result.next_header == GRE_PROTOCOL else None
        else:
            header = read_ip(result.payload)
            gre_bytes = header.payload if header and header.protocol == GRE_PROTOCOL else None
        return parse_gre(gre_bytes) if gre_bytes is not None else None

    def overhead(self, mode: EspMode) -> int:
        """What the GRE framing adds inside ESP: its header, and the outer IP header in
        tunnel mode."""
        ip = 20 if isinstance(self.source, IPv4Address) else 40
        header = 4 if self.key is None else 8
        return header + (ip if mode is EspMode.TUNNEL else 0)


def sealer(framing: GreFraming | None, sa: OutboundEspSa) -> Callable[[bytes], bytes]:
    """What turns a packet into ESP on `sa` for a tunnel with `framing` (None: the packet
    as it is); for a VTI's tunnel-mode SA, the SA's own encapsulate (the gateway's hot path)."""
    if framing is not None:
        return partial(framing.seal, sa)
    if sa.mode is EspMode.TUNNEL:
        return sa.encapsulate
    return partial(seal_own_traffic, sa)


def opened(
    framing: GreFraming | None,
    mode: EspMode,
    result: Decapsulated,
    remote: IPAddress,
    local: IPAddress,
) -> bytes | None:
    """The packet an SA of a tunnel with `framing` opened (None: not the tunnel's)."""
    if framing is not None:
        return framing.open(mode, result)
    if mode is EspMode.TUNNEL:
        return result.payload
    return open_own_traffic(mode, result, remote, local)


__all__ = ["GreFraming", "opened", "sealer"]
