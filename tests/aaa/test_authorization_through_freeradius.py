"""RADIUS authorization attributes on a FlexVPN server (`aaa authorization user eap cached`):
a pyike client authenticates with EAP-MSCHAPv2 through a real FreeRADIUS whose Access-Accept
carries Cisco-AVPairs (`ipsec:addr-pool`, `ipsec:dns-servers`, `ipsec:default-domain`,
`ipsec:route-set`); the server's configuration reply takes them over the local authorization
policy of `aaa authorization group eap list LIST POLICY`, or, with `aaa authorization group
override`, keeps the policy's where it has them."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest

from pyike.adapter.config_eap import ConfigEapDirectory
from pyike.adapter.flexvpn_policy import FlexvpnAuthorizer
from pyike.config import load
from pyike.ike import IkeSaUp
from pyike.ike.events import ConfigSet, PeerConfigured
from pyike.ike.trace import InfoTrace
from tests.support.aaa_drive import AddressAsker, EapClient, relay_eap
from tests.support.freeradius import Radius, freeradius
from tests.support.harness import Harness, pair
from tests.support.policies import R1, R2, site

SERVER = """\
hostname Server
aaa new-model
aaa authentication login RA-USERS group RAD
aaa authorization network FLEX local
aaa group server radius RAD
 server name FR
{fr}crypto ikev2 authorization policy RA
 pool LOCAL-POOL
 dns 10.0.0.53
 def-domain local.example
 route set remote ipv4 10.50.0.0 255.255.0.0
crypto ikev2 profile IKEV2-SETUP
 match identity remote any
 authentication remote eap query-identity
 authentication local pre-share key cisco
 aaa authentication eap RA-USERS
 aaa authorization group {override}eap list FLEX RA
{user}ip local pool LOCAL-POOL 10.99.0.10 10.99.0.20
ip local pool RAD-POOL 10.88.0.10 10.88.0.20
"""
USERS = """alice Cleartext-Password := "Alice-Pass1"
\tCisco-AVPair += "ipsec:addr-pool=RAD-POOL",
\tCisco-AVPair += "ipsec:dns-servers=10.1.1.53 10.1.1.54",
\tCisco-AVPair += "ipsec:default-domain=radius.example",
\tCisco-AVPair += "ipsec:route-set=prefix 10.60.0.0/16",
\tCisco-AVPair += "ipsec:route-set=prefix 10.61.0.0/16",
\tCisco-AVPair += "ipsec:inacl=NOT-MODELLED"
"""
CACHED = " aaa authorization user eap cached\n"
LOCAL = ConfigSet(
    IPv4Address("10.99.0.10"),
    dns=(IPv4Address("10.0.0.53"),),
    domain="local.example",
    routes=(IPv4Network("10.50.0.0/16"),),
)


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    with freeradius(tmp_path_factory.mktemp("radius"), USERS) as server:
        yield server


def run(radius: Radius, *, user: str = CACHED, override: str = "") -> Harness:
    text = SERVER.format(fr=radius.ios_server(), user=user, override=override)
    config = load(text).raise_for_errors()
    server = site(R2, R1, auth_remote=("eap",))
    profile = replace(server.profiles[0], eap_query_identity=True)
    server = replace(
        server,
        profiles=(profile,),
        eap_directory=ConfigEapDirectory(config),
        authorizer=FlexvpnAuthorizer(config),
    )
    client = replace(
        site(R1, R2, auth_local="eap"),
        eap_directory=EapClient("Alice-Pass1"),
        authorizer=AddressAsker(),
    )
    h = pair(p1=client, p2=server, up=False)
    h["R1"].engine.initiate(0.0, client.tunnels[0])
    relay_eap(h, "R2", config)
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    return h


def received(h: Harness) -> ConfigSet:
    (configured,) = h["R1"].of_type(PeerConfigured)
    return configured.received


def test_the_users_radius_attributes_take_over_the_group_policy(radius: Radius) -> None:
    h = run(radius)
    assert received(h) == ConfigSet(
        IPv4Address("10.88.0.10"),  # from ipsec:addr-pool=RAD-POOL
        dns=(IPv4Address("10.1.1.53"), IPv4Address("10.1.1.54")),
        domain="radius.example",
        routes=(IPv4Network("10.60.0.0/16"), IPv4Network("10.61.0.0/16")),
    )
    info = [r.text for r in h["R2"].trace if isinstance(r, InfoTrace)]
    assert "AAA authorization attribute not applied: ipsec:inacl=NOT-MODELLED" in info


def test_group_override_keeps_the_policys_attributes(radius: Radius) -> None:
    assert received(run(radius, override="override ")) == LOCAL


def test_without_user_authorization_the_attributes_are_not_used(radius: Radius) -> None:
    assert received(run(radius, user="")) == LOCAL


def test_user_authorization_from_a_local_list_uses_the_policy_of_the_eap_identity(
    radius: Radius,
) -> None:
    # the user's name is its EAP identity (`eap all`): policy `alice`'s DNS over the group's
    user = (
        " aaa authorization user eap list FLEX name-mangler BY-EAP\n"
        "crypto ikev2 name-mangler BY-EAP\n eap all\n"
        "crypto ikev2 authorization policy alice\n dns 10.9.9.9\n"
    )
    h = run(radius, user=user)
    assert received(h) == replace(LOCAL, dns=(IPv4Address("10.9.9.9"),))
    info = [r.text for r in h["R2"].trace if isinstance(r, InfoTrace)]
    assert not any("is not implemented" in text for text in info)
