"""`crypto ipsec ...` and `crypto map ...`: transform sets, IPsec profiles, crypto map entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pyike.codec.registry import DhId
from pyike.config import defaults
from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import (
    delete_object,
    named_object,
    restore_default,
    setting,
    warn_legacy,
)
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import (
    AhIntegrity,
    CryptoMapEntry,
    CryptoMapLocal,
    EspEncryption,
    EspIntegrity,
    IpsecProfile,
    IpsecSetCommands,
    SaLifetime,
    TransformSet,
)
from pyike.config.modes import CRYPTO_MAP, GLOBAL, IPSEC_PROFILE, TRANSFORM_SET, Mode
from pyike.config.params import IFACE, interface_arg
from pyike.crypto import catalogue


def _esp_encryption_words() -> dict[str, list[str]]:
    """Each ESP cipher keyword and the key sizes that may follow it."""
    words: dict[str, list[str]] = {}
    for t in catalogue.ENCRYPTIONS:
        if t.esp_keyword is not None:
            sizes = words.setdefault(t.esp_keyword, [])
            if t.key_length is not None:
                sizes.append(str(t.key_length))
    return words


_ESP_ENCRYPTION = _esp_encryption_words()
_ESP_INTEGRITY = [t.esp_keyword for t in catalogue.INTEGRITIES if t.esp_keyword]
_TRANSFORM = "|".join(
    [
        *catalogue.AH_INTEGRITIES,
        *(f"{w} [{'|'.join(sizes)}]" if sizes else w for w, sizes in _ESP_ENCRYPTION.items()),
        *_ESP_INTEGRITY,
    ]
)
_PFS_WORDS = [g.pfs_keyword for g in catalogue.GROUPS if g.pfs_keyword]
_PFS = "set pfs $ [{" + "|".join(_PFS_WORDS) + "}]"
_LIFETIME = (
    "set security-association lifetime "
    "{seconds $ <seconds:INT(120,2592000)>|kilobytes $ {<kilobytes:INT(2560,4294967295)>|disable}}"
)
_REPLAY = "set security-association replay window-size $ [{64|128|256|512|1024}]"


def transform_set_from(m: Match, name: str) -> TransformSet:
    """Read the transforms after the name; IOS refuses a second AH transform, cipher or hash,
    and a hash after an AEAD cipher, at that keyword."""
    ah: AhIntegrity | None = None
    encryption: EspEncryption | None = None
    integrity: EspIntegrity | None = None
    name_index = next(c.index for c in m.captures if c.name == "name")
    caps = m.keywords_after(name_index)
    for i, cap in enumerate(caps):
        word = cap.keyword
        assert word is not None
        if word in catalogue.AH_INTEGRITIES:
            if ah is not None:
                raise Rejected(token=cap.index)
            ah = AhIntegrity(catalogue.AH_INTEGRITIES[word].id, word)
        elif word in _ESP_ENCRYPTION:
            follows = caps[i + 1].keyword if i + 1 < len(caps) else None
            bits = int(follows) if follows in _ESP_ENCRYPTION[word] and follows else None
            transform = catalogue.esp_encryption_keyword(word, bits)
            assert transform is not None  # the grammar admits catalogue keywords only
            if encryption is not None or (integrity is not None and transform.is_aead):
                raise Rejected(token=cap.index)
            encryption = EspEncryption(transform.id, bits, word)
        elif word in _ESP_INTEGRITY:
            if integrity is not None or (encryption is not None and encryption.is_aead):
                raise Rejected(token=cap.index)
            integ = catalogue.esp_integrity_keyword(word)
            assert integ is not None
            integrity = EspIntegrity(integ.id, word)
    return TransformSet(name, encryption, integrity, ah=ah)


def _warn_legacy(b: Builder, ts: TransformSet) -> None:
    if ts.encryption is not None:
        warn_legacy(b, ts.encryption.transform, ts.encryption.keyword)


@GLOBAL.command(f"crypto ipsec transform-set <name:WORD> $ {{{_TRANSFORM}}}+", enters=TRANSFORM_SET)
def _transform_set(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if negate:
        delete_object(b, b.config.transform_sets, name, "transform-set")
        return
    new = replace(transform_set_from(m, name), source=b.source())
    _warn_legacy(b, new)
    old = b.config.transform_sets.get(name)
    if old is not None:
        new = replace(
            new, mode=old.mode, transport_required=old.transport_required, source=old.source
        )
    b.config.transform_sets[name] = new
    restore_default(b, name, "transform-set")
    b.enter(TRANSFORM_SET, name)


@TRANSFORM_SET.command("mode $ {tunnel|transport [require]}")
def _mode(b: Builder, m: Match, line: Line, negate: bool) -> None:
    transport = m.has("transport") and not negate
    b.config.transform_sets[b.key()] = replace(
        b.config.transform_sets[b.key()],
        mode="transport" if transport else "tunnel",
        transport_required=transport and m.has("require"),
    )


# --- shared `set ...` commands of IPsec profiles and crypto map entries -----------------------


def _lifetime(current: SaLifetime, m: Match, negate: bool) -> SaLifetime:
    if m.has("seconds"):
        return replace(current, seconds=None if negate else m.get("seconds"))
    value = None if negate or m.has("disable") else m.get("kilobytes")
    return replace(current, kilobytes=value)


def _pfs(m: Match, negate: bool) -> DhId | None:
    if negate:
        return None
    word = next((w for w in m.keywords() if w in _PFS_WORDS), None)
    group = catalogue.group_keyword(word) if word else None
    return group.id if group else defaults.PFS_WITHOUT_GROUP


def _replay(m: Match, negate: bool) -> int | None:
    size = next((w for w in m.keywords() if w.isdigit()), None)
    return None if negate else int(size) if size else defaults.REPLAY_WINDOW


# --- IPsec profile -----------------------------------------------------------------------------


_update_profile = named_object(
    "crypto ipsec profile $ <name:WORD>",
    IPSEC_PROFILE,
    lambda b: b.config.ipsec_profiles,
    IpsecProfile,
    ("ipsec-profile", defaults.DEFAULT_IPSEC_PROFILE),
)


def _shared_set_commands(
    mode: Mode,
    current: Callable[[Builder], IpsecSetCommands],
    update: Callable[..., None],
) -> None:
    """The `set` commands IPsec profiles and crypto map entries share, and `description`."""

    def transform_sets(b: Builder, m: Match, line: Line, negate: bool) -> None:
        update(b, transform_sets=() if negate else _names(m))

    def pfs(b: Builder, m: Match, line: Line, negate: bool) -> None:
        update(b, pfs=_pfs(m, negate))

    def lifetime(b: Builder, m: Match, line: Line, negate: bool) -> None:
        update(b, lifetime=_lifetime(current(b).lifetime, m, negate))

    mode.add("set transform-set $ {<ts:WORD>}+", transform_sets)
    setting(mode, "set ikev2-profile $ <name:WORD>", update, "ikev2_profile", "name")
    setting(mode, "set isakmp-profile $ <name:WORD>", update, "isakmp_profile", "name")
    mode.add(_PFS, pfs)
    mode.add(_LIFETIME, lifetime)
    setting(mode, "description $ <text:LINE>", update, "description", "text")


def _names(m: Match) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(m.all("ts")))
    if len(names) > 6:
        raise Rejected(token=[c.index for c in m.captures if c.name == "ts"][6])
    return names


_shared_set_commands(IPSEC_PROFILE, lambda b: b.config.ipsec_profiles[b.key()], _update_profile)


@IPSEC_PROFILE.command(_REPLAY)
def _profile_replay(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_profile(b, replay_window=_replay(m, negate))


# --- global IPsec settings ---------------------------------------------------------------------


@GLOBAL.command(
    "crypto ipsec security-association lifetime "
    "{seconds $ <seconds:INT(120,2592000)>|kilobytes $ <kilobytes:INT(2560,4294967295)>}"
)
def _global_lifetime(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.update(ipsec=replace(b.config.ipsec, lifetime=_lifetime(b.config.ipsec.lifetime, m, negate)))


@GLOBAL.command("crypto ipsec security-association replay window-size $ [{64|128|256|512|1024}]")
def _global_replay(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.update(ipsec=replace(b.config.ipsec, replay_window=_replay(m, negate)))


@GLOBAL.command("crypto ipsec df-bit $ {copy|set|clear}")
def _global_df_bit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.update(ipsec=replace(b.config.ipsec, df_bit=None if negate else m.keywords()[-1]))


@GLOBAL.command("crypto ipsec security-association idle-time $ <seconds:INT(60,86400)>")
def _global_idle_time(b: Builder, m: Match, line: Line, negate: bool) -> None:
    seconds = None if negate else m.get("seconds")
    b.update(ipsec=replace(b.config.ipsec, idle_time=seconds))


@GLOBAL.command("crypto ipsec fragmentation $ {before-encryption|after-encryption}")
def _global_fragmentation(b: Builder, m: Match, line: Line, negate: bool) -> None:
    setting = None if negate else m.keywords()[-1]
    b.update(ipsec=replace(b.config.ipsec, fragmentation=setting))


# --- crypto map --------------------------------------------------------------------------------


@GLOBAL.command(
    "crypto map <map:WORD> $ <seq:INT(1,65535)> [ipsec-isakmp [dynamic <dynamic:WORD>]]",
    enters=CRYPTO_MAP,
)
def _crypto_map(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, seq, dynamic = m.get("map"), m.get("seq"), m.get("dynamic")
    if not _add_entry(b, b.crypto_maps, name, seq, negate):
        return
    if dynamic is not None:  # a reference to a dynamic map: IOS stays in global configuration
        b.crypto_maps[name][seq] = CryptoMapEntry(name, seq, dynamic=dynamic, source=b.source())
    elif b.crypto_maps[name][seq].dynamic is not None:
        raise Rejected(
            message=f"% crypto map {name} {seq} refers to a dynamic map: remove it first"
        )
    else:
        b.enter(CRYPTO_MAP, (name, seq))


@GLOBAL.command("crypto dynamic-map <map:WORD> $ <seq:INT(1,65535)>", enters=CRYPTO_MAP)
def _dynamic_map(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, seq = m.get("map"), m.get("seq")
    if _add_entry(b, b.dynamic_maps, name, seq, negate):
        b.enter(CRYPTO_MAP, (name, seq, _DYNAMIC))


_DYNAMIC = "dynamic"  # the third part of the key of a dynamic map's entry being configured


def _add_entry(
    b: Builder, maps: dict[str, dict[int, CryptoMapEntry]], name: str, seq: int | None, negate: bool
) -> bool:
    """`[no] crypto map|dynamic-map NAME [SEQ]`: True when entry SEQ now exists."""
    entries = maps.setdefault(name, {})
    if negate:
        if seq is None:
            maps.pop(name, None)
        else:
            entries.pop(seq, None)
        return False
    assert seq is not None  # only `no` may leave it out
    if seq not in entries:
        entries[seq] = CryptoMapEntry(name, seq, source=b.source())
    return True


@GLOBAL.command(f"crypto map <map:WORD> local-address $ {IFACE}")
def _map_local_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The interface whose address the map's IKE and IPsec SAs use: one address for a map
    applied to several interfaces, or a loopback's, reached over any of them."""
    name = m.get("map")
    if negate:
        b.config.crypto_map_local.pop(name, None)
    else:
        interface = interface_arg(m)
        assert interface is not None  # the pattern requires one
        b.config.crypto_map_local[name] = CryptoMapLocal(interface, b.source())


def _entries(b: Builder) -> tuple[dict[int, CryptoMapEntry], int]:
    """The map holding the entry being configured (a crypto map's or a dynamic map's), and
    the entry's sequence number."""
    name, seq, *dynamic = b.key()
    return (b.dynamic_maps if dynamic else b.crypto_maps)[name], seq


def _update_entry(b: Builder, **changes: Any) -> None:
    entries, seq = _entries(b)
    entries[seq] = replace(entries[seq], **changes)


def _entry(b: Builder) -> CryptoMapEntry:
    entries, seq = _entries(b)
    return entries[seq]


@CRYPTO_MAP.command("set peer $ <addr:ADDR> [default]")
def _map_peer(b: Builder, m: Match, line: Line, negate: bool) -> None:
    peers = _entry(b).peers
    addr = m.get("addr")
    if negate:
        peers = tuple(p for p in peers if addr is not None and p != addr)
    elif m.has("default"):
        peers = (addr, *(p for p in peers if p != addr))
    elif addr not in peers:
        peers = (*peers, addr)
    _update_entry(b, peers=peers)


_shared_set_commands(CRYPTO_MAP, _entry, _update_entry)


@CRYPTO_MAP.command("set security-association idle-time $ <seconds:INT(60,86400)> [default]")
def _map_idle_time(b: Builder, m: Match, line: Line, negate: bool) -> None:
    seconds = None if negate else m.get("seconds")
    _update_entry(b, idle_time=seconds, idle_to_default=not negate and m.has("default"))


setting(CRYPTO_MAP, "match address $ <acl:WORD>", _update_entry, "acl", "acl")


@CRYPTO_MAP.command("reverse-route")
def _reverse_route(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_entry(b, reverse_route=not negate)
