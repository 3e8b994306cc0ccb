"""IOS routing configuration as FRRouting runs it: what is translated (interface names to the
lab's devices, the commands FRR spells otherwise), what passes as written, what is left out
with a note; no root needed."""

from __future__ import annotations

from pyike.config import load
from pyike.frr.translate import FrrSetup, routing_protocols, translate
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

DEVICES = {
    "Loopback0": "lo",
    "Loopback1": "lo",
    "Tunnel0": "tun-Tunnel0",
    "GigabitEthernet0/0": "Gi0_0",
}
INTERFACES = """hostname R1
interface Loopback0
 ip address 10.1.0.1 255.255.255.0
interface Loopback1
 ip address 10.11.0.1 255.255.255.0
interface Tunnel0
 ip address 172.16.1.2 255.255.255.252
interface GigabitEthernet0/0
 ip address 203.0.113.11 255.255.255.0
"""


def setup_of(text: str) -> FrrSetup:
    result = load(INTERFACES + text, "r1.cfg")
    assert result.ok, result.diagnostics
    setup = translate(result.config, DEVICES)
    assert setup is not None
    return setup


def daemon_text(setup: FrrSetup, daemon: str) -> str:
    config = setup.daemon(daemon)
    assert config is not None
    return config.text


def test_a_configuration_without_routing_has_no_frr() -> None:
    result = load(INTERFACES + "ip route 10.2.0.0 255.255.255.0 Tunnel0\n")
    assert translate(result.config, DEVICES) is None
    assert routing_protocols(result.config) == []


def test_bgp_example_runs_ebgp_without_a_policy_and_prefixes_for_masks() -> None:
    hub = next(c for c in load_topology([EXAMPLES / "vti-bgp"]).configs if c.hostname == "Hub")
    setup = translate(hub, {"Loopback0": "lo", "Tunnel1": "tun-Tunnel1"})
    assert setup is not None
    assert setup.protocols == ("router bgp 65000",)
    assert [d.daemon for d in setup.daemons] == ["zebra", "bgpd"]
    bgp = daemon_text(setup, "bgpd").splitlines()
    assert bgp[1:4] == [
        "router bgp 65000",
        " no bgp ebgp-requires-policy",
        " bgp router-id 10.0.0.1",
    ]
    af = bgp.index(" address-family ipv4 unicast")
    assert bgp[af + 1 : af + 3] == ["  network 10.0.0.0/24", "  neighbor 172.16.1.2 activate"]
    assert bgp[-1] == " exit-address-family"
    assert setup.notes == ()


def test_bgp_lines_frr_spells_otherwise() -> None:
    setup = setup_of(
        """router bgp 65001
 no synchronization
 neighbor 10.0.0.1 remote-as 65000
 neighbor 10.0.0.1 update-source Loopback1
 neighbor 10.0.0.1 ebgp-multihop 2
 neighbor 10.0.0.2 remote-as 65000
 neighbor 10.0.0.2 password 0 s3cret-one
 neighbor 10.0.0.3 remote-as 65000
 neighbor 10.0.0.3 password 7 0822455D0A16
 network 10.0.0.0
 network 172.16.0.0
 network 10.1.0.0 mask 255.255.255.0 route-map OUT
 redistribute static subnets metric 5
 redistribute ospf 1 match internal external 2 route-map FROM-OSPF
 no auto-summary
"""
    )
    bgp = daemon_text(setup, "bgpd")
    assert " neighbor 10.0.0.1 update-source 10.11.0.1\n" in bgp  # Loopback1's address on lo
    assert " neighbor 10.0.0.1 ebgp-multihop 2\n" in bgp
    assert " neighbor 10.0.0.2 password s3cret-one\n" in bgp
    assert "0822455D0A16" not in bgp
    assert " network 10.0.0.0/8\n network 172.16.0.0/16\n" in bgp  # classful
    assert " network 10.1.0.0/24 route-map OUT\n" in bgp
    assert " redistribute kernel metric 5\n" in bgp
    assert " redistribute ospf route-map FROM-OSPF\n" in bgp
    assert "synchronization" not in bgp and "auto-summary" not in bgp
    (note,) = setup.notes
    assert "neighbor 10.0.0.3 password 7" in note and "type 7" in note
    assert "0822455D0A16" not in note  # a key is never repeated in a message


def test_bgp_vrf_address_family_is_left_out_with_a_note() -> None:
    setup = setup_of(
        """router bgp 65001
 address-family ipv4 vrf CUST
  network 10.9.0.0 mask 255.255.255.0
 exit-address-family
 address-family ipv6
  network 2001:db8::/64
 exit-address-family
"""
    )
    bgp = daemon_text(setup, "bgpd")
    assert "10.9.0.0" not in bgp
    assert " address-family ipv6 unicast\n  network 2001:db8::/64\n exit-address-family\n" in bgp
    assert ["address-family ipv4 vrf CUST" in n for n in setup.notes] == [True]


def test_ospf_networks_become_interface_areas_most_specific_first() -> None:
    setup = setup_of(
        """router ospf 7
 router-id 10.1.0.1
 log-adjacency-changes
 passive-interface Loopback0
 network 10.0.0.0 0.255.255.255 area 1
 network 10.1.0.0 0.0.0.255 area 0
 network 172.16.1.0 0.0.0.3 area 0
 network 192.168.0.0 0.0.255.0 area 2
 redistribute connected subnets
"""
    )
    ospf = daemon_text(setup, "ospfd")
    assert "router ospf\n ospf router-id 10.1.0.1\n log-adjacency-changes\n" in ospf
    assert " redistribute connected\n" in ospf
    # both loopbacks are `lo`: their addresses say which area each is in
    assert "interface lo\n ip ospf passive 10.1.0.1\n ip ospf area 0 10.1.0.1\n" in ospf
    assert " ip ospf area 1 10.11.0.1\n" in ospf
    assert "interface tun-Tunnel0\n ip ospf area 0 172.16.1.2\n" in ospf
    assert "Gi0_0" not in ospf  # no statement covers 203.0.113.11
    assert " network " not in ospf  # FRR refuses networks beside interface areas
    (note,) = setup.notes
    assert "192.168.0.0 0.0.255.0" in note and "non-contiguous" in note


def test_ospf_interface_lines_follow_their_interface() -> None:
    setup = setup_of(
        """interface Tunnel0
 ip ospf 1 area 0
 ip ospf cost 50
 ip ospf hello-interval 2
 ip ospf message-digest-key 1 md5 0 d1gest-key
interface Loopback0
 ip ospf network point-to-point
 ip ospf cost 5
router ospf 1
 passive-interface default
 no passive-interface Tunnel0
"""
    )
    ospf = daemon_text(setup, "ospfd")
    tunnel = ospf.split("interface tun-Tunnel0\n")[1].split("interface")[0]
    assert tunnel.splitlines() == [
        " no ip ospf passive",
        " ip ospf area 0",
        " ip ospf cost 50",
        " ip ospf hello-interval 2",
        " ip ospf message-digest-key 1 md5 d1gest-key",  # FRR takes no encryption type
    ]
    assert "interface lo\n ip ospf cost 5 10.1.0.1\n" in ospf
    assert " passive-interface default\n" in ospf
    (note,) = setup.notes
    assert "ip ospf network point-to-point" in note and "/32" in note
    config = setup.daemon("ospfd")
    assert config is not None
    numbered = config.text.splitlines().index(" ip ospf message-digest-key 1 md5 d1gest-key")
    assert "d1gest-key" not in (config.origin(numbered + 1) or "d1gest-key")


def test_eigrp_classic_and_its_passive_interfaces_once_frr_runs() -> None:
    setup = setup_of(
        """interface Tunnel0
 ip hello-interval eigrp 100 2
 ip hold-time eigrp 100 6
 ip hello-interval eigrp 200 9
router eigrp 100
 network 10.1.0.0 0.0.0.255
 network 172.16.0.0
 passive-interface Loopback0
 eigrp router-id 10.1.0.1
 no auto-summary
 redistribute static metric 10000 100 255 1 1500
"""
    )
    eigrp = daemon_text(setup, "eigrpd")
    assert "router eigrp 100\n network 10.1.0.0/24\n network 172.16.0.0/16\n" in eigrp
    assert " eigrp router-id 10.1.0.1\n" in eigrp
    assert " redistribute kernel metric 10000 100 255 1 1500\n" in eigrp
    assert "interface tun-Tunnel0\n ip hello-interval eigrp 2\n ip hold-time eigrp 6\n" in eigrp
    assert "eigrp 9" not in eigrp  # another autonomous system's timer
    assert "passive" not in eigrp  # eigrpd 8.4 refuses it at start-up: typed once it runs
    (late,) = setup.late
    assert (late.daemon, late.context, late.line.text) == (
        "eigrpd",
        "router eigrp 100",
        "passive-interface lo",
    )


def test_named_eigrp_becomes_classic() -> None:
    setup = setup_of(
        """router eigrp BRANCH
 address-family ipv4 unicast autonomous-system 100
  af-interface default
   passive-interface
  exit-af-interface
  af-interface Tunnel0
   hello-interval 2
  exit-af-interface
  network 10.1.0.0 0.0.0.255
  eigrp router-id 10.1.0.1
  topology base
   redistribute connected
  exit-af-topology
 exit-address-family
"""
    )
    assert setup.protocols == ("router eigrp BRANCH",)
    eigrp = daemon_text(setup, "eigrpd")
    assert "router eigrp 100\n network 10.1.0.0/24\n eigrp router-id 10.1.0.1\n" in eigrp
    assert " redistribute connected\n" in eigrp
    assert "interface tun-Tunnel0\n ip hello-interval eigrp 2\n" in eigrp
    assert [c.line.text for c in setup.late] == ["passive-interface default"]


def test_what_frr_does_not_run_here_is_noted() -> None:
    setup = setup_of(
        """ip route 0.0.0.0 0.0.0.0 Tunnel0 250
ip route 10.9.0.0 255.255.0.0 Tunnel0
ip route 10.8.0.0 255.255.0.0 Tunnel0 100
router ospf 1
 network 10.1.0.0 0.0.0.255 area 0
 passive-interface Serial0/0
router ospf 2
 network 172.16.0.0 0.0.255.255 area 0
router rip
 network 10.0.0.0
"""
    )
    assert setup.protocols == ("router ospf 1",)
    assert [n.split("`")[1] for n in setup.notes[:3]] == [
        "passive-interface Serial0/0",
        "router ospf 2",
        "router rip",
    ]
    # a floating static cannot float: the kernel's routes come before FRR's
    assert setup.notes[3:] == (
        "R1: the static route to 0.0.0.0/0 (distance 250) is not floated: the kernel holds "
        "it ahead of FRR's routes",
    )
    assert all(n.startswith("R1: ") for n in setup.notes)


def test_abbreviations_ios_took_are_spelled_out() -> None:
    setup = setup_of(
        """router eig SITE
 address-family ipv4 unicast as 100
  net 10.1.0.0 255.255.255.0
  af-interface tunnel 0
   hello 2
  exit-af-interface
 exit-address-family
"""
    )
    assert setup.protocols == ("router eigrp SITE",)
    eigrp = daemon_text(setup, "eigrpd")
    # a mask where IOS wants a wildcard: IOS turns it around, so does the translation
    assert "router eigrp 100\n network 10.1.0.0/24\n" in eigrp
    assert "interface tun-Tunnel0\n ip hello-interval eigrp 2\n" in eigrp
    setup = setup_of(
        """router b 65001
 nei 10.0.0.1 remote-as 65000
 nei 10.0.0.1 update-so Loopback1
 netw 10.1.0.0 ma 255.255.255.0
 redis stat
"""
    )
    assert setup.protocols == ("router bgp 65001",)
    bgp = daemon_text(setup, "bgpd")
    assert "router bgp 65001\n" in bgp
    assert " neighbor 10.0.0.1 update-source 10.11.0.1\n" in bgp
    assert " network 10.1.0.0/24\n redistribute kernel\n" in bgp
    assert setup.notes == ()
