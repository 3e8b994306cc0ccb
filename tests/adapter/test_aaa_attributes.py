"""RADIUS authorization attributes (Cisco-AVPair values) read into an IKEv2 authorization
policy: what each sets, what is named as not applied, and who wins between user and group."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from pyike.adapter.aaa_attributes import apply, parse
from pyike.config.flexvpn_model import AuthorizationPolicy

GROUP = AuthorizationPolicy(
    "RA",
    pool="LOCAL",
    dns=(IPv4Address("10.0.0.53"),),
    route_set_interfaces=("",),
    route_set_acl="HUB-ROUTES",
)


def test_each_attribute_sets_its_policy_line() -> None:
    user = parse(
        [
            "ipsec:addr-pool=RAD",
            "ipsec:dns-servers=10.1.1.53 10.1.1.54 10.1.1.55",
            "ipsec:default-domain=radius.example",
            "ipsec:route-set=interface Loopback0",
            "ipsec:route-set=prefix 10.60.0.0/16",
            "ipsec:route-set=prefix 10.61.0.0 255.255.0.0",
            "ipsec:route-set=access-list USER-ROUTES",
            "ipsec:ikev2-password-remote=secret",
        ]
    )
    assert user.ignored == ()
    merged = apply(GROUP, user, group_override=False)
    assert merged.pool == "RAD" and merged.def_domain == "radius.example"
    assert merged.dns == (IPv4Address("10.1.1.53"), IPv4Address("10.1.1.54"))  # two at most
    assert merged.route_set_interfaces == ("Loopback0",)
    assert merged.route_set_remote == (IPv4Network("10.60.0.0/16"), IPv4Network("10.61.0.0/16"))
    assert merged.route_set_acl == "USER-ROUTES"


def test_a_users_route_set_replaces_the_groups_whole() -> None:
    merged = apply(GROUP, parse(["ipsec:route-set=prefix 10.60.0.0/16"]), group_override=False)
    assert merged.route_set_interfaces == () and merged.route_set_acl is None
    assert merged.route_set_remote == (IPv4Network("10.60.0.0/16"),)
    assert merged.pool == "LOCAL"  # what the user does not set stays the group's


def test_with_group_override_the_group_wins_where_it_has_the_attribute() -> None:
    user = parse(["ipsec:addr-pool=RAD", "ipsec:default-domain=radius.example"])
    merged = apply(GROUP, user, group_override=True)
    assert merged.pool == "LOCAL" and merged.def_domain == "radius.example"


def test_unreadable_or_unknown_attributes_are_named() -> None:
    user = parse(
        [
            "ipsec:dns-servers=not-an-address",
            "ipsec:route-set=bogus",
            "ip:inacl#1=permit ip any any",
        ]
    )
    assert user.fields == {}
    assert user.ignored == (
        "ipsec:dns-servers=not-an-address",
        "ipsec:route-set=bogus",
        "ip:inacl#1=permit ip any any",
    )


def test_a_secret_among_the_attributes_is_named_without_its_value() -> None:
    user = parse(["ipsec:tunnel-password=Secret-1", "ipsec:ikev2-password-local=Secret-2"])
    assert user.ignored == ("ipsec:tunnel-password=*****",)
