"""Sorting the router's own UDP datagrams on the IKE ports (RFC 3948): IKE (the non-ESP
marker removed on 4500), UDP-encapsulated ESP, a NAT keepalive, or nothing it serves.
IPv4 and IPv6 share it."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from pyike.codec.udp_encap import IKE_PORT, NAT_T_PORT, NatTPayload, nat_t_payload
from pyike.node.hooks import EspArrival, IkeDatagram
from pyike.node.udp import UdpDatagram

if TYPE_CHECKING:
    from pyike.node.ip import IPv4Packet, IPv6Packet
    from pyike.node.router import Router

__all__ = ["IKE_PORT", "NAT_T_PORT", "IkeService", "ike_service", "serve_ike_ports"]


class IkeService(enum.Enum):
    """What a UDP datagram for the router's own address is, on the IKE ports."""

    NONE = "none"  # no IKE service on that port: ICMP port unreachable
    KEEPALIVE = "NAT keepalive"  # counted and dropped
    IKE = "IKE"
    ESP = "ESP in UDP"


def ike_service(router: Router, datagram: UdpDatagram) -> tuple[IkeService, bytes]:
    """Sort a local UDP datagram on 500/4500 (RFC 3948): IKE (non-ESP marker removed on
    4500), UDP-encapsulated ESP, a NAT keepalive, or nothing the router serves."""
    port, payload = datagram.dst_port, datagram.payload
    if port == NAT_T_PORT and (router.ike_handler or router.esp_handler):
        carried, content = nat_t_payload(payload)
        if carried is NatTPayload.KEEPALIVE:
            router.stats.nat_keepalives += 1
            return IkeService.KEEPALIVE, b""
        if carried is NatTPayload.IKE:
            return IkeService.IKE, content
        if router.esp_handler is not None:
            return IkeService.ESP, payload
    if port == IKE_PORT and router.ike_handler is not None:
        return IkeService.IKE, payload
    return IkeService.NONE, payload


def serve_ike_ports(
    router: Router, packet: IPv4Packet | IPv6Packet, datagram: UdpDatagram, in_iface: str | None
) -> bool:
    """Hand a local UDP datagram to the router's IKE or ESP hook, or drop a keepalive; False
    when the router serves nothing on its port (the caller answers port unreachable)."""
    service, payload = ike_service(router, datagram)
    if service is IkeService.NONE:
        return False
    if service is IkeService.ESP:
        arrival = EspArrival(in_iface or "", packet, payload, True, datagram.src_port)
        router.esp_arrival(arrival, in_iface)
    elif service is IkeService.IKE and router.ike_handler is not None:
        router.stats.ike_received += 1
        received = IkeDatagram(
            in_iface or "",
            packet.src_address,
            datagram.src_port,
            packet.dst_address,
            datagram.dst_port,
            payload,
        )
        router.ike_handler.ike_datagram(router, received)
    return True
