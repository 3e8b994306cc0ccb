"""Crypto maps on the gateway without namespaces: the policy-routing plan made of the ACLs,
and two Gateways joined in memory (traffic-triggered SAs, the entry chosen per packet, the
mirrored-ACL check on decrypted traffic)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, ip_address

import pytest

from pyike.config import load
from pyike.config.model import Config
from pyike.host.views import ipsec_interface_views
from pyike.ipsec.acl_match import Flow
from pyike.net.binding import IFNAMSIZ
from pyike.net.gateway import Gateway
from pyike.net.policy_steering import (
    BANK_SIZE,
    FIRST_CLEAR_TABLE,
    FIRST_PRIORITY,
    SteeringError,
    SteeringRule,
    map_devices,
    plan_steering,
)
from pyike.node.ip import IPv4Packet
from pyike.show.ipsec_sa import show_crypto_ipsec_sa
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "crypto-map"
SITE_A = (EXAMPLE / "site-a.cfg").read_text()
SITE_B = (EXAMPLE / "site-b.cfg").read_text()
ACL_A = " permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
CMAP10 = "crypto map CMAP 10"
WAN = "GigabitEthernet0/0"


def config(text: str, name: str = "r.cfg") -> Config:
    return load(text, name).raise_for_errors()


def with_acl(text: str, old: str, new: str) -> Config:
    assert old in text
    return config(text.replace(old, new))


def net(text: str) -> IPv4Network:
    return IPv4Network(text)


# --- the rule plan -----------------------------------------------------------------------------


def test_example_map_is_one_device_one_table_and_its_acl_as_a_rule() -> None:
    plan = plan_steering(config(SITE_A), [ip_address("198.51.100.1")], (500, 4500))
    (device,) = plan.devices
    assert (device.interface, device.map_name, device.device) == (WAN, "CMAP", "cm-GigabitEt0_0")
    permits = [r for r in plan.rules if r.action == "table"]
    assert permits == [
        SteeringRule(
            permits[0].priority,
            "table",
            table=device.table,
            src=net("192.168.10.0/24"),
            dst=net("192.168.20.0/24"),
        )
    ]
    assert plan.rules[0].priority == FIRST_PRIORITY
    assert [r.priority for r in plan.rules] == sorted(r.priority for r in plan.rules)
    assert plan.rules[-1].action == "nop"


def test_own_ike_and_esp_and_decrypted_traffic_never_enter_a_map() -> None:
    """`permit ip host A host B` between the peers themselves must not catch the daemon's
    IKE and ESP; packets coming out of the map's device skip the maps."""
    cfg = with_acl(SITE_A, ACL_A, " permit ip host 198.51.100.1 host 198.51.100.2\n")
    plan = plan_steering(cfg, [ip_address("198.51.100.1"), ip_address("2001:db8::1")], (500, 4500))
    end = plan.rules[-1].priority
    described = [r.describe() for r in plan.rules]
    assert described[:4] == [
        f"{FIRST_PRIORITY}: from 198.51.100.1 ipproto udp sport 500 goto {end}",
        f"{FIRST_PRIORITY + 1}: from 198.51.100.1 ipproto udp sport 4500 goto {end}",
        f"{FIRST_PRIORITY + 2}: from 198.51.100.1 ipproto esp goto {end}",
        f"{FIRST_PRIORITY + 3}: from all iif cm-GigabitEt0_0 goto {end}",
    ]
    # the map's own rule comes after them
    assert described[4].endswith(f"to 198.51.100.2 lookup {plan.devices[0].table}")
    # --ike-port moves the exclusions with the sockets
    moved = plan_steering(cfg, [ip_address("198.51.100.1")], (20500, 24500))
    assert "sport 20500" in moved.rules[0].describe()


def test_deny_lines_skip_to_the_next_entry_in_acl_and_sequence_order() -> None:
    text = SITE_A.replace(ACL_A, " deny ip host 192.168.10.9 any\n" + ACL_A) + (
        "crypto map CMAP 20 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set TSET\n"
        " set ikev2-profile PROF\n match address WEB\n!\n"
        "ip access-list extended WEB\n"
        " permit tcp 192.168.10.0 0.0.0.255 any eq 443\n"
    )
    plan = plan_steering(config(text), [], ())
    table = plan.devices[0].table
    body = [r for r in plan.rules if r.iif is None and r.action != "nop"]
    deny, permit10, permit20 = body
    # entry 10: the deny first, jumping to entry 20's first rule (IOS tries the next entry)
    assert deny.action == "goto" and deny.src == net("192.168.10.9/32") and deny.dst is None
    assert deny.goto == permit20.priority
    assert deny.priority < permit10.priority < permit20.priority
    assert (permit10.action, permit10.table) == ("table", table)
    assert (permit20.protocol, permit20.dport, permit20.table) == (6, (443, 443), table)
    assert permit20.describe().endswith(f"ipproto tcp dport 443 lookup {table}")


def test_reload_bank_moves_priorities_and_goto_targets_together() -> None:
    plan = plan_steering(config(SITE_A), [ip_address("198.51.100.1")], (500, 4500))
    shifted = plan.rules_in_bank(1)
    assert [r.priority - BANK_SIZE for r in shifted] == [r.priority for r in plan.rules]
    end = shifted[-1].priority
    assert all(r.goto == end for r in shifted if r.action == "goto")
    assert min(r.priority for r in shifted) > max(r.priority for r in plan.rules)
    assert plan.rules_in_bank(0) == plan.rules


def test_port_operators_become_port_ranges() -> None:
    acl = (
        " permit udp 192.168.10.0 0.0.0.255 range 1000 2000 any\n"
        " permit tcp any any neq 22\n"
        " permit tcp any gt 1023 any lt 1024\n"
    )
    plan = plan_steering(with_acl(SITE_A, ACL_A, acl), [], ())
    permits = [(r.protocol, r.sport, r.dport) for r in plan.rules if r.action == "table"]
    assert permits == [
        (17, (1000, 2000), None),
        (6, None, (0, 21)),
        (6, None, (23, 65535)),
        (6, (1024, 65535), (0, 1023)),
    ]


def test_non_contiguous_wildcard_is_refused_in_ios_words() -> None:
    cfg = with_acl(SITE_A, ACL_A, " permit ip 192.168.0.10 0.0.255.0 any\n")
    with pytest.raises(SteeringError, match=r"crypto map CMAP 10.*0\.0\.255\.0 is not contiguous"):
        plan_steering(cfg, [], ())


def test_no_crypto_map_no_rules() -> None:
    plan = plan_steering(config(SITE_A.replace(" crypto map CMAP\n", "")), [], (500,))
    assert plan.devices == () and plan.rules == ()


def test_device_names_fit_ifnamsiz_and_stay_distinct() -> None:
    text = SITE_A
    for n in range(3):
        text += f"interface GigabitEthernet0/0/{n}\n ip address 10.9.{n}.1 255.255.255.0\n"
        text += " crypto map CMAP\n!\n"
    text += "interface GigabitEthernet0/0.100\n ip address 10.8.0.1 255.255.255.0\n"
    text += " crypto map CMAP\n!\n"
    devices = map_devices(config(text))
    names = [d.device for d in devices] + [d.clear_device for d in devices]
    assert len(names) == 10 and len(set(names)) == 10
    assert all(len(n) <= IFNAMSIZ for n in names)
    assert len({d.table for d in devices} | {d.clear_table for d in devices}) == 10
    assert devices[0].clear_device == "ci-GigabitEt0_0"


# --- clear traffic that should have come inside ESP --------------------------------------------

HOSTS = {WAN: "eth0"}
ME = ip_address("198.51.100.1")


def test_clear_traffic_mirroring_a_permit_line_goes_to_the_clear_device_first() -> None:
    """IOS drops clear packets arriving on the map's interface that mirror a permit line: the
    mirrored ACL, limited to the host device, leads to the map's clear table, before the
    outbound rules (a packet dropped as clear must not be protected instead)."""
    plan = plan_steering(config(SITE_A), [ME], (500, 4500), HOSTS)
    (device,) = plan.devices
    assert device.clear_table == FIRST_CLEAR_TABLE != device.table
    inbound = [r for r in plan.rules if r.action == "table" and r.table == device.clear_table]
    outbound = [r for r in plan.rules if r.action == "table" and r.table == device.table]
    assert [r.describe().split(": ", 1)[1] for r in inbound] == [
        f"from 192.168.20.0/24 to 192.168.10.0/24 iif eth0 lookup {device.clear_table}"
    ]
    assert inbound[0].priority < outbound[0].priority
    assert outbound[0].iif is None  # what the LAN sends, from wherever, is still protected


def test_clear_rules_mirror_protocol_and_ports_and_deny_lines() -> None:
    acl = (
        " deny ip host 192.168.10.9 any\n"
        " permit tcp 192.168.10.0 0.0.0.255 eq 80 192.168.20.0 0.0.0.255 range 1000 2000\n"
    )
    plan = plan_steering(with_acl(SITE_A, ACL_A, acl), [], (), HOSTS)
    clear = plan.devices[0].clear_table
    arriving = [r for r in plan.rules if r.iif == "eth0"]
    deny, permit = arriving
    assert (deny.src, deny.dst, deny.action) == (None, net("192.168.10.9/32"), "goto")
    assert deny.goto is not None and deny.goto > permit.priority  # past this entry
    assert (permit.src, permit.dst, permit.protocol) == (
        net("192.168.20.0/24"),
        net("192.168.10.0/24"),
        6,
    )
    assert (permit.sport, permit.dport, permit.table) == ((1000, 2000), (80, 80), clear)


def test_peers_ike_and_esp_to_the_gateway_are_never_clear_traffic_to_drop() -> None:
    """`permit ip host A host B` between the peers: the mirror would catch B's IKE and ESP
    to A, so they are excluded first (UDP 500, 4500 and the --ike-port ports)."""
    cfg = with_acl(SITE_A, ACL_A, " permit ip host 198.51.100.1 host 198.51.100.2\n")
    plan = plan_steering(cfg, [ME], (20500, 24500), HOSTS)
    end = plan.rules[-1].priority
    described = [r.describe().split(": ", 1)[1] for r in plan.rules]
    excluded = [
        f"from all to 198.51.100.1 iif eth0 ipproto udp dport {port} goto {end}"
        for port in (500, 4500, 20500, 24500)
    ] + [f"from all to 198.51.100.1 iif eth0 ipproto esp goto {end}"]
    drop = f"from 198.51.100.2 to 198.51.100.1 iif eth0 lookup {plan.devices[0].clear_table}"
    assert all(rule in described for rule in excluded)
    assert max(described.index(rule) for rule in excluded) < described.index(drop)


def test_unbound_interface_gets_no_clear_rules() -> None:
    plan = plan_steering(config(SITE_A), [ME], (500, 4500), {})
    assert all(r.iif is None or r.iif.startswith("cm-") for r in plan.rules)
    assert plan.rules == plan_steering(config(SITE_A), [ME], (500, 4500)).rules


# --- two gateways in memory --------------------------------------------------------------------


def icmp(src: str, dst: str) -> bytes:
    payload = b"\x08\x00\x00\x00\x00\x01\x00\x01" + b"x" * 32
    return IPv4Packet(int(IPv4Address(src)), int(IPv4Address(dst)), 1, payload).to_bytes()


def test_crypto_map_sa_waits_for_traffic_and_the_first_packet_is_dropped() -> None:
    pair = GatewayPair(config(SITE_A), config(SITE_B))
    pair.a.start_all()
    assert pair.wires["a"].ike_sent == 0  # not brought up at start
    pair.a.crypto_map_packets(WAN, [icmp("192.168.10.1", "192.168.20.1")])
    assert pair.wires["a"].ike_sent == 1  # IKE_SA_INIT, and the packet dropped meanwhile
    pair.pump()
    assert pair.delivered["b"] == []
    assert pair.a.sad.tunnel(CMAP10).current is not None
    assert pair.b.sad.tunnel(CMAP10).current is not None
    packet = icmp("192.168.10.1", "192.168.20.1")
    pair.a.crypto_map_packets(WAN, [packet])
    pair.pump()
    assert pair.delivered["b"] == [(WAN, packet)]
    reply = icmp("192.168.20.1", "192.168.10.1")
    pair.b.crypto_map_packets(WAN, [reply])
    pair.pump()
    assert pair.delivered["a"] == [(WAN, reply)]
    assert pair.wires["a"].tunnel_writes == [] and pair.wires["b"].tunnel_writes == []


def test_packet_no_entry_permits_is_dropped_and_counted() -> None:
    pair = GatewayPair(config(SITE_A), config(SITE_B))
    pair.a.crypto_map_packets(WAN, [icmp("172.31.10.1", "192.168.20.1"), b"\x45\x00"])
    assert pair.a.map_stats.unmatched == 2
    assert pair.wires["a"].ike_sent == 0 and not pair.queue


def test_decrypted_traffic_outside_the_mirrored_acl_is_dropped() -> None:
    """Site B's ACL is wider than A's mirror: what B sends to 172.31.10.1 through the SA
    decrypts at A but is not A's to deliver."""
    wide_b = with_acl(
        SITE_B,
        " permit ip 192.168.20.0 0.0.0.255 192.168.10.0 0.0.0.255\n",
        " permit ip 192.168.20.0 0.0.0.255 any\n",
    )
    pair = GatewayPair(config(SITE_A), wide_b)
    pair.a.crypto_map_packets(WAN, [icmp("192.168.10.1", "192.168.20.1")])
    pair.pump()
    pair.b.crypto_map_packets(
        WAN, [icmp("192.168.20.1", "172.31.10.1"), icmp("192.168.20.1", "192.168.10.7")]
    )
    pair.pump()
    assert [Flow.of(p) for _, p in pair.delivered["a"]] == [
        Flow(int(IPv4Address("192.168.20.1")), int(IPv4Address("192.168.10.7")), 1)
    ]
    assert pair.a.map_stats.dropped_selectors == 1


def test_lost_crypto_map_sa_is_not_recreated_until_traffic() -> None:
    pair = GatewayPair(config(SITE_A), config(SITE_B))
    pair.a.crypto_map_packets(WAN, [icmp("192.168.10.1", "192.168.20.1")])
    pair.pump()
    pair.a.clear_ipsec()
    pair.pump()
    assert pair.a.sad.tunnel(CMAP10).current is None
    sent = pair.wires["a"].ike_sent + pair.wires["b"].ike_sent
    for callback in list(pair.timers):  # whatever either side scheduled
        callback()
    pair.pump()
    assert pair.wires["a"].ike_sent + pair.wires["b"].ike_sent == sent
    assert pair.a.sad.tunnel(CMAP10).current is None
    pair.a.crypto_map_packets(WAN, [icmp("192.168.10.1", "192.168.20.1")])
    pair.pump()
    assert pair.a.sad.tunnel(CMAP10).current is not None


LINE2_A = ACL_A + " permit ip 172.31.10.0 0.0.0.255 172.31.20.0 0.0.0.255\n"
ACL_B = " permit ip 192.168.20.0 0.0.0.255 192.168.10.0 0.0.0.255\n"
LINE2_B = ACL_B + " permit ip 172.31.20.0 0.0.0.255 172.31.10.0 0.0.0.255\n"
CMAP10_LINE2 = "crypto map CMAP 10 line 2"


def test_each_acl_line_negotiates_and_carries_its_own_sa_pair() -> None:
    pair = GatewayPair(with_acl(SITE_A, ACL_A, LINE2_A), with_acl(SITE_B, ACL_B, LINE2_B))
    lan, lab = icmp("192.168.10.1", "192.168.20.1"), icmp("172.31.10.1", "172.31.20.1")
    pair.a.crypto_map_packets(WAN, [lan, lab])  # IKE_SA_INIT for line 1 (both dropped)
    pair.pump()
    pair.a.crypto_map_packets(WAN, [lab])  # line 2 asks for its own Child SA (dropped)
    pair.pump()
    for _ in range(3):
        pair.a.crypto_map_packets(WAN, [lan, lab, lab])
        pair.b.crypto_map_packets(WAN, [icmp("172.31.20.1", "172.31.10.1")])
        pair.pump()
    assert len(pair.a.engine.ike_sas) == 1
    for gateway in (pair.a, pair.b):
        first = gateway.sad.tunnel(CMAP10).current
        second = gateway.sad.tunnel(CMAP10_LINE2).current
        assert first is not None and second is not None and first is not second
    first, second = pair.a.sad.tunnel(CMAP10).current, pair.a.sad.tunnel(CMAP10_LINE2).current
    assert first is not None and second is not None
    assert str(second.info.remote_ts[0].start) == "172.31.20.0"
    assert (first.outbound.counters.packets, first.inbound.counters.packets) == (3, 0)
    assert (second.outbound.counters.packets, second.inbound.counters.packets) == (6, 3)
    assert len(pair.delivered["b"]) == 9 and len(pair.delivered["a"]) == 3
    assert pair.b.map_stats.dropped_selectors == 0


def test_decrypted_traffic_must_mirror_the_line_of_its_own_sa() -> None:
    """Site B protects everything with one SA; A accepts it for its first line only, so
    traffic of A's second line arriving through it is dropped, not delivered."""
    pair = GatewayPair(
        with_acl(SITE_A, ACL_A, LINE2_A), with_acl(SITE_B, ACL_B, " permit ip any any\n")
    )
    pair.b.crypto_map_packets(WAN, [icmp("192.168.20.1", "192.168.10.1")])
    pair.pump()
    child = pair.a.sad.tunnel(CMAP10).current
    assert child is not None and pair.a.sad.tunnel(CMAP10_LINE2).current is None
    pair.b.crypto_map_packets(
        WAN, [icmp("172.31.20.1", "172.31.10.1"), icmp("192.168.20.1", "192.168.10.7")]
    )
    pair.pump()
    assert [Flow.of(p) for _, p in pair.delivered["a"]] == [
        Flow(int(IPv4Address("192.168.20.1")), int(IPv4Address("192.168.10.7")), 1)
    ]
    assert pair.a.map_stats.dropped_selectors == 1


def test_show_crypto_ipsec_sa_lists_one_flow_per_acl_line() -> None:
    pair = GatewayPair(with_acl(SITE_A, ACL_A, LINE2_A), with_acl(SITE_B, ACL_B, LINE2_B))
    pair.a.crypto_map_packets(WAN, [icmp("172.31.10.1", "172.31.20.1")])
    pair.pump()
    views = ipsec_interface_views(pair.a)
    assert [(v.crypto_map_tag, len(v.flows)) for v in views] == [("CMAP", 2)]
    idents = {str(f.local_ident.network): len(f.inbound) for f in views[0].flows}
    assert idents == {"192.168.10.0/24": 0, "172.31.10.0/24": 1}  # only line 2 has had traffic


def test_clear_traffic_that_should_be_esp_is_dropped_counted_and_logged_rate_limited() -> None:
    pair = GatewayPair(config(SITE_A), config(SITE_B))
    logged: list[str] = []
    now = [100.0]
    pair.a.log, pair.a.clock = logged.append, lambda: now[0]
    spoofed = icmp("192.168.20.7", "192.168.10.5")
    pair.a.crypto_map_clear_packets(WAN, [spoofed, spoofed, b"\x60" + bytes(39)])
    assert pair.delivered["a"] == [] and not pair.queue
    assert pair.a.map_stats.dropped_clear == 2  # the IPv6 chatter is not counted
    assert logged == [
        "%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSec packet. "
        "(ip) vrf/dest_addr= /192.168.10.5, src_addr= 192.168.20.7, prot= 1"
    ]
    now[0] += 0.1
    pair.a.crypto_map_clear_packets(WAN, [spoofed])
    assert len(logged) == 1  # one message per interval, as the lab
    now[0] += 1
    pair.a.crypto_map_clear_packets(WAN, [spoofed])
    assert len(logged) == 2 and pair.a.map_stats.dropped_clear == 4


def _detail(gateway: Gateway) -> str:
    return "\n".join(show_crypto_ipsec_sa(ipsec_interface_views(gateway), detail=True))


def test_show_crypto_ipsec_sa_counts_no_sa_per_packet_and_invalid_identity_per_sa() -> None:
    pair = GatewayPair(
        with_acl(SITE_A, ACL_A, LINE2_A), with_acl(SITE_B, ACL_B, " permit ip any any\n")
    )
    # three packets of line 1 while it has no SA: IOS counts each
    pair.a.crypto_map_packets(WAN, [icmp("192.168.10.1", "192.168.20.1")] * 3)
    pair.pump()
    shown = _detail(pair.a)
    assert "#pkts no sa (send) 3, #pkts invalid sa (rcv) 0" in shown
    # B's wider SA carries traffic of A's second line: not the SA's identity
    pair.b.crypto_map_packets(WAN, [icmp("172.31.20.1", "172.31.10.1")] * 2)
    pair.pump()
    flows = _detail(pair.a).split("protected vrf")[1:]
    line1 = next(f for f in flows if "(192.168.10.0/255.255.255.0/0/0)" in f)
    line2 = next(f for f in flows if "(172.31.10.0/255.255.255.0/0/0)" in f)
    assert "#pkts invalid identity (recv) 2," in line1
    assert "#pkts invalid identity (recv) 0," in line2
    brief = "\n".join(show_crypto_ipsec_sa(ipsec_interface_views(pair.a)))
    assert "#send errors 3, #recv errors 2" in brief
