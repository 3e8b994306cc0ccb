"""FlexVPN configuration (issue 16): AAA method lists, attribute lists, IKEv2 authorization
policies, `ip local pool`, FlexVPN clients, the IKEv2 profile's FlexVPN lines and standard
ACLs are read into the model and printed back as `show running-config` prints them."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

from pyike.config import load
from pyike.config.flexvpn_model import IKEV2_ROUTE_DISTANCE, RouteAccept
from pyike.config.writer import render

HUB = """\
hostname Hub
aaa new-model
aaa authentication login CONSOLE local
aaa authorization network FLEX local
aaa authorization exec default local
aaa attribute list spoke1
 attribute type ipsec:ikev2-password-local Local-Key-1
 attribute type ipsec:ikev2-password-remote Remote-Key-1
crypto ikev2 authorization policy POL
 pool SPOKES
 dns 10.0.0.53 10.0.0.54
 netmask 255.255.255.0
 def-domain example.com
 route set interface
 route set interface Loopback0
 route set access-list ROUTES
 route set remote ipv4 10.9.0.0 255.255.0.0
 route accept any tag 100 distance 5
 banner hello
ip local pool SPOKES 172.16.0.10 172.16.0.20
crypto ikev2 profile P
 match identity remote any
 authentication local pre-share key abc
 authentication remote pre-share key abc
 aaa authorization group override psk list FLEX POL
 aaa authorization user psk cached
 keyring aaa FLEX
 virtual-template 1 mode auto
 no config-exchange set send
crypto ikev2 client flexvpn CLIENT
 peer 1 10.0.0.1
 peer 2 fqdn hub2.example.com
 client connect Tunnel1
 connect manual
 peer reactivate
crypto ipsec profile IPS
 set ikev2-profile P
interface Loopback0
 ip address 172.16.1.254 255.255.255.255
interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 tunnel protection ipsec profile IPS
ip access-list standard ROUTES
 permit any
 permit 209.123.3.0 0.0.0.255
 deny 10.1.1.1
access-list 10 permit 10.0.0.0 0.255.255.255
"""


def test_every_flexvpn_command_is_modelled() -> None:
    result = load(HUB)
    assert result.errors == ()
    flex = result.config.flexvpn
    assert flex.aaa_new_model
    assert flex.authorization_network["FLEX"].local
    assert flex.authentication_login["CONSOLE"].methods == ("local",)
    assert "default" not in flex.authorization_network  # `exec` lists are kept, not modelled
    policy = flex.authorization_policies["POL"]
    assert policy.pool == "SPOKES" and policy.def_domain == "example.com"
    assert policy.dns == (IPv4Address("10.0.0.53"), IPv4Address("10.0.0.54"))
    assert policy.route_set_interfaces == ("", "Loopback0")
    assert policy.route_set_remote == (IPv4Network("10.9.0.0/16"),)
    assert policy.route_accept == RouteAccept(100, 5)
    assert policy.extra == ("banner hello",)
    assert len(flex.pools["SPOKES"]) == 11
    keys = flex.attribute_lists["spoke1"]
    assert keys.password_local is not None and keys.password_local.reveal() == "Local-Key-1"
    profile = result.config.profiles["P"].flex
    assert profile.virtual_template == 1 and profile.virtual_template_auto
    group = profile.group_for("psk")
    assert group is not None and (group.method_list, group.policy, group.override) == (
        "FLEX",
        "POL",
        True,
    )
    assert profile.keyring_aaa == "FLEX"
    assert not profile.config_exchange.set_send and profile.config_exchange.request
    client = flex.clients["CLIENT"]
    assert [p.priority for p in client.peers] == [1, 2] and client.tunnels == ("Tunnel1",)
    assert client.connect == "manual" and client.reactivate
    assert result.config.interfaces["Virtual-Template1"].unnumbered == "Loopback0"
    acl = result.config.access_lists["ROUTES"]
    assert acl.standard
    assert [e.source.network() for e in acl.entries] == [
        IPv4Network("0.0.0.0/0"),
        IPv4Network("209.123.3.0/24"),
        IPv4Network("10.1.1.1/32"),
    ]


def test_show_running_config_prints_them_back_with_keys_masked() -> None:
    text = render(load(HUB).config)
    for line in (
        "aaa new-model",
        "aaa authorization network FLEX local",
        "aaa authentication login CONSOLE local",
        " attribute type ipsec:ikev2-password-local 6 *****",
        "crypto ikev2 authorization policy POL",
        " route set access-list ROUTES",
        " route set remote ipv4 10.9.0.0 255.255.0.0",
        " route accept any tag 100 distance 5",
        " aaa authorization group override psk list FLEX POL",
        " virtual-template 1 mode auto",
        " no config-exchange set send",
        "crypto ikev2 client flexvpn CLIENT",
        "ip local pool SPOKES 172.16.0.10 172.16.0.20",
        " ip unnumbered Loopback0",
        "ip access-list standard ROUTES",
        " permit any",
        " deny 10.1.1.1",
        "access-list 10 permit 10.0.0.0 0.255.255.255",
    ):
        assert line in text.splitlines(), line
    assert "Local-Key-1" not in text and "Remote-Key-1" not in text
    again = load(render(load(HUB).config, show_keys=True)).config
    (policy,) = again.flexvpn.authorization_policies.values()
    assert replace(policy, source=None) == replace(
        load(HUB).config.flexvpn.authorization_policies["POL"], source=None
    )


def test_route_accept_defaults_and_its_no_form() -> None:
    policy = load("crypto ikev2 authorization policy P\n").config.flexvpn.authorization_policies
    assert policy["P"].route_accept == RouteAccept(None, IKEV2_ROUTE_DISTANCE)
    denied = load("crypto ikev2 authorization policy P\n no route accept any\n").config
    assert denied.flexvpn.authorization_policies["P"].route_accept is None
    assert " no route accept any" in render(denied).splitlines()


def test_a_pool_whose_end_is_below_its_start_is_refused() -> None:
    result = load("ip local pool P 10.0.0.9 10.0.0.1\n")
    assert [d.line for d in result.errors] == [1]
    assert "P" not in result.config.flexvpn.pools


def test_a_virtual_template_no_profile_clones_is_named() -> None:
    text = (
        "crypto ipsec profile IPS\ninterface Virtual-Template2 type tunnel\n"
        " tunnel protection ipsec profile IPS\n"
    )
    warnings = [d.message for d in load(text).diagnostics if "virtual-template 2" in d.message]
    assert warnings and "no IKEv2 profile has 'virtual-template 2'" in warnings[0]
