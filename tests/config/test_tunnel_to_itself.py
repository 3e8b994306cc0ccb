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


def test_a_dynamic_destination_needs_a_flexvpn_client_that_pyike_runs() -> None:
    dynamic = CONFIG.replace("tunnel destination 3.3.3.2", "tunnel destination dynamic")
    assert "no FlexVPN client connects it" in wont_come_up(load(dynamic).config)["Tunnel1"]
    client = "crypto ikev2 client flexvpn HUBS\n peer 1 10.0.0.1\n client connect Tunnel1\n"
    assert wont_come_up(load(dynamic + client).config) == {}
    manual = client + " connect manual\n"
    assert wont_come_up(load(dynamic + manual).config) == {
        "Tunnel1": "is connected by FlexVPN client HUBS with 'connect manual', which pyike does "
        "not run, so it will not come up"
    }
    fqdn = client.replace("peer 1 10.0.0.1", "peer 1 fqdn hub.example.com")
    assert "no peer pyike can reach" in wont_come_up(load(dynamic + fqdn).config)["Tunnel1"]


def test_pyike_run_names_a_flexvpn_client_tunnel_it_does_not_run() -> None:
    dynamic = CONFIG.replace("tunnel destination 3.3.3.2", "tunnel destination dynamic")
    client = "crypto ikev2 client flexvpn HUBS\n peer 1 10.0.0.1\n client connect Tunnel1\n"
    assert (
        "does not run FlexVPN clients"
        in not_run_by_the_gateway(load(dynamic + client).config)["Tunnel1"]
    )
