"""IKEv2 authorization asked of RADIUS (issue 16): `aaa authorization group psk list RADLIST
FLEX-GROUP` with `aaa authorization network RADLIST group RAD` makes the server ask a real
FreeRADIUS for user FLEX-GROUP (password `cisco`, Service-Type Outbound) once the peer's PSK
verified; the Access-Accept's Cisco-AVPairs become the configuration reply (an address from
the pool RADIUS names). `aaa authorization user psk list RADLIST` asks for the peer's
identity too, whose attributes come on top. An Access-Reject, or no answer, fails the
peer's authentication (AUTHENTICATION_FAILED), as does the lab, which has no RADIUS."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from pyike.aaa.relay import AaaRelay
from pyike.adapter.config_policy import policy_for_config
from pyike.adapter.flexvpn_policy import FlexvpnAuthorizer
from pyike.codec.registry import NotifyType
from pyike.config import load
from pyike.ike import IkeSaUp
from pyike.ike.eap_directory import AaaQuestion, AuthorizationAnswer
from pyike.ike.events import AuthorizationRequest, ConfigSet, NegotiationFailed, PeerConfigured
from pyike.ike.policy import Identity, IdentityMatch
from pyike.ike.trace import ErrorTrace, InfoTrace
from pyike.lab.lab import RunOptions
from pyike.lab.topology_run import run_topology
from pyike.topology import load_topology
from tests.support.aaa_drive import AddressAsker, drive_aaa
from tests.support.freeradius import Radius, free_udp_port, freeradius
from tests.support.harness import Harness, check_data_path, pair
from tests.support.paths import EXAMPLES
from tests.support.policies import R1, R2, site

SERVER = """\
hostname Server
aaa new-model
aaa authorization network RADLIST group RAD
aaa group server radius RAD
 server name FR
{fr}crypto ikev2 profile IKEV2-SETUP
 match identity remote address 0.0.0.0
 authentication remote pre-share key cisco
 authentication local pre-share key cisco
 aaa authorization group psk list RADLIST {group}
{user}ip local pool RAD-POOL 10.88.0.10 10.88.0.20
crypto ikev2 name-mangler BY-DOMAIN
 fqdn domain
crypto ikev2 name-mangler BY-HOST
 fqdn hostname
"""
# FreeRADIUS answers only requests with IOS's password and Service-Type
USERS = """\
FLEX-GROUP Cleartext-Password := "cisco", Service-Type == Outbound-User
\tCisco-AVPair += "ipsec:addr-pool=RAD-POOL",
\tCisco-AVPair += "ipsec:dns-servers=10.1.1.53"
10.0.0.1 Cleartext-Password := "cisco", Service-Type == Outbound-User
\tCisco-AVPair += "ipsec:default-domain=user.example",
\tCisco-AVPair += "ipsec:route-set=prefix 10.70.0.0/16"
branch.example Cleartext-Password := "cisco", Service-Type == Outbound-User
\tCisco-AVPair += "ipsec:addr-pool=RAD-POOL",
\tCisco-AVPair += "ipsec:dns-servers=10.2.2.53"
spoke7 Cleartext-Password := "cisco", Service-Type == Outbound-User
\tCisco-AVPair += "ipsec:dns-servers=10.7.7.53"
"""
USER_LIST = " aaa authorization user psk list RADLIST\n"


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    with freeradius(tmp_path_factory.mktemp("radius"), USERS) as server:
        yield server


def run(
    fr: str,
    *,
    group: str = "FLEX-GROUP",
    user: str = "",
    rounds: int = 15,
    identity: Identity | None = None,
) -> Harness:
    config = load(SERVER.format(fr=fr, group=group, user=user)).raise_for_errors()
    # a peer with an identity of its own: matched by `match identity remote any`
    server_site = (
        site(R2, R1) if identity is None else site(R2, R1, match=(IdentityMatch("any", ""),))
    )
    server = replace(server_site, authorizer=FlexvpnAuthorizer(config))
    client = replace(site(R1, R2), authorizer=AddressAsker())
    if identity is not None:  # the client's `identity local`
        profile = replace(client.profiles[0], local_identity=identity)
        client = replace(client, profiles=(profile,))
    h = pair(p1=client, p2=server, up=False)
    h["R1"].engine.initiate(0.0, client.tunnels[0])
    answers: list[tuple[int, AuthorizationAnswer]] = []
    relay = AaaRelay(
        lambda: config,
        lambda sa, answer: None,
        lambda sa, keys: None,
        lambda sa, authorized: answers.append((sa, authorized)),
    )
    engine = h["R2"].engine
    drive_aaa(
        h, "R2", AuthorizationRequest, relay.authorize, answers, engine.authorization_answer, rounds
    )
    return h


def received(h: Harness) -> ConfigSet:
    (configured,) = h["R1"].of_type(PeerConfigured)
    return configured.received


def texts(h: Harness, kind: type[ErrorTrace | InfoTrace]) -> list[str]:
    return [r.text for r in h["R2"].trace if isinstance(r, kind)]


def test_the_group_named_by_the_profile_gets_its_pool_from_radius(radius: Radius) -> None:
    h = run(radius.ios_server())
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    check_data_path(h)
    (request,) = h["R2"].of_type(AuthorizationRequest)
    assert request.questions == (AaaQuestion("group", "RAD", "FLEX-GROUP"),)
    assert received(h) == ConfigSet(IPv4Address("10.88.0.10"), dns=(IPv4Address("10.1.1.53"),))
    info = texts(h, InfoTrace)
    assert info.index("[IKEv2 -> AAA] Authorisation request sent") < info.index(
        "[AAA -> IKEv2] Received AAA reply"
    )


def test_user_authorization_adds_the_peers_own_attributes(radius: Radius) -> None:
    h = run(radius.ios_server(), user=USER_LIST)
    (request,) = h["R2"].of_type(AuthorizationRequest)
    assert request.questions[1] == AaaQuestion("user", "RAD", "10.0.0.1")
    assert received(h) == ConfigSet(
        IPv4Address("10.88.0.10"),
        dns=(IPv4Address("10.1.1.53"),),
        domain="user.example",
        routes=(IPv4Network("10.70.0.0/16"),),
    )
    assert not any("is not implemented" in t for t in texts(h, InfoTrace))


def test_name_manglers_name_the_group_and_the_user_radius_is_asked_about(
    radius: Radius,
) -> None:
    h = run(
        radius.ios_server(),
        group="name-mangler BY-DOMAIN",
        user=" aaa authorization user psk list RADLIST name-mangler BY-HOST\n",
        identity=Identity.fqdn("spoke7.branch.example"),
    )
    (request,) = h["R2"].of_type(AuthorizationRequest)
    assert request.questions == (
        AaaQuestion("group", "RAD", "branch.example"),
        AaaQuestion("user", "RAD", "spoke7"),
    )
    # the group's pool, the user's DNS server over the group's
    assert received(h) == ConfigSet(IPv4Address("10.88.0.10"), dns=(IPv4Address("10.7.7.53"),))


def refused(h: Harness) -> bool:
    failed = h["R1"].of_type(NegotiationFailed)
    return not h["R2"].of_type(IkeSaUp) and any(
        f.notify == NotifyType.AUTHENTICATION_FAILED for f in failed
    )


def test_an_access_reject_fails_the_peers_authentication(radius: Radius) -> None:
    h = run(radius.ios_server(), group="NOBODY")
    assert refused(h)
    assert "AAA authorization failed: Access-Reject for group NOBODY" in texts(h, ErrorTrace)


def test_a_server_that_never_answers_fails_it_too() -> None:
    silent = (
        f"radius server FR\n address ipv4 127.0.0.1 auth-port {free_udp_port()}\n"
        " timeout 1\n retransmit 0\n key 0 secret\n"
    )
    h = run(silent, rounds=20)
    assert refused(h)
    assert any(t.startswith("AAA authorization failed: RADIUS") for t in texts(h, ErrorTrace))


def test_the_lab_has_no_radius_and_says_so(tmp_path: Path) -> None:
    example = EXAMPLES / "flexvpn-hub-spokes"
    for source in example.glob("*.cfg"):
        text = source.read_text()
        if source.name == "hub.cfg":
            text = text.replace(
                "aaa authorization network FLEX local\n",
                "aaa authorization network FLEX group RAD\naaa group server radius RAD\n"
                " server name FR\nradius server FR\n address ipv4 10.0.1.99 auth-port 1812\n"
                " key 0 secret\n",
            )
        (tmp_path / source.name).write_text(text)
    lab = run_topology(
        load_topology([tmp_path]),
        policy_for_config,
        show=False,
        options=RunOptions(debug=True),
    )
    assert not lab.lab.router("Spoke1").crypto.ike_up
    console = "\n".join(lab.lab.router("Hub").console)
    assert "AAA authorization failed: AAA server group RAD is not reachable" in console
    assert "the lab has no RADIUS server" in console
