"""`show crypto ipsec transform-set [NAME]`, `show crypto ipsec profile [NAME]` and
`show crypto map`, from the configuration alone.

`tunnel protection ipsec profile P` makes IOS build a crypto map named `TunnelN-head-0`: entry
65536 is the profile itself and entry 65537 the instance for the tunnel's peer ("Map is a
PROFILE INSTANCE."), whose access list permits everything for a VTI and GRE between the
endpoints otherwise. IOS shows the instance once the tunnel is up; from the configuration
alone pyike shows it for every tunnel with a destination. Lifetimes fall back to the global
`crypto ipsec security-association lifetime`, then to IOS's defaults.
"""

from __future__ import annotations

from pyike import ios_names
from pyike.codec.registry import DhId
from pyike.config import defaults, query
from pyike.config.model import Config, CryptoMapEntry, Interface, IpsecProfile, TransformSet

_TAB = " " * 8
PROFILE_SEQ = 65536


def _esp_transforms(ts: TransformSet) -> str:
    encr = ts.encryption
    integ = ts.integrity
    return ios_names.esp_transform(
        encr.id if encr else None, encr.key_bits if encr else None, integ.id if integ else None
    )


def _transform_groups(ts: TransformSet) -> list[str]:
    """IOS shows a set's AH transform and its ESP transforms in braces of their own, AH first."""
    esp = _esp_transforms(ts)
    return [g for g in (ts.ah.keyword if ts.ah else "", esp) if g] or [esp]


def transform_set_lines(ts: TransformSet) -> list[str]:
    negotiate = f"   will negotiate = {{ {ts.mode_text.title()},  }},"
    first, *others = _transform_groups(ts)
    lines = [f"Transform set {ts.name}: {{ {first}  }}", negotiate]
    for group in others:
        lines += [f"   {{ {group}  }}", negotiate]
    return [*lines, ""]


def show_crypto_ipsec_transform_set(cfg: Config, name: str | None = None) -> list[str]:
    known = defaults.transform_sets(cfg)
    chosen = [known[name]] if name is not None and name in known else []
    if name is None:
        chosen = list(known.values())
    return [line for ts in chosen for line in transform_set_lines(ts)]


def _lifetime_line(seconds: int, kilobytes: int) -> str:
    return f"Security association lifetime: {kilobytes} kilobytes/{seconds} seconds"


def _set_lines(cfg: Config, names_: tuple[str, ...]) -> list[str]:
    lines = ["Transform sets={ "]
    known = defaults.transform_sets(cfg)
    if not names_ and defaults.DEFAULT in known:
        names_ = (defaults.DEFAULT,)
    for ts in (known[n] for n in names_ if n in known):
        groups = " ".join(f"{{ {g}  }}" for g in _transform_groups(ts))
        lines.append(f"{_TAB}{ts.name}:  {groups} , ")
    return [*lines, "}"]


def _pfs_lines(pfs: DhId | None) -> list[str]:
    if pfs is not None:
        return ["PFS (Y/N): Y", f"DH group:  {ios_names.dh_group_keyword(pfs)}"]
    return ["PFS (Y/N): N"]


def _map_sa_lines(
    cfg: Config, lifetime: tuple[int, int], pfs: DhId | None, transform_sets: tuple[str, ...]
) -> list[str]:
    """A crypto map entry's lifetime (seconds, kilobytes), PFS and transform sets, up to the
    closing brace of the sets."""
    return [
        _lifetime_line(*lifetime),
        "Dualstack (Y/N): N",
        "Responder-Only (Y/N): N",
        *_pfs_lines(pfs),
        "Mixed-mode : Disabled",
        *_set_lines(cfg, transform_sets)[:-1],
    ]


def ipsec_profile_lines(cfg: Config, profile: IpsecProfile) -> list[str]:
    seconds, kilobytes = defaults.ipsec_lifetime(cfg, profile.lifetime)
    body = []
    if profile.ikev2_profile:
        body.append(f"IKEv2 Profile: {profile.ikev2_profile}")
    body += [
        _lifetime_line(seconds, kilobytes),
        "Responder-Only (Y/N): N",
        *_pfs_lines(profile.pfs),
        "Mixed-mode : Disabled",
    ]
    sets = _set_lines(cfg, profile.transform_sets)
    return [
        f"IPSEC profile {profile.name}",
        *(f"{_TAB}{line}" for line in body),
        f"{_TAB}{sets[0]}",
        *(f"{_TAB}{line}" for line in sets[1:-1]),
        f"{_TAB}{sets[-1]}",
        "",
    ]


def show_crypto_ipsec_profile(cfg: Config, name: str | None = None) -> list[str]:
    known = defaults.ipsec_profiles(cfg)
    if name is not None:
        return ipsec_profile_lines(cfg, known[name]) if name in known else []
    return [line for p in known.values() for line in ipsec_profile_lines(cfg, p)]


# --- crypto maps --------------------------------------------------------------------------------


def _family(cfg: Config, entry: CryptoMapEntry) -> str:
    return "IPv6" if entry.peers and entry.peers[0].version == 6 else "IPv4"


def _acl_lines(cfg: Config, acl_name: str | None) -> list[str]:
    acl = cfg.access_lists.get(acl_name) if acl_name else None
    if acl is None:
        return []
    return [f"Extended IP access list {acl.name}"] + [
        f"    access-list {acl.name} {e.text}" for e in acl.entries
    ]


def _map_entry_lines(cfg: Config, entry: CryptoMapEntry, interfaces: list[str]) -> list[str]:
    used_by = [
        f"{_TAB}Interfaces using crypto map {entry.map_name}:",
        *(f"{_TAB}{_TAB}{i}" for i in interfaces),
        "",
    ]
    if entry.dynamic is not None:  # filled by the dynamic map's entries
        header = f'Crypto Map {_family(cfg, entry)} "{entry.map_name}" {entry.seq} ipsec-isakmp'
        return [header, f"{_TAB}Dynamic map template tag: {entry.dynamic}", *used_by]
    body = [f"Peer = {ios_names.address(p)}" for p in entry.peers]
    if entry.ikev2_profile:
        body.append(f"IKEv2 Profile: {entry.ikev2_profile}")
    body += ["Access-List SS dynamic: False", *_acl_lines(cfg, entry.acl)]
    if entry.peers:
        body.append(f"Current peer: {ios_names.address(entry.peers[0])}")
    lifetime = defaults.ipsec_lifetime(cfg, entry.lifetime)
    body += _map_sa_lines(cfg, lifetime, entry.pfs, entry.transform_sets)
    lines = [f'Crypto Map {_family(cfg, entry)} "{entry.map_name}" {entry.seq} ipsec-isakmp']
    if entry.description:
        lines.append(f"{_TAB}Description: {entry.description}")
    lines += [f"{_TAB}{line}" for line in body]
    return [*lines, f"{_TAB}}}", *used_by]


def _tunnel_map_lines(cfg: Config, tunnel: Interface) -> list[str]:
    policy = query.tunnel_policy(cfg, tunnel.name)
    profile = defaults.ipsec_profiles(cfg).get(tunnel.tunnel_protection or "")
    if policy is None or profile is None:
        return []
    tag = f"{tunnel.name}-head-0"
    family = f"IPv{tunnel.outer_version}"
    lifetime = (policy.lifetime_seconds, policy.lifetime_kilobytes)
    common = [*_map_sa_lines(cfg, lifetime, policy.pfs, profile.transform_sets), "}"]
    lines = [f'Crypto Map {family} "{tag}" {PROFILE_SEQ} ipsec-isakmp']
    lines += [f"{_TAB}{line}" for line in [f"Profile name: {profile.name}", *common]]
    lines.append("")
    for peer in policy.peers:
        instance = ["Map is a PROFILE INSTANCE.", f"Peer = {ios_names.address(peer)}"]
        if profile.ikev2_profile:
            instance.append(f"IKEv2 Profile: {profile.ikev2_profile}")
        instance += ["Access-List SS dynamic: False", "Extended IP access list "]
        mode = tunnel.tunnel_mode or "gre ip"
        if mode.startswith("ipsec"):
            protocol = "ipv6" if family == "IPv6" else "ip"
            instance.append(f"    access-list  permit {protocol} any any")
        elif policy.local is not None:
            instance.append(
                f"    access-list  permit gre host {ios_names.address(policy.local)} "
                f"host {ios_names.address(peer)}"
            )
        instance.append(f"Current peer: {ios_names.address(peer)}")
        lines.append(f'Crypto Map {family} "{tag}" {PROFILE_SEQ + 1} ipsec-isakmp')
        lines += [f"{_TAB}{line}" for line in [*instance, *common]]
        lines.append("")
    lines += [f"{_TAB}Interfaces using crypto map {tag}:", f"{_TAB}{_TAB}{tunnel.name}", ""]
    return lines


def show_crypto_map(
    cfg: Config, *, tag: str | None = None, interface: str | None = None
) -> list[str]:
    """Configured crypto maps, entry by entry, then the maps tunnel protection creates
    (`TunnelN-head-0`); with `tag`, that map alone, with `interface`, the map it uses."""
    lines: list[str] = []
    for map_name, entries in cfg.crypto_maps.items():
        interfaces = [i.name for i in cfg.interfaces.values() if i.crypto_map == map_name]
        if tag not in (None, map_name) or (interface is not None and interface not in interfaces):
            continue
        for entry in entries:
            lines += _map_entry_lines(cfg, entry, interfaces)
    for iface in cfg.interfaces.values():
        if not (iface.is_tunnel and iface.tunnel_protection):
            continue
        if tag not in (None, f"{iface.name}-head-0") or interface not in (None, iface.name):
            continue
        lines += _tunnel_map_lines(cfg, iface)
    return lines


def show_crypto_dynamic_map(cfg: Config, tag: str | None = None) -> list[str]:
    """`show crypto dynamic-map [tag NAME]`: each dynamic map's entries, as templates."""
    lines: list[str] = []
    for name, entries in cfg.dynamic_maps.items():
        for entry in entries if tag in (None, name) else ():
            body = [f"Peer = {ios_names.address(p)}" for p in entry.peers]
            if entry.ikev2_profile:
                body.append(f"IKEv2 Profile: {entry.ikev2_profile}")
            body += _acl_lines(cfg, entry.acl)
            lifetime = defaults.ipsec_lifetime(cfg, entry.lifetime)
            body += _map_sa_lines(cfg, lifetime, entry.pfs, entry.transform_sets)
            lines.append(f'Crypto Map Template"{name}" {entry.seq}')
            lines += [f"{_TAB}{line}" for line in body]
            lines.append(f"{_TAB}}}")
            if entry.reverse_route:
                lines.append(f"{_TAB}Reverse Route Injection Enabled")
            lines.append("")
    return lines
