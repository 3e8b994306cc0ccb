"""`keyring aaa LIST` with LIST asking a RADIUS group: the hub asks for each spoke's keys
(an Access-Request for its identity) and FreeRADIUS answers with `Cisco-AVPair`
`ipsec:ikev2-password-local=...` and `...-remote=...`: the remote key verifies the spoke's
AUTH, the local key signs the hub's. A peer FreeRADIUS does not know is refused. With `aaa
authorization user psk cached`, the same Access-Accept's other attributes authorize the spoke
(its pool and DNS server over the group's), with no second request."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address

import pytest

from pyike.aaa.relay import AaaRelay, keys_of
from pyike.adapter.config_eap import ConfigEapDirectory
from pyike.adapter.flexvpn_policy import FlexvpnAuthorizer
from pyike.config import load
from pyike.ike import IkeSaUp
from pyike.ike.eap_directory import PskAnswer
from pyike.ike.events import AuthorizationRequest, ConfigSet, PeerConfigured, PskRequest
from pyike.ike.policy import Identity, IdentityMatch
from pyike.ike.trace import ErrorTrace, InfoTrace
from tests.support.aaa_drive import AddressAsker, drive_aaa
from tests.support.freeradius import Radius, freeradius
from tests.support.harness import Harness, check_data_path, pair
from tests.support.policies import R1, R2, site

USERS = """\
10.0.0.1 Cleartext-Password := "cisco"
    Cisco-AVPair = "ipsec:ikev2-password-local=Hub-Key",
    Cisco-AVPair += "ipsec:ikev2-password-remote=Spoke-Key",
    Cisco-AVPair += "ipsec:addr-pool=RAD-POOL",
    Cisco-AVPair += "ipsec:dns-servers=10.3.3.53"
spoke9 Cleartext-Password := "cisco"
    Cisco-AVPair = "ipsec:ikev2-password-local=Hub-Key",
    Cisco-AVPair += "ipsec:ikev2-password-remote=Spoke-Key"
"""

HUB = """\
hostname Hub
aaa new-model
aaa authorization network SPOKE-KEYS group RAD
aaa authorization network FLEX local
aaa group server radius RAD
 server name FR
{fr}crypto ikev2 authorization policy SPOKES
 pool LOCAL-POOL
 dns 10.0.0.53
 def-domain local.example
crypto ikev2 profile IKEV2-SETUP
 match identity remote any
 authentication remote pre-share
 authentication local pre-share
 keyring aaa SPOKE-KEYS{mangler}
 aaa authorization group psk list FLEX SPOKES
 aaa authorization user psk cached
ip local pool LOCAL-POOL 10.99.0.10 10.99.0.20
ip local pool RAD-POOL 10.88.0.10 10.88.0.20
crypto ikev2 name-mangler HOSTS
 fqdn hostname
"""


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    with freeradius(tmp_path_factory.mktemp("radius"), USERS) as server:
        yield server


def run(
    radius: Radius, spoke_id: Identity | None = None, authorize: bool = False, mangler: str = ""
) -> Harness:
    config = load(HUB.format(fr=radius.ios_server(), mangler=mangler)).raise_for_errors()
    directory = ConfigEapDirectory(config)
    assert directory.psk_group("IKEV2-SETUP") == "RAD"
    anyone = (IdentityMatch("any", ""),)
    hub = site(R2, R1, psk_local=b"unused", psk_remote=b"unused", match=anyone)
    hub = replace(hub, eap_directory=directory)
    spoke = site(R1, R2, psk_local=b"Spoke-Key", psk_remote=b"Hub-Key")
    if authorize:  # the spoke asks for an address, the hub authorizes it as configured
        hub = replace(hub, authorizer=FlexvpnAuthorizer(config))
        spoke = replace(spoke, authorizer=AddressAsker())
    if spoke_id is not None:
        spoke = replace(spoke, profiles=(replace(spoke.profiles[0], local_identity=spoke_id),))
    h = pair(p1=spoke, p2=hub, up=False)
    h["R1"].engine.initiate(0.0, spoke.tunnels[0])
    keys: list[tuple[int, PskAnswer]] = []
    relay = AaaRelay(
        lambda: config, lambda sa, a: None, lambda sa, k: keys.append((sa, k)), lambda sa, a: None
    )
    drive_aaa(h, "R2", PskRequest, relay.psk, keys, h["R2"].engine.psk_answer, rounds=15)
    return h


def test_the_hub_takes_the_spokes_keys_from_freeradius(radius: Radius) -> None:
    h = run(radius)
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    check_data_path(h)
    (request,) = h["R2"].of_type(PskRequest)
    assert (request.identity, request.group) == ("10.0.0.1", "RAD")


def test_user_psk_cached_authorizes_with_the_attributes_that_came_with_the_keys(
    radius: Radius,
) -> None:
    h = run(radius, authorize=True)
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    (configured,) = h["R1"].of_type(PeerConfigured)
    # the user's pool and DNS server, the group's domain; one Access-Request only
    assert configured.received == ConfigSet(
        IPv4Address("10.88.0.10"), dns=(IPv4Address("10.3.3.53"),), domain="local.example"
    )
    assert len(h["R2"].of_type(PskRequest)) == 1
    assert not h["R2"].of_type(AuthorizationRequest)
    info = [r.text for r in h["R2"].trace if isinstance(r, InfoTrace)]
    assert not any("is not implemented" in text for text in info)
    assert not any("Hub-Key" in text or "Spoke-Key" in text for text in info)


def test_keyring_aaa_asks_for_the_name_its_name_mangler_derives(radius: Radius) -> None:
    h = run(radius, Identity.fqdn("spoke9.branch.example"), mangler=" name-mangler HOSTS")
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    (request,) = h["R2"].of_type(PskRequest)
    assert request.identity == "spoke9"
    # an address identity: `fqdn hostname` derives no name, the keys are not asked for
    h = run(radius, mangler=" name-mangler HOSTS")
    assert not h["R2"].of_type(PskRequest) and not h["R2"].of_type(IkeSaUp)
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert (
        "Failed to get the pre-shared keys from AAA: the name-mangler derives no name from "
        "10.0.0.1" in errors
    )


def test_a_peer_freeradius_does_not_know_is_refused(radius: Radius) -> None:
    h = run(radius, Identity.fqdn("stranger.example.com"))
    assert not h["R2"].of_type(IkeSaUp)
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("Failed to get the pre-shared keys from AAA" in t for t in errors)


def test_keys_are_read_from_the_avpairs() -> None:
    keys = keys_of(("ipsec:ikev2-password-local=A", "ipsec:ikev2-password-remote=B", "x=y"))
    assert (keys.local, keys.remote) == (b"A", b"B")
    assert keys_of(("ipsec:addr-pool=P",)).reason == (
        "the AAA reply has no ipsec:ikev2-password-remote"
    )
