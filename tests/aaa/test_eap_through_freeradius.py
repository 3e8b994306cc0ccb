"""IKEv2 with EAP end to end through a real FreeRADIUS: a pyike client (`authentication
local eap mschapv2`) and a pyike server whose profile relays EAP to a RADIUS group (`aaa
authentication eap LIST`, `aaa authentication login LIST group RAD`, `radius server`), the
server's relay (pyike.aaa.relay, as the gateway runs it) asking FreeRADIUS. The final AUTH
payloads only verify when the MSK FreeRADIUS sends (MS-MPPE keys) is the client's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.adapter.config_eap import ConfigEapDirectory
from pyike.config import load
from pyike.ike import IkeSaUp
from pyike.ike.eap_directory import EapRelay
from pyike.ike.events import EapRelayRequest
from pyike.ike.trace import ErrorTrace
from tests.support.aaa_drive import EapClient, relay_eap
from tests.support.freeradius import Radius, free_udp_port, freeradius
from tests.support.harness import Harness, check_data_path, pair
from tests.support.policies import R1, R2, site

SERVER_AAA = """\
hostname Server
aaa new-model
aaa authentication login RA-USERS group RAD
aaa group server radius RAD
 server name DOWN
 server name FR
radius server DOWN
 address ipv4 127.0.0.1 auth-port {down} acct-port 1813
 key 0 whatever
 timeout 1
 retransmit 0
{fr}crypto ikev2 profile IKEV2-SETUP
 match identity remote any
 authentication remote eap query-identity
 authentication local pre-share key cisco
 aaa authentication eap RA-USERS
"""


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    users = 'alice Cleartext-Password := "Alice-Pass1"\n'
    with freeradius(tmp_path_factory.mktemp("radius"), users) as server:
        yield server


def run(radius: Radius, password: str) -> Harness:
    text = SERVER_AAA.format(fr=radius.ios_server(), down=free_udp_port())
    config = load(text).raise_for_errors()
    directory = ConfigEapDirectory(config)
    assert directory.users("IKEV2-SETUP") == EapRelay("RAD")
    server = site(R2, R1, auth_remote=("eap",))
    profile = replace(server.profiles[0], eap_query_identity=True)
    server = replace(server, profiles=(profile,), eap_directory=directory)
    client = replace(site(R1, R2, auth_local="eap"), eap_directory=EapClient(password))
    h = pair(p1=client, p2=server, up=False)
    h["R1"].engine.initiate(0.0, client.tunnels[0])
    relay_eap(h, "R2", config)
    return h


def test_mschapv2_through_freeradius_brings_the_tunnel_up(radius: Radius) -> None:
    h = run(radius, "Alice-Pass1")
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    check_data_path(h)
    requests = h["R2"].of_type(EapRelayRequest)
    assert requests[0].identity == "alice" and requests[0].group == "RAD"


def test_a_wrong_password_is_rejected_by_freeradius(radius: Radius) -> None:
    h = run(radius, "guess")
    assert not h["R1"].of_type(IkeSaUp) and not h["R2"].of_type(IkeSaUp)
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("Access-Reject" in text for text in errors)
