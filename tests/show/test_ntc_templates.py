"""The public ntc-templates TextFSM templates (`cisco_ios`) read pyike's output from a lab
router into the values the router holds: one test per template whose command pyike
implements, and a check that no such template goes untested."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.ipsec.sad import InstalledChild
from pyike.lab.lab import Lab
from pyike.lab.seed import FIRST_PING
from pyike.lab.topology_run import build_lab
from pyike.node.exec.show_logging import BUFFER_BYTES
from pyike.seed_epoch import SEED_EPOCH
from pyike.topology import load_topology
from pyike.topology.seed import seed_configs
from tests.support.genie_parse import parse as genie_parse
from tests.support.paths import EXAMPLES

ntc_parse = pytest.importorskip("ntc_templates.parse")

# Each template tested below, with the command line it is tested on.
TESTED = {
    "cisco_ios_show_crypto_ipsec_sa_detail.textfsm": "show crypto ipsec sa detail",
    "cisco_ios_show_crypto_session_detail.textfsm": "show crypto session detail",
    "cisco_ios_show_ip_route.textfsm": "show ip route",
    "cisco_ios_show_ip_cef.textfsm": "show ip cef",
    "cisco_ios_show_ip_arp.textfsm": "show ip arp",
    "cisco_ios_show_arp.textfsm": "show arp",
    "cisco_ios_show_ip_interface_brief.textfsm": "show ip interface brief",
    "cisco_ios_show_ip_interface.textfsm": "show ip interface",
    "cisco_ios_show_interfaces.textfsm": "show interfaces",
    "cisco_ios_ping.textfsm": FIRST_PING,
    "cisco_ios_traceroute.textfsm": "traceroute 192.168.2.1 source Loopback0",
    "cisco_ios_show_vrf.textfsm": "show vrf",
    "cisco_ios_show_dmvpn.textfsm": "show dmvpn",
    "cisco_ios_show_clock.textfsm": "show clock",
    "cisco_ios_show_logging.textfsm": "show logging",
    "cisco_ios_show_interfaces_description.textfsm": "show interfaces description",
    # tested in test_access_lists.py, on a router with standard and extended lists
    "cisco_ios_show_access-list.textfsm": "show access-list",
    "cisco_ios_show_ip_access-lists.textfsm": "show ip access-lists",
    # tested in test_pki_show.py, on routers enrolled by `pyike pki` and a real running-config
    "cisco_ios_show_crypto_pki_certificates.textfsm": "show crypto pki certificates",
}
REJECTED = ("% Invalid input", "% Incomplete command", "% Ambiguous command")
# Commands pyike answers without IOS's output, on purpose: `show version` says what runs, and
# that it is not Cisco IOS (tests/node/test_show_version.py), so IOS's template cannot read it.
NOT_IOS_OUTPUT = {"cisco_ios_show_version.textfsm"}


@cache
def seed_lab() -> Lab:
    """The seed's routers with the tunnel up and one ping of 5 through it."""
    lab = Lab(seed_configs(), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    lab.exec("Router1", FIRST_PING)
    return lab


def parse(command: str) -> list[dict[str, Any]]:
    text = seed_lab().exec("Router1", command)
    records: list[dict[str, Any]] = ntc_parse.parse_output(
        platform="cisco_ios", command=command, data=text
    )
    return records


def the_child() -> InstalledChild:
    (child,) = seed_lab().router("Router1").crypto.sad.children.values()
    return child


def test_ipsec_sa_detail() -> None:
    records = parse("show crypto ipsec sa detail")
    child = the_child()
    assert [(r["sa_orientation"], int(r["sa_spi_dec"])) for r in records] == [
        ("inbound", child.spi_in),
        ("outbound", child.spi_out),
    ]
    for record in records:
        assert (record["interface"], record["crypto_map_tag"]) == ("Tunnel0", "Tunnel0-head-0")
        assert (record["current_peer"], record["port"]) == ("10.0.0.2", "500")
        assert (record["local_crypto_endpt"], record["remote_crypto_endpt"]) == (
            "10.0.0.1",
            "10.0.0.2",
        )
        assert (record["pkts_encaps"], record["pkts_decaps"], record["pkts_replay_failed"]) == (
            "5",
            "5",
            "0",
        )
        assert int(record["current_outbound_spi_dec"]) == child.spi_out
        assert record["sa_transform"] == "esp-3des esp-sha-hmac"
        assert (record["sa_replay_detection_support"], record["sa_replay_window_size"]) == (
            "Y",
            "64",
        )
        assert record["sa_status"] == "ACTIVE(ACTIVE)"


def test_crypto_session_detail() -> None:
    (record,) = parse("show crypto session detail")
    assert (record["interface"], record["session_status"]) == ("Tunnel0", "UP-ACTIVE")
    assert (record["profile"], record["uptime"]) == ("IKEV2-SETUP", "00:00:05")
    assert record["session_id"] == str(the_child().info.ike_sa_id)
    assert (record["peer"], record["port"], record["phase1_id"]) == ("10.0.0.2", "500", "10.0.0.2")
    assert (record["local_ip"], record["remote_ip"], record["ikev1_status"]) == (
        "10.0.0.1",
        "10.0.0.2",
        "Active",
    )
    sa_id = the_child().info.ike_sa_id
    assert record["conn_id"] == str(1005 + sa_id)  # IOS's crypto engine numbering, as shown
    assert (record["src_host"], record["dst_host"], record["active_sa"]) == (
        "0.0.0.0",
        "0.0.0.0",
        "2",
    )


def test_ip_route() -> None:
    routes = {(r["network"], r["prefix_length"]): r for r in parse("show ip route")}
    assert routes[("192.168.2.1", "32")]["nexthop_if"] == "Tunnel0"
    assert routes[("0.0.0.0", "0")]["nexthop_ip"] == "10.0.0.2"


def test_ip_cef() -> None:
    """Every route of the seed's Router1 forwards as its routing table says: the default
    route to its next hop, the tunnel's host route attached to Tunnel0, each connected subnet
    attached with its own address received, and IOS's fixed entries."""
    entries = {
        f"{r['ip_address']}/{r['prefix_length']}": (r["nexthop"], r["interface"])
        for r in parse("show ip cef")
    }
    assert entries["0.0.0.0/0"] == (["10.0.0.2"], ["Ethernet0/0"])
    assert entries["192.168.2.1/32"] == (["attached"], ["Tunnel0"])
    assert entries["10.0.0.0/24"] == (["attached"], ["Ethernet0/0"])
    assert entries["10.0.0.1/32"] == (["receive"], ["Ethernet0/0"])
    assert entries["10.0.0.2/32"] == (["attached"], ["Ethernet0/0"])  # ARP resolved it
    assert entries["127.0.0.0/8"] == (["drop"], [])
    assert entries["255.255.255.255/32"] == (["receive"], [])
    assert len(entries) == 22


@pytest.mark.parametrize(
    ("command", "address", "age", "mac"),
    [
        ("show ip arp", "ip_address", "age", "mac_address"),
        ("show arp", "address", "age_min", "hardware_address"),
    ],
)
def test_arp(command: str, address: str, age: str, mac: str) -> None:
    """Router1's own address on its link, and Router2's, learnt when the tunnel came up, with
    the MAC addresses IOL gives the two routers' Ethernet0/0 (the templates name the columns
    differently)."""
    rows = {r[address]: r for r in parse(command)}
    assert set(rows) == {"10.0.0.1", "10.0.0.2"}
    mine, peer = rows["10.0.0.1"], rows["10.0.0.2"]
    assert (mine[age], peer[age]) == ("-", "0")
    assert (mine[mac], peer[mac]) == ("aabb.cc00.0100", "aabb.cc00.0200")
    assert (peer["interface"], peer["type"]) == ("Ethernet0/0", "ARPA")


def test_clock_is_the_lab_clock_on_the_seed_document_s_day() -> None:
    """The seed's routers keep the seed document's date; the time moves with the lab's clock,
    behind IOS's `*` (no time source set it)."""
    lab = seed_lab()
    text = lab.exec("Router1", "show clock")
    assert text.startswith("*")
    [record] = parse("show clock")
    assert {k: record[k] for k in ("timezone", "dayweek", "month", "day", "year")} == {
        "timezone": "UTC",
        "dayweek": "Mon",
        "month": "Nov",
        "day": "11",
        "year": "2013",
    }
    shown = datetime.strptime(f"{record['time']} 2013-11-11", "%H:%M:%S.%f %Y-%m-%d")
    assert abs((shown - SEED_EPOCH).total_seconds() - lab.clock.now) < 0.001
    assert lab.exec("Router1", "show clock detail") == text + "No time source\n"


def test_logging_buffer_holds_what_the_router_logged() -> None:
    """`show logging`: the messages the router logged, as ntc-templates and genie read them."""
    records = parse("show logging")
    assert [(r["facility"], r["severity"], r["mnemonic"]) for r in records] == [
        ("LINEPROTO", "5", "UPDOWN"),
        ("CRYPTO", "5", "IKEV2_SESSION_STATUS"),
    ]
    assert records[0]["message"] == ["Line protocol on Interface Tunnel0, changed state to up"]
    text = seed_lab().exec("Router1", "show logging")
    header = genie_parse("show logging", text.splitlines())
    assert header["logging"]["buffer"]["messages_logged"] == 2
    assert header["logging"]["trap"]["message_lines_logged"] == 2
    assert header["log_buffer_bytes"] == BUFFER_BYTES
    assert "ping" not in text.lower()  # what was typed at the prompt is not logged


def test_ip_interface_brief() -> None:
    rows = {r["interface"]: r for r in parse("show ip interface brief")}
    assert (rows["Tunnel0"]["ip_address"], rows["Tunnel0"]["status"]) == ("172.16.0.101", "up")
    assert rows["Ethernet0/0"]["ip_address"] == "10.0.0.1"


def test_interfaces() -> None:
    rows = {r["interface"]: r for r in parse("show interfaces")}
    assert (rows["Tunnel0"]["ip_address"], rows["Tunnel0"]["prefix_length"]) == (
        "172.16.0.101",
        "24",
    )
    assert rows["Ethernet0/0"]["link_status"] == "up"


def test_ping() -> None:
    (record,) = parse(FIRST_PING)
    assert (record["destination"], record["source"]) == ("192.168.2.1", "192.168.1.1")
    assert (record["success_pct"], record["success_qty"], record["sent_qty"]) == ("100", "5", "5")


def test_traceroute() -> None:
    (hop,) = parse("traceroute 192.168.2.1 source Loopback0")
    assert (hop["hop_num"], hop["ip_address"]) == ("1", "172.16.0.102")


def test_vrf() -> None:
    lab, _ = build_lab(load_topology([EXAMPLES / "front-door-vrf"]), policy_for_config)
    text = lab.exec("SiteA", "show vrf")
    records = ntc_parse.parse_output(platform="cisco_ios", command="show vrf", data=text)
    rows = {r["name"]: (r["default_rd"], r["protocols"], r["interfaces"]) for r in records}
    assert rows == {
        "CUSTOMER": ("65000:1", "ipv4", ["Gi0/1", "Tu0"]),
        "INTERNET": ("65000:2", "ipv4", ["Gi0/0"]),
    }


def test_interfaces_description() -> None:
    lab, _ = build_lab(load_topology([EXAMPLES / "front-door-vrf"]), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    text = lab.exec("SiteA", "show interfaces description")
    records = ntc_parse.parse_output(
        platform="cisco_ios", command="show interfaces description", data=text
    )
    rows = {r["port"]: (r["status"], r["protocol"], r["description"]) for r in records}
    assert rows["Gi0/0"] == ("up", "up", "ISP")
    assert rows["Gi0/2"] == ("up", "up", "management, on the LAN's subnet in the global table")
    assert rows["Tu0"] == ("up", "up", "")


def _index() -> dict[str, str]:
    """Template file -> the full command it is for, of every `cisco_ios` template."""
    index = Path(ntc_parse.__file__).parent / "templates" / "index"
    out = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        fields = [f.strip() for f in line.split(",", 3)]
        if len(fields) == 4 and fields[2] == "cisco_ios":
            for template in fields[0].split(":"):
                out[template] = _full_command(fields[3])
    return out


def _full_command(pattern: str) -> str:
    """`sh[[ow]] int[[erfaces]](?: (?:\\S+))? st[[atus]]` -> `show interfaces status`."""
    text = pattern
    while (shorter := re.sub(r"\((?:[^()]|\([^()]*\))*\)\?", "", text)) != text:
        text = shorter  # optional groups (an interface name, a VRF) left out
    text = re.sub(r"\[\[(.*?)\]\]", r"\1", text)
    return " ".join(re.sub(r"\\s[*+]|\$", " ", text).split())


def test_every_template_of_a_command_pyike_implements_is_tested() -> None:
    index = _index()
    assert set(TESTED) <= set(index)
    implemented = {
        template
        for template, command in index.items()
        if not any(error in seed_lab().exec("Router1", command) for error in REJECTED)
    }
    assert implemented <= set(TESTED) | NOT_IOS_OUTPUT
    assert implemented >= NOT_IOS_OUTPUT


def test_crypto_session_detail_counts_the_pings_through_the_flow() -> None:
    text = seed_lab().exec("Router1", "show crypto session detail")
    child = the_child()
    kilobytes = child.info.lifetime_kilobytes - child.bytes_used // 1024
    decrypted, encrypted = child.inbound.counters.packets, child.outbound.counters.packets
    assert decrypted >= 5 and encrypted >= 5  # the ping of 5, and what other tests sent
    assert f"Inbound:  #pkts dec'ed {decrypted} drop 0 life (KB/Sec) {kilobytes}/" in text
    assert f"Outbound: #pkts enc'ed {encrypted} drop 0 life (KB/Sec) {kilobytes}/" in text


def test_dmvpn() -> None:
    """A spoke of examples/dmvpn-phase3 after the hub redirected it to Spoke3."""
    lab, _ = build_lab(load_topology([EXAMPLES / "dmvpn-phase3"]), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(10)
    lab.exec("Spoke1", "ping 192.168.3.1 source Loopback0")
    text = lab.exec("Spoke1", "show dmvpn")
    records = ntc_parse.parse_output(platform="cisco_ios", command="show dmvpn", data=text)
    rows = [(r["peer_nbma"], r["peer_tunnel"], r["state"], r["attribute"]) for r in records]
    assert rows[0] == ("198.51.100.10", "10.0.0.13", "UP", "DT1")
    assert rows[-1] == ("203.0.113.2", "10.0.0.1", "UP", "S")


def test_ip_interface() -> None:
    records = {r["interface"]: r for r in parse("show ip interface")}
    assert list(records) == ["Ethernet0/0", "Loopback0", "Tunnel0"]
    tunnel = records["Tunnel0"]
    assert (tunnel["link_status"], tunnel["protocol_status"]) == ("up", "up")
    assert (tunnel["ip_address"], tunnel["prefix_length"]) == (["172.16.0.101"], ["24"])
    mtu = seed_lab().router("Router1").router.ip_mtu("Tunnel0")
    assert tunnel["mtu"] == str(mtu) and mtu < 1500  # what IPsec leaves of Ethernet's 1500
    assert records["Loopback0"]["mtu"] == "1514"
