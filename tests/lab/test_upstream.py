"""The provider the lab adds between sites whose configurations route to next hops no router
of the lab has (pyike.topology.upstream): two sites on the Internet come up through it, and a
lab that says how its routers meet gets nothing added."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.lab.lab import Lab
from pyike.lab.ssh_access import ADDED_NOT_SAVED, LabRouterDevice
from pyike.lab.topology_run import run_topology
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES, SEED_CONFIGS
from tests.support.two_sites import dhcp_branch, two_ipv6_sites, two_sites

NOTE = (
    "% pyike lab: ISP: added by the lab as the provider between the sites, with the next hops "
    "their routes name and no router here has: 203.0.113.1 (Router1), 198.51.100.1 (Router2)"
)


def test_two_sites_of_the_internet_come_up_through_the_provider_the_lab_adds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = two_sites(tmp_path)
    assert main(["lab", "--exec", "Router1: ping 192.168.2.1 source Loopback0", str(sites)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(NOTE + "\n")
    assert "Router1: Success rate is 100 percent (5/5)" in out
    assert "Router1: Peer: 198.51.100.2 port 500" in out  # the session, to the other site
    assert out.rstrip().endswith(
        "2 crypto sessions UP-ACTIVE on Router1, Router2, ISP; 0 checks passed."
    )


def test_the_provider_has_each_next_hop_on_its_subnet(tmp_path: Path) -> None:
    topology = load_topology([two_sites(tmp_path)])
    (isp,) = [c for c in topology.configs if c.hostname == "ISP"]
    addresses = sorted((str(a), str(m)) for i in isp.interfaces.values() for a, m in i.addresses)
    assert addresses == [
        ("198.51.100.1", "255.255.255.252"),
        ("203.0.113.1", "255.255.255.252"),
    ]
    assert isp.crypto_maps == {} and set(topology.added) == {"ISP"}


def test_a_site_whose_tunnels_run_from_a_loopback_is_routed_to_by_the_provider(
    tmp_path: Path,
) -> None:
    """Router1's IKE runs from a public /32 on Loopback1: the provider routes it to Router1's
    address on their subnet, as a provider routes its customer's block."""
    sites = two_sites(tmp_path)
    r1, r2 = sites / "router1.cfg", sites / "router2.cfg"
    r1.write_text(
        r1.read_text().replace(" tunnel source Ethernet0/0", " tunnel source Loopback1")
        + "interface Loopback1\n ip address 198.18.1.1 255.255.255.255\n"
    )
    r2.write_text(r2.read_text().replace("203.0.113.2", "198.18.1.1"))
    topology = load_topology([sites])
    assert "ip route 198.18.1.1 255.255.255.255 203.0.113.2\n" in topology.added["ISP"]
    result = run_topology(topology, policy_for_config, show=False)
    assert result.ok, result.problems
    shown = result.lab.exec("Router2", "show crypto session")
    assert "Peer: 198.18.1.1 port 500" in shown and "UP-ACTIVE" in shown


def test_ipv6_sites_meet_through_the_provider_too(tmp_path: Path) -> None:
    topology = load_topology([two_ipv6_sites(tmp_path)])
    isp = topology.added["ISP"]
    assert "interface GigabitEthernet0/0\n ipv6 address 2001:db8:a1::1/64\n" in isp
    assert "ipv6 unicast-routing\n" in isp  # else IOS forwards no IPv6
    result = run_topology(topology, policy_for_config, show=False)
    assert result.ok, result.problems
    ping = result.lab.exec("SiteA6", "ping 2001:db8:b::1 source Loopback0")
    assert "Success rate is 100 percent (5/5)" in ping


def test_only_routes_toward_the_internet_name_the_provider(tmp_path: Path) -> None:
    """Router1 reaches its peer by a host route, not a default one; each site's route to a LAN
    behind an inside router the lab lacks is no provider's."""
    sites = two_sites(tmp_path)
    r1, r2 = sites / "router1.cfg", sites / "router2.cfg"
    r1.write_text(
        r1.read_text().replace(
            "ip route 0.0.0.0 0.0.0.0 203.0.113.1",
            "ip route 198.51.100.2 255.255.255.255 203.0.113.1",
        )
        + "interface Ethernet0/1\n ip address 10.1.1.1 255.255.255.0\n"
        + "ip route 10.50.0.0 255.255.0.0 10.1.1.254\n"
    )
    r2.write_text(
        r2.read_text()
        + "interface Ethernet0/1\n ip address 10.2.2.1 255.255.255.0\n"
        + "ip route 10.60.0.0 255.255.0.0 10.2.2.254\n"
    )
    topology = load_topology([sites])
    isp = topology.added["ISP"]
    assert isp.count("interface ") == 2 and "10.1.1.254" not in isp and "10.2.2.254" not in isp
    assert run_topology(topology, policy_for_config, show=False).ok


def test_a_router_called_isp_keeps_its_name(tmp_path: Path) -> None:
    sites = two_sites(tmp_path)
    text = (sites / "router2.cfg").read_text().replace("hostname Router2", "hostname ISP")
    (sites / "router2.cfg").write_text(text)
    topology = load_topology([sites])
    assert topology.hostnames == ["Router1", "ISP", "ISP2"]


@pytest.mark.parametrize(
    "files",
    [
        [SEED_CONFIGS / "router1.cfg", SEED_CONFIGS / "router2.cfg"],  # each other's next hop
        [EXAMPLES / "front-door-vrf"],  # an ISP of its own
        [SEED_CONFIGS / "router1.cfg"],  # one site: no one to join it to
    ],
    ids=["shared-subnet", "own-isp", "one-site"],
)
def test_a_lab_that_says_how_its_routers_meet_gets_no_provider(files: list[Path]) -> None:
    topology = load_topology(files)
    assert topology.added == {} and "ISP2" not in topology.hostnames
    assert not any("added by the lab" in note for note in topology.notes)


def test_the_added_provider_has_no_file_to_save(tmp_path: Path) -> None:
    topology = load_topology([two_sites(tmp_path)])
    result = run_topology(topology, policy_for_config, show=False)
    assert result.ok, result.problems
    lab: Lab = result.lab
    device = LabRouterDevice(lab, lab.router("ISP"), None)
    with pytest.raises(OSError, match=re.escape(ADDED_NOT_SAVED)):
        device.save(lab.router("ISP").router.config)


def test_a_dhcp_branch_leases_its_address_from_the_provider_the_lab_adds(tmp_path: Path) -> None:
    topology = load_topology([dhcp_branch(tmp_path)])
    assert (
        "Router1: Ethernet0/0 ('ip address dhcp') leases 100.64.0.2/24 from the provider the lab"
        " adds, with a default route via 100.64.0.1" in topology.notes
    )
    assert " ip address 100.64.0.1 255.255.255.0\n" in topology.added["ISP"]
    result = run_topology(topology, policy_for_config, show=False)
    assert result.ok, result.problems
    lab = result.lab
    assert "Success rate is 100 percent (5/5)" in lab.exec(
        "Router1", "ping 192.168.2.1 source Loopback0"
    )
    brief = lab.exec("Router1", "show ip interface brief")
    assert re.search(r"^Ethernet0/0 +100\.64\.0\.2 +YES DHCP +up +up", brief, re.M)
    assert " ip address dhcp\n" in lab.exec("Router1", "show running-config")
    route = lab.exec("Router1", "show ip route 0.0.0.0")
    assert 'Known via "static", distance 254' in route


def test_a_lone_dhcp_router_gets_no_lease_and_is_told_why(tmp_path: Path) -> None:
    (tmp_path / "branch.cfg").write_text(
        "hostname Branch\ninterface Ethernet0/0\n ip address dhcp\n"
        "interface Loopback0\n ip address 10.9.9.9 255.255.255.255\n"
    )
    topology = load_topology([tmp_path])
    (branch,) = topology.configs
    assert branch.interfaces["Ethernet0/0"].addresses == ()
    assert topology.notes == [
        "Branch: Ethernet0/0 ('ip address dhcp') has no lease: the lab leases addresses from"
        " the provider it adds between sites, and these sites need none"
    ]
