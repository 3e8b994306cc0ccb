"""RADIUS in the configuration: `radius server` (address, ports, key, timeout, retransmit),
`aaa group server radius` (`server name`), printed back with the key masked; a server
profile whose `aaa authentication eap` list names a RADIUS group relays EAP to it, and what
keeps it from doing so is said in IOS's terms."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.adapter.config_eap import ConfigEapDirectory, LocalUsers
from pyike.config import load
from pyike.config.query import radius_servers
from pyike.config.writer import render
from pyike.ike.eap_directory import EapRelay

RADIUS = """\
aaa new-model
aaa authentication login RA group RAD
aaa group server radius RAD
 server name FR1
 deadtime 5
radius server FR1
 address ipv4 192.0.2.10 auth-port 1812 acct-port 1813
 key 7 0822455D0A16
 timeout 2
 retransmit 1
 automate-tester username probe
crypto ikev2 profile RA
 match identity remote any
 authentication remote eap query-identity
 authentication local pre-share key cisco
 aaa authentication eap RA
"""


def test_radius_servers_and_groups_are_modelled_and_printed_with_the_key_masked() -> None:
    result = load(RADIUS)
    assert result.ok, [d.format() for d in result.errors]
    config = result.config
    server = config.radius.servers["FR1"]
    assert (server.address, server.auth_port, server.acct_port) == (
        IPv4Address("192.0.2.10"),
        1812,
        1813,
    )
    assert server.key is not None and server.key.reveal() == "cisco"  # type 7, decoded
    assert (server.timeout, server.retransmit) == (2, 1)
    assert config.radius.groups["RAD"].servers == ("FR1",)
    shown = render(config)
    assert "radius server FR1\n address ipv4 192.0.2.10 auth-port 1812 acct-port 1813\n" in shown
    assert " key 6 *****\n timeout 2\n retransmit 1\n automate-tester username probe\n" in shown
    assert "aaa group server radius RAD\n server name FR1\n deadtime 5\n" in shown
    assert " aaa authentication eap RA\n" in shown  # the profile's EAP list
    assert config.profiles["RA"].flex.eap_list == "RA"
    assert "cisco\n" not in shown.replace("key cisco", "")
    assert [s.name for s in radius_servers(config, "RAD")] == ["FR1"]  # type: ignore[union-attr]


def test_a_profile_with_a_radius_group_relays_eap() -> None:
    directory = ConfigEapDirectory(load(RADIUS).config)
    assert directory.users("RA") == EapRelay("RAD")


def test_local_lists_check_the_routers_users() -> None:
    text = RADIUS.replace("login RA group RAD", "login RA local") + "username a password 0 b\n"
    users = ConfigEapDirectory(load(text).config).users("RA")
    assert isinstance(users, LocalUsers) and users.password("a") == "b"


def test_what_keeps_a_group_from_being_asked_is_said() -> None:
    no_group = RADIUS.replace("group RAD\n", "group OTHER\n", 1)
    said = ConfigEapDirectory(load(no_group).config).users("RA")
    assert said == (
        "AAA authentication list RA: RADIUS server group OTHER is not defined "
        "('aaa group server radius OTHER')"
    )
    no_key = RADIUS.replace(" key 7 0822455D0A16\n", "")
    assert "has no server with an address and a usable key" in str(
        ConfigEapDirectory(load(no_key).config).users("RA")
    )
    result = load(no_key)
    assert any("usable key" in d.message for d in result.diagnostics)


def test_a_bad_type_7_key_is_refused() -> None:
    result = load(RADIUS.replace("key 7 0822455D0A16", "key 7 XYZ"))
    assert any("% Invalid encrypted key" in d.message for d in result.errors)
