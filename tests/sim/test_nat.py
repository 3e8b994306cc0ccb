"""The NAT box: many-to-one masquerade with port translation and mapping timeouts."""

from __future__ import annotations

from ipaddress import IPv4Address

from scapy.layers.inet import ICMP, IP, UDP

from pyike.config import load
from pyike.node.hooks import IkeDatagram
from pyike.node.ip import PROTO_ESP, IPv4Packet
from pyike.node.router import Router
from pyike.sim.nat import NatBox
from pyike.sim.network import CapturedPacket
from tests.support.router_lab import Lab

SPOKE = """hostname Spoke{n}
interface Ethernet0/0
 ip address 192.168.10.{n} 255.255.255.0
ip route 0.0.0.0 0.0.0.0 192.168.10.1
"""
HUB = """hostname Hub
interface Ethernet0/0
 ip address 203.0.113.1 255.255.255.0
"""


class Recorder:
    def __init__(self) -> None:
        self.seen: list[IkeDatagram] = []

    def ike_datagram(self, router: Router, datagram: IkeDatagram) -> None:
        self.seen.append(datagram)
        if datagram.payload == b"reply":
            return
        router.send_udp(datagram.src, datagram.src_port, b"reply", src_port=datagram.dst_port)


def nat_lab(**options: float) -> tuple[Lab, NatBox]:
    lab = Lab(SPOKE.format(n=2), SPOKE.format(n=3), HUB)
    nat = NatBox(lab.clock, "192.168.10.1/24", "203.0.113.2/24", "203.0.113.254", **options)  # type: ignore[arg-type]
    nat.inside.attach(lab.segments["192.168.10.0/24"])
    nat.outside.attach(lab.segments["203.0.113.0/24"])
    return lab, nat


def test_ping_through_the_nat_is_masqueraded() -> None:
    lab, nat = nat_lab()
    seen: list[CapturedPacket] = []
    lab.network.add_capture(seen.append)
    out = lab.run("Spoke2", "ping 203.0.113.1 repeat 2")
    assert "Success rate is 100 percent (2/2), round-trip min/avg/max = 2/2/2 ms" in out
    outside = [IP(p.data) for p in seen if p.segment == "203.0.113.0/24"]
    assert {p.src for p in outside if p[ICMP].type == 8} == {"203.0.113.2"}
    assert outside[0].ttl == 254 and outside[0][ICMP].id == 1024
    assert nat.counters.translated_out == 2 and nat.counters.translated_in == 2
    assert [(m.inside_address, m.outside_port) for m in nat.mappings()] == [
        (IPv4Address("192.168.10.2"), 1024)
    ]


def test_two_inside_hosts_share_port_500_through_different_outside_ports() -> None:
    lab, _nat = nat_lab()
    hub = Recorder()
    lab["Hub"].ike_handler = hub
    spokes = {name: Recorder() for name in ("Spoke2", "Spoke3")}
    for name, recorder in spokes.items():
        lab[name].ike_handler = recorder
        lab[name].send_udp(IPv4Address("203.0.113.1"), 500, b"init")
    lab.clock.run_until_idle()
    assert [(str(d.src), d.src_port) for d in hub.seen] == [
        ("203.0.113.2", 1024),
        ("203.0.113.2", 1025),
    ]
    assert all(len(r.seen) == 1 and r.seen[0].payload == b"reply" for r in spokes.values())
    assert spokes["Spoke2"].seen[0].dst_port == 500


def test_mappings_time_out_and_unknown_inbound_is_dropped() -> None:
    lab, nat = nat_lab(udp_timeout=30.0)
    lab["Hub"].ike_handler = Recorder()
    lab["Spoke2"].ike_handler = Recorder()
    lab["Spoke2"].send_udp(IPv4Address("203.0.113.1"), 4500, b"\x00\x00\x00\x00x", src_port=4500)
    lab.clock.run_until_idle()
    assert len(nat.mappings()) == 1
    lab.clock.run_for(31)
    assert nat.mappings() == [] and nat.counters.expired == 1
    lab["Hub"].send_udp(IPv4Address("203.0.113.2"), 1024, b"late", src_port=4500)
    lab.clock.run_until_idle()
    assert nat.counters.no_mapping == 1


def test_preserved_ports_and_raw_esp_passthrough() -> None:
    lab, nat = nat_lab(preserve_ports=True)
    lab["Hub"].ike_handler = Recorder()
    lab["Spoke2"].ike_handler = Recorder()
    lab["Spoke2"].send_udp(IPv4Address("203.0.113.1"), 500, b"x")
    lab.clock.run_until_idle()
    assert nat.mappings()[0].outside_port == 500
    spoke, hub = lab["Spoke2"], lab["Hub"]
    esp = IPv4Packet(
        int(IPv4Address("192.168.10.2")),
        int(IPv4Address("203.0.113.1")),
        PROTO_ESP,
        b"\x00\x00\x10\x01",
    )
    spoke.originate(esp)
    lab["Spoke3"].originate(
        IPv4Packet(
            int(IPv4Address("192.168.10.3")), int(IPv4Address("203.0.113.1")), PROTO_ESP, b"x"
        )
    )
    lab.clock.run_until_idle()
    assert nat.counters.dropped == 1  # a second inside host cannot share ESP to the same peer
    hub.originate(
        IPv4Packet(
            int(IPv4Address("203.0.113.1")), int(IPv4Address("203.0.113.2")), PROTO_ESP, b"back"
        )
    )
    lab.clock.run_until_idle()
    assert spoke.stats.unknown_protocol == 1  # it arrived (and Spoke2 has no ESP handler)


def test_nat_drops_what_it_cannot_translate() -> None:
    lab, nat = nat_lab()
    inside = lab.segments["192.168.10.0/24"]
    spoke = lab["Spoke2"].interfaces["Ethernet0/0"]
    for packet in (
        b"junk",
        bytes(IP(src="192.168.10.2", dst="8.8.8.8", ttl=1) / UDP()),
        bytes(IP(src="192.168.10.2", dst="8.8.8.8", proto=6) / (b"\x00" * 20)),
        bytes(IP(src="192.168.10.2", dst="8.8.8.8") / ICMP(type=3)),
    ):
        inside.transmit(spoke, packet, int(IPv4Address("192.168.10.1")))
    lab.clock.run_until_idle()
    assert nat.counters.dropped == 4
    outside = lab.segments["203.0.113.0/24"]
    hub = lab["Hub"].interfaces["Ethernet0/0"]
    outside.transmit(
        hub,
        bytes(IP(src="203.0.113.1", dst="203.0.113.2") / ICMP(type=8, id=77)),
        int(IPv4Address("203.0.113.2")),
    )
    lab.clock.run_until_idle()
    assert nat.counters.no_mapping == 1
    assert lab.run("Spoke2", "ping 8.8.8.8 repeat 1")  # goes to the gateway, which is absent
    assert nat.counters.translated_out == 1


def test_nat_without_gateway_drops_off_subnet_traffic() -> None:
    lab = Lab(SPOKE.format(n=2), HUB)
    nat = NatBox(lab.clock, "192.168.10.1/24", "203.0.113.2/24")
    nat.inside.attach(lab.segments["192.168.10.0/24"])
    nat.outside.attach(lab.segments["203.0.113.0/24"])
    lab.run("Spoke2", "ping 8.8.8.8 repeat 1 timeout 0")
    lab.clock.run_until_idle()
    assert nat.counters.dropped == 1
    assert load(HUB).ok
