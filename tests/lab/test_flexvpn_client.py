"""The FlexVPN client (issue 16): a spoke with two hubs (examples/flexvpn-client-failover)
connects to the first, moves to the second within IOS's DPD timing when the first is cut off,
and goes back to the first (`peer reactivate`) once its track object says it answers again;
`show crypto ikev2 client flexvpn` says where it is."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config.flexvpn_model import FlexClient, FlexClientPeer
from pyike.host.flexvpn_client import ClientTunnel
from pyike.lab.lab import Lab
from pyike.lab.topology_run import build_lab, schedule_links
from pyike.topology import TopologyError, load_topology
from pyike.topology.model import LinkEvent
from tests.support.flexvpn_client import EXAMPLE, HUB1, HUB2, connected_to, spoke, until

CUT, BACK = 40.0, 150.0  # when Hub1 is cut off and comes back (the example's directives)
DPD_INTERVAL, DPD_RETRY, DPD_RETRIES = 10, 2, 5  # the spoke's `dpd 10 2 periodic`


def _lab(reactivate: bool = True) -> Lab:
    topology = load_topology([EXAMPLE])
    if not reactivate:
        config = next(c for c in topology.configs if c.hostname == "Spoke")
        config.flexvpn.clients["HUBS"] = replace(config.flexvpn.clients["HUBS"], reactivate=False)
    assert [(e.host, e.up, e.at) for e in topology.links] == [
        ("Hub1", False, CUT),
        ("Hub1", True, BACK),
    ]
    lab, _nats = build_lab(topology, policy_for_config)
    schedule_links(lab, topology.links)
    lab.bring_up_tunnels()
    return lab


_spoke, _connected_to, _until = spoke, connected_to, until


def test_the_client_connects_to_its_first_peer_and_shows_it() -> None:
    lab = _lab()
    assert _until(lab, HUB1, 1.0, CUT) < 10.0
    shown = lab.exec("Spoke", "show crypto ikev2 client flexvpn")
    assert shown.splitlines()[:9] == [
        "",
        "  Profile : HUBS",
        "  Current state:ACTIVE",
        "  Peer : 10.0.0.1",
        "  Source : Ethernet0/0",
        "  ivrf : IP DEFAULT",
        "  fvrf : IP DEFAULT",
        "  Backup group: None",
        "  Tunnel interface : Tunnel0",
    ]
    assert "Success rate is 100 percent" in lab.exec("Spoke", "ping 10.100.1.1 source Loopback1")
    assert "Peer : 10.0.0.1" in lab.exec("Spoke", "show crypto ikev2 client flexvpn Tunnel0")


def test_dpd_declaring_the_hub_dead_moves_the_client_to_the_next_peer() -> None:
    lab = _lab()
    _until(lab, HUB1, 1.0, CUT)
    moved = _until(lab, HUB2, CUT, BACK)
    # dead once a DPD (at most `interval` after the hub went quiet) and its retransmissions
    # (`retry` apart) go unanswered; the track (down only after 60 s) has no part in it
    assert CUT + DPD_RETRY * DPD_RETRIES < moved <= CUT + DPD_INTERVAL + DPD_RETRY * 6 + 1
    assert _spoke(lab).tracking.is_up(1)
    assert "Success rate is 100 percent" in lab.exec("Spoke", "ping 10.100.2.1 source Loopback1")
    route = lab.exec("Spoke", "show ip route | include 10.100.0.0")
    assert "S        10.100.0.0/16 is directly connected, Tunnel0" in route
    assert "Peer : 10.0.0.2" in lab.exec("Spoke", "show crypto ikev2 client flexvpn")


def test_peer_reactivate_returns_to_the_first_peer_when_its_track_comes_up() -> None:
    lab = _lab()
    _until(lab, HUB2, CUT, BACK)
    lab.run_until(BACK - 1)
    assert not _spoke(lab).tracking.is_up(1)  # down since a minute after Hub1 went quiet
    back = _until(lab, HUB1, BACK - 1, BACK + 30)
    assert back <= BACK + 5 + 1  # the next probe (every 5 s) brings the track up, no delay
    assert "Success rate is 100 percent" in lab.exec("Spoke", "ping 10.100.1.1 source Loopback1")
    hub2 = lab.router("Hub2").router
    assert not [n for n in hub2.interfaces if n.startswith("Virtual-Access")]  # left Hub2


def test_without_peer_reactivate_the_client_stays_with_the_backup() -> None:
    lab = _lab(reactivate=False)
    _until(lab, HUB2, CUT, BACK)
    lab.run_until(BACK + 30)
    assert _spoke(lab).tracking.is_up(1)
    assert _connected_to(lab) == HUB2


def test_down_and_up_directives_are_checked_when_read(tmp_path: Path) -> None:
    config = (EXAMPLE / "hub1.cfg").read_text()
    for directive, error in [
        ("down Hub1 Ethernet9/9 @5s", "Hub1 has no interface Ethernet9/9"),
        ("down Hub9 @5s", "no router named Hub9"),
        ("up Hub1 Ethernet0/0", "% usage: up HOST [INTERFACE] @TIME"),
        ("down Hub1 Nowhere0 @5s", "% Invalid interface Nowhere0"),
    ]:
        (tmp_path / "hub1.cfg").write_text(config)
        (tmp_path / "links.lab").write_text(directive + "\n")
        with pytest.raises(TopologyError, match=re.escape(error)):
            load_topology([tmp_path])
    (tmp_path / "links.lab").write_text("down Hub1 e0/0 @5s\nup Hub1 @1m\n")
    assert load_topology([tmp_path]).links == [
        LinkEvent("Hub1", "Ethernet0/0", False, 5.0, f"{tmp_path / 'links.lab'}:1"),
        LinkEvent("Hub1", None, True, 60.0, f"{tmp_path / 'links.lab'}:2"),
    ]


def _client(*peers: FlexClientPeer, reactivate: bool = False) -> ClientTunnel:
    return ClientTunnel(FlexClient("C", peers, ("Tunnel0",), reactivate=reactivate), "Tunnel0")


def test_peer_selection_order_wraps_and_skips_peers_that_are_not_possible() -> None:
    one = FlexClientPeer(1, HUB1, track=1)
    two = FlexClientPeer(2, HUB2)
    three = FlexClientPeer(3, None, "hub3.example")  # resolved when connected to
    client = _client(one, two, three)
    assert client.first(lambda p: True) == one
    assert client.first(lambda p: p.track is None) == two
    assert client.after(three, lambda p: True) == one  # wraps
    assert client.after(two, lambda p: p.track is None) == three
    assert client.after(one, lambda p: True) == two
    # a name that does not resolve is passed over for the next peer that has an address
    assert client.reachable(three, lambda p: True, lambda p: None) == ((one, HUB1), [three])
    unresolved = client.reachable(three, lambda p: p.track is None, lambda p: None)
    assert unresolved == ((two, HUB2), [three])
    assert client.reachable(three, lambda p: p == three, lambda p: None) == (None, [three])
    client.active = two
    assert client.better(lambda p: True) is None  # no `peer reactivate`
    reactivating = _client(one, two, reactivate=True)
    reactivating.active = two
    assert reactivating.better(lambda p: True) == one
    assert reactivating.better(lambda p: p.track is None) is None
