"""`keyring aaa LIST` with LIST asking a RADIUS group: the hub asks for each spoke's keys
(an Access-Request for its identity) and FreeRADIUS answers with `Cisco-AVPair`
`ipsec:ikev2-password-local=...` and `...-remote=...`: the remote key verifies the spoke's
AUTH, the local key signs the hub's. A peer FreeRADIUS does not know is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.aaa.relay import AaaRelay, keys_of
from pyike.adapter.config_eap import ConfigEapDirectory
from pyike.config import load
from pyike.ike import IkeSaUp
from pyike.ike.eap_directory import PskAnswer
from pyike.ike.events import PskRequest
from pyike.ike.policy import Identity, IdentityMatch
from pyike.ike.trace import ErrorTrace
from tests.support.aaa_drive import drive_aaa
from tests.support.freeradius import Radius, freeradius
from tests.support.harness import Harness, check_data_path, pair
from tests.support.policies import R1, R2, site

USERS = """\
10.0.0.1 Cleartext-Password := "cisco"
    Cisco-AVPair = "ipsec:ikev2-password-local=Hub-Key",
    Cisco-AVPair += "ipsec:ikev2-password-remote=Spoke-Key"
"""

HUB = """\
hostname Hub
aaa new-model
aaa authorization network SPOKE-KEYS group RAD
aaa group server radius RAD
 server name FR
{fr}crypto ikev2 profile IKEV2-SETUP
 match identity remote any
 authentication remote pre-share
 authentication local pre-share
 keyring aaa SPOKE-KEYS
"""


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    with freeradius(tmp_path_factory.mktemp("radius"), USERS) as server:
        yield server


def run(radius: Radius, spoke_id: Identity | None = None) -> Harness:
    config = load(HUB.format(fr=radius.ios_server())).raise_for_errors()
    directory = ConfigEapDirectory(config)
    assert directory.psk_group("IKEV2-SETUP") == "RAD"
    anyone = (IdentityMatch("any", ""),)
    hub = site(R2, R1, psk_local=b"unused", psk_remote=b"unused", match=anyone)
    hub = replace(hub, eap_directory=directory)
    spoke = site(R1, R2, psk_local=b"Spoke-Key", psk_remote=b"Hub-Key")
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
