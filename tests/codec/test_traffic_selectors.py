from __future__ import annotations

import ipaddress
import struct

import pytest

from pyike.codec import OpaqueTrafficSelector, TrafficSelector, TsPayload, encode_message
from pyike.codec.registry import PayloadType, TsType
from tests.support.ike_bytes import decode_single, expect_single_error, single


def ipv4_selector(
    start: str, end: str, proto: int = 0, ports: tuple[int, int] = (0, 65535)
) -> bytes:
    return (
        struct.pack("!BBHHH", 7, proto, 16, *ports)
        + ipaddress.IPv4Address(start).packed
        + ipaddress.IPv4Address(end).packed
    )


def ipv6_selector(start: str, end: str) -> bytes:
    return (
        struct.pack("!BBHHH", 8, 6, 40, 443, 443)
        + ipaddress.IPv6Address(start).packed
        + ipaddress.IPv6Address(end).packed
    )


def ts_body(count: int, *selectors: bytes) -> bytes:
    return bytes([count, 0, 0, 0]) + b"".join(selectors)


def test_tsi_with_ipv4_and_ipv6_ranges() -> None:
    body = ts_body(
        2,
        ipv4_selector("192.168.1.0", "192.168.1.255"),
        ipv6_selector("2001:db8::", "2001:db8::ff"),
    )
    message = decode_single(PayloadType.TSi, body)
    assert encode_message(message) == single(PayloadType.TSi, body)
    (ts,) = message.payloads
    assert isinstance(ts, TsPayload) and ts.initiator and ts.payload_type is PayloadType.TSi
    v4, v6 = ts.selectors
    assert v4 == TrafficSelector(
        0,
        0,
        65535,
        ipaddress.IPv4Address("192.168.1.0"),
        ipaddress.IPv4Address("192.168.1.255"),
    )
    assert isinstance(v6, TrafficSelector)
    assert (v6.ts_type, v6.ip_protocol, v6.start_port) == (TsType.TS_IPV6_ADDR_RANGE, 6, 443)
    assert v4.ts_type is TsType.TS_IPV4_ADDR_RANGE


def test_tsr_with_opaque_ports_and_unknown_selector_type() -> None:
    seclabel = struct.pack("!BBH", 10, 0, 9) + b"label"
    body = ts_body(2, ipv4_selector("10.0.0.1", "10.0.0.1", 17, (65535, 0)), seclabel)
    (ts,) = decode_single(PayloadType.TSr, body).payloads
    assert isinstance(ts, TsPayload) and not ts.initiator
    assert ts.selectors[1] == OpaqueTrafficSelector(TsType.TS_SECLABEL, 0, b"label")
    selector = ts.selectors[0]
    assert isinstance(selector, TrafficSelector)
    assert (selector.start_port, selector.end_port) == (65535, 0)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x01\x00\x00", "reserved needs 3 bytes"),
        (ts_body(2, ipv4_selector("10.0.0.0", "10.0.0.9")), "announces 2 traffic selectors but"),
        (ts_body(0, ipv4_selector("10.0.0.0", "10.0.0.9")), "announces 0 traffic selectors but"),
        (ts_body(1, ipv4_selector("10.0.0.9", "10.0.0.0")), "starts at 10.0.0.9, after its end"),
        (ts_body(1, ipv6_selector("::2", "::1")), "starts at ::2"),
        (ts_body(1, struct.pack("!BBH", 7, 0, 3)), "length 3 does not fit"),
        (ts_body(1, ipv4_selector("10.0.0.0", "10.0.0.9")[:12]), "length 16 does not fit"),
        (ts_body(1, b"\x07\x00"), "length needs 2 bytes"),
        (
            ts_body(1, struct.pack("!BBHHH", 7, 0, 24, 0, 0) + bytes(16)),
            "TS_IPV4_ADDR_RANGE has length 24, expected 16",
        ),
        (
            ts_body(1, struct.pack("!BBHHH", 8, 0, 16, 0, 0) + bytes(8)),
            "TS_IPV6_ADDR_RANGE has length 16, expected 40",
        ),
    ],
)
def test_malformed_traffic_selectors(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.TSi, body, match)


def test_encode_refuses_mixed_families() -> None:
    selector = TrafficSelector(
        0, 0, 0, ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv6Address("::1")
    )
    with pytest.raises(ValueError, match="mixes IPv4 and IPv6"):
        selector.encode()
