"""DMVPN with IKEv2 in the lab (issue 14): multipoint GRE tunnels running NHRP, an IKEv2 SA
and a transport-mode Child SA protecting GRE with each peer NHRP needs. Phase 1 (everything
through the hub), phase 2 (spokes resolve each other through the hub), phase 3 (the hub
redirects, the spoke installs a shortcut), next-hop overrides, expiry of unused shortcuts with
their SAs, two hubs, and the show and debug commands, step by step on examples/dmvpn-phase3
(tests/support/dmvpn.py builds the variants)."""

from __future__ import annotations

import re

import pytest

from pyike.lab.lab import Lab
from tests.support.dmvpn import (
    HUB2_NBMA,
    HUB_NBMA,
    PING,
    SPOKE_NBMA,
    TO_SPOKE3,
    TRACE,
    dual_hub_texts,
    dual_stack,
    lab_of,
    phase1,
    phase2,
    point_to_point_spoke2,
    texts,
    unprotected,
)
from tests.support.genie_parse import parse

ALL_PASSED = "Success rate is 100 percent (5/5)"
SPOKE3 = SPOKE_NBMA[3]


def hops(lab: Lab, host: str = "Spoke1") -> list[str]:
    """The addresses a traceroute from `host` to Spoke3's LAN answered from, hop by hop."""
    text = lab.exec(host, TRACE)
    return [m.group(2) for m in re.finditer(r"^ +(\d+) .*?(\d+\.\d+\.\d+\.\d+)", text, re.M)]


def ike_peers(lab: Lab, host: str) -> list[str]:
    text = lab.exec(host, "show crypto ikev2 sa")
    return re.findall(r"^\d+ +\S+/500 +(\S+)/500", text, re.MULTILINE)


def test_spokes_register_with_the_hub_and_their_sas_carry_nhrp() -> None:
    lab = lab_of(texts(), seconds=20)
    hub = lab.exec("Hub", "show ip nhrp")
    for n in (1, 2, 3):
        assert f"10.0.0.1{n}/32 via 10.0.0.1{n}\n" in hub
        assert f"   NBMA address: {SPOKE_NBMA[n]}\n" in hub
    assert hub.count("Type: dynamic, Flags: unique registered") == 3
    assert "Type:Hub, NHRP Peers:3," in lab.exec("Hub", "show dmvpn")
    spoke = lab.exec("Spoke1", "show dmvpn detail")
    assert "10.0.0.1  RE priority = 0 cluster = 0" in spoke  # the NHS answers
    assert f"    1 {HUB_NBMA:<15}        10.0.0.1    UP" in spoke
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]
    assert sorted(ike_peers(lab, "Hub")) == sorted(SPOKE_NBMA.values())
    session = lab.exec("Hub", "show crypto session")
    assert f"IPSEC FLOW: permit 47 host {HUB_NBMA} host {SPOKE3}" in session
    ipsec = lab.exec("Hub", "show crypto ipsec sa")
    assert ipsec.count("interface: Tunnel0\n") == 1  # every peer's flow under the tunnel
    assert "Crypto map tag: Tunnel0-head-0, local addr 203.0.113.2" in ipsec
    assert f"remote ident (addr/mask/prot/port): ({SPOKE3}/255.255.255.255/47/0)" in ipsec
    assert ipsec.count("in use settings ={Transport, }") == 6


def test_phase1_keeps_every_packet_on_the_hub() -> None:
    lab = lab_of(texts(phase1))
    for _ in range(2):
        assert hops(lab) == ["10.0.0.1", "10.0.0.13"]
    assert ALL_PASSED in lab.exec("Spoke1", PING)
    assert "Type:Spoke, NHRP Peers:1," in lab.exec("Spoke1", "show dmvpn")
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]
    assert "Traffic Indication" not in lab.exec("Hub", "show ip nhrp detail")


def test_phase2_resolves_the_next_hop_through_the_hub_then_goes_direct() -> None:
    lab = lab_of(texts(phase2))
    assert "Type:Spoke, NHRP Peers:1," in lab.exec("Spoke1", "show dmvpn")
    assert hops(lab) == ["10.0.0.1", "10.0.0.13"]  # while the resolution is out
    assert hops(lab) == ["10.0.0.13"]
    nhrp = lab.exec("Spoke1", "show ip nhrp")
    assert "10.0.0.13/32 via 10.0.0.13\n" in nhrp
    assert "Type: dynamic, Flags: router used nhop\n" in nhrp  # resolved, no route installed
    assert f"NBMA address: {SPOKE3}" in nhrp
    assert "S     192.168.3.0/24 [1/0] via 10.0.0.13" in lab.exec("Spoke1", "show ip route")
    assert f"     1 {SPOKE3:<15}       10.0.0.13    UP" in lab.exec("Spoke1", "show dmvpn")
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA, SPOKE3]
    assert SPOKE_NBMA[1] in ike_peers(lab, "Spoke3")


def test_phase3_redirect_then_shortcut_then_a_direct_sa() -> None:
    lab = lab_of(texts())
    lab.exec("Hub", "debug nhrp")
    cef = f"show ip cef {TO_SPOKE3}"
    assert lab.exec("Spoke1", cef) == "192.168.0.0/16\n  nexthop 10.0.0.1 Tunnel0\n"
    assert hops(lab) == ["10.0.0.1", "10.0.0.13"]  # the hub forwards back out, and redirects
    console = "\n".join(lab.router("Hub").console)
    assert "NHRP: Send Traffic Indication via Tunnel0" in console
    assert "NHRP: Forwarding Resolution Request via Tunnel0" in console
    assert hops(lab) == ["10.0.0.13"]
    route = lab.exec("Spoke1", "show ip route")
    assert "H        10.0.0.13/32 is directly connected, 00:00:" in route
    assert "H     192.168.3.0/24 [250/255] via 10.0.0.13, 00:00:" in route
    assert "S     192.168.0.0/16 [1/0] via 10.0.0.1" in route  # the summary stays
    assert lab.exec("Spoke1", cef) == "192.168.3.0/24\n  nexthop 10.0.0.13 Tunnel0\n"
    nhrp = lab.exec("Spoke1", "show ip nhrp")
    assert "192.168.3.0/24 via 10.0.0.13\n" in nhrp
    assert "Type: dynamic, Flags: router used rib\n" in nhrp
    dmvpn = lab.exec("Spoke1", "show dmvpn")
    assert "Type:Spoke, NHRP Peers:2," in dmvpn
    assert f"     2 {SPOKE3:<15}       10.0.0.13    UP" in dmvpn and "DT1" in dmvpn
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA, SPOKE3]
    assert ike_peers(lab, "Spoke3") == [HUB_NBMA, SPOKE_NBMA[1]]
    assert ALL_PASSED in lab.exec("Spoke1", PING)
    lab.exec("Hub", "undebug all")
    before = len(lab.router("Hub").console)
    hops(lab, "Spoke2")  # a redirect again, not shown any more
    assert not [line for line in lab.router("Hub").console[before:] if "NHRP:" in line]


def test_show_ip_nhrp_traffic_counts_every_packet_each_end_sent_and_received() -> None:
    """The counts read back by genie's parser agree across the network: what the spokes sent
    the hub received, every registration was answered, the redirect of phase 3 was sent by
    the hub and received by the spoke; `clear ip nhrp counters` starts them again."""
    lab = lab_of(texts())
    hops(lab)  # the hub forwards back out, redirects Spoke1, which resolves Spoke3
    hops(lab)

    def traffic(host: str, command: str = "show ip nhrp traffic") -> dict[str, dict[str, int]]:
        parsed = parse("show ip nhrp traffic", lab.exec(host, command).splitlines())
        (tunnel,) = parsed["interface"].values()
        assert tunnel["max_send_limit"] == "100Pkts/10Sec"
        for way in ("sent", "rcvd"):
            counts = dict(tunnel[way])
            assert counts.pop("total") == sum(counts.values()) - counts["redirect_supress"]
        return {"sent": tunnel["sent"], "rcvd": tunnel["rcvd"]}

    hub = traffic("Hub")
    spokes = [traffic(f"Spoke{n}", "show ip nhrp traffic interface Tunnel0") for n in (1, 2, 3)]
    registered = sum(s["sent"]["registration_request"] for s in spokes)
    assert registered >= 3 and hub["rcvd"]["registration_request"] == registered
    assert hub["sent"]["registration_reply"] == registered
    assert all(s["rcvd"]["registration_reply"] == s["sent"]["registration_request"] for s in spokes)
    assert hub["sent"]["traffic_indication"] >= 1
    assert spokes[0]["rcvd"]["traffic_indication"] >= 1  # Spoke1's packets came back out
    assert sum(s["rcvd"]["traffic_indication"] for s in spokes) == hub["sent"]["traffic_indication"]
    assert spokes[0]["sent"]["resolution_request"] >= 1
    assert lab.exec("Spoke1", "show ipv6 nhrp traffic") == ""  # no IPv6 overlay
    assert "Invalid input" in lab.exec("Spoke1", "show ip nhrp traffic interface Tunnel9")
    lab.exec("Hub", "clear ip nhrp counters")
    assert traffic("Hub")["rcvd"]["registration_request"] == 0
    assert traffic("Spoke1")["sent"]["registration_request"] >= 1  # only the hub's were cleared


def test_a_route_for_the_same_prefix_is_overridden() -> None:
    def via_hub(name: str, text: str) -> str:
        extra = "ip route 192.168.3.0 255.255.255.0 10.0.0.1\n"
        return text + extra if name.startswith("spoke") else text

    lab = lab_of(texts(via_hub))
    assert hops(lab) == ["10.0.0.1", "10.0.0.13"]
    assert hops(lab) == ["10.0.0.13"]
    assert "S   % 192.168.3.0/24 [1/0] via 10.0.0.1\n" in lab.exec("Spoke1", "show ip route")
    forwarded = "192.168.3.0/24\n  nexthop 10.0.0.13 Tunnel0\n"  # the override's next hop
    assert lab.exec("Spoke1", f"show ip cef {TO_SPOKE3}") == forwarded
    assert "Type: dynamic, Flags: router used nho" in lab.exec("Spoke1", "show ip nhrp")
    assert "DT2" in lab.exec("Spoke1", "show dmvpn")


def test_an_unused_shortcut_and_its_sa_go_after_the_hold_time() -> None:
    lab = lab_of(texts())
    hops(lab)
    assert SPOKE3 in ike_peers(lab, "Spoke1")
    lab.run_for(200)  # the shortcut carried traffic: renewed before it expires, then idle
    assert "192.168.3.0/24 [250/255]" in lab.exec("Spoke1", "show ip route")
    lab.run_for(450)
    assert "192.168.3.0/24 [250/255]" not in lab.exec("Spoke1", "show ip route")
    assert "192.168.3.0/24" not in lab.exec("Spoke1", "show ip nhrp")
    assert "Type:Spoke, NHRP Peers:1," in lab.exec("Spoke1", "show dmvpn")
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]
    assert ike_peers(lab, "Spoke3") == [HUB_NBMA]
    assert f"Peer: {SPOKE3}" not in lab.exec("Spoke1", "show crypto session")
    assert hops(lab) == ["10.0.0.1", "10.0.0.13"]  # through the hub again, and redirected
    assert hops(lab) == ["10.0.0.13"]


def test_clear_ip_nhrp_drops_the_shortcut_and_traffic_crosses_the_hub_again() -> None:
    lab = lab_of(texts())
    hops(lab)
    assert hops(lab) == ["10.0.0.13"]
    lab.exec("Spoke1", "clear ip nhrp")
    assert "192.168.3.0/24" not in lab.exec("Spoke1", "show ip nhrp")
    assert "10.0.0.1/32 via 10.0.0.1" in lab.exec("Spoke1", "show ip nhrp")  # static stays
    assert hops(lab)[0] == "10.0.0.1"


def test_spokes_register_with_both_hubs() -> None:
    lab = lab_of(dual_hub_texts())
    detail = lab.exec("Spoke1", "show dmvpn detail")
    assert "10.0.0.1  RE priority = 0 cluster = 0" in detail
    assert "10.0.0.2  RE priority = 0 cluster = 0" in detail
    assert "Total NBMA Peers (v4/v6): 2" in detail
    for hub in ("Hub", "Hub2"):
        assert lab.exec(hub, "show ip nhrp").count("Flags: unique registered") == 3
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA, HUB2_NBMA]
    servers = parse("show ip nhrp nhs", lab.exec("Spoke1", "show ip nhrp nhs").splitlines())
    assert servers["Tunnel0"]["nhs_ip"] == {
        "10.0.0.1": {"nhs_state": "RE", "nbma_address": HUB_NBMA, "priority": 0, "cluster": 0},
        "10.0.0.2": {"nhs_state": "RE", "nbma_address": HUB2_NBMA, "priority": 0, "cluster": 0},
    }
    detail = lab.exec("Spoke1", "show ip nhrp nhs detail")
    counted = parse("show ip nhrp nhs detail", detail.splitlines())["Tunnel0"]["nhs_ip"]
    assert all(s["req_sent"] >= s["reply_recv"] >= 1 for s in counted.values())
    assert all(s["req_failed"] == 0 for s in counted.values())
    assert lab.exec("Hub", "show ip nhrp nhs") == (
        "Legend: E=Expecting replies, R=Responding, W=Waiting, D=Dynamic\n"
    )
    assert ALL_PASSED in lab.exec("Hub2", "ping 10.0.0.11 source Tunnel0")
    assert hops(lab) == ["10.0.0.1", "10.0.0.13"]
    assert hops(lab) == ["10.0.0.13"]


def test_debug_nhrp_packet_shows_the_registration_without_the_password() -> None:
    lab = lab_of(texts(), seconds=5, first=[("Spoke1", "debug nhrp packet")])
    console = "\n".join(lab.router("Spoke1").console)
    assert "NHRP activity debugging is on" in console
    assert "NHRP: Send Registration Request via Tunnel0" in console
    assert "NHRP: Receive Registration Reply via Tunnel0" in console
    assert "dmvpn3" not in console


def test_a_spoke_whose_sas_are_cleared_brings_them_up_again_with_its_hub() -> None:
    lab = lab_of(texts())
    before = set(lab.router("Spoke1").crypto.ike_up)
    lab.exec("Spoke1", "clear crypto session")
    lab.run_for(5)
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]
    assert not before & set(lab.router("Spoke1").crypto.ike_up)  # a new IKE SA
    assert ALL_PASSED in lab.exec("Spoke1", PING)


def test_debug_dmvpn_turns_on_the_nhrp_lines_of_its_level() -> None:
    lab = lab_of(texts(), seconds=5, first=[("Hub", "debug dmvpn detail nhrp")])
    console = "\n".join(lab.router("Hub").console)
    assert "DMVPN detail level debugging is on" in console
    assert "NHRP: Tunnel0: Cache add for target 10.0.0.11/32 next-hop 10.0.0.11" in console
    assert "% Incomplete command." in lab.exec("Hub", "debug dmvpn all")
    assert "% Invalid input detected at '^' marker." in lab.exec("Hub", "debug dmvpn bogus nhrp")


def point_to_point_spoke2_files(protected: bool) -> dict[str, str]:
    if protected:
        return texts(point_to_point_spoke2)
    return texts(lambda name, text: unprotected(name, point_to_point_spoke2(name, text)))


@pytest.mark.parametrize("protected", [True, False], ids=["protected", "clear"])
def test_a_point_to_point_spoke_registers_and_the_hub_reaches_it(protected: bool) -> None:
    """DMVPN phase 1 with Spoke2 on `tunnel mode gre ip` + `tunnel destination` (the hub's
    NBMA): it registers with its NHS over that tunnel (inside the tunnel's own SA when
    protected), the hub learns its NBMA address and reaches it like any spoke."""
    lab = lab_of(point_to_point_spoke2_files(protected))
    hub = lab.exec("Hub", "show ip nhrp")
    assert "10.0.0.12/32 via 10.0.0.12\n   Tunnel0 created " in hub
    assert f"   NBMA address: {SPOKE_NBMA[2]}\n" in hub
    assert hub.count("Type: dynamic, Flags: unique registered") == 3
    assert "Type:Hub, NHRP Peers:3," in lab.exec("Hub", "show dmvpn")
    spoke = lab.exec("Spoke2", "show dmvpn")
    assert "Type:Spoke, NHRP Peers:1," in spoke
    assert f"     1 {HUB_NBMA:<15}        10.0.0.1    UP" in spoke
    assert "Tunnel protocol/transport GRE/IP\n" in lab.exec("Spoke2", "show interfaces Tunnel0")
    assert ALL_PASSED in lab.exec("Spoke2", "ping 192.168.0.1 source Loopback0")
    assert ALL_PASSED in lab.exec("Spoke1", "ping 192.168.2.1 source Loopback0")  # via the hub
    if protected:
        assert ike_peers(lab, "Spoke2") == [HUB_NBMA]
        assert SPOKE_NBMA[2] in ike_peers(lab, "Hub")
        ipsec = lab.exec("Spoke2", "show crypto ipsec sa")
        assert f"remote ident (addr/mask/prot/port): ({HUB_NBMA}/255.255.255.255/47/0)" in ipsec


PING6 = "ping 2001:DB8:3::1 source Loopback0"


def test_an_ipv6_overlay_registers_redirects_and_shortcuts_beside_the_ipv4_one() -> None:
    """`ipv6 nhrp` on the example's tunnels (IPv6 over the same IPv4 NBMA): each spoke
    registers its IPv6 tunnel address too; IPv6 traffic between spokes crosses the hub,
    which redirects, and the spoke installs an IPv6 shortcut; the spoke-to-spoke SA NHRP
    for IPv6 brought up carries IPv4 as well, and goes once neither family needs it."""
    lab = lab_of(texts(dual_stack))
    hub = lab.exec("Hub", "show ipv6 nhrp")
    for n in (1, 2, 3):
        assert f"FC00::1{n}/128 via FC00::1{n}\n" in hub
        assert f"   NBMA address: {SPOKE_NBMA[n]}\n" in hub
    assert hub.count("Type: dynamic, Flags: unique registered") == 3
    shown = lab.exec("Hub", "show dmvpn")
    assert "Interface: Tunnel0, IPv4 NHRP Details \nType:Hub, NHRP Peers:3," in shown
    assert "Interface: Tunnel0, IPv6 NHRP Details \nType:Hub, Total NBMA Peers (v4/v6): 3" in shown
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]
    assert ALL_PASSED in lab.exec("Spoke1", PING6)  # via the hub, which redirects
    lab.run_for(2)
    spoke = lab.exec("Spoke1", "show ipv6 nhrp")
    assert "2001:DB8:3::/64 via FC00::13\n" in spoke
    assert "   Type: dynamic, Flags: router used rib\n" in spoke
    assert f"   NBMA address: {SPOKE3}\n" in spoke
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA, SPOKE3]
    assert ALL_PASSED in lab.exec("Spoke1", PING6)
    assert ALL_PASSED in lab.exec("Spoke1", PING)
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA, SPOKE3]  # one SA for both families
    shown = lab.exec("Spoke1", "show dmvpn")
    assert f"    1.Peer NBMA Address: {SPOKE3}\n" in shown
    assert "        IPv6 Target Network: 2001:DB8:3::/64\n" in shown
    lab.run_for(700)  # both families' entries unused past their hold time
    assert "2001:DB8:3::/64" not in lab.exec("Spoke1", "show ipv6 nhrp")
    assert ike_peers(lab, "Spoke1") == [HUB_NBMA]


def test_clear_ipv6_nhrp_leaves_the_ipv4_cache() -> None:
    lab = lab_of(texts(dual_stack))
    assert ALL_PASSED in lab.exec("Spoke1", PING6)
    assert ALL_PASSED in lab.exec("Spoke1", PING)
    lab.run_for(2)
    lab.exec("Spoke1", "clear ipv6 nhrp")
    assert "2001:DB8:3::/64" not in lab.exec("Spoke1", "show ipv6 nhrp")
    assert "192.168.3.0/24 via 10.0.0.13" in lab.exec("Spoke1", "show ip nhrp")
