"""Sorting the router's own UDP datagrams on the IKE ports (RFC 3948): IKE (the non-ESP
marker removed on 4500), UDP-encapsulated ESP, a NAT keepalive, or nothing it serves.
IPv4 and IPv6 share it."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from pyike.node.udp import UdpDatagram

if TYPE_CHECKING:
    from pyike.node.router import Router

IKE_PORT = 500
NAT_T_PORT = 4500
NON_ESP_MARKER = b"\x00\x00\x00\x00"
NAT_KEEPALIVE = b"\xff"


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
        if payload == NAT_KEEPALIVE:
            router.stats.nat_keepalives += 1
            return IkeService.KEEPALIVE, b""
        if payload.startswith(NON_ESP_MARKER):
            return IkeService.IKE, payload[len(NON_ESP_MARKER) :]
        if router.esp_handler is not None:
            return IkeService.ESP, payload
    if port == IKE_PORT and router.ike_handler is not None:
        return IkeService.IKE, payload
    return IkeService.NONE, payload
