"""Tunnels pyike names as not coming up: one whose destination is its own source address (a
hub's Tunnel1 in the FlexVPN corpus), and one with `tunnel destination dynamic` that no FlexVPN
client pyike runs aims; neither asks for an SA."""

from __future__ import annotations

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.query import not_run_by_the_gateway, wont_come_up

CONFIG = """hostname Hub
crypto ikev2 keyring KEYS
 peer ANY
  address 0.0.0.0 0.0.0.0
  pre-shared-key k3y-to-itself
crypto ikev2 profile P
 match identity remote address 0.0.0.0
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
crypto ipsec profile IPSEC
 set ikev2-profile P
interface Ethernet0/0
 ip address 3.3.3.2 255.255.255.0
interface Tunnel1
 ip address 10.9.9.1 255.255.255.0
 tunnel source Ethernet0/0
 tunnel destination 3.3.3.2
 tunnel protection ipsec profile IPSEC
"""


def test_a_tunnel_to_its_own_source_is_named_and_not_negotiated() -> None:
    config = load(CONFIG).config
    assert wont_come_up(config) == {
        "Tunnel1": "has tunnel destination 3.3.3.2, its own tunnel source: an IKE SA with "
        "itself, which pyike does not negotiate, so it will not come up"
    }
    _policy, tunnels = policy_for_config(config)
    assert tunnels == []


def test_a_dynamic_destination_needs_a_flexvpn_client_with_a_peer() -> None:
    dynamic = CONFIG.replace("tunnel destination 3.3.3.2", "tunnel destination dynamic")
    assert "no FlexVPN client connects it" in wont_come_up(load(dynamic).config)["Tunnel1"]
    client = "crypto ikev2 client flexvpn HUBS\n peer 1 10.0.0.1\n client connect Tunnel1\n"
    assert wont_come_up(load(dynamic + client).config) == {}
    # connected when told (`connect manual`), or at a name resolved when it connects
    assert wont_come_up(load(dynamic + client + " connect manual\n").config) == {}
    fqdn = client.replace("peer 1 10.0.0.1", "peer 1 fqdn hub.example.com")
    assert wont_come_up(load(dynamic + fqdn).config) == {}
    no_peer = client.replace(" peer 1 10.0.0.1\n", "")
    assert wont_come_up(load(dynamic + no_peer).config) == {
        "Tunnel1": "is connected by FlexVPN client HUBS, which has no peer ('peer N "
        "ADDRESS|fqdn NAME'), so it will not come up"
    }


def test_pyike_run_runs_flexvpn_client_tunnels() -> None:
    dynamic = CONFIG.replace("tunnel destination 3.3.3.2", "tunnel destination dynamic")
    client = "crypto ikev2 client flexvpn HUBS\n peer 1 10.0.0.1\n client connect Tunnel1\n"
    assert not_run_by_the_gateway(load(dynamic + client).config) == {}
