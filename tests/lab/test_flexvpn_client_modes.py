"""The FlexVPN client's FQDN peers and connection modes (issue 16), on the failover example's
two hubs: `peer N fqdn NAME [dynamic]` resolved at connect time (`ip host`, then the lab's
own router names), a name that does not resolve passed over for the next peer; `connect
manual` (`crypto ikev2 client flexvpn connect NAME`, `clear crypto ikev2 client flexvpn
NAME`) and `connect track N [up|down]`; `show crypto ikev2 client flexvpn` in each state."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from pyike.config.flexvpn_model import FlexClient, FlexClientPeer
from pyike.host.flexvpn_client import ClientTunnel, ip_host
from tests.support.flexvpn_client import (
    HUB1,
    HUB2,
    connected_to,
    lab_of,
    show_client,
    until,
    variant,
)

UNRESOLVED = (
    "FlexVPN(HUBS): peer 1 fqdn hub1.example.com: "
    "% Unrecognized host or address, or protocol not running."
)


def _client(*lines: str) -> str:
    body = "".join(f" {line}\n" for line in lines)
    return f"crypto ikev2 client flexvpn HUBS\n{body} client connect Tunnel0\n"


def test_a_name_that_does_not_resolve_is_passed_over_for_the_next_peer(tmp_path: Path) -> None:
    # hub1.example.com is in no `ip host` line and is no router's name; Hub2 is the lab's
    lab = lab_of(variant(tmp_path, _client("peer 1 fqdn hub1.example.com", "peer 2 fqdn Hub2")))
    assert until(lab, HUB2, 1.0, 30.0) < 10.0
    assert any(line.endswith(UNRESOLVED) for line in lab.router("Spoke").console)
    assert show_client(lab)["Peer"] == "10.0.0.2"
    assert show_client(lab)["Current state"] == "ACTIVE"


def test_ip_host_resolves_a_peers_name(tmp_path: Path) -> None:
    client = _client("peer 1 fqdn hub1.example.com", "peer 2 10.0.0.2")
    lab = lab_of(variant(tmp_path, client, extra="ip host hub1.example.com 10.0.0.1\n"))
    assert until(lab, HUB1, 1.0, 30.0) < 10.0
    assert show_client(lab)["Peer"] == "10.0.0.1"
    assert not any(line.endswith(UNRESOLVED) for line in lab.router("Spoke").console)
    ping = lab.exec("Spoke", "ping 10.100.1.1 source Loopback1")
    assert "Success rate is 100 percent" in ping


def test_a_name_is_resolved_once_unless_dynamic() -> None:
    once = FlexClientPeer(1, None, "hub.example")
    dynamic = FlexClientPeer(2, None, "hub.example", dynamic=True)
    tunnel = ClientTunnel(FlexClient("HUBS", (once, dynamic), ("Tunnel0",)), "Tunnel0")
    answers = iter([HUB1, HUB1, HUB2, None])

    def resolve(peer: FlexClientPeer) -> IPv4Address | None:
        return next(answers)

    assert tunnel.address_of(once, resolve) == HUB1
    assert tunnel.address_of(dynamic, resolve) == HUB1
    assert tunnel.address_of(once, resolve) == HUB1  # kept: not asked again
    assert tunnel.address_of(dynamic, resolve) == HUB2  # asked at every connection
    assert tunnel.address_of(dynamic, resolve) is None


def test_connect_manual_waits_for_the_exec_command_and_clear_disconnects(
    tmp_path: Path,
) -> None:
    lab = lab_of(variant(tmp_path, _client("peer 1 10.0.0.1", "peer 2 10.0.0.2", "connect manual")))
    lab.run_until(30.0)
    assert connected_to(lab) is None
    assert show_client(lab)["Current state"] == "INACTIVE"
    assert show_client(lab)["Peer"] == "None"
    assert lab.exec("Spoke", "crypto ikev2 client flexvpn connect HUBS") == ""
    assert until(lab, HUB1, 30.0, 60.0) < 40.0
    assert show_client(lab)["Current state"] == "ACTIVE"
    assert show_client(lab)["Peer"] == "10.0.0.1"
    lab.exec("Spoke", "clear crypto ikev2 client flexvpn HUBS")
    lab.run_for(30.0)
    assert connected_to(lab) is None
    assert (show_client(lab)["Current state"], show_client(lab)["Peer"]) == ("INACTIVE", "None")
    hub1 = lab.router("Hub1").router
    assert not [n for n in hub1.interfaces if n.startswith("Virtual-Access")]


def test_the_exec_commands_name_an_unknown_client_at_the_marker(tmp_path: Path) -> None:
    lab = lab_of(variant(tmp_path, _client("peer 1 10.0.0.1", "connect manual")))
    shown = lab.exec("Spoke", "crypto ikev2 client flexvpn connect NOPE")
    assert "% Invalid input detected at '^' marker." in shown
    assert "% Incomplete command." in lab.exec("Spoke", "clear crypto ikev2 client flexvpn")


def test_an_auto_client_cleared_connects_again(tmp_path: Path) -> None:
    lab = lab_of(variant(tmp_path, _client("peer 1 10.0.0.1", "peer 2 10.0.0.2")))
    until(lab, HUB1, 1.0, 30.0)
    lab.exec("Spoke", "clear crypto ikev2 client flexvpn HUBS")
    assert until(lab, HUB1, lab.clock.now + 0.5, lab.clock.now + 20.0)


def test_connect_track_follows_the_track_object(tmp_path: Path) -> None:
    # track 1 follows pings to Hub1 (every 5 s, down a minute after they stop): connected
    # while it is up, disconnected when it goes down, connected again when it comes back
    client = _client("peer 1 10.0.0.1", "peer 2 10.0.0.2", "connect track 1")
    lab = lab_of(variant(tmp_path, client, "down Hub1 @40s\nup Hub1 @150s\n"))
    assert show_client(lab)["Current state"] == "INACTIVE"  # track 1 starts Down
    assert show_client(lab)["Peer"] == "None"
    assert until(lab, HUB1, 0.0, 30.0) < 6.0  # connected once the first probe brings it up
    # Hub1 cut off: DPD moves the client to Hub2; the track goes down at 100 s: disconnected
    assert until(lab, HUB2, 40.0, 100.0) < 100.0
    gone = until(lab, None, 99.0, 150.0)
    # the first probe sent after the cut fails (within 5 s, its timeout 5 s), then 60 s
    assert 40.0 + 60 <= gone <= 40.0 + 60 + 5 + 5 + 1
    assert (show_client(lab)["Current state"], show_client(lab)["Peer"]) == ("INACTIVE", "None")
    assert until(lab, HUB1, 150.0, 180.0) <= 150.0 + 5 + 10


def test_connect_track_down_is_a_backup_while_the_track_is_down(tmp_path: Path) -> None:
    # the client connects only while track 1 (pings to Hub1) is down, and then to Hub2:
    # peer 1 is possible only while track 1 is up
    client = _client("peer 1 10.0.0.1 track 1", "peer 2 10.0.0.2", "connect track 1 down")
    lab = lab_of(variant(tmp_path, client, "down Hub1 @40s\nup Hub1 @150s\n"))
    until(lab, None, 10.0, 11.0)  # the first probe brought the track up: not connected
    lab.run_until(95.0)
    assert connected_to(lab) is None
    assert until(lab, HUB2, 95.0, 130.0) < 110.0  # track down at 100 s
    assert until(lab, None, 150.0, 170.0) <= 150.0 + 5 + 2


def test_ip_host_names_match_case_aside_and_by_family() -> None:
    hosts = {"Hub1.Example.com": (HUB1, IPv6Address("2001:db8::1"))}
    assert ip_host(hosts, "hub1.example.com", ipv6=False) == HUB1
    assert ip_host(hosts, "HUB1.example.com.", ipv6=True) == IPv6Address("2001:db8::1")
    assert ip_host({"v4only": (HUB2,)}, "v4only", ipv6=True) is None
    assert ip_host(hosts, "hub2.example.com", ipv6=False) is None
