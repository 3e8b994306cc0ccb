"""Traffic selector narrowing (RFC 7296 section 2.9)."""

from __future__ import annotations

import ipaddress

from pyike.codec import TsPayload
from pyike.ike import TrafficSelector
from pyike.ike import ts as tsmod

ANY = TrafficSelector.any4()
LAN = TrafficSelector.of("10.1.0.0/16")
HOST = TrafficSelector.of("10.1.2.3/32")
WEB = TrafficSelector.of("10.1.0.0/16", protocol=6, ports=(80, 80))


def test_intersection_narrows_addresses_protocol_and_ports() -> None:
    assert tsmod.intersect(ANY, LAN) == LAN
    assert tsmod.intersect(LAN, HOST) == HOST
    assert tsmod.intersect(ANY, WEB) == WEB  # protocol 0 means any
    ranged = TrafficSelector.of("10.1.0.0/24", protocol=6, ports=(0, 1023))
    assert tsmod.intersect(WEB, ranged) == TrafficSelector.of("10.1.0.0/24", 6, (80, 80))


def test_disjoint_selectors_do_not_intersect() -> None:
    assert tsmod.intersect(LAN, TrafficSelector.of("10.2.0.0/16")) is None
    assert tsmod.intersect(WEB, TrafficSelector.of("10.1.0.0/16", protocol=17)) is None
    high = TrafficSelector.of("10.1.0.0/16", protocol=6, ports=(1024, 65535))
    assert tsmod.intersect(WEB, high) is None
    assert tsmod.intersect(ANY, TrafficSelector.of("::/0")) is None


def test_narrowing_keeps_each_allowed_part_once() -> None:
    configured = (TrafficSelector.of("10.1.1.0/24"), TrafficSelector.of("10.1.9.0/24"))
    assert tsmod.narrow((ANY,), configured) == configured
    assert tsmod.narrow((ANY, LAN), configured) == configured
    assert tsmod.narrow((TrafficSelector.of("10.2.0.0/16"),), configured) == ()


def test_address_range_that_is_not_a_prefix() -> None:
    odd = TrafficSelector(ipaddress.ip_address("10.1.0.5"), ipaddress.ip_address("10.1.3.7"))
    got = tsmod.intersect(odd, TrafficSelector.of("10.1.2.0/24"))
    assert got == TrafficSelector.of("10.1.2.0/24")


def test_initiator_accepts_only_answers_within_its_proposal() -> None:
    assert tsmod.within((HOST,), (LAN,))
    assert not tsmod.within((ANY,), (LAN,))  # wider than proposed
    assert not tsmod.within((), (LAN,))  # narrowed to nothing
    assert tsmod.within((HOST, WEB), (LAN,))


def test_wire_round_trip() -> None:
    selectors = (WEB, TrafficSelector.of("2001:db8::/32"))
    payload = tsmod.to_payload(selectors, initiator=True)
    assert isinstance(payload, TsPayload) and payload.initiator
    assert tsmod.from_payload(payload) == selectors


def test_a_payload_narrowed_once_per_pair_of_objects() -> None:
    configured = (TrafficSelector.of("10.1.1.0/24"),)
    payload = tsmod.to_payload([ANY, LAN], True)
    first = tsmod.narrowed(payload, configured)
    assert first == tsmod.narrow(tsmod.from_payload(payload), configured) == configured
    assert tsmod.narrowed(payload, configured) is first  # remembered
    # an equal payload that is another object is worked out afresh, to the same result
    again = TsPayload(payload.selectors, True)
    assert tsmod.narrowed(again, configured) == first
    assert tsmod.narrowed(payload, (HOST,)) == (HOST,)  # other selectors, another answer
