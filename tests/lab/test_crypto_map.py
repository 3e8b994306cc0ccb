"""Crypto maps in the lab: ACL-selected traffic, negotiation on demand, IOS's drops."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.model import AclAddress, AclEntry, PortMatch
from pyike.ipsec.acl_match import protecting_line
from pyike.lab.crypto_map import Flow, MapEntry, ace_matches
from pyike.lab.lab import Lab
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "crypto-map"
CMAP10 = "crypto map CMAP 10"


def configs(edit_a: str = "", edit_b: str = "", drop_b_map: bool = False) -> Lab:
    a = (EXAMPLE / "site-a.cfg").read_text() + edit_a
    b = (EXAMPLE / "site-b.cfg").read_text() + edit_b
    if drop_b_map:
        b = b.replace(" crypto map CMAP\n", "")
    loaded = [load(a, "site-a.cfg").raise_for_errors(), load(b, "site-b.cfg").raise_for_errors()]
    return Lab(loaded, policy_for_config)


def addr(text: str, wildcard: str = "0.0.0.0") -> AclAddress:
    return AclAddress(IPv4Address(text), IPv4Address(wildcard))


def flow(
    src: str, dst: str, proto: int = 1, sport: int | None = None, dport: int | None = None
) -> Flow:
    return Flow(int(IPv4Address(src)), int(IPv4Address(dst)), proto, sport, dport)


def test_acl_lines_match_as_ios_extended_acls() -> None:
    web = AclEntry(
        "permit",
        "tcp",
        addr("10.1.0.0", "0.0.255.255"),
        addr("0.0.0.0", "255.255.255.255"),
        destination_ports=PortMatch("eq", (443,), "443"),
    )
    assert ace_matches(web, flow("10.1.2.3", "8.8.8.8", 6, 5000, 443))
    assert not ace_matches(web, flow("10.1.2.3", "8.8.8.8", 6, 5000, 80))
    assert not ace_matches(web, flow("10.1.2.3", "8.8.8.8", 17, 5000, 443))
    assert not ace_matches(web, flow("10.2.2.3", "8.8.8.8", 6, 5000, 443))
    assert not ace_matches(web, flow("10.1.2.3", "8.8.8.8", 6))  # a later fragment: no ports
    anything = AclEntry("permit", "ip", addr("192.168.1.0", "0.0.0.255"), addr("192.168.2.7"))
    assert ace_matches(anything, flow("192.168.1.200", "192.168.2.7", 50))
    assert not ace_matches(anything, flow("192.168.1.200", "192.168.2.8", 50))


def test_first_packet_triggers_negotiation_and_is_dropped_as_on_ios() -> None:
    lab = configs()
    text = lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    assert ".!!!!" in text
    assert "Success rate is 80 percent (4/5)" in text
    assert lab.router("SiteA").crypto.sad.tunnel(CMAP10).current is not None
    session = lab.exec("SiteB", "show crypto session")
    assert "Session status: UP-ACTIVE" in session
    assert "IPSEC FLOW: permit ip 192.168.20.0/255.255.255.0 192.168.10.0/255.255.255.0" in session


def test_clear_traffic_that_should_be_encrypted_is_dropped() -> None:
    lab = configs(drop_b_map=True)  # SiteB forgot `crypto map CMAP` on its WAN interface
    text = lab.exec("SiteB", "ping 192.168.10.1 source Loopback0")
    assert "Success rate is 0 percent (0/5)" in text
    console = "\n".join(lab.router("SiteA").console)
    assert "%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSec packet." in console
    assert "dest_addr= /192.168.10.1, src_addr= 192.168.20.1, prot= 1" in console
    assert lab.router("SiteA").router.stats.policy_dropped >= 5


def test_a_deny_line_leaves_traffic_in_clear() -> None:
    deny = (
        "ip access-list extended VPN-TRAFFIC\n"
        " no permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
        " deny ip host 192.168.10.1 host 192.168.20.1\n"
        " permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
    )
    lab = configs(edit_a=deny, drop_b_map=True)
    assert "100 percent (5/5)" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    assert lab.router("SiteA").crypto.engine.ike_sas == []


def test_two_entries_with_one_peer_share_the_ike_sa() -> None:
    second = (
        "interface Loopback2\n ip address 10.99.10.1 255.255.255.0\n"
        "ip access-list extended VPN-LAB\n permit ip 10.99.10.0 0.0.0.255 10.99.20.0 0.0.0.255\n"
        "crypto map CMAP 20 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set TSET\n"
        " set ikev2-profile PROF\n match address VPN-LAB\n"
    )
    mirror = (
        second.replace("10.99.10", "X").replace("10.99.20", "10.99.10").replace("X", "10.99.20")
    )
    lab = configs(edit_a=second, edit_b=mirror.replace("198.51.100.2", "198.51.100.1"))
    assert "80 percent (4/5)" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    text = lab.exec("SiteA", "ping 10.99.20.1 source Loopback2")
    # Entry 20's first packet asks for a child SA on the IKE SA entry 10 brought up.
    assert "Success rate is 80 percent (4/5)" in text
    assert len(lab.router("SiteA").crypto.engine.ike_sas) == 1
    session = lab.exec("SiteA", "show crypto session")
    assert session.count("IPSEC FLOW:") == 2
    assert "permit ip 10.99.10.0/255.255.255.0 10.99.20.0/255.255.255.0" in session
    sa = lab.exec("SiteA", "show crypto ipsec sa")
    assert sa.count("interface: GigabitEthernet0/0") == 1
    assert sa.count("local  ident") == 2


SECOND_LINE_A = (
    "interface Loopback1\n ip address 172.31.10.1 255.255.255.0\n"
    "ip access-list extended VPN-TRAFFIC\n"
    " permit ip 172.31.10.0 0.0.0.255 172.31.20.0 0.0.0.255\n"
)
SECOND_LINE_B = (
    "interface Loopback1\n ip address 172.31.20.1 255.255.255.0\n"
    "ip access-list extended VPN-TRAFFIC\n"
    " permit ip 172.31.20.0 0.0.0.255 172.31.10.0 0.0.0.255\n"
)
CMAP10_LINE2 = "crypto map CMAP 10 line 2"


def test_each_permit_line_gets_its_own_sa_pair_as_on_ios() -> None:
    lab = configs(edit_a=SECOND_LINE_A, edit_b=SECOND_LINE_B)
    assert "80 percent (4/5)" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    # The second line's first packet asks for its own child SA, on the same IKE SA.
    text = lab.exec("SiteA", "ping 172.31.20.1 source Loopback1 repeat 7")
    assert "Success rate is 85 percent (6/7)" in text
    crypto = lab.router("SiteA").crypto
    assert len(crypto.engine.ike_sas) == 1
    first, second = crypto.sad.tunnel(CMAP10).current, crypto.sad.tunnel(CMAP10_LINE2).current
    assert first is not None and second is not None
    assert str(first.info.local_ts[0].start) == "192.168.10.0"
    assert str(second.info.local_ts[0].start) == "172.31.10.0"
    assert str(second.info.remote_ts[0].end) == "172.31.20.255"
    # each line's traffic went through its own pair
    assert (first.outbound.counters.packets, first.inbound.counters.packets) == (4, 4)
    assert (second.outbound.counters.packets, second.inbound.counters.packets) == (6, 6)
    sa = lab.exec("SiteA", "show crypto ipsec sa")
    assert sa.count("interface: GigabitEthernet0/0") == 1
    assert sa.count("local  ident") == 2
    assert "local  ident (addr/mask/prot/port): (172.31.10.0/255.255.255.0/0/0)" in sa
    assert "#pkts encaps: 4, #pkts encrypt: 4" in sa
    assert "#pkts encaps: 6, #pkts encrypt: 6" in sa
    session = lab.exec("SiteB", "show crypto session")
    assert session.count("IPSEC FLOW:") == 2
    assert "permit ip 172.31.20.0/255.255.255.0 172.31.10.0/255.255.255.0" in session
    assert "Active SAs: 2" in session


def test_one_line_acl_keeps_the_entry_name() -> None:
    _policy, tunnels = policy_for_config(
        load((EXAMPLE / "site-a.cfg").read_text(), "a.cfg").raise_for_errors()
    )
    assert [t.name for t in tunnels] == [CMAP10]


def test_spec_names_follow_the_acl_lines_they_negotiate() -> None:
    """A deny line and a `neq` line (IKEv2 cannot carry it) take no SA; the names of the
    others point at their line of the ACL as `show crypto map` lists it."""
    acl = (
        "ip access-list extended VPN-TRAFFIC\n"
        " no permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
        " deny ip host 192.168.10.9 any\n"
        " permit tcp 192.168.10.0 0.0.0.255 any neq 22\n"
        " permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
        " permit udp 10.0.0.0 0.255.255.255 eq 53 any\n"
    )
    text = (EXAMPLE / "site-a.cfg").read_text() + acl
    _policy, tunnels = policy_for_config(load(text, "a.cfg").raise_for_errors())
    named = {t.name: (str(t.local_ts[0].start), t.local_ts[0].protocol) for t in tunnels}
    assert named == {CMAP10: ("192.168.10.0", 0), "crypto map CMAP 10 line 4": ("10.0.0.0", 17)}


def test_packet_takes_the_sa_of_the_line_that_permits_it_and_a_deny_ends_the_entry() -> None:
    any_net = addr("0.0.0.0", "255.255.255.255")
    lan = AclEntry(
        "permit", "ip", addr("192.168.10.0", "0.0.0.255"), addr("192.168.20.0", "0.0.0.255")
    )
    deny = AclEntry("deny", "ip", addr("172.31.10.9"), any_net)
    lab_line = AclEntry(
        "permit", "ip", addr("172.31.10.0", "0.0.0.255"), addr("172.31.20.0", "0.0.0.255")
    )
    entry = MapEntry("CMAP", 10, (lan, deny, lab_line))
    hit = entry.protecting(flow("192.168.10.1", "192.168.20.1"))
    assert hit is not None and hit.sa_name == CMAP10
    hit = entry.protecting(flow("172.31.10.1", "172.31.20.1"))
    assert hit is not None and hit.sa_name == "crypto map CMAP 10 line 3"
    assert entry.protecting(flow("172.31.10.9", "172.31.20.1")) is None
    assert protecting_line((entry,), flow("172.31.10.9", "172.31.20.1")) is None
    # decrypted traffic must mirror the line of the SA it came through, not just any line
    assert entry.mirrors(CMAP10, flow("192.168.20.1", "192.168.10.1"))
    assert not entry.mirrors(CMAP10, flow("172.31.20.1", "172.31.10.1"))
    assert entry.mirrors("crypto map CMAP 10 line 3", flow("172.31.20.1", "172.31.10.1"))
    assert not entry.mirrors("crypto map CMAP 10 line 2", flow("172.31.20.1", "172.31.10.9"))
