"""`show access-lists` and `show ip access-lists` on lab routers, read back by genie's parser
and the ntc-templates one."""

from __future__ import annotations

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.node.exec.parser import INVALID
from tests.support.genie_parse import parse

ntc_parse = pytest.importorskip("ntc_templates.parse")

CONFIG = """\
hostname R1
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
access-list 101 permit ip 10.0.0.0 0.0.0.255 192.168.2.0 0.0.0.255
access-list 101 deny tcp any host 192.0.2.1 eq 80 log
access-list 5 permit 10.1.0.0 0.0.255.255
access-list 5 permit host 10.2.2.2
ip access-list extended VPN-TRAFFIC
 remark what the crypto map protects
 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255
 15 permit gre host 10.0.0.1 host 10.0.0.2
ip access-list standard NETS
 deny any
"""


def router() -> Lab:
    return Lab([load(CONFIG).raise_for_errors()], policy_for_config)


def test_every_list_with_its_sequence_numbers_as_ios_prints_them() -> None:
    text = router().exec("R1", "show access-lists")
    assert text.splitlines() == [
        "Extended IP access list 101",
        "    10 permit ip 10.0.0.0 0.0.0.255 192.168.2.0 0.0.0.255",
        "    20 deny tcp any host 192.0.2.1 eq 80 log",
        "Standard IP access list 5",
        "    10 permit 10.1.0.0, wildcard bits 0.0.255.255",
        "    20 permit 10.2.2.2",
        "Extended IP access list VPN-TRAFFIC",
        "    10 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255",
        "    15 permit gre host 10.0.0.1 host 10.0.0.2",
        "Standard IP access list NETS",
        "    10 deny any",
    ]
    parsed = parse("show access-lists", text.splitlines())
    assert parsed["5"]["type"] == "ipv4-acl-type"
    aces = parsed["VPN-TRAFFIC"]["aces"]
    assert sorted(aces) == ["10", "15"]
    assert aces["15"]["actions"]["forwarding"] == "permit"
    rows = ntc_parse.parse_output(platform="cisco_ios", command="show ip access-lists", data=text)
    entries = {(r["acl_name"], r["line_num"]): r for r in rows if r["line_num"]}
    assert len(entries) == 7
    assert entries[("101", "20")]["dst_host"] == "192.0.2.1"
    assert (entries[("101", "20")]["dst_port"], entries[("101", "20")]["log"]) == ("80", "log")
    assert entries[("VPN-TRAFFIC", "15")]["protocol"] == "gre"
    rows = ntc_parse.parse_output(platform="cisco_ios", command="show access-list", data=text)
    assert [(r["name"], r["type"], r["sn"], r["action"]) for r in rows][2:4] == [
        ("5", "Standard", "10", "permit"),
        ("5", "Standard", "20", "permit"),
    ]
    assert rows[2]["source"] == "10.1.0.0, wildcard bits 0.0.255.255"


def test_one_list_by_name_or_number() -> None:
    lab = router()
    assert lab.exec("R1", "show ip access-lists VPN-TRAFFIC").splitlines()[0] == (
        "Extended IP access list VPN-TRAFFIC"
    )
    assert lab.exec("R1", "sh access-l 5").splitlines() == [
        "Standard IP access list 5",
        "    10 permit 10.1.0.0, wildcard bits 0.0.255.255",
        "    20 permit 10.2.2.2",
    ]
    assert lab.exec("R1", "show access-lists NOSUCH") == ""
    assert INVALID in lab.exec("R1", "show access-lists 5 6")
