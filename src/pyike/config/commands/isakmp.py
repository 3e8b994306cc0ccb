"""IKEv1: `crypto isakmp policy|key|profile` and `crypto keyring`.

pyike does not negotiate IKEv1. It reads these commands the way IOS does (a typo is refused
with IOS's marker), keeps them for `config show` (keys masked) and uses them to tell which
tunnels and crypto map entries would run IKEv1 (see `query.ikev1_reason`). The other IKEv1
commands (`crypto isakmp keepalive`, EZVPN groups, ...) are in the vocabulary of kept ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyike.config.build import Builder
from pyike.config.commands.common import named_object, update_current
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Ikev1Key, Ikev1Keyring, IsakmpPolicy, IsakmpProfile, Secret
from pyike.config.modes import GLOBAL, IKEV1_KEYRING, ISAKMP_POLICY, ISAKMP_PROFILE, Handler
from pyike.config.params import IFACE
from pyike.crypto import catalogue

_PEER = "{address <addr:ADDR> [<mask:MASK>]|address ipv6 <prefix:IPV6PFX>|hostname <host:WORD>}"


def typed(m: Match, line: Line, start: int = 0) -> str:
    """The command from capture `start` on as IOS prints it: keywords in full, values as typed
    (a value that runs to the end of the line, such as a description, whole)."""
    negated = 1 if line.tokens[0].text.lower() == "no" else 0  # captures count after a `no`
    words: list[str] = []
    for capture in m.captures[start:]:
        if capture.keyword is not None:
            words.append(capture.keyword)
            continue
        token = line.tokens[capture.index + negated].text
        rest = isinstance(capture.value, str) and len(capture.value) > len(token)
        words.append(capture.value if rest else token)
    return " ".join(words)


def _secret(m: Match) -> Secret:
    return Secret(m.get("key"), 6 if m.has("6") else 0)


def _peer(m: Match) -> str:
    if m.get("host") is not None:
        return f"hostname {m.get('host')}"
    if m.get("prefix") is not None:
        return f"address ipv6 {m.get('prefix')}"
    mask = m.get("mask")
    return f"address {m.get('addr')}" + (f" {mask}" if mask is not None else "")


# --- crypto isakmp policy ----------------------------------------------------------------------


_update_policy = named_object(
    "crypto isakmp policy $ <name:INT(1,10000)>",
    ISAKMP_POLICY,
    lambda b: b.config.isakmp_policies,
    IsakmpPolicy,
)


def _policy_setting(pattern: str, attr: str, value: Callable[[Match, Line], Any]) -> None:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        _update_policy(b, **{attr: None if negate else value(m, line)})

    ISAKMP_POLICY.add(pattern, handler)


def _after_first(m: Match, line: Line) -> str:
    return typed(m, line, 1)


def _choice(words: list[str]) -> str:
    return "{" + "|".join(words) + "}"


_ENCRYPTIONS = _choice(
    [
        f"{word} [{_choice([str(t.key_bits) for t in sizes])}]" if len(sizes) > 1 else word
        for word, sizes in catalogue.ISAKMP_ENCRYPTIONS.items()
    ]
)
_GROUPS = _choice([g.keyword for g in catalogue.ISAKMP_GROUPS if g.keyword])
_policy_setting(f"encryption $ {_ENCRYPTIONS}", "encryption", _after_first)
_policy_setting(f"hash $ {_choice(list(catalogue.ISAKMP_HASHES))}", "hash", _after_first)
_policy_setting(
    "authentication $ {pre-share|rsa-sig|rsa-encr|ecdsa-sig}", "authentication", _after_first
)
_policy_setting(f"group $ {_GROUPS}", "group", _after_first)
_policy_setting("lifetime $ <seconds:INT(60,86400)>", "lifetime", lambda m, _: m.get("seconds"))


# --- crypto isakmp key -------------------------------------------------------------------------


@GLOBAL.command(f"crypto isakmp key [0|6] <key:WORD> {_PEER} [no-xauth]")
def _isakmp_key(b: Builder, m: Match, line: Line, negate: bool) -> None:
    peer = _peer(m)
    kept = tuple(k for k in b.config.isakmp_keys if k.peer != peer)
    if not negate:
        kept = (*kept, Ikev1Key(_secret(m), peer, m.has("no-xauth")))
    b.update(isakmp_keys=kept)


# --- crypto keyring ----------------------------------------------------------------------------


@GLOBAL.command("crypto keyring $ <name:WORD> [vrf <vrf:WORD>]", enters=IKEV1_KEYRING)
def _keyring(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if negate:
        b.config.isakmp_keyrings.pop(name, None)
        return
    if name not in b.config.isakmp_keyrings:
        ring = Ikev1Keyring(name, m.get("vrf"), source=b.source())
        b.config.isakmp_keyrings[name] = ring
    b.enter(IKEV1_KEYRING, name)


def _update_keyring(b: Builder, **changes: Any) -> None:
    update_current(b, b.config.isakmp_keyrings, **changes)


@IKEV1_KEYRING.command(f"pre-shared-key {_PEER} $ key [0|6] <key:SECRET>")
def _keyring_key(b: Builder, m: Match, line: Line, negate: bool) -> None:
    ring = b.config.isakmp_keyrings[b.key()]
    peer = _peer(m)
    keys = tuple(k for k in ring.keys if k.peer != peer)
    if not negate:
        keys = (*keys, Ikev1Key(_secret(m), peer))
    _update_keyring(b, keys=keys)


def _leading_keywords(m: Match) -> list[str]:
    words = []
    for capture in m.captures:
        if capture.keyword is None:
            break
        words.append(capture.keyword)
    return words


def _kept(update: Callable[..., None], current: Callable[[Builder], Any]) -> Handler:
    """A sub-command kept as IOS prints it; its `no` form removes it."""

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        head = " ".join(_leading_keywords(m))  # `keepalive 10 retry 3` replaces `keepalive ...`
        others = tuple(x for x in current(b).extra if x != head and not x.startswith(head + " "))
        update(b, extra=others if negate else (*others, typed(m, line)))

    return handler


_keyring_kept = _kept(_update_keyring, lambda b: b.config.isakmp_keyrings[b.key()])
IKEV1_KEYRING.add(f"local-address $ {{{IFACE}|<addr:ADDR>}} [<vrf:WORD>]", _keyring_kept)
IKEV1_KEYRING.add("description $ <text:LINE>", _keyring_kept)


# --- crypto isakmp profile ---------------------------------------------------------------------


_update_profile = named_object(
    "crypto isakmp profile $ <name:WORD>",
    ISAKMP_PROFILE,
    lambda b: b.config.isakmp_profiles,
    IsakmpProfile,
)


def _profile_list(attr: str, value: Callable[[Match, Line], str]) -> Handler:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        current: tuple[str, ...] = getattr(b.config.isakmp_profiles[b.key()], attr)
        item = value(m, line)
        kept = tuple(x for x in current if x != item)
        _update_profile(b, **{attr: kept if negate else (*kept, item)})

    return handler


ISAKMP_PROFILE.add("keyring <name:WORD>", _profile_list("keyrings", lambda m, _: m.get("name")))
ISAKMP_PROFILE.add(
    "match identity {address <addr:ADDR> [<mask:MASK>] [<vrf:WORD>]|address ipv6 <prefix:IPV6PFX>"
    "|host <host:WORD>|host domain <domain:WORD>|group <group:WORD>|user <user:WORD>"
    "|user domain <domain:WORD>}",
    _profile_list("match_identities", lambda m, line: typed(m, line, 2)),
)

_profile_kept = _kept(_update_profile, lambda b: b.config.isakmp_profiles[b.key()])
for _pattern in (
    "accounting <list:WORD>",
    "ca trust-point <name:WORD>",
    "client authentication list <list:WORD>",
    "client configuration address {initiate|respond}",
    "client configuration group <group:WORD>",
    "client pki authorization list <list:WORD>",
    "description <text:LINE>",
    "initiate mode aggressive",
    "isakmp authorization list <list:WORD>",
    "keepalive <seconds:INT(10,3600)> retry <retry:INT(2,60)>",
    f"local-address {{{IFACE}|<addr:ADDR>}}",
    "match certificate <map:WORD>",
    "qos-group <group:INT(1,1023)>",
    "self-identity {address [ipv6]|fqdn|user-fqdn <name:WORD>}",
    "virtual-template <number:INT(1,65535)>",
    "vrf <vrf:WORD>",
):
    ISAKMP_PROFILE.add(_pattern, _profile_kept)
