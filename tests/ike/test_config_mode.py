"""The configuration exchange's attributes (RFC 7296 3.15, Cisco's default domain 28674):
what a CFG payload carries is read back as it was written, a malformed attribute is named and
left out, and IOS's debug lines show each attribute with its value."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from pyike.codec import CfgAttribute, CpPayload
from pyike.codec.registry import CfgAttributeType, CfgType
from pyike.ike.config_mode import (
    APPLICATION_VERSION,
    UNITY_DEF_DOMAIN,
    ConfigAsk,
    debug_lines,
    decode,
    default_only,
    encode,
    request_payload,
)
from pyike.ike.events import ConfigSet

REPLY = ConfigSet(
    address=IPv4Address("172.16.1.100"),
    netmask=IPv4Address("255.255.255.0"),
    dns=(IPv4Address("10.0.0.53"), IPv6Address("2001:db8::53")),
    domain="example.com",
    routes=(IPv4Network("10.100.0.0/24"), IPv6Network("2001:db8:1::/48")),
    address6=IPv6Network("2001:db8:2::/64"),
)


def test_a_reply_reads_back_as_written() -> None:
    payload = encode(CfgType.CFG_REPLY, REPLY)
    assert decode(payload) == (REPLY, False, [])
    assert any(a.type == UNITY_DEF_DOMAIN and a.value == b"example.com" for a in payload.attributes)


def test_a_request_asks_for_an_address_and_the_peers_routes() -> None:
    offer = ConfigSet(routes=(IPv4Network("192.168.1.0/24"),))
    payload = request_payload(ConfigAsk(address=True, offer=offer))
    kinds = [a.type for a in payload.attributes]
    assert kinds[:3] == [
        CfgAttributeType.INTERNAL_IP4_ADDRESS,
        CfgAttributeType.INTERNAL_IP4_NETMASK,
        CfgAttributeType.INTERNAL_IP4_DNS,
    ]
    assert decode(payload) == (offer, True, [])
    assert not default_only(payload)


def test_ioss_default_request_is_the_seeds_set_in_its_order() -> None:
    """An IPv4 tunnel that asks for nothing still sends the seed's attributes: two DNS, two
    NBNS, a subnet, pyike's version and Cisco's five; over IPv6 the version and Cisco's five."""
    bare = request_payload(ConfigAsk())
    assert [int(a.type) for a in bare.attributes] == [
        3,
        3,
        4,
        4,
        13,
        7,
        28675,
        28672,
        28692,
        28681,
        28674,
    ]
    assert [a.value for a in bare.attributes if a.value] == [APPLICATION_VERSION]
    assert APPLICATION_VERSION.startswith(b"pyike ")  # never IOS's own text
    assert default_only(bare)
    assert decode(bare) == (ConfigSet(), False, [])  # nothing a responder would act on
    v6 = request_payload(ConfigAsk(inner_version=6))
    assert [int(a.type) for a in v6.attributes] == [7, 28675, 28672, 28692, 28681, 28674]
    assert debug_lines("Config data to send:", bare)[2:4] == [
        "Attrib type: ipv4-dns, length: 0",
        "Attrib type: ipv4-dns, length: 0",
    ]
    assert "Attrib type: config-url, length: 0" in debug_lines("", bare)


def test_a_malformed_attribute_is_named_and_left_out() -> None:
    payload = CpPayload(
        CfgType.CFG_REPLY,
        (
            CfgAttribute(CfgAttributeType.INTERNAL_IP4_ADDRESS, b"\x0a\x00\x00"),
            CfgAttribute(CfgAttributeType.INTERNAL_IP4_DNS, bytes([10, 0, 0, 53])),
        ),
    )
    values, _, bad = decode(payload)
    assert values == ConfigSet(dns=(IPv4Address("10.0.0.53"),))
    assert bad == ["attribute 1: length 3, 4 expected"]


def test_debug_lines_show_each_attribute_as_ios_does() -> None:
    lines = debug_lines("Config data to send:", encode(CfgType.CFG_REPLY, REPLY))
    assert lines[:3] == [
        "Config data to send:",
        "Config-type: Config-reply ",
        "Attrib type: ipv4-addr, length: 4, data: 172.16.1.100",
    ]
    assert "Attrib type: ipv4-subnet, length: 8, data: 10.100.0.0 255.255.255.0" in lines
    assert "Attrib type: def-domain, length: 11, data: example.com" in lines
