"""The data plane across a three-router chain: forwarding, ICMP, MTU."""

from __future__ import annotations

from ipaddress import IPv4Address

from scapy.layers.inet import ICMP, IP

from pyike.node import icmp
from pyike.node.ip import IPv4Packet
from pyike.sim.network import CapturedPacket
from tests.support.router_lab import R1, R2, R3, Lab, chain


def capture(lab: Lab) -> list[CapturedPacket]:
    seen: list[CapturedPacket] = []
    lab.network.add_capture(seen.append)
    return seen


def icmp_seen(packets: list[CapturedPacket]) -> list[tuple[str, int, int]]:
    out = []
    for p in packets:
        ip = IP(p.data)
        if ICMP in ip and ip[ICMP].type in (3, 11):
            out.append((ip.src, ip[ICMP].type, ip[ICMP].code))
    return out


def test_ping_across_the_chain_decrements_ttl() -> None:
    lab = chain()
    seen = capture(lab)
    out = lab.run("R1", "ping 3.3.3.3 source Loopback0 repeat 2")
    assert "!!" in out and "Success rate is 100 percent (2/2)" in out
    hops = [(IP(p.data).src, IP(p.data).dst, IP(p.data).ttl, p.segment) for p in seen]
    assert hops[:2] == [
        ("1.1.1.1", "3.3.3.3", 255, "10.1.12.0/24"),
        ("1.1.1.1", "3.3.3.3", 254, "10.1.23.0/24"),
    ]
    assert lab["R2"].stats.forwarded == 4
    assert lab["R3"].stats.echo_replies_sent == 2


def test_ttl_exceeded_comes_from_the_ingress_interface() -> None:
    lab = chain()
    seen = capture(lab)
    r1 = lab["R1"]
    r1.originate(
        IPv4Packet(
            int(IPv4Address("10.1.12.1")),
            int(IPv4Address("3.3.3.3")),
            1,
            icmp.echo(True, 1, 1, b"").to_bytes(),
            ttl=1,
        )
    )
    lab.clock.run_until_idle()
    assert icmp_seen(seen) == [("10.1.12.2", 11, 0)]
    assert lab["R2"].stats.ttl_expired == 1


def test_no_route_gives_net_unreachable_rate_limited_as_ios() -> None:
    lab = chain()
    out = lab.run("R1", "ping 9.9.9.9")
    assert "\nU.U.U\n" in out
    assert "Success rate is 0 percent (0/5)" in out
    assert lab["R2"].unreachable_limiter.suppressed == 2
    assert lab["R2"].stats.unreachables_rate_limited == 2


def test_unreachable_rate_limit_interval_is_500_ms() -> None:
    lab = chain()
    out = lab.run("R1", "ping 9.9.9.9 timeout 0 repeat 4")
    # With no wait between echoes, only the first of the burst gets an answer.
    assert "Success rate is 0 percent (0/4)" in out
    lab.clock.run_for(0.1)
    assert lab["R2"].stats.unreachables_sent == 1
    assert lab["R2"].stats.unreachables_rate_limited == 3
    lab.clock.run_for(0.6)
    assert "U" in lab.run("R1", "ping 9.9.9.9 repeat 1")


def test_port_and_protocol_unreachable() -> None:
    lab = chain()
    seen = capture(lab)
    r1 = lab["R1"]
    r1.send_udp(IPv4Address("3.3.3.3"), 9999, b"hello", src_port=1234)
    lab.clock.run_until_idle()
    lab.clock.run_for(1)
    r1.originate(IPv4Packet(int(IPv4Address("10.1.12.1")), int(IPv4Address("10.1.12.2")), 99, b"?"))
    lab.clock.run_until_idle()
    # The port unreachable crosses both links.
    assert icmp_seen(seen) == [("10.1.23.3", 3, 3), ("10.1.23.3", 3, 3), ("10.1.12.2", 3, 2)]
    assert lab["R2"].stats.unknown_protocol == 1


def test_no_icmp_error_about_an_icmp_error() -> None:
    lab = chain()
    seen = capture(lab)
    bogus = icmp.packet(
        int(IPv4Address("10.1.12.1")),
        int(IPv4Address("9.9.9.9")),
        icmp.IcmpMessage(3, 1, b"\x00" * 4, b""),
    )
    lab["R1"].originate(bogus)
    lab.clock.run_until_idle()
    assert icmp_seen(seen) == [("10.1.12.1", 3, 1)]  # only our bogus one crossed the wire


def mtu_lab() -> Lab:
    return Lab(
        R1,
        R2.replace(
            "ip address 10.1.23.2 255.255.255.0", "ip address 10.1.23.2 255.255.255.0\n ip mtu 1400"
        ),
        R3,
    )


def test_fragmentation_when_df_is_clear() -> None:
    lab = mtu_lab()
    seen = capture(lab)
    out = lab.run("R1", "ping 3.3.3.3 size 1500 repeat 1")
    assert "Success rate is 100 percent (1/1)" in out
    on_link = [
        IP(p.data) for p in seen if p.segment == "10.1.23.0/24" and IP(p.data).src == "10.1.12.1"
    ]
    assert [(len(f), f.flags.value, f.frag) for f in on_link] == [(1396, 1, 0), (124, 0, 172)]
    assert lab["R2"].stats.fragmented == 1
    assert lab["R3"].stats.reassembled == 1


def test_df_set_gives_fragmentation_needed_with_the_mtu() -> None:
    lab = mtu_lab()
    seen = capture(lab)
    out = lab.run("R1", "ping 3.3.3.3 size 1500 df-bit")
    assert "Packet sent with the DF bit set\nM.M.M\n" in out
    needed = [IP(p.data) for p in seen if ICMP in IP(p.data) and IP(p.data)[ICMP].type == 3]
    assert needed[0][ICMP].code == 4 and needed[0][ICMP].nexthopmtu == 1400
    assert lab["R2"].df_unreachable_limiter.suppressed == 2
    assert lab["R2"].stats.couldnt_fragment == 5


def test_locally_originated_packet_too_big_with_df_is_m_on_the_sender() -> None:
    lab = mtu_lab()
    out = lab.run("R2", "ping 3.3.3.3 size 1401 df-bit repeat 1")
    assert "\nM\n" in out


def test_unanswered_arp_is_an_encapsulation_failure() -> None:
    lab = chain()
    out = lab.run("R1", "ping 10.1.12.9 repeat 2")
    assert "\n..\n" in out
    assert lab["R1"].stats.encapsulation_failed == 2
    assert lab["R1"].interfaces["Ethernet0/0"].counters.output_drops == 2


def test_shutdown_interface_neither_sends_nor_answers() -> None:
    lab = chain()
    lab["R2"].set_shutdown("Ethernet0/1", True)
    out = lab.run("R1", "ping 3.3.3.3")
    assert "U.U.U" in out
    lab["R1"].interfaces["Ethernet0/0"].deliver(b"\x45junk")  # a frame while up: counted, dropped
    assert lab["R1"].interfaces["Ethernet0/0"].counters.input_errors == 1


def test_interface_counters_and_ipv6_frames() -> None:
    lab = chain()
    lab.run("R1", "ping 10.1.12.2 repeat 3")
    eth = lab["R2"].interfaces["Ethernet0/0"].counters
    assert (eth.packets_in, eth.packets_out) == (3, 3)
    assert eth.bytes_in == 300
    # An IPv6 packet for someone else, on a router without `ipv6 unicast-routing`: dropped.
    lab["R2"].receive("Ethernet0/0", bytes.fromhex("60") + b"\x00" * 39)
    assert eth.input_drops == 1 and lab["R2"].stats.forwarded == 0
    lab["R2"].receive("Ethernet0/0", bytes.fromhex("50") + b"\x00" * 39)
    assert eth.unknown_protocol == 1


def test_ping_own_address_is_answered_locally() -> None:
    lab = chain()
    out = lab.run("R1", "ping 1.1.1.1 repeat 2")
    assert "Success rate is 100 percent (2/2), round-trip min/avg/max = 0/0/0 ms" in out
