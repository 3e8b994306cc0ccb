"""Cross-reference and consistency checks on a parsed configuration.

Errors are what makes IOS refuse the configuration or makes negotiation impossible (a missing
name, a profile with no key to authenticate with, a protected tunnel without a destination);
warnings are what IOS accepts but that probably does not do what was meant (a proposal no policy
uses, overlapping keyring peers, a key pyike cannot use).
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address

from pyike.config import defaults
from pyike.config.diagnostics import Diagnostic, Severity
from pyike.config.model import (
    Config,
    CryptoMapEntry,
    IdentityKind,
    Interface,
    Keyring,
    Profile,
    Proposal,
    Secret,
    Source,
)
from pyike.config.params import VIRTUAL_TYPES
from pyike.config.query import (
    aaa_keys_blocker,
    ah_reason,
    auth_blocker,
    certificate_blocker,
    child_sa_policies,
    dynamic_entry_name,
    eap_client_blocker,
    eap_users_blocker,
    identity_network,
    keyring_lookup_order,
    not_negotiated,
    template_number,
    verify_trustpoints,
)
from pyike.config.validate_recursion import check_recursion
from pyike.config.validate_vrf import check_vrfs
from pyike.ios_names import SIGNATURE_METHODS

INCOMPLETE_PROPOSAL = (
    "IKEv2 proposal MUST either have a set of an encryption algorithm other than aes-gcm, "
    "an integrity algorithm and a DH group configured or encryption algorithm aes-gcm, "
    "a prf algorithm and a DH group configured"
)
POLICY_WITHOUT_PROPOSAL = "IKEv2 policy MUST have atleast one complete proposal attached"


class _Findings:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.items: list[Diagnostic] = []

    def add(
        self, severity: Severity, source: Source | None, message: str, blocks: str | None = None
    ) -> None:
        line = source.line if source else None
        self.items.append(Diagnostic(severity, message, self.cfg.file, line, blocks=blocks))

    def error(self, source: Source | None, message: str) -> None:
        self.add(Severity.ERROR, source, message)

    def warn(self, source: Source | None, message: str) -> None:
        self.add(Severity.WARNING, source, message)

    def note(self, source: Source | None, message: str) -> None:
        self.add(Severity.NOTE, source, message)


def validate(cfg: Config) -> list[Diagnostic]:
    f = _Findings(cfg)
    _proposals_and_policies(cfg, f)
    _keyrings(cfg, f)
    _profiles(cfg, f)
    _ipsec(cfg, f)
    _ah_transform_sets(cfg, f)
    _interfaces(cfg, f)
    _crypto_maps(cfg, f)
    _routes(cfg, f)
    _unauthenticatable(cfg, f)
    _not_negotiated(cfg, f)
    check_vrfs(cfg, f.add)
    check_recursion(cfg, f.add)
    return f.items


def _proposal_problem(p: Proposal) -> str | None:
    aead = [e for e in p.encryption if e.is_aead]
    if aead and len(aead) != len(p.encryption):
        return "AEAD (aes-gcm) and non-AEAD encryption cannot be configured in the same proposal"
    if aead and p.integrity:
        return "integrity cannot be configured in a proposal with aes-gcm encryption"
    if not p.encryption or not p.groups:
        return INCOMPLETE_PROPOSAL
    if (aead and not p.prf) or (not aead and not p.integrity):
        return INCOMPLETE_PROPOSAL
    return None


def _proposals_and_policies(cfg: Config, f: _Findings) -> None:
    proposals = defaults.proposals(cfg)
    policies = defaults.policies(cfg)
    used = {name for p in policies.values() for name in p.proposals}
    for name, proposal in cfg.proposals.items():
        problem = _proposal_problem(proposal)
        if problem is not None:
            severity = Severity.ERROR if name in used else Severity.WARNING
            f.add(severity, proposal.source, f"crypto ikev2 proposal {name}: {problem}")
        if name not in used:
            fallback = (
                "negotiates with the default policy's proposal instead"
                if "policy" not in cfg.disabled_defaults
                else "cannot use it"
            )
            f.warn(
                proposal.source,
                f"crypto ikev2 proposal {name} is not used by any IKEv2 policy: "
                f"IOS ignores it and {fallback}",
            )
    for name, policy in cfg.policies.items():
        if not policy.proposals:
            f.error(policy.source, f"crypto ikev2 policy {name}: {POLICY_WITHOUT_PROPOSAL}")
        for ref in policy.proposals:
            if ref not in proposals:
                f.error(
                    policy.source,
                    f"crypto ikev2 policy {name}: proposal {ref} does not exist",
                )
    uses_ike = (
        bool(cfg.profiles)
        or any(i.tunnel_protection for i in cfg.interfaces.values())
        or bool(cfg.crypto_maps)
    )
    if uses_ike and not policies:
        f.error(
            None,
            "no IKEv2 policy: the default policy is disabled and none is configured, "
            "so no IKE SA can be negotiated",
        )


def _key_warnings(f: _Findings, source: Source | None, where: str, key: Secret | None) -> None:
    if key is None:
        return
    if key.encryption_type == 6:
        f.warn(source, f"{where}: type 6 key cannot be used without this router's master key")
    elif key.reveal() == "*****":
        f.warn(source, f"{where}: key is masked (from 'show running-config'); it cannot be used")


def _keyrings(cfg: Config, f: _Findings) -> None:
    for ring in cfg.keyrings.values():
        for peer in ring.peers:
            where = f"crypto ikev2 keyring {ring.name} peer {peer.name}"
            if peer.address is None and peer.hostname is None and peer.identity is None:
                f.warn(peer.source, f"{where}: no address, hostname or identity; never matched")
            if peer.local_key is None and peer.remote_key is None:
                f.warn(peer.source, f"{where}: no pre-shared-key configured")
            _key_warnings(f, peer.source, f"{where} local", peer.local_key)
            if peer.remote_key is not peer.local_key:
                _key_warnings(f, peer.source, f"{where} remote", peer.remote_key)
        _overlaps(ring, f)


def _overlaps(ring: Keyring, f: _Findings) -> None:
    """Peers whose address ranges overlap: report which one IOS uses for the shared addresses."""
    peers = [(p, identity_network(p)) for p in ring.peers]
    for i, (a, net_a) in enumerate(peers):
        for b, net_b in peers[i + 1 :]:
            if net_a is None or net_b is None or net_a.version != net_b.version:
                continue
            if not net_a.overlaps(net_b):
                continue
            probe = max((net_a, net_b), key=lambda n: n.prefixlen)[0]
            order = [p.name for p in keyring_lookup_order(ring, probe) if p in (a, b)]
            shadowed = f" ({order[-1]} is never used for them)" if net_a == net_b else ""
            f.warn(
                b.source,
                f"crypto ikev2 keyring {ring.name}: peers {a.name} ({net_a}) and {b.name} "
                f"({net_b}) overlap; for {probe} IOS looks up {' then '.join(order)}{shadowed}",
            )


def _needs_key(cfg: Config, profile: Profile, side: str) -> bool:
    methods = profile.auth_local if side == "local" else profile.auth_remote
    key = profile.auth_local_key if side == "local" else profile.auth_remote_key
    no_keyring = profile.keyring is None and profile.flex.keyring_aaa is None
    return "pre-share" in methods and key is None and no_keyring


def _profiles(cfg: Config, f: _Findings) -> None:
    seen: dict[object, str] = {}
    for name, profile in cfg.profiles.items():
        where = f"crypto ikev2 profile {name}"
        if profile.keyring is not None and profile.keyring not in cfg.keyrings:
            f.error(profile.source, f"{where}: keyring {profile.keyring} does not exist")
        for side in ("local", "remote"):
            if _needs_key(cfg, profile, side):
                f.error(
                    profile.source,
                    f"{where}: authentication {side} pre-share has no key: configure "
                    f"'keyring local NAME' or 'authentication {side} pre-share key'",
                )
        aaa_keys = aaa_keys_blocker(cfg, profile)
        if aaa_keys is not None:
            f.warn(profile.source, f"{where}: {aaa_keys}")
        for mangler in profile.flex.manglers_named():
            if mangler not in cfg.flexvpn.name_manglers:
                f.warn(
                    profile.source,
                    f"{where}: name-mangler {mangler} does not exist: "
                    "authorization through it fails",
                )
        if not profile.auth_local or not profile.auth_remote:
            missing = "local" if not profile.auth_local else "remote"
            f.error(profile.source, f"{where}: no 'authentication {missing}' method configured")
        _eap_methods(cfg, f, where, profile)
        _certificate_references(cfg, f, where, profile)
        if not profile.match_identities:
            f.warn(
                profile.source,
                f"{where}: no 'match identity remote' statement; no peer will select it",
            )
        for match in profile.match_identities:
            key = (match, profile.match_fvrf, profile.match_local)
            if key in seen:
                f.warn(
                    profile.source,
                    f"{where}: match identity remote {match.kind.value} {match.value} is "
                    f"already matched by profile {seen[key]}, which IOS selects first",
                )
            else:
                seen[key] = name
        keys = (("local", profile.auth_local_key), ("remote", profile.auth_remote_key))
        for side, secret in keys:
            line = _auth_line(profile, side, "pre-share") or profile.source
            _key_warnings(f, line, f"{where} authentication {side}", secret)


def _auth_line(profile: Profile, side: str, method: str) -> Source | None:
    return next((s for d, m, s in profile.auth_sources if (d, m) == (side, method)), None)


def _eap_methods(cfg: Config, f: _Findings, where: str, profile: Profile) -> None:
    """An EAP method the profile cannot use: say why, and what that means for its peers."""
    for side, method, source in profile.auth_sources:
        if method != "eap":
            continue
        if side == "local":
            why = eap_client_blocker(profile)
            effect = "so it cannot authenticate itself"
        else:
            why = eap_users_blocker(cfg, profile)
            effect = (
                "a peer using eap is refused with AUTHENTICATION_FAILED; only peers using a "
                "pre-shared key are accepted"
                if "pre-share" in profile.auth_remote
                else "every EAP peer is refused with AUTHENTICATION_FAILED"
            )
        if why is not None:
            f.warn(source, f"{where}: authentication {side} eap: {why}: {effect}")


def _certificate_references(cfg: Config, f: _Findings, where: str, profile: Profile) -> None:
    """`pki trustpoint` and `match certificate` name what exists; a profile signing with a
    certificate can."""
    for name, _use in profile.pki_trustpoints:
        if name not in cfg.trustpoints:
            f.warn(profile.source, f"{where}: pki trustpoint {name} is not configured")
    for name in profile.match_certificates:
        if name not in cfg.certificate_maps:
            f.warn(profile.source, f"{where}: match certificate {name}: no such certificate map")
    local_id = profile.local_identity
    signs = any(m in SIGNATURE_METHODS for m in profile.auth_local)
    if local_id is not None and local_id.kind is IdentityKind.DN and not signs:
        f.warn(
            profile.source,
            f"{where}: identity local dn: the profile signs with no certificate to take a "
            "distinguished name from, so it cannot authenticate itself",
        )
    checked = [m for m in profile.auth_remote if m in SIGNATURE_METHODS]
    named = [cfg.trustpoints.get(n) for n in verify_trustpoints(cfg, profile)]
    cas = [tp for tp in named if tp is not None and tp.ca_certificates]
    if checked and not cas and "pre-share" in profile.auth_remote:
        f.warn(
            _auth_line(profile, "remote", checked[0]) or profile.source,
            f"{where}: authentication remote {checked[0]}: no trustpoint has a CA certificate "
            "to validate a peer's: a peer using it is refused with AUTHENTICATION_FAILED; only "
            "peers using a pre-shared key are accepted",
        )
    blocker = certificate_blocker(cfg, profile)
    if blocker is not None:
        side, methods = (
            ("local", profile.auth_local) if "signs" in blocker else ("remote", profile.auth_remote)
        )
        line = _auth_line(profile, side, methods[0]) if methods else None
        f.warn(line or profile.source, f"{where}: {blocker}")


def _unauthenticatable(cfg: Config, f: _Findings) -> None:
    """A tunnel or crypto map entry whose IKEv2 profile no peer can pass cannot come up."""
    for child in child_sa_policies(cfg):
        profile = child.ikev2_profile
        reason = None if profile is None else auth_blocker(profile, cfg)
        if profile is None or reason is None:
            continue
        f.add(
            Severity.WARNING,
            _child_source(cfg, child.name),
            f"{child.name} cannot come up: IKEv2 profile {profile.name} {reason}",
            blocks=child.name,
        )


def _not_negotiated(cfg: Config, f: _Findings) -> None:
    """Tunnels and crypto map entries pyike does not negotiate (IKEv1, DMVPN without NHRP)
    cannot come up; those AH keeps down are named at their transform set's line instead."""
    by_ah = _down_for_ah(cfg)
    for name, reason in not_negotiated(cfg).items():
        if name not in by_ah:
            f.add(Severity.WARNING, _child_source(cfg, name), f"{name} {reason}", blocks=name)


def _child_source(cfg: Config, name: str) -> Source | None:
    iface = cfg.interfaces.get(name)
    if iface is not None:
        return iface.source
    for entries in cfg.crypto_maps.values():
        for entry in entries:
            for dynamic in cfg.dynamic_maps.get(entry.dynamic or "", ()):
                if name == dynamic_entry_name(entry, dynamic):
                    return dynamic.source
            base = f"crypto map {entry.map_name} {entry.seq}"
            if name == base or name.startswith(f"{base} "):  # or one of its ACL's lines
                return entry.source
    return None


def _ipsec(cfg: Config, f: _Findings) -> None:
    sets = defaults.transform_sets(cfg)
    for name, profile in cfg.ipsec_profiles.items():
        where = f"crypto ipsec profile {name}"
        for ts in profile.transform_sets:
            if ts not in sets:
                f.error(profile.source, f"{where}: transform set {ts} does not exist")
        if profile.ikev2_profile is not None and profile.ikev2_profile not in cfg.profiles:
            f.error(
                profile.source, f"{where}: IKEv2 profile {profile.ikev2_profile} does not exist"
            )
        if not profile.transform_sets and defaults.DEFAULT not in sets:
            f.error(profile.source, f"{where}: no transform set, and the default one is disabled")
    tunnels = [i.name for i in cfg.interfaces.values() if i.tunnel_protection]
    if cfg.ipsec.idle_time is not None and tunnels:
        f.warn(
            None,
            "crypto ipsec security-association idle-time: pyike applies it to crypto map SAs "
            f"only; those of {', '.join(tunnels)} stay while their tunnel is up",
        )


def _ah_transform_sets(cfg: Config, f: _Findings) -> None:
    """pyike has no AH: say so where a transform set names it, with each tunnel or crypto map
    entry that it keeps down (every one of their sets has AH)."""
    down = _down_for_ah(cfg)
    for ts in cfg.transform_sets.values():
        if ts.ah is None:
            continue
        what = (
            f"crypto ipsec transform-set {ts.name}: {ts.ah.keyword}: pyike does not negotiate AH "
            "(RFC 4302) and never offers or accepts this set's ESP transforms alone"
        )
        blocked = [name for name, sets in down.items() if ts.name in sets]
        for name in blocked:
            f.add(
                Severity.WARNING,
                ts.source,
                f"{what}, so {name} cannot come up (all its transform sets have AH)",
                blocks=name,
            )
        if not blocked:
            f.warn(ts.source, f"{what}: a tunnel whose transform sets all have AH cannot come up")


def _down_for_ah(cfg: Config) -> dict[str, tuple[str, ...]]:
    """The tunnels and crypto map entries pyike does not negotiate because of AH alone, with
    the names of their transform sets."""
    reasons = not_negotiated(cfg)
    return {
        c.name: tuple(ts.name for ts in c.transform_sets)
        for c in child_sa_policies(cfg)
        if c.name in reasons and reasons[c.name] == ah_reason(c.transform_sets)
    }


def _interfaces(cfg: Config, f: _Findings) -> None:
    profiles = defaults.ipsec_profiles(cfg)
    for iface in cfg.interfaces.values():
        where = f"interface {iface.name}"
        _applied_map(cfg, f, iface)
        if not iface.is_tunnel:
            continue
        _tunnel_source(cfg, f, iface)
        _nhrp_not_run(f, iface)
        protection = iface.tunnel_protection
        if protection is None:
            if iface.tunnel_mode and iface.tunnel_mode.startswith("ipsec"):
                f.warn(iface.source, f"{where}: tunnel mode ipsec without tunnel protection")
            continue
        if protection not in profiles:
            f.error(iface.source, f"{where}: IPsec profile {protection} does not exist")
        if iface.type_tunnel:
            number = template_number(iface.name)
            if all(p.flex.virtual_template != number for p in cfg.profiles.values()):
                f.warn(
                    iface.source,
                    f"{where}: no IKEv2 profile has 'virtual-template {number}': no peer gets "
                    "a virtual-access interface cloned from it",
                )
            continue


def _nhrp_not_run(f: _Findings, tunnel: Interface) -> None:
    """NHRP on a point-to-point GRE tunnel (a DMVPN phase 1 spoke) registers with its NHS
    once the tunnel has `ip nhrp network-id`; without it, it never does, so the hub cannot
    reach it."""
    if not tunnel.is_point_to_point_gre or not tunnel.nhrp.servers:
        return
    if tunnel.nhrp.network_id is not None:
        return
    server = tunnel.nhrp.servers[0].address
    f.warn(
        tunnel.source,
        f"interface {tunnel.name}: NHRP does not run without 'ip nhrp network-id': it does "
        f"not register with NHS {server}, so that hub cannot reach it",
    )


def _applied_map(cfg: Config, f: _Findings, iface: Interface) -> None:
    name = iface.crypto_map
    if name is None or name in cfg.crypto_maps:
        return
    where = f"interface {iface.name}: crypto map {name}"
    kept = [b.lines[0] for b in cfg.unmodelled if _unmodelled_map_entry(b.lines[0], name)]
    if not kept:
        f.error(iface.source, f"{where} does not exist")
        return
    f.warn(
        iface.source,
        f"{where} has only entries pyike does not model ({kept[0].strip()}): peers that would "
        "match them are refused",
    )


def _unmodelled_map_entry(text: str, name: str) -> bool:
    """`crypto map NAME SEQ ipsec-isakmp dynamic D` or `... ipsec-manual`, kept unmodelled."""
    words = text.split()
    return words[:3] == ["crypto", "map", name] and len(words) > 3 and words[3].isdigit()


def _tunnel_source(cfg: Config, f: _Findings, tunnel: Interface) -> None:
    """The tunnel source interface must exist, but a snippet may leave the router's ports out."""
    where, src = f"interface {tunnel.name}", tunnel.tunnel_source
    if src is None or _is_address(src):
        return
    iface = cfg.interfaces.get(src)
    if iface is None and src.startswith(VIRTUAL_TYPES):
        f.error(tunnel.source, f"{where}: tunnel source {src} does not exist")
    elif iface is None:
        f.warn(
            tunnel.source,
            f"{where}: tunnel source {src} is not in this configuration "
            f"(the router has the port): pyike lab and pyike run need 'interface {src}' "
            "with its IP address",
        )
    elif iface.address_negotiated:
        f.note(
            tunnel.source,
            f"{where}: tunnel source {src} has 'ip address negotiated': "
            "no address until the peer gives one, which pyike does not request yet",
        )
    elif iface.address_dhcp is not None:
        f.note(
            tunnel.source,
            f"{where}: tunnel source {src} has 'ip address dhcp': pyike run takes the address"
            f" of the host device it is bound to (--bind {src}=DEVICE); pyike lab leases one"
            " from the provider it adds between the sites",
        )
    elif not iface.addresses and not iface.ipv6_addresses:
        f.warn(tunnel.source, f"{where}: tunnel source {src} has no IP address")


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _crypto_maps(cfg: Config, f: _Findings) -> None:
    for name, local in cfg.crypto_map_local.items():
        where = f"crypto map {name} local-address {local.interface}"
        iface = cfg.interfaces.get(local.interface)
        if iface is None:
            f.error(local.source, f"{where}: interface {local.interface} does not exist")
        elif iface.primary_address is None:
            f.error(local.source, f"{where}: interface {local.interface} has no IP address")
    sets = defaults.transform_sets(cfg)
    for kind, maps in (("map", cfg.crypto_maps), ("dynamic-map", cfg.dynamic_maps)):
        for name, entries in maps.items():
            for e in entries:
                _map_entry(cfg, f, sets, e, f"crypto {kind} {name} {e.seq}", kind == "map")


def _map_entry(
    cfg: Config,
    f: _Findings,
    sets: Mapping[str, object],
    e: CryptoMapEntry,
    where: str,
    static: bool,
) -> None:
    if e.dynamic is not None:
        if e.dynamic not in cfg.dynamic_maps:
            f.warn(e.source, f"{where}: dynamic map {e.dynamic} does not exist")
        return
    for ts in e.transform_sets:
        if ts not in sets:
            f.error(e.source, f"{where}: transform set {ts} does not exist")
    if e.ikev2_profile is not None and e.ikev2_profile not in cfg.profiles:
        f.error(e.source, f"{where}: IKEv2 profile {e.ikev2_profile} does not exist")
    if e.acl is not None and e.acl not in cfg.access_lists:
        f.error(e.source, f"{where}: access list {e.acl} does not exist")
    if static and (not e.peers or e.acl is None):
        f.warn(
            e.source,
            f"{where}: this crypto map entry will remain disabled until a peer and a "
            "valid access list have been configured",
        )
    acl = cfg.access_lists.get(e.acl) if e.acl else None
    if acl is not None and not any(x.action == "permit" for x in acl.entries):
        f.warn(e.source, f"{where}: access list {acl.name} permits nothing to protect")


def _routes(cfg: Config, f: _Findings) -> None:
    """A route through an interface the configuration lacks: an error for one it would create,
    a warning for a port a snippet left out; Null0 always exists."""
    for route in cfg.routes:
        name = route.interface
        if name is None or name in cfg.interfaces or name.startswith("Null"):
            continue
        where = f"ip route {route.prefix}: interface {name}"
        if name.startswith(VIRTUAL_TYPES):
            f.error(route.source, f"{where} does not exist")
        else:
            f.warn(route.source, f"{where} is not in this configuration (the router has the port)")
