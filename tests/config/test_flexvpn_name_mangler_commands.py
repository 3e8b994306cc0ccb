"""`crypto ikev2 name-mangler`, `aaa authorization group|user ... name-mangler`, `ip host` and
the FlexVPN client's `peer N fqdn NAME [dynamic] [ipv6]` (issue 16): read into the model,
printed back as `show running-config` prints them, and a bad sub-command refused at IOS's
`^` marker."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest

from pyike.config import load
from pyike.config.flexvpn_model import FlexClientPeer, UserAuthorization
from pyike.config.writer import render

TEXT = """\
hostname Hub
ip host hub1.example.com 10.0.0.1 10.0.0.11
ipv6 host hub1.example.com 2001:db8::1
crypto ikev2 name-mangler HOSTS
 fqdn hostname
 email username
 dn common-name
 eap prefix delimiter @
crypto ikev2 name-mangler DOMAINS
 fqdn domain
 email domain
 dn organization-unit
 eap dn state
crypto ikev2 name-mangler ALL
 fqdn all
 eap suffix delimiter \\
crypto ikev2 profile P
 match identity remote any
 authentication local pre-share key abc
 authentication remote pre-share key abc
 aaa authorization group psk list FLEX name-mangler DOMAINS
 aaa authorization user psk list FLEX name-mangler HOSTS
 aaa authorization user eap list FLEX fred
crypto ikev2 client flexvpn HUBS
  peer 1 fqdn hub1.example.com dynamic
  peer 2 fqdn hub2.example.com ipv6 track 3 down
  peer 3 10.0.0.3
  connect manual
  client connect Tunnel0
"""


def test_name_manglers_and_their_use_are_modelled() -> None:
    result = load(TEXT)
    assert result.errors == ()
    flex = result.config.flexvpn
    hosts = flex.name_manglers["HOSTS"]
    assert (hosts.fqdn, hosts.email, hosts.dn, hosts.eap) == (
        "hostname",
        "username",
        "common-name",
        ("prefix", "@"),
    )
    assert flex.name_manglers["DOMAINS"].eap == ("dn", "state")
    assert flex.name_manglers["ALL"].eap == ("suffix", "\\")
    profile = result.config.profiles["P"].flex
    assert profile.group_for("psk") is not None
    assert profile.group_for("psk").name_mangler == "DOMAINS"  # type: ignore[union-attr]
    assert profile.group_for("psk").policy is None  # type: ignore[union-attr]
    assert profile.user_authorization == (
        UserAuthorization("psk", method_list="FLEX", name_mangler="HOSTS"),
        UserAuthorization("eap", method_list="FLEX", name="fred"),
    )
    assert flex.hosts["hub1.example.com"] == (
        IPv4Address("10.0.0.1"),
        IPv4Address("10.0.0.11"),
        IPv6Address("2001:db8::1"),
    )
    assert flex.clients["HUBS"].peers[:2] == (
        FlexClientPeer(1, None, "hub1.example.com", dynamic=True),
        FlexClientPeer(2, None, "hub2.example.com", 3, False, ipv6=True),
    )
    assert flex.clients["HUBS"].connect == "manual"


def test_show_running_config_prints_them_back() -> None:
    text = render(load(TEXT).config)
    for line in [
        "crypto ikev2 name-mangler HOSTS",
        " eap prefix delimiter @",
        " eap dn state",
        " eap suffix delimiter \\",
        " aaa authorization group psk list FLEX name-mangler DOMAINS",
        " aaa authorization user psk list FLEX name-mangler HOSTS",
        " aaa authorization user eap list FLEX fred",
        "  peer 1 fqdn hub1.example.com dynamic",
        "  peer 2 fqdn hub2.example.com ipv6 track 3 down",
        "  connect manual",
        "ip host hub1.example.com 10.0.0.1 10.0.0.11",
        "ipv6 host hub1.example.com 2001:db8::1",
    ]:
        assert line in text.splitlines()
    again = load(text)
    assert again.errors == ()
    assert again.config.flexvpn.hosts == load(TEXT).config.flexvpn.hosts
    assert render(again.config) == text


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("fqdn user", 5),
        ("email hostname", 6),
        ("dn surname", 3),
        ("eap prefix delimiter #", 21),
        ("eap prefix @", 11),
        ("eap dn cn", 7),
        ("bogus all", 0),
    ],
)
def test_a_bad_name_mangler_line_is_refused_at_the_marker(line: str, column: int) -> None:
    result = load(f"crypto ikev2 name-mangler M\n {line}\n")
    assert [(d.line, d.echo, d.column) for d in result.errors] == [(2, line, column)]
    assert "% Invalid input detected at '^' marker." in result.errors[0].message
    mangler = result.config.flexvpn.name_manglers["M"]
    assert (mangler.fqdn, mangler.email, mangler.dn, mangler.eap) == (None,) * 4


def test_no_forms_remove_what_they_name() -> None:
    text = TEXT + (
        "no ip host hub1.example.com\n"
        "crypto ikev2 name-mangler HOSTS\n no fqdn hostname\n no eap prefix delimiter @\n"
        "crypto ikev2 client flexvpn HUBS\n no connect manual\n"
    )
    flex = load(text).config.flexvpn
    assert flex.hosts["hub1.example.com"] == (IPv6Address("2001:db8::1"),)
    assert flex.name_manglers["HOSTS"].fqdn is None and flex.name_manglers["HOSTS"].eap is None
    assert flex.clients["HUBS"].connect == "auto"


def test_more_than_eight_addresses_for_a_host_are_refused() -> None:
    addresses = " ".join(f"10.0.0.{n}" for n in range(1, 10))
    result = load(f"ip host h {addresses}\n")
    assert [d.line for d in result.errors] == [1]
    assert "h" not in result.config.flexvpn.hosts


def test_config_check_warns_of_a_name_mangler_that_does_not_exist() -> None:
    text = TEXT.replace("crypto ikev2 name-mangler DOMAINS\n", "crypto ikev2 name-mangler OTHER\n")
    warnings = [d.message for d in load(text).diagnostics if not d.is_error]
    assert (
        "crypto ikev2 profile P: name-mangler DOMAINS does not exist: authorization through it "
        "fails" in warnings
    )
    assert not [w for w in warnings if "name-mangler HOSTS" in w]
