"""Port 4500 (RFC 3948): IKE behind the non-ESP marker, ESP, NAT keepalives; and every reader
of the port (lab router, ESP outer headers, capture reader, lab packet matching) sorting a
datagram the same way."""

from __future__ import annotations

from ipaddress import IPv4Address

from hypothesis import example, given
from hypothesis import strategies as st

from pyike.codec.udp_encap import (
    NAT_KEEPALIVE,
    NON_ESP_MARKER,
    Carried,
    NatTPayload,
    classify,
    nat_t_payload,
)
from pyike.codec.udp_encap import Carried as DatagramKind
from pyike.ipsec.outer import unwrap, wrap
from pyike.node.ike_ports import IkeService, ike_service
from pyike.node.router import Router
from pyike.node.udp import UdpDatagram
from pyike.sim import match
from pyike.sim.clock import VirtualClock
from pyike.topology.seed import seed_configs

IKE_MESSAGE = bytes(range(28))
ESP_PACKET = b"\x00\x00\x10\x01" + bytes(40)  # SPI 0x1001: zero octets, but not all four


def test_marker_is_stripped_from_ike_and_esp_and_keepalive_pass_as_they_are() -> None:
    assert nat_t_payload(NON_ESP_MARKER + IKE_MESSAGE) == (NatTPayload.IKE, IKE_MESSAGE)
    assert nat_t_payload(ESP_PACKET) == (NatTPayload.ESP, ESP_PACKET)
    assert nat_t_payload(NAT_KEEPALIVE) == (NatTPayload.KEEPALIVE, b"\xff")
    assert nat_t_payload(b"\xff\xff")[0] is NatTPayload.ESP  # a keepalive is one octet


def test_views_of_a_receive_buffer_are_sorted_without_copying_esp() -> None:
    buffer = memoryview(ESP_PACKET + NON_ESP_MARKER + IKE_MESSAGE)
    esp = buffer[: len(ESP_PACKET)]
    carried, content = nat_t_payload(esp)
    assert carried is NatTPayload.ESP and content is esp
    carried, content = nat_t_payload(buffer[len(ESP_PACKET) :])
    assert carried is NatTPayload.IKE and bytes(content) == IKE_MESSAGE


_ROUTER_SERVICE = {
    IkeService.IKE: NatTPayload.IKE,
    IkeService.ESP: NatTPayload.ESP,
    IkeService.KEEPALIVE: NatTPayload.KEEPALIVE,
}
_OUTER = {
    Carried.IKE: NatTPayload.IKE,
    Carried.ESP_IN_UDP: NatTPayload.ESP,
    Carried.NAT_KEEPALIVE: NatTPayload.KEEPALIVE,
}
_CAPTURE = {
    DatagramKind.IKE: NatTPayload.IKE,
    DatagramKind.ESP_IN_UDP: NatTPayload.ESP,
    DatagramKind.NAT_KEEPALIVE: NatTPayload.KEEPALIVE,
}


def _lab_router() -> Router:
    router = Router(seed_configs()[0], VirtualClock(), log=None)
    router.ike_handler = router.esp_handler = object()  # only their presence counts here
    return router


ROUTER = _lab_router()


def _in_sim(payload: bytes) -> NatTPayload | None:
    packet = wrap(payload, IPv4Address("10.0.0.2"), IPv4Address("10.0.0.1"), nat_t=(4500, 4500))
    if match.nat_keepalive()(packet):
        return NatTPayload.KEEPALIVE
    return NatTPayload.ESP if match.esp()(packet) else None


@given(st.binary(max_size=64))
@example(b"")
@example(b"\x01")
@example(b"\x00\x00\x00")
@example(NON_ESP_MARKER)
@example(NAT_KEEPALIVE)
@example(NON_ESP_MARKER + IKE_MESSAGE)
@example(ESP_PACKET)
def test_every_reader_of_port_4500_sorts_a_datagram_alike(payload: bytes) -> None:
    expected, content = nat_t_payload(payload)
    service, routed = ike_service(ROUTER, UdpDatagram(4500, 4500, payload))
    assert _ROUTER_SERVICE[service] is expected
    outer = unwrap(
        wrap(payload, IPv4Address("10.0.0.2"), IPv4Address("10.0.0.1"), nat_t=(4500, 4500))
    )
    assert _OUTER[outer.carried] is expected
    kind, captured = classify(4500, 4500, payload)
    assert _CAPTURE[kind] is expected
    if expected is NatTPayload.IKE:
        assert routed == outer.payload == captured == content
    if expected is not NatTPayload.IKE:  # the lab's matchers see ESP and keepalives
        assert _in_sim(payload) is expected
    else:
        assert _in_sim(payload) is None
