"""`keyring aaa LIST` with local AAA: the authorization policy's `aaa attribute list`, the
profile's `keyring aaa LIST [name-mangler NAME]`, where the keys are found and what `config
check` says when they cannot be."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.config import load
from pyike.config.model import Config, Identity, IdentityKind
from pyike.config.query import psk_for_peer
from pyike.config.writer import render

BASE = """aaa attribute list SPOKE1-KEYS
 attribute type ipsec:ikev2-password-local Hub-Key-1
 attribute type ipsec:ikev2-password-remote Spoke-Key-1
aaa new-model
aaa authorization network FLEX local
crypto ikev2 authorization policy spoke1.example.com
 aaa attribute list SPOKE1-KEYS
crypto ikev2 profile FLEX
 match identity remote any
 authentication remote pre-share
 authentication local pre-share
 keyring aaa FLEX
"""


def _config(text: str) -> Config:
    result = load(text)
    result.raise_for_errors()
    return result.config


def _keys(cfg: Config, identity: Identity | None, peer: str = "10.0.0.2") -> tuple[str, str]:
    keys = psk_for_peer(cfg, cfg.profiles["FLEX"], IPv4Address(peer), identity)
    return (
        "" if keys.local is None else keys.local.reveal(),
        "" if keys.remote is None else keys.remote.reveal(),
    )


def test_the_policy_named_by_the_peers_identity_gives_its_keys() -> None:
    cfg = _config(BASE)
    assert cfg.flexvpn.authorization_policies["spoke1.example.com"].attribute_list == (
        "SPOKE1-KEYS"
    )
    fqdn = Identity(IdentityKind.FQDN, "spoke1.example.com")
    assert _keys(cfg, fqdn) == ("Hub-Key-1", "Spoke-Key-1")
    keys = psk_for_peer(cfg, cfg.profiles["FLEX"], IPv4Address("10.0.0.2"), fqdn)
    assert (
        keys.remote_origin == "authorization policy spoke1.example.com attribute list SPOKE1-KEYS"
    )
    assert _keys(cfg, Identity(IdentityKind.FQDN, "spoke2.example.com")) == ("", "")


def test_without_an_identity_the_peers_address_names_the_policy() -> None:
    """An initiator signs before it knows the responder's identity."""
    cfg = _config(BASE.replace("policy spoke1.example.com", "policy 10.0.0.2"))
    assert _keys(cfg, None) == ("Hub-Key-1", "Spoke-Key-1")
    assert _keys(cfg, None, peer="10.0.0.3") == ("", "")


def test_a_list_that_is_not_local_finds_no_key_here() -> None:
    for methods, said in (
        ("aaa authorization network FLEX if-authenticated", "asks if-authenticated"),
        ("aaa authorization network OTHER local", "method list FLEX is not defined"),
    ):
        result = load(BASE.replace("aaa authorization network FLEX local", methods))
        fqdn = Identity(IdentityKind.FQDN, "spoke1.example.com")
        assert _keys(result.config, fqdn) == ("", "")
        assert any(said in w.message for w in result.warnings), result.warnings


def test_a_name_mangler_names_the_policy_of_the_keys() -> None:
    # `fqdn hostname`: spoke1.example.com's keys are in the policy named `spoke1`
    text = BASE.replace(" keyring aaa FLEX", " keyring aaa FLEX name-mangler MANGLE")
    text = text.replace("policy spoke1.example.com", "policy spoke1")
    result = load(text + "crypto ikev2 name-mangler MANGLE\n fqdn hostname\n")
    assert result.config.profiles["FLEX"].flex.keyring_aaa_mangler == "MANGLE"
    assert result.warnings == ()
    assert _keys(result.config, Identity(IdentityKind.FQDN, "spoke1.example.com")) == (
        "Hub-Key-1",
        "Spoke-Key-1",
    )
    # no rule for an e-mail identity, no identity (an initiator): no name, no key
    email = Identity(IdentityKind.EMAIL, "spoke1@example.com")
    assert _keys(result.config, email) == ("", "")
    assert _keys(result.config, None) == ("", "")


def test_a_name_mangler_that_does_not_exist_is_named() -> None:
    result = load(BASE.replace(" keyring aaa FLEX", " keyring aaa FLEX name-mangler MANGLE"))
    assert _keys(result.config, Identity(IdentityKind.FQDN, "spoke1.example.com")) == ("", "")
    assert any(
        "keyring aaa FLEX name-mangler MANGLE: name-mangler MANGLE does not exist" in w.message
        for w in result.warnings
    )


def test_the_running_config_shows_the_lines_without_the_keys() -> None:
    cfg = _config(BASE.replace(" keyring aaa FLEX", " keyring aaa FLEX name-mangler MANGLE"))
    text = render(cfg)
    assert (
        "crypto ikev2 authorization policy spoke1.example.com\n aaa attribute list SPOKE1-KEYS"
        in text
    )
    assert " keyring aaa FLEX name-mangler MANGLE" in text
    assert "Hub-Key-1" not in text and "Spoke-Key-1" not in text
    again = _config(text.replace("*****", "x"))
    assert again.flexvpn.authorization_policies["spoke1.example.com"].attribute_list == (
        "SPOKE1-KEYS"
    )
