"""Legacy and less common syntax real configurations carry (issue 13): the pre-15.2(4)M
`keyring NAME` in an IKEv2 profile, `match identity remote any`, `ip address negotiated`, the
overlay tunnel modes, `identity local dn`, `crypto ikev2 name-mangler`; snippets that leave the
router's ports out; DMVPN tunnels and dynamic crypto maps, which pyike reads but does not run."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_network
from pathlib import Path

import pytest

from pyike.cli import main
from pyike.config import load
from pyike.config.model import Identity, IdentityKind
from pyike.config.query import match_profile, tunnel_policy
from pyike.config.writer import render

PROFILE = """\
crypto ikev2 keyring KR
 peer ANY
  address 0.0.0.0 0.0.0.0
  pre-shared-key cisco123
crypto ikev2 profile P
 match identity remote any
 authentication local pre-share
 authentication remote pre-share
 keyring KR
"""


def test_the_pre_15_2_4_keyring_form_names_the_keyring() -> None:
    result = load(PROFILE)
    assert result.ok
    assert result.config.profiles["P"].keyring == "KR"
    assert " keyring local KR\n" in render(result.config)  # as a current IOS prints it
    missing = load(PROFILE.replace("\n keyring KR\n", "\n keyring NOPE\n"))
    assert "crypto ikev2 profile P: keyring NOPE does not exist" in [
        d.message for d in missing.errors
    ]


def test_match_identity_remote_any_selects_the_profile_for_every_identity() -> None:
    cfg = load(PROFILE).config
    for remote in (
        Identity.address(IPv4Address("198.51.100.7")),
        Identity(IdentityKind.FQDN, "spoke.example.com"),
        Identity(IdentityKind.KEY_ID, "branch-7"),
    ):
        profile = match_profile(cfg, remote)
        assert profile is not None and profile.name == "P"
    assert " match identity remote any\n" in render(cfg)
    assert (
        not load(PROFILE.replace(" match identity remote any\n", ""))
        .config.profiles["P"]
        .match_identities
    )


def test_ip_address_negotiated_is_kept_and_the_interface_has_no_address() -> None:
    result = load("interface Tunnel1\n ip address negotiated\n")
    assert result.ok
    iface = result.config.interfaces["Tunnel1"]
    assert iface.address_negotiated and not iface.addresses
    shown = render(result.config)
    assert " ip address negotiated\n" in shown and "no ip address" not in shown
    again = load("interface Tunnel1\n ip address negotiated\n ip address 10.0.0.1 255.255.255.0\n")
    assert not again.config.interfaces["Tunnel1"].address_negotiated


OVERLAY = """\
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
 ipv6 address 2001:db8::1/64
crypto ikev2 profile P
 match identity remote address 0.0.0.0
 authentication local pre-share key k
 authentication remote pre-share key k
crypto ipsec profile IP
 set ikev2-profile P
interface Tunnel0
 ipv6 address 2001:db8:99::1/64
 tunnel source Ethernet0/0
 tunnel destination {destination}
 tunnel mode ipsec {mode}
 tunnel protection ipsec profile IP
"""


@pytest.mark.parametrize(
    ("mode", "destination", "shown", "outer", "inner"),
    [
        ("ipv4 v6", "10.0.0.2", "ipsec ipv4 v6-overlay", "10.0.0.1", "::/0"),
        ("ipv4 v6-overlay", "10.0.0.2", "ipsec ipv4 v6-overlay", "10.0.0.1", "::/0"),
        ("ipv6 v4-overlay", "2001:db8::2", "ipsec ipv6 v4-overlay", "2001:db8::1", "0.0.0.0/0"),
    ],
)
def test_overlay_modes_run_one_family_inside_the_other(
    mode: str, destination: str, shown: str, outer: str, inner: str
) -> None:
    result = load(OVERLAY.format(mode=mode, destination=destination))
    assert result.ok, [d.format() for d in result.errors]
    assert f" tunnel mode {shown}\n" in render(result.config)
    child = tunnel_policy(result.config, "Tunnel0")
    assert child is not None and str(child.local) == outer
    ((local_ts, remote_ts),) = child.selectors
    assert local_ts == remote_ts
    assert (local_ts.start, local_ts.end) == (ip_network(inner)[0], ip_network(inner)[-1])


def test_identity_local_dn_is_read_and_the_tunnel_cannot_come_up() -> None:
    text = (
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "crypto ikev2 profile P\n match identity remote any\n identity local dn\n"
        " authentication local pre-share key k\n authentication remote pre-share key k\n"
        "crypto ipsec profile IP\n set ikev2-profile P\n"
        "interface Tunnel0\n tunnel source Ethernet0/0\n tunnel destination 10.0.0.2\n"
        " tunnel mode ipsec ipv4\n tunnel protection ipsec profile IP\n"
    )
    result = load(text)
    assert result.ok
    assert " identity local dn\n" in render(result.config)
    assert result.blocked == ("Tunnel0",)
    messages = [d.message for d in result.warnings]
    assert any("identity local dn: the profile signs with no certificate" in m for m in messages)
    assert any("identifies itself with 'identity local dn'" in m for m in messages)


def test_a_name_mangler_block_is_kept_with_its_lines() -> None:
    text = "crypto ikev2 name-mangler GET_DOMAIN\n fqdn domain\n email domain\n"
    result = load(text)
    assert result.ok
    assert "crypto ikev2 name-mangler GET_DOMAIN\n fqdn domain\n email domain\n" in render(
        result.config
    )


SNIPPET = """\
interface Tunnel0
 tunnel source GigabitEthernet2
 tunnel destination 10.0.0.2
 tunnel protection ipsec profile default
crypto ikev2 profile default
 match identity remote any
 authentication local pre-share key k
 authentication remote pre-share key k
ip route 10.9.0.0 255.255.0.0 GigabitEthernet3
ip route 10.8.0.0 255.255.0.0 Null0
"""


def test_a_snippets_missing_port_is_a_warning_that_names_what_the_lab_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = load(SNIPPET, "s.cfg")
    assert result.ok and not result.blocked
    messages = [d.message for d in result.warnings]
    assert (
        "interface Tunnel0: tunnel source GigabitEthernet2 is not in this configuration (the "
        "router has the port): pyike lab and pyike run need 'interface GigabitEthernet2' with "
        "its IP address"
    ) in messages
    assert (
        "ip route 10.9.0.0/16: interface GigabitEthernet3 is not in this configuration "
        "(the router has the port)" in messages
    )
    assert not any("Null0" in m for m in messages)


def test_a_missing_loopback_or_tunnel_is_still_an_error() -> None:
    result = load(SNIPPET.replace("GigabitEthernet2", "Loopback7"))
    assert "interface Tunnel0: tunnel source Loopback7 does not exist" in [
        d.message for d in result.errors
    ]


def test_a_dmvpn_tunnel_needs_no_destination() -> None:
    text = (
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "crypto ikev2 profile default\n match identity remote any\n"
        " authentication local pre-share key k\n authentication remote pre-share key k\n"
        "interface Tunnel0\n ip address 172.16.0.1 255.255.255.0\n ip nhrp network-id 1\n"
        " tunnel source Ethernet0/0\n tunnel mode gre multipoint\n"
        " tunnel protection ipsec profile default\n"
    )
    result = load(text)
    assert result.ok and result.blocked == () and result.warnings == ()
    without_nhrp = load(text.replace(" ip nhrp network-id 1\n", ""))
    assert without_nhrp.blocked == ("Tunnel0",)
    (warning,) = without_nhrp.warnings
    assert "Tunnel0 has no 'ip nhrp network-id': NHRP does not run on it" in warning.message


def test_an_interface_map_with_only_dynamic_entries_is_not_an_error() -> None:
    text = (
        "crypto dynamic-map DYN 10\n set transform-set default\n"
        "crypto map CM 100 ipsec-isakmp dynamic DYN\n"
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n crypto map CM\n"
    )
    result = load(text)
    assert result.ok
    (warning,) = result.warnings  # the dynamic map's entry, at its line, names no IKEv2 profile
    assert warning.line == 1
    assert "crypto map CM 100 dynamic DYN 10 has no IKEv2 profile" in warning.message
    assert (
        "crypto map NOPE does not exist"
        in load(text.replace(" crypto map CM\n", " crypto map NOPE\n")).errors[0].message
    )


def test_explain_names_the_address_as_the_local_identity_when_it_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.cfg"
    path.write_text(SNIPPET)
    assert main(["config", "explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    assert "    local identity address (the address IKE runs from) (default)\n" in out


def test_a_tunnel_blocked_twice_is_named_once_in_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hub.cfg"
    path.write_text(
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "crypto ikev2 profile default\n match identity remote any\n identity local dn\n"
        " authentication local rsa-sig\n authentication remote rsa-sig\n"
        "interface Tunnel0\n ip address 172.16.0.1 255.255.255.0\n"
        " tunnel source Ethernet0/0\n tunnel mode gre multipoint\n"
        " tunnel protection ipsec profile default\n"
    )
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("usable, but Tunnel0 cannot come up")
    assert out.count("cannot come up: IKEv2 profile default signs with") == 1
    assert "identity local dn" not in out  # the rsa-sig warning already says it
