"""What a UDP datagram on port 4500 carries (RFC 3948): an IKE message behind the four-byte
non-ESP marker (RFC 7296 section 2.23), ESP (its SPI, never zero, first), or a NAT keepalive
(the single octet 0xFF). Every reader of port 4500 (the lab's routers, the gateway, the
capture reader, the ESP outer-header parser) asks `nat_t_payload`; the capture reader and the
outer-header parser name what a datagram on either IKE port carries with `classify`."""

from __future__ import annotations

import enum
from typing import TypeVar

IKE_PORT = 500
NAT_T_PORT = 4500  # IKE behind the non-ESP marker, ESP in UDP and keepalives
NON_ESP_MARKER = bytes(4)
NAT_KEEPALIVE = b"\xff"

_Payload = TypeVar("_Payload", bytes, memoryview)


class NatTPayload(enum.Enum):
    IKE = "IKE"
    ESP = "ESP-in-UDP"
    KEEPALIVE = "NAT-keepalive"


# The members as plain globals: looking one up through the Enum class costs more than the
# rest of the test, which runs for every packet of ESP in UDP.
_IKE, _ESP, _KEEPALIVE = NatTPayload.IKE, NatTPayload.ESP, NatTPayload.KEEPALIVE


def nat_t_payload(payload: _Payload) -> tuple[NatTPayload, _Payload]:
    """What `payload` (a UDP payload on port 4500) is, and its content: the IKE message
    without the non-ESP marker, the ESP packet as it is, or the keepalive octet."""
    if payload[:4] == NON_ESP_MARKER:
        return _IKE, payload[4:]
    if payload == NAT_KEEPALIVE:
        return _KEEPALIVE, payload
    return _ESP, payload


class Carried(enum.Enum):
    """What a packet on the IKE and ESP paths carries, as the outer-header parser and the
    capture reader name it."""

    ESP = "ESP"  # IP protocol 50, not in UDP
    ESP_IN_UDP = "ESP-in-UDP"
    IKE = "IKE"
    NAT_KEEPALIVE = "NAT-keepalive"
    OTHER = "other"  # UDP on neither IKE port
    GRE = "GRE"  # IP protocol 47 in the clear (NHRP of an unprotected DMVPN tunnel)


_CARRIED_ON_4500 = {
    NatTPayload.IKE: Carried.IKE,
    NatTPayload.ESP: Carried.ESP_IN_UDP,
    NatTPayload.KEEPALIVE: Carried.NAT_KEEPALIVE,
}


def classify(sport: int, dport: int, payload: _Payload) -> tuple[Carried, _Payload]:
    """What a UDP payload from ``sport`` to ``dport`` carries, and its content (on port 4500
    as `nat_t_payload` gives it; everything on port 500 is IKE)."""
    ports = (sport, dport)
    if NAT_T_PORT in ports:
        carried, content = nat_t_payload(payload)
        return _CARRIED_ON_4500[carried], content
    if IKE_PORT in ports:
        return Carried.IKE, payload
    return Carried.OTHER, payload
