"""VRFs on a simulated router: one routing table each, overlapping addresses kept apart,
`ping`/`traceroute vrf`, `show ip route vrf`, `show ip vrf` and `show vrf` as IOS prints them."""

from __future__ import annotations

from ipaddress import IPv4Network

from tests.support.genie_parse import parse as genie_parse
from tests.support.router_lab import Lab

RED = "vrf definition RED\n rd 65000:1\n address-family ipv4\n exit-address-family\n"
# The same subnet twice on each router: in VRF RED and in the global table.
R1 = (
    "hostname R1\n" + RED + "ip vrf BLUE\n"
    "interface GigabitEthernet0/0\n vrf forwarding RED\n ip address 10.0.0.1 255.255.255.0\n"
    "interface GigabitEthernet0/1\n ip address 10.0.0.1 255.255.255.0\n"
    "interface Loopback7\n vrf forwarding RED\n ip address 7.7.7.7 255.255.255.255\n"
)
R2 = (
    "hostname R2\n" + RED + "interface GigabitEthernet0/0\n vrf forwarding RED\n"
    " ip address 10.0.0.2 255.255.255.0\n"
    "interface GigabitEthernet0/1\n ip address 10.0.0.3 255.255.255.0\n"
    "interface Loopback0\n ip address 2.2.2.2 255.255.255.255\n"
    "ip route vrf RED 7.7.7.7 255.255.255.255 10.0.0.1\n"
)


def success(text: str) -> str:
    return text.strip().splitlines()[-1].split(",")[0]


def test_overlapping_subnets_in_two_vrfs_stay_apart() -> None:
    lab = Lab(R1, R2)
    assert success(lab.run("R1", "ping vrf RED 10.0.0.2")) == "Success rate is 100 percent (5/5)"
    assert success(lab.run("R1", "ping 10.0.0.3")) == "Success rate is 100 percent (5/5)"
    # each address answers in its own VRF only
    assert success(lab.run("R1", "ping 10.0.0.2")) == "Success rate is 0 percent (0/5)"
    assert success(lab.run("R1", "ping vrf RED 10.0.0.3")) == "Success rate is 0 percent (0/5)"
    red, glob = (lab["R1"].interfaces[n].link for n in ("GigabitEthernet0/0", "GigabitEthernet0/1"))
    assert red is not glob  # one router's two 10.0.0.0/24s are never one segment


def test_each_vrf_has_its_own_table() -> None:
    lab = Lab(R1, R2)
    r2 = lab["R2"]
    assert r2.tables["RED"].exact(IPv4Network("7.7.7.7/32")) is not None
    assert r2.table.exact(IPv4Network("7.7.7.7/32")) is None
    assert r2.table.exact(IPv4Network("2.2.2.2/32")) is not None
    assert r2.tables["RED"].lookup(int(IPv4Network("2.2.2.2/32").network_address)) is None
    ping = lab.run("R2", "ping vrf RED 7.7.7.7 source GigabitEthernet0/0")
    assert success(ping) == "Success rate is 100 percent (5/5)"
    trace = lab.run("R2", "traceroute vrf RED 7.7.7.7 probe 1")
    assert "  1 10.0.0.1" in trace or "  1 7.7.7.7" in trace


def test_a_global_next_hop_takes_a_vrf_out_through_the_global_table() -> None:
    route = "ip route vrf RED 0.0.0.0 0.0.0.0 10.0.0.3{}\n"
    through_global = Lab(R1 + route.format(" global"), R2)
    assert success(through_global.run("R1", "ping vrf RED 2.2.2.2")) == (
        "Success rate is 100 percent (5/5)"
    )
    inside = Lab(R1 + route.format(""), R2)  # 10.0.0.3 is not on RED's segment
    assert success(inside.run("R1", "ping vrf RED 2.2.2.2")) == "Success rate is 0 percent (0/5)"


def test_vrf_arguments_are_checked_as_ios_checks_them() -> None:
    lab = Lab(R1, R2)
    assert lab.run("R1", "ping vrf NOPE 10.0.0.2") == "% VRF NOPE does not exist\n"
    assert lab.run("R1", "show ip route vrf NOPE") == (
        "% IP routing table vrf NOPE does not exist\n"
    )
    assert lab.run("R1", "ping vrf RED 10.0.0.2 source GigabitEthernet0/1") == (
        "% Invalid source interface - IP not enabled or interface is down\n"
    )
    assert lab.run("R1", "ping vrf RED 10.0.0.2 source 7.7.7.7").count("!") == 5


def test_show_ip_route_vrf_prints_the_vrf_table_under_its_name() -> None:
    lab = Lab(R1, R2)
    text = lab.run("R2", "show ip route vrf RED")
    assert text.startswith("\nRouting Table: RED\nCodes: L - local, C - connected, S - static")
    assert "S        7.7.7.7 [1/0] via 10.0.0.1" in text
    assert "2.2.2.2" not in text
    parsed = genie_parse("show ip route vrf RED", text.splitlines())
    routes = parsed["vrf"]["RED"]["address_family"]["ipv4"]["routes"]
    assert set(routes) == {"7.7.7.7/32", "10.0.0.0/24", "10.0.0.2/32"}
    static = lab.run("R2", "show ip route vrf RED static")
    assert "7.7.7.7" in static and "10.0.0.0" not in static


def test_show_ip_vrf_and_show_vrf() -> None:
    lab = Lab(R1, R2)
    ip_vrf = lab.run("R1", "show ip vrf")
    assert ip_vrf.splitlines() == [
        "  Name                             Default RD            Interfaces",
        "  BLUE                             <not set>",
        "  RED                              65000:1               Gi0/0",
        "                                                         Lo7",
    ]
    assert genie_parse("show ip vrf", ip_vrf.splitlines())["vrf"]["RED"] == {
        "route_distinguisher": "65000:1",
        "interfaces": ["GigabitEthernet0/0", "Loopback7"],
    }
    vrf = lab.run("R1", "show vrf")
    assert vrf.splitlines()[2] == (
        "  RED                              65000:1               ipv4        Gi0/0"
    )
    red = genie_parse("show vrf", vrf.splitlines())["vrf"]["RED"]
    assert (red["protocols"], red["interfaces"]) == (["ipv4"], ["GigabitEthernet0/0", "Loopback7"])
