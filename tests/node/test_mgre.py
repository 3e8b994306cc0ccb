"""Multipoint GRE tunnels with NHRP on plain routers (no IPsec, no lab): the router's side of
DMVPN (pyike.node.mgre). NHRP travels in GRE of protocol type 0x2001 from the tunnel source to
the peer's NBMA address, data to the NBMA address NHRP resolves, NHRP routes go into the
table, and a tunnel key that differs keeps a spoke from registering."""

from __future__ import annotations

from pyike.node.gre import GRE_PROTOCOL, parse_gre
from pyike.node.ip import parse_ipv4
from pyike.node.router import Router
from pyike.sim.network import CapturedPacket
from tests.support.router_lab import Lab

HUB = """hostname Hub
interface Ethernet0/0
 ip address 192.0.2.1 255.255.255.0
interface Loopback0
 ip address 192.168.0.1 255.255.255.0
interface Tunnel0
 ip address 10.0.0.1 255.255.255.0
 ip nhrp network-id 1
 ip nhrp map multicast dynamic
 ip nhrp redirect
 tunnel source Ethernet0/0
 tunnel mode gre multipoint
 tunnel key 5
ip route 192.168.2.0 255.255.255.0 10.0.0.2
ip route 192.168.3.0 255.255.255.0 10.0.0.3
"""


def spoke(n: int, key: int = 5) -> str:
    return f"""hostname Spoke{n}
interface Ethernet0/0
 ip address 192.0.2.{n} 255.255.255.0
interface Loopback0
 ip address 192.168.{n}.1 255.255.255.0
interface Tunnel0
 ip address 10.0.0.{n} 255.255.255.0
 ip nhrp network-id 1
 ip nhrp nhs 10.0.0.1 nbma 192.0.2.1 multicast
 ip nhrp shortcut
 tunnel source Ethernet0/0
 tunnel mode gre multipoint
 tunnel key {key}
ip route 192.168.0.0 255.255.0.0 10.0.0.1
"""


TRACE = "traceroute 192.168.3.1 source Loopback0"


def cache(router: Router) -> list[str]:
    """The targets of the NHRP cache of the router's Tunnel0."""
    return [str(e.target) for e in router.multipoint["Tunnel0"].engine.entries()]


def dmvpn(key3: int = 5) -> Lab:
    lab = Lab(HUB, spoke(2), spoke(3, key3))
    lab.clock.run_for(10)
    return lab


def test_spokes_register_in_gre_of_protocol_type_nhrp() -> None:
    lab = Lab(HUB, spoke(2), spoke(3))
    captured: list[CapturedPacket] = []
    lab.network.add_capture(captured.append)
    lab.clock.run_for(10)
    gre = [parse_ipv4(p.data) for p in captured if parse_ipv4(p.data).protocol == GRE_PROTOCOL]
    first = parse_gre(gre[0].payload)
    assert first is not None and (first.protocol_type, first.key) == (0x2001, 5)
    assert str(gre[0].dst_address) == "192.0.2.1"
    assert cache(lab["Hub"]) == ["10.0.0.2/32", "10.0.0.3/32"]
    assert lab["Hub"].interface("Tunnel0").line_up  # no destination, no IPsec: up


def test_a_redirect_gives_the_spoke_a_shortcut_route() -> None:
    lab = dmvpn()
    first = lab.run("Spoke2", TRACE)
    assert "  1 10.0.0.1 " in first and "  2 10.0.0.3 " in first
    second = lab.run("Spoke2", TRACE)
    assert "10.0.0.1" not in second and "10.0.0.3" in second
    route = lab.run("Spoke2", "show ip route")
    assert "H     192.168.3.0/24 [250/255] via 10.0.0.3, 00:00:" in route
    assert "H        10.0.0.3/32 is directly connected, 00:00:" in route
    lab["Spoke2"].multipoint["Tunnel0"].clear()
    assert "192.168.3.0/24 [250/255]" not in lab.run("Spoke2", "show ip route")
    assert cache(lab["Spoke2"]) == ["10.0.0.1/32"]


def test_a_spoke_with_another_tunnel_key_cannot_register() -> None:
    lab = dmvpn(key3=6)
    assert cache(lab["Hub"]) == ["10.0.0.2/32"]
    (nhs,) = lab["Spoke3"].multipoint["Tunnel0"].engine.nhs_status(lab.clock.now)
    assert not nhs.responding and nhs.requests > 1 and nhs.replies == 0
    assert "Success rate is 0 percent" in lab.run("Spoke3", "ping 10.0.0.1")
