"""Print a configuration as IOS's `show running-config` does.

Sections come in IOS's order (global settings, `crypto ikev2`, `crypto ipsec`, `crypto map`,
interfaces, routes, access lists, then the late global settings such as `line`), separated by
`!`. Keys are masked as `6 *****` unless `show_keys` is set; pyike cannot produce a real type 6
ciphertext (that needs the router's master key), so the mask is deliberately not one.
`section` filters like `| section REGEX`: a block is printed whole when any of its lines match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from pyike.codec.registry import DhId
from pyike.config import (
    defaults,
    login_text,
    pki_writer,
    writer_flexvpn,
    writer_radius,
    writer_tracking,
)
from pyike.config.commands.login import LINE
from pyike.config.commands.unmodelled import LATE
from pyike.config.lexer import tokenize
from pyike.config.model import (
    DEBUGGING,
    SEVERITIES,
    AccessList,
    Config,
    CryptoMapEntry,
    Dpd,
    EapLocal,
    IdentityMatch,
    Ikev1Key,
    Ikev1Keyring,
    Ikev2Globals,
    Interface,
    IpsecProfile,
    IpsecSetCommands,
    IsakmpPolicy,
    IsakmpProfile,
    Keyring,
    LoggingBuffer,
    Nhrp,
    Policy,
    Profile,
    Proposal,
    Route,
    SaLifetime,
    Secret,
    TransformSet,
    Vrf,
)
from pyike.config.modes import CRYPTO_MAP, IKEV2_PROFILE, IPSEC_PROFILE, Mode
from pyike.config.parser import MASK, masked_tokens
from pyike.crypto import catalogue

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Block = list[str]
D = TypeVar("D", bound="DataclassInstance")

_INTERFACE_ORDER = ("Loopback", "Tunnel")
_LATE_INTERFACES = ("Virtual-Template", "Vlan", "Dialer", "Null")


def _opening(line: str, description: str | None, indent: str = " ") -> Block:
    """A block's first line and its `description`, which IOS prints right after it."""
    return [line, f"{indent}description {description}"] if description else [line]


def _settings(prefix: str, settings: Iterable[tuple[str, object]]) -> Block:
    """`PREFIX WORDS VALUE` for each of the settings that is set, in the order given."""
    return [f"{prefix}{words} {value}" for words, value in settings if value not in (None, "")]


def _key(secret: Secret, show_keys: bool) -> str:
    if not show_keys:
        return "6 *****"
    prefix = "6 " if secret.encryption_type == 6 else ""
    return prefix + secret.reveal()


def _proposal(p: Proposal) -> Block:
    block = [f"crypto ikev2 proposal {p.name}"]
    if p.encryption:
        block.append(" encryption " + " ".join(e.keyword for e in p.encryption))
    if p.integrity:
        block.append(" integrity " + " ".join(_word(catalogue.integrity(i)) for i in p.integrity))
    if p.prf:
        block.append(" prf " + " ".join(_word(catalogue.prf(x)) for x in p.prf))
    if p.groups:
        block.append(" group " + " ".join(_group_word(g) for g in p.groups))
    return block


def _word(transform: catalogue.PrfTransform | catalogue.IntegTransform | None) -> str:
    """The keyword a modelled transform was configured with (the grammar admits no other)."""
    assert transform is not None and transform.ike_keyword is not None
    return transform.ike_keyword


def _group_word(group: DhId) -> str:
    entry = catalogue.dh_group(group)
    assert entry is not None and entry.keyword is not None
    return entry.keyword


def _policy(p: Policy) -> Block:
    block = [f"crypto ikev2 policy {p.name}"]
    if p.match_fvrf is not None:
        block.append(f" match fvrf {p.match_fvrf}")
    block += [f" match address local {a}" for a in p.match_local]
    block += [f" proposal {name}" for name in p.proposals]
    return block


def _identity(m: IdentityMatch) -> str:
    if m.mask is not None:
        return f"{m.kind.value} {m.value} {m.mask}"
    domain = "domain " if m.domain else ""
    return f"{m.kind.value} {domain}{m.value}".rstrip()


def _keyring(ring: Keyring, show_keys: bool) -> Block:
    block = [f"crypto ikev2 keyring {ring.name}"]
    for peer in ring.peers:
        block += _opening(f" peer {peer.name}", peer.description, "  ")
        if peer.address is not None:
            mask = f" {peer.mask}" if peer.mask else ""
            block.append(f"  address {peer.address}{mask}")
        if peer.hostname:
            block.append(f"  hostname {peer.hostname}")
        if peer.identity:
            block.append(f"  identity {_identity(peer.identity)}")
        if peer.local_key is not None and peer.local_key is peer.remote_key:
            block.append(f"  pre-shared-key {_key(peer.local_key, show_keys)}")
        else:
            if peer.local_key is not None:
                block.append(f"  pre-shared-key local {_key(peer.local_key, show_keys)}")
            if peer.remote_key is not None:
                block.append(f"  pre-shared-key remote {_key(peer.remote_key, show_keys)}")
        block.append(" !")
    return block


def _dpd(d: Dpd) -> str:
    return f"dpd {d.interval} {d.retry} {d.mode}"


def _profile(p: Profile, show_keys: bool) -> Block:
    block = _opening(f"crypto ikev2 profile {p.name}", p.description)
    if p.match_fvrf is not None:
        block.append(f" match fvrf {p.match_fvrf}")
    block += [f" match address local {a}" for a in p.match_local]
    block += [f" match address local interface {i}" for i in p.match_local_interfaces]
    block += [f" match identity remote {_identity(m)}" for m in p.match_identities]
    block += [f" match certificate {name}" for name in p.match_certificates]
    if p.local_identity is not None:
        block.append(f" identity local {p.local_identity}")
    for side, methods, key in (
        ("remote", p.auth_remote, p.auth_remote_key),
        ("local", p.auth_local, p.auth_local_key),
    ):
        for method in methods:
            if method == "eap":
                block += [f" authentication {side} eap{x}" for x in _eap(p, side, show_keys)]
                continue
            suffix = (
                f" key {_key(key, show_keys)}" if key is not None and method == "pre-share" else ""
            )
            block.append(f" authentication {side} {method}{suffix}")
    block += [f" pki trustpoint {n}{' ' + use if use else ''}" for n, use in p.pki_trustpoints]
    block += _settings(
        " ", (("keyring local", p.keyring), ("ivrf", p.ivrf), ("lifetime", p.lifetime))
    )
    if p.dpd is not None:
        block.append(f" {_dpd(p.dpd)}")
    block += _settings(" ", (("nat keepalive", p.nat_keepalive),))
    return block + writer_flexvpn.profile_lines(p.flex)


def _eap(p: Profile, side: str, show_keys: bool) -> list[str]:
    """What follows `authentication local|remote eap` on each of its lines: IOS prints each
    remote option on a line of its own, the local method and credentials on one."""
    if side == "remote":
        options = [" query-identity"] if p.eap_remote.query_identity else []
        if p.eap_remote.timeout is not None:
            options.append(f" timeout {p.eap_remote.timeout}")
        return options or [""]
    local = p.eap_local or EapLocal()
    words = [local.method] if local.method else []
    if local.username is not None:
        words.append(f"username {local.username}")
    if local.password is not None:
        words.append(f"password {_key(local.password, show_keys)}")
    return ["".join(f" {w}" for w in words)]


def _ikev2_globals(cfg: Config) -> list[Block]:
    g = cfg.ikev2
    lines = _settings(
        "crypto ikev2 ", (("cookie-challenge", g.cookie_challenge), ("window", g.window))
    )
    lines += _max_in_negotiation_lines(g)
    if g.dpd is not None:
        lines.append(f"crypto ikev2 {_dpd(g.dpd)}")
    if g.nat_keepalive is not None:
        lines.append(f"crypto ikev2 nat keepalive {g.nat_keepalive}")
    if g.fragmentation:
        mtu = f" mtu {g.fragmentation_mtu}" if g.fragmentation_mtu else ""
        lines.append(f"crypto ikev2 fragmentation{mtu}")
    return [[line] for line in lines]


def _max_in_negotiation_lines(g: Ikev2Globals) -> list[str]:
    """One line without a direction when both limits are the same, else one per direction."""
    command = "crypto ikev2 limit max-in-negotiation-sa"
    limits = {"incoming": g.max_in_negotiation_in, "outgoing": g.max_in_negotiation_out}
    if g.max_in_negotiation_in == g.max_in_negotiation_out:
        return [] if g.max_in_negotiation_in is None else [f"{command} {g.max_in_negotiation_in}"]
    return [f"{command} {n} {way}" for way, n in limits.items() if n is not None]


def _ikev1_keyring(ring: Ikev1Keyring, show_keys: bool) -> Block:
    block = [f"crypto keyring {ring.name}" + (f" vrf {ring.vrf}" if ring.vrf else "")]
    block += [f"  {x}" for x in ring.extra]
    block += [f"  pre-shared-key {k.peer} key {_key(k.key, show_keys)}" for k in ring.keys]
    return block


def _isakmp_policy(p: IsakmpPolicy) -> Block:
    settings = (
        ("encr", p.encryption),
        ("hash", p.hash),
        ("authentication", p.authentication),
        ("group", p.group),
        ("lifetime", p.lifetime),
    )
    return [f"crypto isakmp policy {p.priority}", *_settings(" ", settings)]


def _isakmp_key(k: Ikev1Key, show_keys: bool) -> str:
    return f"crypto isakmp key {_key(k.key, show_keys)} {k.peer}" + (
        " no-xauth" if k.no_xauth else ""
    )


def _isakmp_profile(p: IsakmpProfile) -> Block:
    block = [f"crypto isakmp profile {p.name}"]
    block += [f"   keyring {name}" for name in p.keyrings]
    block += [f"   match identity {m}" for m in p.match_identities]
    return block + [f"   {x}" for x in p.extra]


def _ikev1(cfg: Config, show_keys: bool) -> list[Block]:
    out = [_ikev1_keyring(r, show_keys) for r in cfg.isakmp_keyrings.values()]
    out += [_isakmp_policy(cfg.isakmp_policies[n]) for n in sorted(cfg.isakmp_policies)]
    if cfg.isakmp_keys:
        out.append([_isakmp_key(k, show_keys) for k in cfg.isakmp_keys])
    return out + [_isakmp_profile(p) for p in cfg.isakmp_profiles.values()]


def _lifetime_lines(prefix: str, lifetime: SaLifetime) -> list[str]:
    out = []
    if lifetime.seconds is not None:
        out.append(f"{prefix}security-association lifetime seconds {lifetime.seconds}")
    if lifetime.kilobytes is not None:
        out.append(f"{prefix}security-association lifetime kilobytes {lifetime.kilobytes}")
    return out


def _transform_set(ts: TransformSet) -> Block:
    return [
        f"crypto ipsec transform-set {ts.name} {ts.transforms_text()}",
        f" mode {ts.mode_text}",
    ]


def _pfs_line(prefix: str, pfs: DhId | None) -> list[str]:
    group = None if pfs is None else catalogue.dh_group(pfs)
    return [f"{prefix}set pfs {group.pfs_keyword}"] if group and group.pfs_keyword else []


def _protection_lines(p: IpsecSetCommands) -> Block:
    """The `set` lines an IPsec profile and a crypto map entry share, in IOS's order."""
    block = [" set transform-set " + " ".join(p.transform_sets)] if p.transform_sets else []
    block += _pfs_line(" ", p.pfs)
    return block + _settings(
        " set ", (("ikev2-profile", p.ikev2_profile), ("isakmp-profile", p.isakmp_profile))
    )


def _ipsec_profile(p: IpsecProfile) -> Block:
    block = _opening(f"crypto ipsec profile {p.name}", p.description)
    block += _lifetime_lines(" set ", p.lifetime)
    if p.replay_window is not None:
        block.append(f" set security-association replay window-size {p.replay_window}")
    return block + _protection_lines(p)


def _crypto_map(e: CryptoMapEntry, kind: str = "map") -> Block:
    """A crypto map's entry, or (`kind` "dynamic-map") a dynamic map's."""
    if e.dynamic is not None:
        return [f"crypto map {e.map_name} {e.seq} ipsec-isakmp dynamic {e.dynamic}"]
    isakmp = " ipsec-isakmp" if kind == "map" else ""
    block = _opening(f"crypto {kind} {e.map_name} {e.seq}{isakmp}", e.description)
    block += [f" set peer {p}" for p in e.peers]
    block += _lifetime_lines(" set ", e.lifetime)
    if e.idle_time is not None:
        default = " default" if e.idle_to_default else ""
        block.append(f" set security-association idle-time {e.idle_time}{default}")
    block += _protection_lines(e)
    if e.acl:
        block.append(f" match address {e.acl}")
    if e.reverse_route:
        block.append(" reverse-route")
    return block


def _vrf(v: Vrf) -> Block:
    block = _opening(f"{'ip vrf' if v.legacy else 'vrf definition'} {v.name}", v.description)
    if v.rd:
        block.append(f" rd {v.rd}")
    block += [f" {x}" for x in v.extra]
    if v.legacy:
        return block
    for family in v.address_families:
        block += [" !", f" address-family {family.name}"]
        block += [f"  {x}" for x in family.extra]
        block.append(" exit-address-family")
    return block


def _in_vrf(cfg: Config, i: Interface, block: Block) -> Block:
    """An interface's block with its `vrf forwarding` (`ip vrf forwarding` for a VRF made with
    `ip vrf`) where IOS prints it: first, after the description."""
    if i.vrf is None:
        return block
    legacy = i.vrf in cfg.vrfs and cfg.vrfs[i.vrf].legacy
    at = 2 if i.description else 1
    return [*block[:at], f" {'ip vrf' if legacy else 'vrf'} forwarding {i.vrf}", *block[at:]]


def _addressing(i: Interface) -> list[str]:
    if i.address_dhcp is not None:  # its addresses are a lease, not configuration
        return [" ip address dhcp" + (f" {i.address_dhcp}" if i.address_dhcp else "")]
    lines = [
        f" ip address {addr} {mask}" + (" secondary" if n else "")
        for n, (addr, mask) in enumerate(i.addresses)
    ]
    if i.address_negotiated:
        lines.append(" ip address negotiated")
    elif i.unnumbered is not None:
        lines.append(f" ip unnumbered {i.unnumbered}")
    elif not i.addresses and not any(x.startswith("ip address") for x in i.extra):
        lines.append(" no ip address")
    return lines


def _interface(i: Interface, show_keys: bool) -> Block:
    block = _opening(
        f"interface {i.name}" + (" type tunnel" if i.type_tunnel else ""), i.description
    )
    block += _addressing(i)
    if i.ip_mtu is not None:
        block.append(f" ip mtu {i.ip_mtu}")
    block += [f" ipv6 address {a}" for a in i.ipv6_addresses]
    block += _nhrp(i.nhrp, show_keys)
    block += _nhrp(i.nhrp6, show_keys, "ipv6")
    block += [" " + _mask_line(x, show_keys) for x in i.extra]
    if i.tcp_adjust_mss is not None:
        block.append(f" ip tcp adjust-mss {i.tcp_adjust_mss}")
    if i.keepalive is not None:
        block.append(f" keepalive {i.keepalive.period} {i.keepalive.retries}")
    if i.shutdown:
        block.append(" shutdown")
    tunnel = (
        ("source", i.tunnel_source),
        ("mode", i.tunnel_mode),
        ("destination", i.tunnel_destination),
        ("key", i.tunnel_key),
        ("ttl", i.tunnel_ttl),
        ("vrf", i.tunnel_vrf),
    )
    block += _settings(" tunnel ", tunnel)
    if i.tunnel_protection:
        shared = " shared" if i.tunnel_protection_shared else ""
        block.append(f" tunnel protection ipsec profile {i.tunnel_protection}{shared}")
    if i.crypto_map:
        block.append(f" crypto map {i.crypto_map}")
    if i.df_bit is not None:
        block.append(f" crypto ipsec df-bit {i.df_bit}")
    if i.ipsec_fragmentation is not None:
        block.append(f" crypto ipsec fragmentation {i.ipsec_fragmentation}")
    return block


def _nhrp(n: Nhrp, show_keys: bool, family: str = "ip") -> Block:
    """A tunnel's `ip nhrp` (or `ipv6 nhrp`) lines in the order IOS prints them."""
    block = []
    head = f" {family} nhrp"
    if n.authentication is not None:
        secret = n.authentication.reveal() if show_keys else MASK
        block.append(f"{head} authentication {secret}")
    for overlay, nbma in n.maps:
        prefix = "/128" if overlay.version == 6 else ""
        block.append(f"{head} map {overlay}{prefix} {nbma}")
    block += [f"{head} map multicast {nbma}" for nbma in n.multicast]
    if n.multicast_dynamic:
        block.append(f"{head} map multicast dynamic")
    if n.network_id is not None:
        block.append(f"{head} network-id {n.network_id}")
    if n.holdtime is not None:
        block.append(f"{head} holdtime {n.holdtime}")
    for s in n.servers:
        via = f" nbma {s.nbma}" if s.nbma is not None else ""
        block.append(f"{head} nhs {s.address}{via}" + (" multicast" if s.multicast else ""))
    if n.registration_timeout is not None:
        block.append(f"{head} registration timeout {n.registration_timeout}")
    if n.no_unique:
        block.append(f"{head} registration no-unique")
    if n.redirect:
        timeout = f" timeout {n.redirect_timeout}" if n.redirect_timeout is not None else ""
        block.append(f"{head} redirect{timeout}")
    if n.shortcut:
        block.append(f"{head} shortcut")
    if n.max_send is not None:
        block.append(f"{head} max-send {n.max_send[0]} every {n.max_send[1]}")
    return block


def _interface_key(i: Interface) -> tuple[int, str]:
    for rank, prefix in enumerate(_INTERFACE_ORDER):
        if i.name.startswith(prefix):
            return (rank, _natural(i.name))
    if i.name.startswith(_LATE_INTERFACES):
        return (len(_INTERFACE_ORDER) + 1, _natural(i.name))
    return (len(_INTERFACE_ORDER), _natural(i.name))


def _natural(name: str) -> str:
    return re.sub(r"\d+", lambda m: m.group().zfill(6), name)


def _route(r: Route) -> str:
    vrf = f"vrf {r.vrf} " if r.vrf else ""
    if r.prefix.version == 4:
        head = f"ip route {vrf}{r.prefix.network_address} {r.mask_text}"
    else:
        head = f"ipv6 route {vrf}{r.prefix}"
    parts = [head]
    if r.interface:
        parts.append(r.interface)
    if r.next_hop is not None:
        parts.append(str(r.next_hop))
    if r.global_next_hop:
        parts.append("global")
    if r.distance is not None:
        parts.append(str(r.distance))
    parts += r.extra
    return " ".join(parts)


def _acl(a: AccessList) -> Block:
    if a.numbered:
        lines = [f"access-list {a.name} remark {r}" for r in a.remarks]
        return lines + [f"access-list {a.name} {e.text}" for e in a.entries]
    block = [f"ip access-list {'standard' if a.standard else 'extended'} {a.name}"]
    block += [f" remark {r}" for r in a.remarks]
    block += [f" {e.text}" for e in a.entries]
    return block


def _mask_line(text: str, show_keys: bool) -> str:
    if show_keys:
        return text
    tokens = tokenize(text)
    words = masked_tokens(tokens)
    if words == [t.text for t in tokens]:
        return text
    indent = text[: len(text) - len(text.lstrip())]  # sub-mode lines keep their indentation
    return indent + " ".join(words)


def masked(text: str) -> str:
    """A configuration text as typed (a startup-config file), each key masked as `show
    running-config` masks it."""
    return "\n".join(_mask_line(line, False) if line.strip() else line for line in text.split("\n"))


_FIRST = ("version", "service")  # IOS prints these before the hostname


def _unmodelled(cfg: Config, place: str, show_keys: bool) -> list[Block]:
    """Unmodelled blocks for one place ("first", "early", "late"); consecutive one-line
    commands share a block, as IOS prints them without `!` between."""
    out: list[Block] = []
    previous_single = False
    for block in cfg.unmodelled:
        keyword = block.keyword
        if keyword in _FIRST:
            where = "first"
        elif any(keyword == k or keyword.startswith(k + " ") for k in LATE):
            where = "late"
        else:
            where = "early"
        if where != place:
            continue
        lines = [_mask_line(x, show_keys) if x.strip() else x for x in block.lines]
        single = len(lines) == 1 and keyword != "banner"
        if single and previous_single:
            out[-1].extend(lines)
        else:
            out.append(lines)
        previous_single = single
    return out


def _kept(cfg: Config, mode: Mode, key: object, show_keys: bool) -> Block:
    """The sub-commands of an object that pyike keeps without modelling them, as typed."""
    kept = cfg.kept_sub_commands.get((mode.name, key), ())
    return [" " + _mask_line(line, show_keys) for line in kept]


def _modified(objects: dict[str, D], default: D, block: Callable[[D], Block]) -> list[Block]:
    """The objects' blocks, leaving out a smart default that is as IOS defines it."""
    return [block(obj) for obj in objects.values() if replace(obj, source=None) != default]


def _logging_buffer(buffer: LoggingBuffer) -> str | None:
    """`logging buffered ...` as IOS writes it, or None for the default buffer."""
    if not buffer.enabled:
        return "no logging buffered"
    if buffer == LoggingBuffer():
        return None
    size = f" {buffer.size}" if buffer.size is not None else ""
    level = f" {SEVERITIES[buffer.level]}" if buffer.level != DEBUGGING else ""
    return f"logging buffered{size}{level}"


def blocks(cfg: Config, show_keys: bool = False) -> list[Block]:
    out: list[Block] = _unmodelled(cfg, "first", show_keys)
    out.append([f"hostname {cfg.hostname}"])
    logging = _logging_buffer(cfg.logging_buffer)
    if logging:
        out.append([logging])
    out += [_vrf(v) for v in cfg.vrfs.values()]
    out += writer_flexvpn.aaa_blocks(cfg, _key, show_keys)
    out += writer_radius.radius_blocks(cfg, _key, show_keys)
    out += _unmodelled(cfg, "early", show_keys)
    out += pki_writer.blocks(cfg, show_keys)
    out += login_text.early_blocks(cfg.login, show_keys)
    out += writer_flexvpn.authorization_policy_blocks(cfg)
    for kind in defaults.DEFAULT_KINDS:
        if kind in cfg.disabled_defaults:
            noun = {"ipsec-profile": "ipsec profile", "transform-set": "ipsec transform-set"}
            out.append([f"no crypto {noun.get(kind, 'ikev2 ' + kind)} default"])
    out += _modified(cfg.proposals, defaults.DEFAULT_PROPOSAL, _proposal)
    out += _modified(cfg.policies, defaults.DEFAULT_POLICY, _policy)
    out += [_keyring(r, show_keys) for r in cfg.keyrings.values()]
    out += [
        _profile(p, show_keys) + _kept(cfg, IKEV2_PROFILE, p.name, show_keys)
        for p in cfg.profiles.values()
    ]
    out += writer_flexvpn.client_blocks(cfg)
    out += _ikev2_globals(cfg)
    out += _ikev1(cfg, show_keys)
    ipsec_globals = _lifetime_lines("crypto ipsec ", cfg.ipsec.lifetime)
    if cfg.ipsec.replay_window is not None:
        size = cfg.ipsec.replay_window
        ipsec_globals.append(f"crypto ipsec security-association replay window-size {size}")
    if cfg.ipsec.idle_time is not None:
        size = cfg.ipsec.idle_time
        ipsec_globals.append(f"crypto ipsec security-association idle-time {size}")
    if cfg.ipsec.df_bit is not None:
        ipsec_globals.append(f"crypto ipsec df-bit {cfg.ipsec.df_bit}")
    if cfg.ipsec.fragmentation is not None:
        ipsec_globals.append(f"crypto ipsec fragmentation {cfg.ipsec.fragmentation}")
    out += [[line] for line in ipsec_globals]
    out += _modified(cfg.transform_sets, defaults.DEFAULT_TRANSFORM_SET, _transform_set)
    out += _modified(
        cfg.ipsec_profiles,
        defaults.DEFAULT_IPSEC_PROFILE,
        lambda p: _ipsec_profile(p) + _kept(cfg, IPSEC_PROFILE, p.name, show_keys),
    )
    out += [
        _crypto_map(e, "dynamic-map")
        + _kept(cfg, CRYPTO_MAP, (e.map_name, e.seq, "dynamic"), show_keys)
        for dynamic_map in cfg.dynamic_maps.values()
        for e in dynamic_map
    ]
    for name in dict.fromkeys([*cfg.crypto_map_local, *cfg.crypto_maps]):
        map_blocks = [
            _crypto_map(e) + _kept(cfg, CRYPTO_MAP, (e.map_name, e.seq), show_keys)
            for e in cfg.crypto_maps.get(name, ())
        ] or [[]]
        if name in cfg.crypto_map_local:  # as IOS prints it: right above the first entry
            local = cfg.crypto_map_local[name].interface
            map_blocks[0].insert(0, f"crypto map {name} local-address {local}")
        out += [block for block in map_blocks if block]
    for iface in sorted(cfg.interfaces.values(), key=_interface_key):
        out.append(_in_vrf(cfg, iface, _interface(iface, show_keys)))
    out += writer_flexvpn.global_lines(cfg)
    if cfg.routes:
        out.append([_route(r) for r in cfg.routes])
    named = [a for a in cfg.access_lists.values() if not a.numbered]
    numbered = [a for a in cfg.access_lists.values() if a.numbered]
    out += [_acl(a) for a in named]
    if numbered:
        out.append([line for a in numbered for line in _acl(a)])
    out += writer_tracking.blocks(cfg)
    out += _unmodelled(cfg, "late", show_keys)
    out += login_text.late_blocks(cfg.login, lambda first: _kept(cfg, LINE, first, show_keys))
    return out


def render_interface(cfg: Config, name: str, show_keys: bool = False) -> str:
    """`show running-config interface NAME`: that interface's block, framed as IOS frames it."""
    iface = cfg.interfaces[name]
    block = _in_vrf(cfg, iface, _interface(iface, show_keys))
    return "!\n" + "".join(line + "\n" for line in block) + "end\n"


def render(cfg: Config, section: str | None = None, show_keys: bool = False) -> str:
    """The running-config text; with `section`, only the blocks a line of which matches it."""
    chosen = blocks(cfg, show_keys)
    if section is not None:
        try:
            pattern = re.compile(section)
        except re.error:
            pattern = re.compile(re.escape(section))
        chosen = [b for b in chosen if any(pattern.search(line) for line in b)]
        return "".join(line + "\n" for b in chosen for line in b)
    text = "!\n".join("".join(line + "\n" for line in b) for b in chosen)
    return f"!\n{text}!\nend\n"
