"""Cross-reference and consistency checks on a parsed configuration.

Errors are what makes IOS refuse the configuration or makes negotiation impossible (a missing
name, a profile with no key to authenticate with, a protected tunnel without a destination);
warnings are what IOS accepts but that probably does not do what was meant (a proposal no policy
uses, overlapping keyring peers, a key pyike cannot use).
"""

from __future__ import annotations

from ipaddress import ip_address

from pyike.config import defaults
from pyike.config.diagnostics import Diagnostic, Severity
from pyike.config.model import Config, Keyring, Profile, Proposal, Secret, Source
from pyike.config.query import (
    SIGNATURE_METHODS,
    auth_blocker,
    child_sa_policies,
    identity_network,
    keyring_lookup_order,
)

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


def validate(cfg: Config) -> list[Diagnostic]:
    f = _Findings(cfg)
    _proposals_and_policies(cfg, f)
    _keyrings(cfg, f)
    _profiles(cfg, f)
    _ipsec(cfg, f)
    _interfaces(cfg, f)
    _crypto_maps(cfg, f)
    _routes(cfg, f)
    _unauthenticatable(cfg, f)
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
    return "pre-share" in methods and key is None and profile.keyring is None


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
        if not profile.auth_local or not profile.auth_remote:
            missing = "local" if not profile.auth_local else "remote"
            f.error(profile.source, f"{where}: no 'authentication {missing}' method configured")
        _signature_methods(f, where, profile)
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


def _signature_methods(f: _Findings, where: str, profile: Profile) -> None:
    """Certificates are not supported: say what that means for each signature method."""
    for side, method, source in profile.auth_sources:
        if method not in SIGNATURE_METHODS:
            continue
        if side == "local":
            effect = "pyike cannot sign with a certificate yet, so it cannot authenticate itself"
        elif "pre-share" in profile.auth_remote:
            effect = (
                "pyike cannot verify signatures yet: a peer signing is refused with "
                "AUTHENTICATION_FAILED; only peers using a pre-shared key are accepted"
            )
        else:
            effect = (
                "pyike cannot verify signatures yet, and a pre-shared key is not accepted in "
                "its place: every peer is refused with AUTHENTICATION_FAILED"
            )
        f.warn(source, f"{where}: authentication {side} {method}: {effect}")


def _unauthenticatable(cfg: Config, f: _Findings) -> None:
    """A tunnel or crypto map entry whose IKEv2 profile no peer can pass cannot come up."""
    for child in child_sa_policies(cfg):
        profile = child.ikev2_profile
        reason = None if profile is None else auth_blocker(profile)
        if profile is None or reason is None:
            continue
        f.add(
            Severity.WARNING,
            _child_source(cfg, child.name),
            f"{child.name} cannot come up: IKEv2 profile {profile.name} {reason}",
            blocks=child.name,
        )


def _child_source(cfg: Config, name: str) -> Source | None:
    iface = cfg.interfaces.get(name)
    if iface is not None:
        return iface.source
    for entries in cfg.crypto_maps.values():
        for entry in entries:
            if name.startswith(f"crypto map {entry.map_name} {entry.seq}"):
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


def _interfaces(cfg: Config, f: _Findings) -> None:
    profiles = defaults.ipsec_profiles(cfg)
    for iface in cfg.interfaces.values():
        where = f"interface {iface.name}"
        if iface.crypto_map is not None and iface.crypto_map not in cfg.crypto_maps:
            f.error(iface.source, f"{where}: crypto map {iface.crypto_map} does not exist")
        if not iface.is_tunnel:
            continue
        src = iface.tunnel_source
        if src is not None and not _is_address(src):
            if src not in cfg.interfaces:
                f.error(iface.source, f"{where}: tunnel source {src} does not exist")
            elif not cfg.interfaces[src].addresses and not cfg.interfaces[src].ipv6_addresses:
                f.warn(iface.source, f"{where}: tunnel source {src} has no IP address")
        protection = iface.tunnel_protection
        if protection is None:
            if iface.tunnel_mode and iface.tunnel_mode.startswith("ipsec"):
                f.warn(iface.source, f"{where}: tunnel mode ipsec without tunnel protection")
            continue
        if protection not in profiles:
            f.error(iface.source, f"{where}: IPsec profile {protection} does not exist")
        if iface.tunnel_destination is None:
            f.error(iface.source, f"{where}: tunnel protection without tunnel destination")
        if iface.tunnel_source is None:
            f.error(iface.source, f"{where}: tunnel protection without tunnel source")
        profile = profiles.get(protection)
        if (
            profile is not None
            and profile.ikev2_profile is None
            and defaults.DEFAULT not in cfg.profiles
        ):
            f.warn(
                iface.source,
                f"{where}: IPsec profile {protection} names no IKEv2 profile and there is "
                "no 'crypto ikev2 profile default'; IOS would fall back to IKEv1",
            )


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _crypto_maps(cfg: Config, f: _Findings) -> None:
    sets = defaults.transform_sets(cfg)
    for name, entries in cfg.crypto_maps.items():
        for e in entries:
            where = f"crypto map {name} {e.seq}"
            for ts in e.transform_sets:
                if ts not in sets:
                    f.error(e.source, f"{where}: transform set {ts} does not exist")
            if e.ikev2_profile is not None and e.ikev2_profile not in cfg.profiles:
                f.error(e.source, f"{where}: IKEv2 profile {e.ikev2_profile} does not exist")
            if e.acl is not None and e.acl not in cfg.access_lists:
                f.error(e.source, f"{where}: access list {e.acl} does not exist")
            if not e.peers or e.acl is None:
                f.warn(
                    e.source,
                    f"{where}: this crypto map entry will remain disabled until a peer and a "
                    "valid access list have been configured",
                )
            acl = cfg.access_lists.get(e.acl) if e.acl else None
            if acl is not None and not any(x.action == "permit" for x in acl.entries):
                f.warn(e.source, f"{where}: access list {acl.name} permits nothing to protect")


def _routes(cfg: Config, f: _Findings) -> None:
    for route in cfg.routes:
        if route.interface is not None and route.interface not in cfg.interfaces:
            f.error(
                route.source, f"ip route {route.prefix}: interface {route.interface} does not exist"
            )
