"""Details of the IOS language: lexing, abbreviations, modes, `no` forms, masking, markers."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.diagnostics import ConfigError, Severity
from pyike.config.grammar import Grammar, Outcome, PatternError
from pyike.config.lexer import lex, tokenize
from pyike.config.model import Secret
from pyike.config.params import PARAM_TYPES, interface_name
from pyike.config.writer import render


def test_banner_body_is_one_command() -> None:
    lines = list(lex("banner motd #\nline one\n! not a comment here\n#\nhostname R\n"))
    assert [x.text for x in lines] == ["banner motd #", "hostname R"]
    assert lines[0].continuation == ("line one", "! not a comment here", "#")
    single = list(lex("banner login ^CHello^C\n"))
    assert single[0].continuation == ()


def test_interface_names_resolve_like_ios() -> None:
    assert interface_name("tu0") == "Tunnel0"
    assert interface_name("Gi0/0/1.100") == "GigabitEthernet0/0/1.100"
    assert interface_name("e0/0") == "Ethernet0/0"
    assert interface_name("Te1/1") == "TenGigabitEthernet1/1"
    assert interface_name("x0") is None and interface_name("Tunnel") is None


def test_grammar_rejects_bad_patterns() -> None:
    g = Grammar(PARAM_TYPES)
    with pytest.raises(PatternError):
        g.add("foo <x:NOPE>")
    with pytest.raises(PatternError):
        g.add("foo [bar")


def test_keyword_wins_over_parameter_and_exact_over_prefix() -> None:
    g = Grammar(PARAM_TYPES)
    g.add("key {local|loc-x} <k:SECRET>")
    assert g.match(tokenize("key local s"), "key local s").outcome is Outcome.OK
    assert g.match(tokenize("key lo s"), "key lo s").outcome is Outcome.AMBIGUOUS
    assert g.match(tokenize("key other"), "key other").outcome is Outcome.INVALID


def test_secret_never_shows_itself() -> None:
    s = Secret("hunter2")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s)
    assert s == Secret("hunter2") and s != Secret("hunter3") and s != Secret("hunter2", 6)
    assert s.usable and not Secret("x", 6).usable
    assert len({s, Secret("hunter2")}) == 1
    assert (s == "hunter2") is False


def test_submode_left_by_top_level_command_whatever_the_indent() -> None:
    cfg = load(
        "crypto ikev2 proposal P\n encryption aes-cbc-128\n   ip route 10.0.0.0 255.0.0.0 "
        "10.1.1.1\n integrity sha1\n"
    )
    assert len(cfg.config.routes) == 1
    (err,) = cfg.errors
    assert err.line == 4 and err.echo == "integrity sha1"  # proposal mode was left


def test_errors_carry_file_and_line_and_marker() -> None:
    result = load("hostname R\ncrypto ikev2 window 0\n", "r.cfg")
    (err,) = result.errors
    lines = err.format().splitlines()
    assert lines[0] == "r.cfg:2: crypto ikev2 window 0"
    assert lines[1].index("^") == len("r.cfg:2: crypto ikev2 window ")
    assert lines[2] == "% Invalid input detected at '^' marker."


def test_marker_after_no_points_at_the_right_token() -> None:
    (err,) = load("no crypto ikev2 proposl X\n").errors
    assert err.echo is not None and err.column == err.echo.index("proposl")


def test_keys_masked_in_ambiguous_and_invalid_echo() -> None:
    result = load("crypto ikev2 profile P\n pre-shared-key local verysecret\n")
    text = "\n".join(d.format() for d in result.diagnostics)
    assert "verysecret" not in text and "pre-shared-key local *****" in text


def test_a_gre_tunnel_key_is_a_number_not_a_secret() -> None:
    text = "interface Tunnel0\n tunnel key 101\n ip nhrp authentication s3cret\n"
    shown = render(load(text).config)
    assert " tunnel key 101\n" in shown and "s3cret" not in shown


def test_raise_for_errors() -> None:
    with pytest.raises(ConfigError) as info:
        load("bogus\n").raise_for_errors()
    assert info.value.diagnostics[0].severity is Severity.ERROR
    assert load("hostname X\n").raise_for_errors().hostname == "X"


def test_no_forms_of_keys_and_profile_statements() -> None:
    result = load(
        """crypto ikev2 keyring K
 peer P
  address 10.0.0.2
  identity fqdn p.example.com
  description old
  pre-shared-key both-ways
  no pre-shared-key remote
  no identity
  no description
  no address
crypto ikev2 profile X
 match identity remote fqdn a.example.com
 match identity remote email b@example.com
 no match identity remote fqdn a.example.com
 match address local 10.0.0.1
 no match address local 10.0.0.1
 match address local interface Ethernet0/0
 no match address local interface Ethernet0/0
 match fvrf any
 no match fvrf
 identity local key-id K1
 no identity local
 authentication local pre-share key k
 authentication remote pre-share
 authentication remote rsa-sig
 no authentication remote rsa-sig
 no authentication local
 keyring local K
 no keyring local
 nat keepalive 10
 no nat keepalive
 description d
 no description
"""
    )
    assert [d.format() for d in result.errors if d.echo is not None] == []
    cfg = result.config
    peer = cfg.keyrings["K"].peers[0]
    assert peer.remote_key is None and peer.local_key is not None
    assert peer.identity is None and peer.description is None and peer.address is None
    p = cfg.profiles["X"]
    assert [m.value for m in p.match_identities] == ["b@example.com"]
    assert p.match_local == () and p.match_local_interfaces == () and p.match_fvrf is None
    assert p.local_identity is None and p.auth_local == () and p.auth_local_key is None
    assert p.auth_remote == ("pre-share",) and p.keyring is None and p.nat_keepalive is None


def test_no_forms_of_globals_maps_and_acls() -> None:
    result = load(
        """crypto ikev2 dpd 10 2 periodic
no crypto ikev2 dpd
crypto ikev2 window 3
no crypto ikev2 window
crypto ikev2 fragmentation
no crypto ikev2 fragmentation
crypto ipsec security-association lifetime seconds 900
no crypto ipsec security-association lifetime seconds
crypto map M 10 ipsec-isakmp
 set peer 10.0.0.2
 set peer 10.0.0.3
 no set peer 10.0.0.2
 set transform-set default
 no set transform-set
 set ikev2-profile X
 no set ikev2-profile
 set pfs group2
 no set pfs
 match address 101
 no match address
crypto map M 20
no crypto map M 20
crypto map GONE 10
no crypto map GONE
access-list 101 permit ip any any
access-list 101 permit ip host 1.1.1.1 any
no access-list 101 permit ip any any
access-list 102 permit ip any any
no access-list 102
ip access-list extended N
 permit ip any any
 20 permit udp any any
 no 20
 no permit ip any any
 remark r
 no remark r
no ip access-list extended N
interface Tunnel0
 ipv6 address 2001:db8::1/64
 no ipv6 address 2001:db8::1/64
 ip mtu 1400
 no ip mtu
 tunnel mode gre multipoint
 no tunnel mode
 crypto map M
 no crypto map
 description x
 no description
 ip address 10.0.0.1 255.255.255.0
 ip address 10.0.1.1 255.255.255.0 secondary
 no ip address 10.0.1.1 255.255.255.0 secondary
 no ip address
no interface Tunnel 0
hostname H
no hostname
"""
    )
    assert [d.format() for d in result.errors if d.echo is not None] == []
    cfg = result.config
    assert cfg.ikev2.dpd is None and cfg.ikev2.window is None and not cfg.ikev2.fragmentation
    assert cfg.ipsec.lifetime.seconds is None
    (entry,) = cfg.crypto_maps["M"]
    assert [str(p) for p in entry.peers] == ["10.0.0.3"]
    assert entry.transform_sets == () and entry.ikev2_profile is None and entry.pfs is None
    assert entry.acl is None and "GONE" not in cfg.crypto_maps
    assert [e.text for e in cfg.access_lists["101"].entries] == ["permit ip host 1.1.1.1 any"]
    assert "102" not in cfg.access_lists and "N" not in cfg.access_lists
    assert "Tunnel0" not in cfg.interfaces and cfg.hostname == "Router"
