"""The hooks the lab plugs in: IKE datagrams, ESP, tunnel encapsulation, crypto map policy.

The stub handlers of tests/support/router_lab.py stand in for the real IKE engine and ESP."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.node.hooks import (
    Decrypted,
    EspArrival,
    IkeDatagram,
    PolicyAction,
    PolicyDecision,
)
from pyike.node.ip import PROTO_ESP, IPv4Packet, parse_ipv4
from pyike.node.router import Router
from pyike.node.udp import UdpDatagram
from tests.support.router_lab import TAG, ipsec_seed, seed_lab


def test_seed_ping_goes_through_tunnel0_once_the_sas_are_installed() -> None:
    lab, s1, s2 = ipsec_seed()
    r1, r2 = lab["Router1"], lab["Router2"]
    before = lab.run("Router1", "ping 192.168.2.1 source Loopback0")
    assert "!!!!!" in before and s1.encapsulated == 0  # Tunnel0 down: the default route
    logs: list[str] = []
    r1.log = logs.append
    r1.set_tunnel_ipsec("Tunnel0", True)
    r2.set_tunnel_ipsec("Tunnel0", True)
    assert logs == ["%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to up"]
    out = lab.run("Router1", "ping 192.168.2.1 source Loopback0")
    assert out == (
        "Type escape sequence to abort.\n"
        "Sending 5, 100-byte ICMP Echos to 192.168.2.1, timeout is 2 seconds:\n"
        "Packet sent with a source address of 192.168.1.1 \n"
        "!!!!!\n"
        "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/1 ms\n"
    )
    assert s1.encapsulated == 5 and s2.encapsulated == 5
    assert len(s2.arrivals) == 5 and not s2.arrivals[0].udp_encapsulated
    tunnel = r1.interfaces["Tunnel0"].counters
    assert (tunnel.packets_out, tunnel.packets_in) == (5, 5)
    assert r1.ip_mtu("Tunnel0") == 1500 - 24


def test_tunnel_down_withdraws_its_routes() -> None:
    lab, _s1, _s2 = ipsec_seed()
    r1 = lab["Router1"]
    r1.set_tunnel_ipsec("Tunnel0", True)
    assert r1.table.lookup(int(IPv4Address("192.168.2.1"))).paths[0].interface == "Tunnel0"  # type: ignore[union-attr]
    r1.set_tunnel_ipsec("Tunnel0", False)
    entry = r1.table.lookup(int(IPv4Address("192.168.2.1")))
    assert entry is not None and entry.prefix.prefixlen == 0
    r1.set_tunnel_ipsec("Tunnel0", True)
    r1.set_shutdown("Ethernet0/0", True)  # the tunnel source goes down: so does the tunnel
    assert r1.interfaces["Tunnel0"].protocol == "down"


def test_tunnel_mtu_fragments_before_encryption_or_sends_m() -> None:
    lab, s1, _s2 = ipsec_seed(overhead=73)
    for r in lab.routers.values():
        r.set_tunnel_ipsec("Tunnel0", True)
    assert lab["Router1"].ip_mtu("Tunnel0") == 1427
    out = lab.run("Router1", "ping 192.168.2.1 source Loopback0 size 1500 repeat 1")
    assert "Success rate is 100 percent (1/1)" in out
    assert s1.encapsulated == 2  # two fragments, each encrypted
    assert lab["Router2"].stats.reassembled == 1
    out = lab.run("Router1", "ping 192.168.2.1 source Loopback0 size 1500 df-bit repeat 1")
    assert "\nM\n" in out


def test_esp_the_handler_rejects_is_counted() -> None:
    lab, _s1, s2 = ipsec_seed()
    lab["Router1"].originate(
        IPv4Packet(int(IPv4Address("10.0.0.1")), int(IPv4Address("10.0.0.2")), PROTO_ESP, b"junk")
    )
    lab.clock.run_until_idle()
    assert lab["Router2"].stats.esp_dropped == 1 and len(s2.arrivals) == 1


def test_packets_into_a_tunnel_without_handler_are_dropped() -> None:
    lab = seed_lab()
    r1 = lab["Router1"]
    r1.set_tunnel_ipsec("Tunnel0", True)
    assert "....." in lab.run("Router1", "ping 192.168.2.1")
    assert r1.stats.tunnel_dropped == 5


def test_recursive_routing_through_the_tunnel_is_refused() -> None:
    lab, _s1, _s2 = ipsec_seed()
    r1 = lab["Router1"]
    r1.set_tunnel_ipsec("Tunnel0", True)
    r1.send_raw(
        IPv4Packet(int(IPv4Address("10.0.0.1")), int(IPv4Address("192.168.2.1")), 1, b"").to_bytes()
    )
    r1._send_outer(IPv4Packet(1, int(IPv4Address("192.168.2.1")), 50, b"").to_bytes())
    assert r1.stats.tunnel_dropped == 1


class IkeRecorder:
    def __init__(self) -> None:
        self.datagrams: list[IkeDatagram] = []

    def ike_datagram(self, router: Router, datagram: IkeDatagram) -> None:
        self.datagrams.append(datagram)
        if datagram.payload == b"request":
            marker = b"\x00\x00\x00\x00" if datagram.nat_t else b""
            router.send_udp(
                datagram.src,
                datagram.src_port,
                marker + b"response",
                src=datagram.dst,
                src_port=datagram.dst_port,
            )


def test_udp_500_and_4500_reach_the_ike_handler() -> None:
    lab, _s1, s2 = ipsec_seed()
    r1, r2 = lab["Router1"], lab["Router2"]
    ike1, ike2 = IkeRecorder(), IkeRecorder()
    r1.ike_handler, r2.ike_handler = ike1, ike2
    peer = IPv4Address("10.0.0.2")
    assert r1.send_udp(peer, 500, b"request")
    assert r1.send_udp(peer, 4500, b"\x00\x00\x00\x00request", src_port=4500)
    assert r1.send_udp(peer, 4500, b"\xff", src_port=4500)  # NAT keepalive
    assert r1.send_udp(peer, 4500, TAG + b"not-ip", src_port=4500)  # ESP in UDP
    lab.clock.run_until_idle()
    assert [(d.dst_port, d.payload, d.nat_t) for d in ike2.datagrams] == [
        (500, b"request", False),
        (4500, b"request", True),
    ]
    assert ike2.datagrams[0].src == IPv4Address("10.0.0.1")
    assert [d.payload for d in ike1.datagrams] == [b"response", b"response"]
    assert r2.stats.nat_keepalives == 1
    assert s2.arrivals[-1].udp_encapsulated and s2.arrivals[-1].src_port == 4500
    assert r1.send_udp(IPv4Address("8.8.8.8"), 500, b"x") is True
    r1.set_shutdown("Ethernet0/0", True)
    assert r1.send_udp(IPv4Address("8.8.8.8"), 500, b"x") is False


def test_udp_500_without_ike_handler_is_port_unreachable() -> None:
    lab = seed_lab()
    lab["Router1"].send_udp(IPv4Address("10.0.0.2"), 500, b"x")
    lab.clock.run_until_idle()
    assert lab["Router2"].stats.unreachables_sent == 1


class CryptoMapStub:
    """Drops matching traffic until an SA exists, then protects it."""

    def __init__(self) -> None:
        self.sa_up = False
        self.triggered = 0

    def outbound(self, router: Router, interface: str, packet: bytes) -> PolicyDecision:
        p = parse_ipv4(packet)
        if p.dst != int(IPv4Address("192.168.2.1")):
            return PolicyDecision.passed()
        if not self.sa_up:
            self.triggered += 1
            return PolicyDecision(PolicyAction.DROP)
        outer = IPv4Packet(
            int(IPv4Address("10.0.0.1")), int(IPv4Address("10.0.0.2")), PROTO_ESP, TAG + packet
        )
        return PolicyDecision(PolicyAction.PROTECT, (outer.to_bytes(),))


class MapEsp:
    def esp_packet(self, router: Router, arrival: EspArrival) -> Decrypted | None:
        return Decrypted(arrival.esp[4:], None)

    def path_mtu(self, router: Router, spi: bytes, mtu: int) -> None:
        return None


def test_crypto_map_policy_drops_until_the_sa_is_up_then_protects() -> None:
    lab = seed_lab()
    r1, r2 = lab["Router1"], lab["Router2"]
    policy = CryptoMapStub()
    r1.outbound_policy = policy
    r2.esp_handler = MapEsp()
    out = lab.run("Router1", "ping 192.168.2.1 source Loopback0 repeat 2")
    assert "\n..\n" in out and policy.triggered == 2 and r1.stats.policy_dropped == 2
    policy.sa_up = True
    out = lab.run("Router1", "ping 192.168.2.1 source Loopback0 repeat 2")
    assert "\n!!\n" in out
    assert r2.stats.esp_received == 2
    assert "!!" in lab.run("Router1", "ping 10.0.0.2 repeat 2")  # not matched: clear


def test_ike_datagram_reply_uses_udp_checksum() -> None:
    data = UdpDatagram(500, 500, b"x").to_bytes(1, 2)
    assert data[6:8] != b"\x00\x00"
