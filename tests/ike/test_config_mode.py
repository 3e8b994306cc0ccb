"""The configuration exchange's attributes (RFC 7296 3.15, Cisco's default domain 28674):
what a CFG payload carries is read back as it was written, a malformed attribute is named and
left out, and IOS's debug lines show each attribute with its value."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from pyike.codec import CfgAttribute, CpPayload
from pyike.codec.registry import CfgAttributeType, CfgType
from pyike.ike.config_mode import UNITY_DEF_DOMAIN, debug_lines, decode, encode
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
    payload = encode(CfgType.CFG_REQUEST, offer, ask_address=True)
    kinds = [a.type for a in payload.attributes]
    assert kinds[:3] == [
        CfgAttributeType.INTERNAL_IP4_ADDRESS,
        CfgAttributeType.INTERNAL_IP4_NETMASK,
        CfgAttributeType.INTERNAL_IP4_DNS,
    ]
    assert decode(payload) == (offer, True, [])
    bare = encode(CfgType.CFG_REQUEST, ConfigSet())
    assert bare.attributes == (CfgAttribute(CfgAttributeType.INTERNAL_IP4_SUBNET),)


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
