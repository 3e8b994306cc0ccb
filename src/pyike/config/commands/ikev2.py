"""`crypto ikev2 ...`: proposals, policies, keyrings, profiles and the global IKEv2 settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv6Interface
from typing import Any, TypeVar

from pyike.config import defaults
from pyike.config.build import Builder
from pyike.config.commands.common import (
    merge_list,
    named_object,
    setting,
    update_current,
    warn_legacy,
)
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import (
    Dpd,
    EapLocal,
    EapRemote,
    Identity,
    IdentityKind,
    IdentityMatch,
    IkeEncryption,
    Keyring,
    KeyringPeer,
    Policy,
    Profile,
    Proposal,
    Secret,
)
from pyike.config.modes import (
    GLOBAL,
    IKEV2_KEYRING,
    IKEV2_KEYRING_PEER,
    IKEV2_POLICY,
    IKEV2_PROFILE,
    IKEV2_PROPOSAL,
)
from pyike.config.params import IFACE, interface_arg
from pyike.crypto import catalogue

# The keywords of `crypto ikev2 proposal`, in the catalogue's order.
_ENCRYPTION_WORDS = [t.ike_keyword for t in catalogue.ENCRYPTIONS if t.ike_keyword]
_INTEGRITY_WORDS = [t.ike_keyword for t in catalogue.INTEGRITIES if t.ike_keyword]
_PRF_WORDS = [t.ike_keyword for t in catalogue.PRFS if t.ike_keyword]
_GROUP_WORDS = [g.keyword for g in catalogue.GROUPS if g.keyword]
_T = TypeVar("_T")
_DPD = "<interval:INT(10,3600)> <retry:INT(2,60)> {on-demand|periodic}"


def _values(m: Match, after: int) -> list[str]:
    return [c.keyword for c in m.keywords_after(after) if c.keyword is not None]


# --- proposal ----------------------------------------------------------------------------------


named_object(
    "crypto ikev2 proposal $ <name:WORD>",
    IKEV2_PROPOSAL,
    lambda b: b.config.proposals,
    Proposal,
    ("proposal", defaults.DEFAULT_PROPOSAL),
)


def _proposal_list(attr: str, words: list[str], value: Callable[[str], Any]) -> None:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        values = [value(w) for w in _values(m, 0)]
        if attr == "encryption" and not negate:
            for word in _values(m, 0):
                warn_legacy(b, _known(catalogue.ike_encryption_keyword(word)), f"{attr} {word}")
        merge_list(b, "proposal", b.config.proposals, attr, values, negate)

    keyword = "group" if attr == "groups" else attr
    IKEV2_PROPOSAL.add(f"{keyword} $ {{{'|'.join(words)}}}+", handler)


def _encryption(word: str) -> IkeEncryption:
    transform = _known(catalogue.ike_encryption_keyword(word))
    return IkeEncryption(transform.id, transform.key_length, word)


def _known(transform: _T | None) -> _T:
    assert transform is not None  # the grammar admits catalogue keywords only
    return transform


_proposal_list("encryption", _ENCRYPTION_WORDS, _encryption)
_proposal_list("integrity", _INTEGRITY_WORDS, lambda w: _known(catalogue.integrity_keyword(w)).id)
_proposal_list("prf", _PRF_WORDS, lambda w: _known(catalogue.prf_keyword(w)).id)
_proposal_list("groups", _GROUP_WORDS, lambda w: _known(catalogue.group_keyword(w)).id)


# --- policy ------------------------------------------------------------------------------------


named_object(
    "crypto ikev2 policy $ <name:WORD>",
    IKEV2_POLICY,
    lambda b: b.config.policies,
    Policy,
    ("policy", defaults.DEFAULT_POLICY),
)


def _policy_list(pattern: str, attr: str, value: str) -> None:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        values = [m.get(value)] if m.get(value) else []
        merge_list(b, "policy", b.config.policies, attr, values, negate)

    IKEV2_POLICY.add(pattern, handler)


_policy_list("proposal $ <proposal:WORD>", "proposals", "proposal")
_policy_list("match address local $ <addr:ADDR>", "match_local", "addr")


@IKEV2_POLICY.command("match fvrf $ {any|<vrf:WORD>}")
def _policy_fvrf(b: Builder, m: Match, line: Line, negate: bool) -> None:
    vrf = None if negate else ("any" if m.has("any") else m.get("vrf"))
    update_current(b, b.config.policies, match_fvrf=vrf)


# --- keyring -----------------------------------------------------------------------------------


named_object(
    "crypto ikev2 keyring $ <name:WORD>", IKEV2_KEYRING, lambda b: b.config.keyrings, Keyring
)


@IKEV2_KEYRING.command("peer $ <name:WORD>", enters=IKEV2_KEYRING_PEER)
def _peer(b: Builder, m: Match, line: Line, negate: bool) -> None:
    ring = b.config.keyrings[b.key()]
    name = m.get("name")
    if negate:
        peers = tuple(p for p in ring.peers if p.name != name)
        b.config.keyrings[ring.name] = replace(ring, peers=peers)
        return
    if all(p.name != name for p in ring.peers):
        peer = KeyringPeer(name, source=b.source())
        b.config.keyrings[ring.name] = replace(ring, peers=(*ring.peers, peer))
    b.enter(IKEV2_KEYRING_PEER, (ring.name, name))


@IKEV2_KEYRING.command("description $ <text:LINE>", modelled=False)
def _keyring_description(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """Keyring descriptions carry no meaning for negotiation."""


def _update_peer(b: Builder, **changes: Any) -> None:
    ring_name, peer_name = b.key()
    ring = b.config.keyrings[ring_name]
    peers = tuple(replace(p, **changes) if p.name == peer_name else p for p in ring.peers)
    b.config.keyrings[ring_name] = replace(ring, peers=peers)


@IKEV2_KEYRING_PEER.command("address $ <addr:IPV4> [<mask:MASK>]")
def _peer_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_peer(b, address=None, mask=None)
        return
    mask = m.get("mask")
    _update_peer(b, address=str(m.get("addr")), mask=str(mask) if mask is not None else None)


@IKEV2_KEYRING_PEER.command("address <prefix:IPV6PFX>")
def _peer_address6(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv6Interface = m.get("prefix")
    _update_peer(b, address=None if negate else str(prefix.network), mask=None)


setting(IKEV2_KEYRING_PEER, "hostname $ <name:WORD>", _update_peer, "hostname", "name")
setting(IKEV2_KEYRING_PEER, "description $ <text:LINE>", _update_peer, "description", "text")


_IDENTITY = (
    "{address <addr:ADDR>|fqdn [domain] <name:WORD>|email [domain] <name:WORD>|key-id <name:WORD>}"
)


def identity_match(m: Match) -> IdentityMatch:
    if m.get("addr") is not None:
        return IdentityMatch(IdentityKind.ADDRESS, str(m.get("addr")))
    kind = next(
        IdentityKind(w) for w in m.keywords() if w in ("fqdn", "email", "key-id", "address")
    )
    return IdentityMatch(kind, m.get("name"), domain=m.has("domain"))


@IKEV2_KEYRING_PEER.command(f"identity $ {_IDENTITY}")
def _peer_identity(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_peer(b, identity=None if negate else identity_match(m))


def secret(m: Match) -> Secret:
    return Secret(m.get("key"), 6 if m.has("6") else 0)


@IKEV2_KEYRING_PEER.command("pre-shared-key [local|remote] $ [0|6] <key:SECRET>")
def _peer_key(b: Builder, m: Match, line: Line, negate: bool) -> None:
    key = None if negate else secret(m)
    if m.has("local"):
        _update_peer(b, local_key=key)
    elif m.has("remote"):
        _update_peer(b, remote_key=key)
    else:
        _update_peer(b, local_key=key, remote_key=key)


# --- profile -----------------------------------------------------------------------------------


_update_profile = named_object(
    "crypto ikev2 profile $ <name:WORD>", IKEV2_PROFILE, lambda b: b.config.profiles, Profile
)


def _add_identity_match(b: Builder, match: IdentityMatch | None, negate: bool) -> None:
    profile = b.config.profiles[b.key()]
    if negate:
        kept = tuple(x for x in profile.match_identities if match is not None and x != match)
        _update_profile(b, match_identities=kept)
    elif match is not None and match not in profile.match_identities:
        _update_profile(b, match_identities=(*profile.match_identities, match))


@IKEV2_PROFILE.command("match identity remote $ address <addr:IPV4> [<mask:MASK>]")
def _match_remote_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if m.get("addr") is None:
        _add_identity_match(b, None, negate)
        return
    mask = m.get("mask")
    match = IdentityMatch(
        IdentityKind.ADDRESS, str(m.get("addr")), str(mask) if mask is not None else None
    )
    _add_identity_match(b, match, negate)


@IKEV2_PROFILE.command("match identity remote address <prefix:IPV6PFX>")
def _match_remote_address6(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv6Interface = m.get("prefix")
    match = IdentityMatch(IdentityKind.ADDRESS, str(prefix.network))
    _add_identity_match(b, match, negate)


@IKEV2_PROFILE.command("match identity remote {fqdn|email} [domain] <name:WORD>")
def _match_remote_name(b: Builder, m: Match, line: Line, negate: bool) -> None:
    kind = IdentityKind.FQDN if m.has("fqdn") else IdentityKind.EMAIL
    _add_identity_match(b, IdentityMatch(kind, m.get("name"), domain=m.has("domain")), negate)


@IKEV2_PROFILE.command("match identity remote key-id <name:WORD>")
def _match_remote_key_id(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _add_identity_match(b, IdentityMatch(IdentityKind.KEY_ID, m.get("name")), negate)


@IKEV2_PROFILE.command("match identity remote any")
def _match_remote_any(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _add_identity_match(b, IdentityMatch(IdentityKind.ANY, ""), negate)


@IKEV2_PROFILE.command("match certificate $ <map:WORD>")
def _match_certificate(b: Builder, m: Match, line: Line, negate: bool) -> None:
    maps = tuple(x for x in b.config.profiles[b.key()].match_certificates if x != m.get("map"))
    _update_profile(b, match_certificates=maps if negate else (*maps, m.get("map")))


@IKEV2_PROFILE.command("pki trustpoint $ <name:WORD> [sign|verify]")
def _pki_trustpoint(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """Each trustpoint once; a later line for the same one replaces its use."""
    name = m.get("name")
    kept = tuple(t for t in b.config.profiles[b.key()].pki_trustpoints if t[0] != name)
    use = "sign" if m.has("sign") else "verify" if m.has("verify") else ""
    _update_profile(b, pki_trustpoints=kept if negate else (*kept, (name, use)))


@IKEV2_PROFILE.command("match address local $ <addr:ADDR>")
def _profile_local(b: Builder, m: Match, line: Line, negate: bool) -> None:
    profile = b.config.profiles[b.key()]
    addr = m.get("addr")
    if negate:
        kept = tuple(a for a in profile.match_local if addr is not None and a != addr)
        _update_profile(b, match_local=kept)
    elif addr not in profile.match_local:
        _update_profile(b, match_local=(*profile.match_local, addr))


@IKEV2_PROFILE.command(f"match address local interface {IFACE}")
def _profile_local_interface(b: Builder, m: Match, line: Line, negate: bool) -> None:
    profile = b.config.profiles[b.key()]
    name = interface_arg(m)
    if negate:
        kept = tuple(i for i in profile.match_local_interfaces if i != name)
        _update_profile(b, match_local_interfaces=kept)
    elif name not in profile.match_local_interfaces:
        _update_profile(b, match_local_interfaces=(*profile.match_local_interfaces, name))


@IKEV2_PROFILE.command("match fvrf $ {any|<vrf:WORD>}")
def _profile_fvrf(b: Builder, m: Match, line: Line, negate: bool) -> None:
    vrf = None if negate else ("any" if m.has("any") else m.get("vrf"))
    _update_profile(b, match_fvrf=vrf)


@IKEV2_PROFILE.command(
    "identity local $ "
    "{address <addr:ADDR>|fqdn <name:WORD>|email <name:WORD>|key-id <name:WORD>|dn}"
)
def _local_identity(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_profile(b, local_identity=None)
        return
    if m.get("addr") is not None:
        _update_profile(b, local_identity=Identity.address(m.get("addr")))
        return
    kind = next(IdentityKind(w) for w in m.keywords() if w in ("fqdn", "email", "key-id", "dn"))
    _update_profile(b, local_identity=Identity(kind, m.get("name", "")))


_NO_EAP: dict[str, dict[str, Any]] = {
    "local": {"eap_local": None},
    "remote": {"eap_remote": EapRemote()},
}


@IKEV2_PROFILE.command(
    "authentication {local|remote} $ {pre-share [key [0|6] <key:SECRET>]|rsa-sig|ecdsa-sig}"
)
def _authentication(b: Builder, m: Match, line: Line, negate: bool) -> None:
    side = "local" if m.has("local") else "remote"
    method = next((w for w in m.keywords() if w in ("pre-share", "rsa-sig", "ecdsa-sig")), None)
    changes: dict[str, Any] = {}
    if not negate and m.get("key") is not None:
        changes[f"auth_{side}_key"] = secret(m)
    if negate and method in (None, "pre-share"):
        changes[f"auth_{side}_key"] = None
    if negate and method is None:  # every method of the side goes, EAP's settings with it
        changes.update(_NO_EAP[side])
    _auth_method(b, side, method, negate, changes)


@IKEV2_PROFILE.command("authentication remote eap [query-identity|timeout $ <seconds:INT(45,180)>]")
def _authentication_remote_eap(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """Each option is a line of its own; `no` with an option clears that option only."""
    eap = b.config.profiles[b.key()].eap_remote
    if m.has("query-identity"):
        eap = replace(eap, query_identity=not negate)
    elif m.has("timeout"):
        eap = replace(eap, timeout=None if negate else m.get("seconds"))
    if negate and (m.has("query-identity") or m.has("timeout")):
        _update_profile(b, eap_remote=eap)  # the option goes, EAP stays
    else:
        _auth_method(b, "remote", "eap", negate, {"eap_remote": EapRemote() if negate else eap})


@IKEV2_PROFILE.command(
    "authentication local eap [gtc|md5|mschapv2] [username <user:WORD>] "
    "[password [0|6] <key:SECRET>]"
)
def _authentication_local_eap(b: Builder, m: Match, line: Line, negate: bool) -> None:
    method = next((w for w in m.keywords() if w in ("gtc", "md5", "mschapv2")), None)
    password = secret(m) if m.get("key") is not None else None
    eap = None if negate else EapLocal(method, m.get("user"), password)
    _auth_method(b, "local", "eap", negate, {"eap_local": eap})


def _auth_method(
    b: Builder, side: str, method: str | None, negate: bool, changes: dict[str, Any]
) -> None:
    """Add (or with `negate` remove) an `authentication local|remote` method, remembering its
    line; IOS keeps one local method, so a new one replaces the old."""
    profile = b.config.profiles[b.key()]
    methods: tuple[str, ...] = getattr(profile, f"auth_{side}")
    if negate:
        methods = tuple(x for x in methods if method is not None and x != method)
        sources = tuple(e for e in profile.auth_sources if e[0] != side or e[1] in methods)
        _update_profile(b, **{f"auth_{side}": methods}, auth_sources=sources, **changes)
        return
    assert method is not None
    if side == "local":
        methods = (method,)
        changes.setdefault("eap_local", None)  # credentials of a replaced `local eap`
    elif method not in methods:
        methods = (*methods, method)
    kept = tuple(
        entry
        for entry in profile.auth_sources
        if entry[0] != side or (side == "remote" and entry[1] != method)
    )
    _update_profile(
        b, **{f"auth_{side}": methods}, auth_sources=(*kept, (side, method, b.source())), **changes
    )


@IKEV2_PROFILE.command("keyring $ {local $ <name:WORD>|<legacy:WORD>}")
def _profile_keyring(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`keyring local NAME`; before 15.2(4)M IOS wrote `keyring NAME`, which still loads."""
    _update_profile(b, keyring=None if negate else m.get("name") or m.get("legacy"))


setting(
    IKEV2_PROFILE, "lifetime $ <seconds:INT(120,86400)>", _update_profile, "lifetime", "seconds"
)


def _dpd(m: Match) -> Dpd:
    return Dpd(m.get("interval"), m.get("retry"), "periodic" if m.has("periodic") else "on-demand")


@IKEV2_PROFILE.command(f"dpd $ {_DPD}")
def _profile_dpd(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_profile(b, dpd=None if negate else _dpd(m))


_KEEPALIVE = "nat keepalive $ <seconds:INT(5,3600)>"
setting(IKEV2_PROFILE, _KEEPALIVE, _update_profile, "nat_keepalive", "seconds")
setting(IKEV2_PROFILE, "description $ <text:LINE>", _update_profile, "description", "text")
setting(IKEV2_PROFILE, "ivrf $ <vrf:WORD>", _update_profile, "ivrf", "vrf")


# --- global IKEv2 settings ---------------------------------------------------------------------


def _update_ikev2(b: Builder, **changes: Any) -> None:
    b.update(ikev2=replace(b.config.ikev2, **changes))


@GLOBAL.command(f"crypto ikev2 dpd $ {_DPD}")
def _global_dpd(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_ikev2(b, dpd=None if negate else _dpd(m))


setting(GLOBAL, f"crypto ikev2 {_KEEPALIVE}", _update_ikev2, "nat_keepalive", "seconds")
setting(
    GLOBAL,
    "crypto ikev2 cookie-challenge $ <n:INT(1,1000)>",
    _update_ikev2,
    "cookie_challenge",
    "n",
)
setting(GLOBAL, "crypto ikev2 window $ <n:INT(1,200)>", _update_ikev2, "window", "n")


_LIMIT_FIELDS = {"incoming": "max_in_negotiation_in", "outgoing": "max_in_negotiation_out"}


@GLOBAL.command("crypto ikev2 limit max-in-negotiation-sa $ <n:INT(1,99999)> [incoming|outgoing]")
def _limit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    limit = None if negate else m.get("n")
    directions = [w for w in m.keywords() if w in _LIMIT_FIELDS] or list(_LIMIT_FIELDS)
    _update_ikev2(b, **{_LIMIT_FIELDS[d]: limit for d in directions})


@GLOBAL.command("crypto ikev2 fragmentation $ [mtu <mtu:INT(68,1500)>]")
def _fragmentation(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_ikev2(b, fragmentation=False, fragmentation_mtu=None)
    else:
        _update_ikev2(b, fragmentation=True, fragmentation_mtu=m.get("mtu"))


__all__ = ["identity_match", "secret"]
