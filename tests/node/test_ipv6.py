"""IPv6 in the router: forwarding with `ipv6 unicast-routing`, ICMPv6 echo and errors."""

from __future__ import annotations

from pyike.node import icmpv6
from pyike.node.ip import PROTO_ICMPV6, IPv6Packet, parse_ipv6
from tests.support.router_lab import Lab

R1 = """hostname R1
interface Loopback0
 ipv6 address 2001:db8:1::1/64
interface Ethernet0/0
 ip address 10.1.12.1 255.255.255.0
 ipv6 address 2001:db8:12::1/64
ipv6 route ::/0 2001:db8:12::2
"""
R2 = """hostname R2
ipv6 unicast-routing
interface Ethernet0/0
 ip address 10.1.12.2 255.255.255.0
 ipv6 address 2001:db8:12::2/64
interface Ethernet0/1
 ip address 10.1.23.2 255.255.255.0
 ipv6 address 2001:db8:23::2/64
 ip mtu 1400
ipv6 route 2001:db8:1::/64 2001:db8:12::1
ipv6 route 2001:db8:3::/64 2001:db8:23::3
"""
R3 = """hostname R3
interface Loopback0
 ipv6 address 2001:db8:3::3/64
interface Ethernet0/0
 ip address 10.1.23.3 255.255.255.0
 ipv6 address 2001:db8:23::3/64
ipv6 route ::/0 2001:db8:23::2
"""


def test_ping_across_a_router_with_ipv6_unicast_routing() -> None:
    lab = Lab(R1, R2, R3)
    out = lab.run("R1", "ping 2001:db8:3::3 source Loopback0")
    assert "Sending 5, 100-byte ICMP Echos to 2001:DB8:3::3, timeout is 2 seconds:" in out
    assert "Packet sent with a source address of 2001:DB8:1::1 " in out
    assert "!!!!!\nSuccess rate is 100 percent (5/5)" in out
    assert lab["R2"].stats.forwarded == 10


def test_without_unicast_routing_a_router_answers_but_does_not_forward() -> None:
    lab = Lab(R1, R2.replace("ipv6 unicast-routing\n", ""), R3)
    assert "100 percent" in lab.run("R1", "ping ipv6 2001:db8:12::2")
    assert "Success rate is 0 percent (0/5)" in lab.run("R1", "ping 2001:db8:3::3")
    assert lab["R2"].stats.forwarded == 0


def test_no_route_gives_unreachable_and_hop_limit_gives_time_exceeded() -> None:
    lab = Lab(R1, R2, R3)
    assert "UUUUU" in lab.run("R1", "ping 2001:db8:99::1")
    assert lab["R2"].stats.unreachables_sent >= 1
    seen: list[bytes] = []
    lab["R1"].listen(("echo6", 4242), lambda packet, message: seen.append(message.data))
    request = icmpv6.echo(True, 4242, 1, b"x" * 8)
    src, dst = (
        int(lab["R1"].interfaces["Loopback0"].primary6.ip),
        int(  # type: ignore[union-attr]
            lab["R3"].interfaces["Loopback0"].primary6.ip  # type: ignore[union-attr]
        ),
    )
    packet = icmpv6.packet(src, dst, request, hop_limit=1)
    lab["R1"].v6.route_out(packet, None, local=True)
    lab.clock.run_until_idle()
    assert lab["R2"].stats.ttl_expired == 1
    assert len(seen) == 1
    quoted = parse_ipv6(seen[0])
    assert quoted.dst == dst and quoted.next_header == PROTO_ICMPV6


def test_packet_too_big_instead_of_fragmenting() -> None:
    lab = Lab(R1, R2, R3)
    out = lab.run("R1", "ping 2001:db8:3::3 size 1450 repeat 2")
    assert "MM" in out and "Success rate is 0 percent (0/2)" in out
    assert lab["R2"].stats.couldnt_fragment == 2
    assert "100 percent" in lab.run("R1", "ping 2001:db8:3::3 size 1400 repeat 2")


def test_icmpv6_checksums_are_checked() -> None:
    message = icmpv6.echo(True, 1, 1, b"abc")
    good = icmpv6.packet(1, 2, message)
    assert icmpv6.parse(good).data == b"abc"
    corrupt = IPv6Packet(1, 2, PROTO_ICMPV6, good.payload[:-1] + b"d")
    try:
        icmpv6.parse(corrupt)
    except ValueError as error:
        assert "checksum" in str(error)
    else:
        raise AssertionError("a corrupt ICMPv6 message was accepted")


def test_ipv6_ping_needs_ipv6_on_the_router() -> None:
    lab = Lab(R1, R2, R3)
    ipv4_only = Lab("hostname X\ninterface Ethernet0/0\n ip address 10.9.9.9 255.255.255.0\n")
    assert "Unrecognized host" in ipv4_only.run("X", "ping 2001:db8::1")
    assert "Unrecognized host" in lab.run("R1", "ping ipv6 10.1.12.2")
