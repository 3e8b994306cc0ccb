"""Which `aaa authorization group` line asks RADIUS depends on how the peer authenticated
(issue 16): a profile that takes pre-shared keys and certificates authorizes a PSK peer with
its `group psk` line (here through RADIUS) and a certificate peer with its `group cert` line
(here a local policy, so RADIUS is not asked)."""

from __future__ import annotations

from pyike.adapter.flexvpn_policy import FlexvpnAuthorizer
from pyike.config import load
from pyike.ike.policy import Identity

HUB = """\
hostname Hub
aaa new-model
aaa authorization network RADLIST group RAD
aaa authorization network LOCALLIST local
aaa group server radius RAD
 server name FR
radius server FR
 address ipv4 127.0.0.1 auth-port 1812 acct-port 1813
 key radius-secret
crypto ikev2 authorization policy CERT-SPOKES
 pool SPOKES
ip local pool SPOKES 10.99.0.10 10.99.0.20
crypto ikev2 profile HUB
 match identity remote any
 authentication remote pre-share key cisco
 authentication remote rsa-sig
 authentication local pre-share key cisco
 aaa authorization group psk list RADLIST PSK-SPOKES
 aaa authorization group cert list LOCALLIST CERT-SPOKES
"""


def questions(signed: bool) -> list[tuple[str, str]]:
    authorizer = FlexvpnAuthorizer(load(HUB).raise_for_errors())
    asked = authorizer.aaa_questions("HUB", Identity.fqdn("spoke1.example"), None, signed)
    return [(q.kind, q.username) for q in asked]


def test_a_psk_peer_is_authorized_by_the_group_psk_line_through_radius() -> None:
    assert questions(signed=False) == [("group", "PSK-SPOKES")]


def test_a_certificate_peer_is_authorized_by_the_local_group_cert_line() -> None:
    assert questions(signed=True) == []
