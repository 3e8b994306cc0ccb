"""Exec commands: IOS layouts (golden strings), abbreviations and IOS's error messages."""

from __future__ import annotations

import re

import pytest

from pyike.node.exec.commands import ExecShell
from tests.support.genie_parse import parse
from tests.support.router_lab import R2, Lab, chain, ipsec_seed, seed_lab

LEGEND = """\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override
"""


def test_show_ip_route_seed_router1_with_tunnel_up() -> None:
    lab, _s1, _s2 = ipsec_seed()
    lab["Router1"].set_tunnel_ipsec("Tunnel0", True)
    assert lab.run("Router1", "show ip route") == LEGEND + (
        "\n"
        "Gateway of last resort is 10.0.0.2 to network 0.0.0.0\n"
        "\n"
        "S*    0.0.0.0/0 [1/0] via 10.0.0.2\n"
        "      10.0.0.0/8 is variably subnetted, 2 subnets, 2 masks\n"
        "C        10.0.0.0/24 is directly connected, Ethernet0/0\n"
        "L        10.0.0.1/32 is directly connected, Ethernet0/0\n"
        "      172.16.0.0/16 is variably subnetted, 2 subnets, 2 masks\n"
        "C        172.16.0.0/24 is directly connected, Tunnel0\n"
        "L        172.16.0.101/32 is directly connected, Tunnel0\n"
        "      192.168.1.0/24 is variably subnetted, 2 subnets, 2 masks\n"
        "C        192.168.1.0/24 is directly connected, Loopback0\n"
        "L        192.168.1.1/32 is directly connected, Loopback0\n"
        "      192.168.2.0/32 is subnetted, 1 subnets\n"
        "S        192.168.2.1 is directly connected, Tunnel0\n"
    )


def test_show_ip_route_chain_router2_and_filters() -> None:
    lab = chain()
    assert lab.run("R2", "sh ip ro") == LEGEND + (
        "\n"
        "Gateway of last resort is not set\n"
        "\n"
        "      1.0.0.0/32 is subnetted, 1 subnets\n"
        "S        1.1.1.1 [1/0] via 10.1.12.1\n"
        "      2.0.0.0/32 is subnetted, 1 subnets\n"
        "C        2.2.2.2 is directly connected, Loopback0\n"
        "      3.0.0.0/32 is subnetted, 1 subnets\n"
        "S        3.3.3.3 [1/0] via 10.1.23.3\n"
        "      10.0.0.0/8 is variably subnetted, 4 subnets, 2 masks\n"
        "C        10.1.12.0/24 is directly connected, Ethernet0/0\n"
        "L        10.1.12.2/32 is directly connected, Ethernet0/0\n"
        "C        10.1.23.0/24 is directly connected, Ethernet0/1\n"
        "L        10.1.23.2/32 is directly connected, Ethernet0/1\n"
    )
    static = lab.run("R2", "show ip route static")
    assert "S        1.1.1.1 [1/0] via 10.1.12.1" in static and "C  " not in static
    connected = lab.run("R2", "show ip route conn")
    assert "L        10.1.23.2/32" in connected and "S  " not in connected


def test_show_ip_route_classful_network_alone_and_ecmp() -> None:
    lab = Lab(
        "hostname R\ninterface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "interface Ethernet0/1\n ip address 10.0.1.1 255.255.255.0\n"
        "ip route 192.168.5.0 255.255.255.0 10.0.0.2\n"
        "ip route 192.168.5.0 255.255.255.0 Ethernet0/1 10.0.1.2\n"
        "ip route 0.0.0.0 0.0.0.0 Ethernet0/1\n"
    )
    out = lab.run("R", "show ip route")
    assert "Gateway of last resort is 0.0.0.0 to network 0.0.0.0\n" in out
    assert "S*    0.0.0.0/0 is directly connected, Ethernet0/1\n" in out
    assert (
        "S     192.168.5.0/24 [1/0] via 10.0.0.2\n"
        "                     [1/0] via 10.0.1.2, Ethernet0/1\n"
    ) in out


def test_show_ip_route_address_shows_the_route_it_takes() -> None:
    """`show ip route ADDRESS [MASK]`: the longest match (never the default route for
    another address), or the prefix asked; read back by genie's parser."""
    lab, _s1, _s2 = ipsec_seed()
    lab["Router1"].set_tunnel_ipsec("Tunnel0", True)
    host = lab.run("Router1", "show ip route 192.168.2.1")
    assert host == (
        "Routing entry for 192.168.2.1/32\n"
        '  Known via "static", distance 1, metric 0 (connected)\n'
        "  Routing Descriptor Blocks:\n"
        "  * directly connected, via Tunnel0\n"
        "      Route metric is 0, traffic share count is 1\n"
    )
    entry = parse("show ip route 192.168.2.1", host.splitlines())["entry"]["192.168.2.1/32"]
    assert (entry["known_via"], entry["distance"], entry["metric"]) == ("static", "1", "0")
    assert (entry["paths"][1]["interface"], entry["paths"][1]["share_count"]) == (
        "Tunnel0",
        "1",
    )
    default = lab.run("Router1", "sh ip ro 0.0.0.0")
    assert default.splitlines()[:2] == [
        "Routing entry for 0.0.0.0/0, supernet",
        '  Known via "static", distance 1, metric 0, candidate default path',
    ]
    assert "  * 10.0.0.2\n" in default
    subnet = lab.run("Router1", "show ip route 10.0.0.0 255.255.255.0")
    assert '  Known via "connected", distance 0, metric 0 (connected, via interface)' in subnet
    assert lab.run("Router1", "show ip route 10.0.0.9") == subnet  # the longest match
    assert lab.run("Router1", "show ip route 8.8.8.8") == "% Network not in table\n"
    assert lab.run("Router1", "show ip route 10.0.0.0 255.255.0.0") == "% Subnet not in table\n"
    assert "% Invalid input" in lab.run("Router1", "show ip route 10.0.0.0 255.0.255.0")


def test_show_ip_cef_equal_cost_paths_loopback_and_no_default_route() -> None:
    """`show ip cef`: a line per equal-cost path under its prefix, a /32 loopback received,
    a /31 link without network or broadcast entries, `no route` for 0.0.0.0/0 while there is
    no default route; `show ip cef ADDRESS [MASK]` the entry forwarding takes; genie reads
    the table."""
    lab = Lab(
        "hostname R\ninterface Loopback0\n ip address 1.1.1.1 255.255.255.255\n"
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "interface Ethernet0/1\n ip address 10.0.1.0 255.255.255.254\n"
        "ip route 192.168.5.0 255.255.255.0 10.0.0.2\n"
        "ip route 192.168.5.0 255.255.255.0 Ethernet0/1 10.0.1.1\n"
        "ip route 172.16.0.0 255.255.0.0 192.168.5.9\n"
    )
    out = lab.run("R", "show ip cef")
    assert out.splitlines()[:3] == [
        "Prefix               Next Hop             Interface",
        "0.0.0.0/0            no route",
        "0.0.0.0/8            drop",
    ]
    assert "1.1.1.1/32           receive              Loopback0\n" in out
    assert "10.0.1.0/31          attached             Ethernet0/1\n" in out
    assert "10.0.1.1/32" not in out  # a /31 has no broadcast address
    assert (
        "192.168.5.0/24       10.0.0.2             Ethernet0/0\n"
        "                     10.0.1.1             Ethernet0/1\n"
    ) in out
    assert "172.16.0.0/16        10.0.0.2             Ethernet0/0\n" in out  # resolved
    assert lab.run("R", "show ip cef 192.168.5.77") == (
        "192.168.5.0/24\n  nexthop 10.0.0.2 Ethernet0/0\n  nexthop 10.0.1.1 Ethernet0/1\n"
    )
    assert lab.run("R", "show ip cef 8.8.8.8") == "0.0.0.0/0\n  no route\n"
    assert lab.run("R", "show ip cef 127.0.0.1") == "127.0.0.0/8\n  drop\n"
    assert lab.run("R", "show ip cef 10.0.0.0 255.255.255.0") == (
        "10.0.0.0/24\n  attached to Ethernet0/0\n"
    )
    assert lab.run("R", "show ip cef 10.0.0.0 255.255.0.0") == ""
    assert "% Invalid input" in lab.run("R", "show ip cef 10.0.0.0 255.0.255.0")
    assert lab.run("R", "show ip cef vrf BLUE") == "% IP routing table vrf BLUE does not exist\n"
    parsed = parse("show ip cef", out.splitlines())
    prefixes = parsed["vrf"]["default"]["address_family"]["ipv4"]["prefix"]
    hops = prefixes["192.168.5.0/24"]["nexthop"]
    assert set(hops) == {"10.0.0.2", "10.0.1.1"}


ARP_HEADER = "Protocol  Address          Age (min)  Hardware Addr   Type   Interface"


def test_arp_learns_the_neighbours_sent_to_and_says_incomplete_for_an_absent_one() -> None:
    """`show ip arp`: the router's own addresses, each neighbour it sent to with the MAC IOL
    gives it (device number, then port and slot) and its age in minutes, Incomplete for a
    next hop no one answers for (shown a minute after the last try); `show ip arp vrf`,
    `show arp`, one address or interface, `clear arp-cache`, and a link going down."""
    r1 = (
        "hostname R1\nvrf definition BLUE\n address-family ipv4\n"
        "interface Ethernet0/0\n ip address 10.1.12.1 255.255.255.0\n"
        "interface Ethernet0/1\n vrf forwarding BLUE\n ip address 10.9.9.1 255.255.255.0\n"
        "ip route 0.0.0.0 0.0.0.0 10.1.12.2\nip route 192.0.2.0 255.255.255.0 10.1.12.7\n"
    )
    lab = Lab(r1, R2)
    assert lab.run("R1", "show ip arp") == (
        f"{ARP_HEADER}\nInternet  10.1.12.1               -   aabb.cc00.0100  ARPA   Ethernet0/0\n"
    )
    assert "Success rate is 100 percent" in lab.run("R1", "ping 2.2.2.2")
    assert "Success rate is 0 percent" in lab.run("R1", "ping 192.0.2.1")
    lab.clock.run_for(150)
    assert lab.run("R1", "show ip arp").splitlines() == [
        ARP_HEADER,
        "Internet  10.1.12.1               -   aabb.cc00.0100  ARPA   Ethernet0/0",
        "Internet  10.1.12.2               2   aabb.cc00.0200  ARPA   Ethernet0/0",
    ]  # the incomplete 10.1.12.7 went a minute after the ping's last try
    lab.run("R1", "ping 192.0.2.1 repeat 1 timeout 0")
    assert "Internet  10.1.12.7               0   Incomplete      ARPA\n" in lab.run(
        "R1", "show ip arp"
    )
    assert lab.run("R2", "show ip arp 10.1.12.1").splitlines()[1] == (
        "Internet  10.1.12.1               2   aabb.cc00.0100  ARPA   Ethernet0/0"
    )  # R2 answered R1's pings
    assert lab.run("R2", "show ip arp Ethernet0/1") == ARP_HEADER + "\n" + (
        "Internet  10.1.23.2               -   aabb.cc00.0210  ARPA   Ethernet0/1\n"
    )
    blue = lab.run("R1", "show ip arp vrf BLUE")
    assert (
        blue
        == f"{ARP_HEADER}\nInternet  10.9.9.1                -   aabb.cc00.0110  ARPA   Ethernet0/1\n"
    )
    assert "10.9.9.1" in lab.run("R1", "show arp") and "10.9.9.1" not in lab.run("R1", "sh ip arp")
    lab.run("R1", "clear arp-cache")
    assert len(lab.run("R1", "show ip arp").splitlines()) == 2  # the header and its own
    lab.run("R1", "ping 2.2.2.2")
    lab["R2"].set_shutdown("Ethernet0/0", True)
    assert "10.1.12.1" not in lab.run("R2", "show ip arp")  # down: its entries flushed
    assert "% Invalid input" in lab.run("R1", "show ip arp 10.1.12")
    assert "% Invalid input" in lab.run("R1", "show ip arp Ethernet0/0 extra")
    assert lab.run("R1", "show ip arp vrf RED") == "% VRF RED does not exist\n"


def test_show_interfaces_description_abbreviates_and_says_admin_down() -> None:
    lab = Lab(
        "hostname R\ninterface Ethernet0/0\n description uplink to ISP\n"
        " ip address 10.0.0.1 255.255.255.0\ninterface Ethernet0/1\n shutdown\n"
    )
    assert lab.run("R", "sh int desc").splitlines() == [
        "Interface                      Status         Protocol Description",
        "Et0/0                          up             up       uplink to ISP",
        "Et0/1                          admin down     down     ",
    ]


def test_show_ip_interface_brief_seed() -> None:
    lab = seed_lab()
    assert lab.run("Router1", "sh ip int br") == (
        "Interface                  IP-Address      OK? Method Status                Protocol\n"
        "Ethernet0/0                10.0.0.1        YES NVRAM  up                    up\n"
        "Loopback0                  192.168.1.1     YES NVRAM  up                    up\n"
        "Tunnel0                    172.16.0.101    YES NVRAM  up                    down\n"
    )


def test_show_ip_interface_brief_shutdown_and_unassigned() -> None:
    lab = Lab("hostname R\ninterface Ethernet0/1\n no ip address\n shutdown\n")
    assert lab.run("R", "show ip interface brief").splitlines()[1] == (
        "Ethernet0/1                unassigned      YES unset  administratively down down"
    )


def test_show_interfaces_tunnel_without_and_with_the_ipsec_hook() -> None:
    lab = seed_lab()
    out = lab.run("Router1", "show interfaces tunnel 0")
    assert out.startswith(
        "Tunnel0 is up, line protocol is down \n"
        "  Hardware is Tunnel\n"
        "  Internet address is 172.16.0.101/24\n"
        "  MTU 17920 bytes, BW 100 Kbit/sec, DLY 50000 usec, \n"  # 17,940 less the IP header
    )
    assert "  Tunnel source 10.0.0.1 (Ethernet0/0), destination 10.0.0.2\n" in out
    assert "  Tunnel protocol/transport IPSEC/IP\n" in out
    assert (
        "  Tunnel transport MTU 1480 bytes\n"  # without IPsec, the outer header alone
        "  Tunnel transmit bandwidth 8000 (kbps)\n"
        "  Tunnel receive bandwidth 8000 (kbps)\n"
        '  Tunnel protection via IPSec (profile "phse2-prof")\n'
    ) in out
    lab2, _s1, _s2 = ipsec_seed()
    lab2["Router1"].set_tunnel_ipsec("Tunnel0", True)
    lab2["Router2"].set_tunnel_ipsec("Tunnel0", True)
    lab2.run("Router1", "ping 192.168.2.1 repeat 3")
    out = lab2.run("Router1", "sh int Tu0")
    assert out.startswith("Tunnel0 is up, line protocol is up \n")
    assert "     3 packets input, 300 bytes, 0 no buffer\n" in out
    assert "     3 packets output, 300 bytes, 0 underruns\n" in out
    assert "Last input 00:00:00, output 00:00:00" in out


def test_show_interfaces_all_and_physical() -> None:
    lab = seed_lab()
    out = lab.run("Router1", "show interfaces")
    assert out.index("Ethernet0/0 is up") < out.index("Loopback0 is up") < out.index("Tunnel0")
    assert "  Encapsulation ARPA, loopback not set\n" in out
    assert "  Encapsulation LOOPBACK, loopback not set\n" in out
    eth = lab.run("Router1", "show interfaces e0/0")
    assert "  Internet address is 10.0.0.1/24\n  MTU 1500 bytes" in eth


def test_show_running_config_is_the_writer_output() -> None:
    lab = seed_lab()
    out = lab.run("Router1", "show running-config")
    head, _, body = out.partition("bytes\n")
    assert head == f"Building configuration...\n\nCurrent configuration : {len(body)} "
    assert "hostname Router1\n" in body and "pre-shared-key local 6 *****" in body
    assert body.endswith("end\n")


def test_show_running_config_interface_is_that_block_framed_as_ios_frames_it() -> None:
    lab = seed_lab()
    block = (
        "!\ninterface Tunnel0\n ip address 172.16.0.101 255.255.255.0\n"
        " tunnel source Ethernet0/0\n tunnel mode ipsec ipv4\n tunnel destination 10.0.0.2\n"
        " tunnel protection ipsec profile phse2-prof\nend\n"
    )
    expected = f"Building configuration...\n\nCurrent configuration : {len(block)} bytes\n{block}\n"
    for line in ("show running-config interface Tunnel0", "sh run int tu0", "sh run int tunnel 0"):
        assert lab.run("Router1", line) == expected
    assert lab.run("Router1", "show running-config interface Ethernet9/9").endswith(
        "% Invalid input detected at '^' marker.\n"
    )
    assert lab.run("Router1", "show running-config interface") == "% Incomplete command.\n"
    assert lab.run("Router1", "show running-config interface Tunnel0 extra").endswith(
        "% Invalid input detected at '^' marker.\n"
    )


def test_ping_failure_output() -> None:
    lab = seed_lab()
    lab["Router2"].set_shutdown("Ethernet0/0", True)
    assert lab.run("Router1", "ping 10.0.0.2") == (
        "Type escape sequence to abort.\n"
        "Sending 5, 100-byte ICMP Echos to 10.0.0.2, timeout is 2 seconds:\n"
        ".....\n"
        "Success rate is 0 percent (0/5)\n"
    )
    assert lab.clock.now == pytest.approx(10.0)


def test_ping_long_run_wraps_at_70_and_times_come_from_virtual_time() -> None:
    lab = chain()
    for segment in lab.segments.values():
        segment.delay = 0.002
    out = lab.run("R1", "ping 3.3.3.3 repeat 100 timeout 1 size 36")
    lines = out.splitlines()
    assert lines[1] == "Sending 100, 36-byte ICMP Echos to 3.3.3.3, timeout is 1 seconds:"
    assert lines[2] == "!" * 70 and lines[3] == "!" * 30
    assert lines[4] == "Success rate is 100 percent (100/100), round-trip min/avg/max = 8/8/8 ms"


def test_partial_success_percentage_truncates() -> None:
    lab = chain()
    lab.segments["10.1.12.0/24"].faults.drop_nth(3)  # the second echo request
    out = lab.run("R1", "ping 10.1.12.2 repeat 3")
    assert "!.!\nSuccess rate is 66 percent (2/3), round-trip min/avg/max = 1/1/1 ms\n" in out


def test_traceroute_through_the_chain() -> None:
    lab = chain()
    assert lab.run("R1", "traceroute 3.3.3.3") == (
        "Type escape sequence to abort.\n"
        "Tracing the route to 3.3.3.3\n"
        "VRF info: (vrf in name/id, vrf out name/id)\n"
        "  1 10.1.12.2 1 msec 1 msec 1 msec\n"
        "  2 10.1.23.3 2 msec *  2 msec\n"
    )
    # `numeric`, which scripts add so that IOS resolves no names: the lab resolves none
    assert chain().run("R1", "traceroute 3.3.3.3 numeric") == chain().run(
        "R1", "traceroute 3.3.3.3"
    )


def test_traceroute_silent_hops_and_unreachable_hop() -> None:
    lab = chain()
    lab["R2"].set_shutdown("Ethernet0/1", True)
    out = lab.run("R1", "traceroute 3.3.3.3 ttl 1 3 timeout 1")
    assert out.splitlines()[3:] == ["  1 10.1.12.2 1 msec 1 msec 1 msec", "  2 10.1.12.2 !N *  !N"]
    lab2 = chain()
    lab2.segments["10.1.23.0/24"].faults.block(lambda p: True)
    out = lab2.run("R1", "traceroute 3.3.3.3 source Loopback0 ttl 2 3 timeout 1")
    assert out.splitlines()[3:] == ["  2  *  *  * ", "  3  *  *  * "]


def caret(column: int) -> str:
    """The caret line under column `column` of a command typed after "Router1#"."""
    return " " * (len("Router1#") + column) + "^\n"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("show ip rooute", caret(10) + "% Invalid input detected at '^' marker.\n"),
        (
            "sh ip int brief extra",
            caret(16) + "% Invalid input detected at '^' marker.\n",
        ),
        ("shw ip route", caret(2) + "% Invalid input detected at '^' marker.\n"),
        ("sh i", '% Ambiguous command:  "sh i"\n'),
        ("show ip", "% Incomplete command.\n"),
        ("ping", "% Incomplete command.\n"),
        ("ping 1.2.3.4 repeat", "% Incomplete command.\n"),
        ("ping router9", "% Unrecognized host or address, or protocol not running.\n"),
        ("ping ::1", "% Unrecognized host or address, or protocol not running.\n"),
        (
            "ping 10.0.0.2 repeat 0",
            caret(21) + "% Invalid input detected at '^' marker.\n",
        ),
        ("ping 10.0.0.2 s 100", '% Ambiguous command:  "ping 10.0.0.2 s"\n'),
        (
            "ping 10.0.0.2 source 9.9.9.9",
            "% Invalid source address- IP address not on any of our up interfaces\n",
        ),
        (
            "ping 10.0.0.2 source Ethernet9/9",
            caret(21) + "% Invalid input detected at '^' marker.\n",
        ),
        (
            "show interfaces Tunnel0 x",
            caret(24) + "% Invalid input detected at '^' marker.\n",
        ),
        ("show ip route static x", caret(21) + "% Invalid input detected at '^' marker.\n"),
        ("", ""),
        ("terminal length 0", ""),  # what scripts send first: nothing is paged anyway
        ("terminal width 513", caret(15) + "% Invalid input detected at '^' marker.\n"),
    ],
)
def test_errors_in_ios_words(command: str, expected: str) -> None:
    lab = seed_lab()
    shell = ExecShell(lab["Router1"])
    assert shell.prompt == "Router1#"
    job = shell.run(command)
    assert job.done and job.text == expected


def test_ping_source_interface_must_be_up_with_an_address() -> None:
    lab = Lab(
        "hostname R\ninterface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "interface Loopback1\n ip address 1.1.1.1 255.255.255.255\n shutdown\n"
    )
    out = lab.run("R", "ping 10.0.0.1 source loopback 1")
    assert out == "% Invalid source interface - IP not enabled or interface is down\n"


def test_ping_streams_output_for_a_live_terminal() -> None:
    lab = chain()
    shell = ExecShell(lab["R1"])
    pieces: list[str] = []
    job = shell.run("ping 2.2.2.2 repeat 2 timeout 2")
    job.on_output = pieces.append
    assert not job.done
    lab.clock.run_until_idle()
    assert job.done and pieces[0] == "!" and pieces[-1].startswith("\nSuccess rate is 100 percent")


@pytest.mark.parametrize("repeat", [65535, 65536, 2147483647])
def test_ping_repeat_up_to_ios_limit_starts_at_once(repeat: int) -> None:
    lab = chain()
    job = ExecShell(lab["R1"]).run(f"ping 2.2.2.2 repeat {repeat}")
    lab.clock.run_for(1.0)  # a few hundred echoes: nothing is prepared for the rest
    assert not job.done
    assert job.text.splitlines()[1].startswith(f"Sending {repeat}, 100-byte ICMP Echos")
    job.abort()


def test_ping_repeat_beyond_ios_limit_is_invalid_input() -> None:
    job = ExecShell(chain()["R1"]).run("ping 2.2.2.2 repeat 2147483648")
    assert job.done
    assert job.text == " " * len("R1#ping 2.2.2.2 repeat ") + "^\n" + (
        "% Invalid input detected at '^' marker.\n"
    )


def test_ping_sequence_numbers_wrap_after_65535_echoes() -> None:
    lab = chain()
    out = lab.run("R1", "ping 1.1.1.1 repeat 65537")  # its own loopback: the cheapest echo
    assert out.endswith(
        "Success rate is 100 percent (65537/65537), round-trip min/avg/max = 0/0/0 ms\n"
    )


def test_escape_sequence_stops_a_ping_with_the_summary_so_far() -> None:
    lab = chain()
    job = ExecShell(lab["R1"]).run("ping 2.2.2.2 repeat 2147483647")
    lab.clock.run_for(0.5)
    job.abort()
    assert job.done
    replies = job.text.count("!")
    assert replies > 10
    assert job.text.splitlines()[-1].startswith(
        f"Success rate is 100 percent ({replies}/{replies}), round-trip"
    )
    text = job.text
    lab.clock.run_until_idle(limit=100)  # nothing of the ping is left on the clock
    assert job.text == text


def test_escape_sequence_stops_a_traceroute_at_the_hop_being_probed() -> None:
    lab = chain()
    lab["R3"].set_shutdown("Ethernet0/0", True)  # hop 2 and beyond are silent
    job = ExecShell(lab["R1"]).run("traceroute 3.3.3.3")
    lab.clock.run_for(4.0)  # hop 1 answered, hop 2's first probe timed out
    job.abort()
    assert job.done
    assert job.text.splitlines()[-1] == "  2  * "
    lab.clock.run_until_idle(limit=100)
    assert job.text.splitlines()[-1] == "  2  * "


IP_INTERFACES = """\
hostname R1
vrf definition BLUE
 rd 1:1
 address-family ipv4
 exit-address-family
interface Loopback0
 ip address 10.9.9.9 255.255.255.255
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip address 10.0.1.1 255.255.255.0 secondary
 ip mtu 1400
interface Ethernet0/1
 vrf forwarding BLUE
 ip address 172.16.5.1 255.255.255.0
 shutdown
interface Ethernet0/2
 ip unnumbered Loopback0
interface Ethernet0/3
 no ip address
"""


def test_show_ip_interface_addresses_lender_vrf_and_state() -> None:
    lab = Lab(IP_INTERFACES)
    text = lab.run("R1", "show ip interface")
    blocks = {b.split(" is ")[0]: b for b in re.split(r"\n(?=\S)", text.rstrip("\n"))}
    assert lab.run("R1", "sh ip int e0/0").splitlines() == [
        "Ethernet0/0 is up, line protocol is up",
        "  Internet address is 10.0.0.1/24",
        "  Secondary address 10.0.1.1/24",
        "  Broadcast address is 255.255.255.255",
        "  Address determined by non-volatile memory",
        "  MTU is 1400 bytes",
    ]
    assert blocks["Ethernet0/1"].splitlines()[0] == (
        "Ethernet0/1 is administratively down, line protocol is down"
    )
    assert '  VPN Routing/Forwarding "BLUE"' in blocks["Ethernet0/1"]
    assert (
        "  Interface is unnumbered. Using address of Loopback0 (10.9.9.9)" in blocks["Ethernet0/2"]
    )
    assert blocks["Ethernet0/3"].splitlines()[1:] == ["  Internet protocol processing disabled"]
    assert blocks["Loopback0"].splitlines()[:2] == [
        "Loopback0 is up, line protocol is up",
        "  Internet address is 10.9.9.9/32",
    ]
    assert lab.run("R1", "show ip interface Ethernet0/9").endswith(
        "% Invalid input detected at '^' marker.\n"
    )
