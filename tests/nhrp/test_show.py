"""`show ip nhrp [detail]` and `show dmvpn [detail]`: lines laid out as real IOS output lays
them out (rows rebuilt from the values of public samples must come out character for
character), read back by Cisco's genie parsers and the ntc-templates TextFSM template."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType
from pyike.nhrp.engine import NhsStatus
from pyike.show.dmvpn import CryptoPeer, DmvpnInterface, show_dmvpn
from pyike.show.nhrp import show_ip_nhrp
from tests.nhrp.dmvpn import phase3
from tests.support.genie_parse import parse

NOW = 10_000_000.0


def _entry(
    target: str, via: str, nbma: str | None, kind: EntryType, age: int, *flags: EntryFlag
) -> CacheEntry:
    return CacheEntry(
        ip_network(target),
        ip_address(via),
        None if nbma is None else ip_address(nbma),
        kind,
        NOW - age,
        None if kind is EntryType.STATIC else NOW + 7200 - age,
        set(flags),
    )


def _phase3_spoke() -> list[str]:
    dmvpn = phase3()
    dmvpn.start()
    dmvpn.run_until(60)
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    dmvpn.run_until(90)
    return show_ip_nhrp([("Tunnel0", dmvpn["Spoke2"].engine.entries())], dmvpn.now, detail=True)


def test_show_ip_nhrp_detail_of_a_phase3_spoke() -> None:
    """The layout of IOS-XE's `show ip nhrp detail` (genieparser's
    iosxe/tests/ShowIpNhrpDetail/cli/equal/golden_output_output.txt): "A/len via B", the
    interface with created/expire, type and flags, NBMA address, preference."""
    assert _phase3_spoke() == [
        "10.0.0.1/32 via 10.0.0.1",
        "   Tunnel0 created 00:01:30, never expire",
        "   Type: static, Flags: used",
        "   NBMA address: 192.0.2.1",
        "   Preference: 255",
        "10.0.0.3/32 via 10.0.0.3",
        "   Tunnel0 created 00:00:30, expire 01:59:30",
        "   Type: dynamic, Flags: router nhop rib",
        "   NBMA address: 203.0.113.3",
        "   Preference: 255",
        "192.168.3.0/24 via 10.0.0.3",
        "   Tunnel0 created 00:00:30, expire 01:59:30",
        "   Type: dynamic, Flags: router rib",
        "   NBMA address: 203.0.113.3",
        "   Preference: 255",
    ]


def test_genie_reads_show_ip_nhrp_detail() -> None:
    out = parse("show ip nhrp detail", _phase3_spoke())
    shortcut = out["192.168.3.0/24"]["via"]["10.0.0.3"]
    assert shortcut["type"] == "dynamic" and shortcut["flags"] == "router rib"
    assert shortcut["nbma_address"] == "203.0.113.3"
    assert shortcut["tunnel"] == {
        "tunnel_name": "Tunnel0",
        "created": "00:00:30",
        "expire": "01:59:30",
    }


def test_a_local_entry_shows_who_asked() -> None:
    """genieparser's IOS-XE golden output: a local entry ends with "    (no-socket)" and, in
    detail, "  Requester: 100.0.0.2 Request ID: 97"."""
    dmvpn = phase3()
    dmvpn.start()
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    lines = show_ip_nhrp([("Tunnel0", dmvpn["Spoke3"].engine.entries())], dmvpn.now, True)
    local = lines[lines.index("192.168.3.0/24 via 10.0.0.3") :]
    assert local == [
        "192.168.3.0/24 via 10.0.0.3",
        "   Tunnel0 created 00:00:00, expire 02:00:00",
        "   Type: dynamic, Flags: router unique local",
        "   NBMA address: 203.0.113.3",
        "   Preference: 255",
        "    (no-socket)",
        "  Requester: 10.0.0.2 Request ID: 2",
    ]
    out = parse("show ip nhrp detail", lines)
    assert out["192.168.3.0/24"]["via"]["10.0.0.3"]["requester"] == "10.0.0.2"


def test_an_incomplete_entry() -> None:
    entry = _entry("10.1.1.4/32", "10.1.1.4", None, EntryType.INCOMPLETE, 7, EntryFlag.NEGATIVE)
    entry.expires, entry.cache_hits = NOW + 177, 4
    assert show_ip_nhrp([("Tunnel1", [entry])], NOW, detail=True) == [
        "10.1.1.4/32",
        "   Tunnel1 created 00:00:07, expire 00:02:57",
        "   Type: incomplete, Flags: negative",
        "   Cache hits: 4",
    ]


# --- show dmvpn ------------------------------------------------------------------------

# networktocode/ntc-templates tests/cisco_ios/show_dmvpn/cisco_ios_show_dmvpn.raw (a spoke,
# two NHSes), trailing spaces included.
NTC_SAMPLE = [
    "Interface: Tunnel100, IPv4 NHRP Details ",
    "Type:Spoke, NHRP Peers:2, ",
    "",
    " # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb",
    " ----- --------------- --------------- ----- -------- -----",
    "     1 10.200.0.3           10.253.0.1    UP 03:19:46     S",
    "     1 10.202.0.170         10.253.0.2  NHRP    48w0d     S",
    "",
]
HOLD = 7200


def _ntc_spoke() -> DmvpnInterface:
    """The ntc sample's spoke: one NHS answering for 3:19:46, one silent for 48 weeks."""
    up = 3 * 3600 + 19 * 60 + 46
    down = 48 * 7 * 86400
    return DmvpnInterface(
        "Tunnel100",
        ip_address("10.253.0.9"),
        ip_address("10.0.0.9"),
        (
            _entry("10.253.0.1/32", "10.253.0.1", "10.200.0.3", EntryType.STATIC, up),
            _entry("10.253.0.2/32", "10.253.0.2", "10.202.0.170", EntryType.STATIC, up),
        ),
        (
            NhsStatus(
                ip_address("10.253.0.1"), ip_address("10.200.0.3"), True, 9, 0, 9, NOW - 5, NOW - up
            ),
            NhsStatus(
                ip_address("10.253.0.2"),
                ip_address("10.202.0.170"),
                False,
                99,
                99,
                1,
                NOW - down - HOLD,
                None,
            ),
        ),
    )


def test_show_dmvpn_rebuilds_the_ntc_sample() -> None:
    lines = show_dmvpn([_ntc_spoke()], NOW)
    assert lines[-len(NTC_SAMPLE) :] == NTC_SAMPLE
    assert lines[0] == "Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete"
    assert lines[7] == "=" * 74


def test_ntc_templates_and_genie_read_show_dmvpn() -> None:
    ntc_parse = pytest.importorskip("ntc_templates.parse")
    lines = show_dmvpn([_ntc_spoke()], NOW)
    records = ntc_parse.parse_output(
        platform="cisco_ios", command="show dmvpn", data="\n".join(lines)
    )
    assert [(r["peer_nbma"], r["peer_tunnel"], r["state"], r["attribute"]) for r in records] == [
        ("10.200.0.3", "10.253.0.1", "UP", "S"),
        ("10.202.0.170", "10.253.0.2", "NHRP", "S"),
    ]
    out = parse("show dmvpn", lines)["interfaces"]["Tunnel100"]
    assert (out["type"], out["nhrp_peers"]) == ("Spoke", 2)


def test_entries_with_the_same_peer_share_its_row_and_long_nbmas_wrap() -> None:
    """genieparser's IOS-XE ShowDmvpn golden outputs: a second entry of a peer on a row of
    its own ("DT2" then "DT1"), and an IPv6 NBMA address on its own line."""
    shortcut = _entry(
        "172.30.72.0/24",
        "172.30.72.72",
        "172.29.134.1",
        EntryType.DYNAMIC,
        29 * 60 + 40,
        EntryFlag.ROUTER,
        EntryFlag.NHO,
    )
    hop = _entry(
        "172.30.72.72/32",
        "172.30.72.72",
        "172.29.134.1",
        EntryType.DYNAMIC,
        29 * 60 + 40,
        EntryFlag.ROUTER,
        EntryFlag.NHOP,
        EntryFlag.RIB,
    )
    v6 = _entry("192.2.1.122/32", "192.2.1.122", "2001:db8:1201::122", EntryType.DYNAMIC, 139)
    tunnel = DmvpnInterface(
        "Tunnel1", ip_address("192.2.1.1"), ip_address("10.0.0.1"), (hop, shortcut, v6)
    )
    lines = show_dmvpn([tunnel], NOW)
    assert lines[-5:] == [
        "     2 172.29.134.1       172.30.72.72    UP 00:29:40   DT1",
        "                          172.30.72.72    UP 00:29:40   DT2",
        "     1 2001:DB8:1201::122",
        "                           192.2.1.122    UP 00:02:19     D",
        "",
    ]
    out = parse("show dmvpn", lines)["interfaces"]["Tunnel1"]
    assert out["type"] == "Hub" and out["nhrp_peers"] == 2


def test_crypto_state_shows_while_the_sas_are_not_up() -> None:
    """golden output 1 of genieparser's ShowDmvpn: "172.29.0.1 172.30.90.1 IKE 3w5d S"."""
    tunnel = _ntc_spoke()
    since = NOW - (3 * 7 + 5) * 86400
    crypto = {ip_address("10.200.0.3"): CryptoPeer("IKE", since)}
    tunnel = DmvpnInterface(**(vars(tunnel) | {"crypto": crypto}))
    row = show_dmvpn([tunnel], NOW)[-3]
    assert row == "     1 10.200.0.3           10.253.0.1   IKE     3w5d     S"


def test_show_dmvpn_detail_of_a_phase3_spoke() -> None:
    """`show dmvpn detail` as a public IOS-XE IKEv2 DMVPN spoke prints it: the interface
    block (Cisco's DMVPN configuration guide has the same three lines), the NHS with its
    status letters, and rows with the target network, e.g.
    "    1 2.2.2.2            172.16.123.2    UP 00:00:17     D    172.16.123.2/32"."""
    dmvpn = phase3()
    dmvpn.start()
    dmvpn.run_until(60)
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    dmvpn.run_until(77)
    tunnel = DmvpnInterface.of(dmvpn["Spoke2"].engine, dmvpn.now, protect="ipsecprof")
    lines = show_dmvpn([tunnel], dmvpn.now, detail=True, crypto_lines=["Interface: Tunnel0"])
    assert lines[9:] == [
        'Interface Tunnel0 is up/up, Addr. is 10.0.0.2, VRF ""',
        '   Tunnel Src./Dest. addr: 198.51.100.2/MGRE, Tunnel VRF ""',
        '   Protocol/Transport: "multi-GRE/IP", Protect "ipsecprof"',
        "   Interface State Control: Disabled",
        "   nhrp event-publisher : Disabled",
        "",
        "IPv4 NHS:",
        "10.0.0.1  RE priority = 0 cluster = 0",
        "Type:Spoke, Total NBMA Peers (v4/v6): 2",
        "",
        "# Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb    Target Network",
        "----- --------------- --------------- ----- -------- ----- -----------------",
        "    1 192.0.2.1              10.0.0.1    UP 00:01:17     S        10.0.0.1/32",
        "    2 203.0.113.3            10.0.0.3    UP 00:00:17   DT1        10.0.0.3/32",
        "      203.0.113.3            10.0.0.3    UP 00:00:17   DT1     192.168.3.0/24",
        "",
        "",
        "Crypto Session Details:",
        "-" * 80,
        "",
        "Interface: Tunnel0",
    ]


def test_a_detail_row_rebuilds_the_public_sample() -> None:
    peer = _entry("172.16.123.2/32", "172.16.123.2", "2.2.2.2", EntryType.DYNAMIC, 17)
    tunnel = DmvpnInterface("Tunnel0", ip_address("172.16.123.4"), ip_address("4.4.4.4"), (peer,))
    row = show_dmvpn([tunnel], NOW, detail=True)[-2]
    assert row == "    1 2.2.2.2            172.16.123.2    UP 00:00:17     D    172.16.123.2/32"


def test_a_hub_has_no_nhs_block() -> None:
    dmvpn = phase3()
    dmvpn.start()
    lines = show_dmvpn([DmvpnInterface.of(dmvpn["Hub"].engine, 0)], 0, detail=True)
    assert lines[13:16] == [
        "   nhrp event-publisher : Disabled",
        "Type:Hub, Total NBMA Peers (v4/v6): 2",
        "",
    ]


def test_an_ipv6_overlay_gets_a_block_per_peer_as_ios_prints_it() -> None:
    """`show dmvpn` of an IPv6 overlay hub, rebuilt from a public sample (Tunnel100, spokes
    3.3.3.3 and 4.4.4.4 at DEAD:BEEF:CAFE:FFFF::2 and ::3): a numbered block per peer, the
    addresses on lines of their own; read back by genie's `show dmvpn ipv6` parser."""
    spokes = [
        _entry(f"dead:beef:cafe:ffff::{n}/128", f"dead:beef:cafe:ffff::{n}", nbma,
               EntryType.DYNAMIC, age, EntryFlag.UNIQUE, EntryFlag.REGISTERED)
        for n, nbma, age in ((2, "3.3.3.3", 620), (3, "4.4.4.4", 614))
    ]  # fmt: skip
    tunnel = DmvpnInterface(
        "Tunnel100",
        ip_address("dead:beef:cafe:ffff::1"),
        ip_address("1.1.1.1"),
        tuple(spokes),
    )
    lines = show_dmvpn([tunnel], NOW)
    assert lines[9:] == [
        "Interface: Tunnel100, IPv6 NHRP Details ",
        "Type:Hub, Total NBMA Peers (v4/v6): 2",
        "    1.Peer NBMA Address: 3.3.3.3",
        "        Tunnel IPv6 Address: DEAD:BEEF:CAFE:FFFF::2",
        "        IPv6 Target Network: DEAD:BEEF:CAFE:FFFF::2/128",
        "        # Ent: 1, Status: UP, UpDn Time: 00:10:20, Cache Attrib: D",
        "    2.Peer NBMA Address: 4.4.4.4",
        "        Tunnel IPv6 Address: DEAD:BEEF:CAFE:FFFF::3",
        "        IPv6 Target Network: DEAD:BEEF:CAFE:FFFF::3/128",
        "        # Ent: 1, Status: UP, UpDn Time: 00:10:14, Cache Attrib: D",
        "",
    ]
    out = parse("show dmvpn ipv6", lines)["interfaces"]["Tunnel100"]
    assert out["type"] == "Hub" and out["nhrp_peers"] == 2
    peer = out["peers"]["4.4.4.4"]
    assert (peer["tunnel_addr"], peer["status"], peer["updn_time"], peer["cache_attrib"]) == (
        "DEAD:BEEF:CAFE:FFFF::3",
        "UP",
        "00:10:14",
        "D",
    )
