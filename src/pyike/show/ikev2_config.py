"""`show crypto ikev2 proposal|policy|profile [NAME]`, from the configuration alone.

The smart defaults (`pyike.config.defaults`) are listed after the configured objects unless
`no crypto ikev2 proposal default` (`... policy default`) switched them off. A proposal
without `prf` shows the PRFs IOS derives from its integrity algorithms; an AEAD proposal has
no Integrity line. A NAME that is not configured prints nothing, as IOS does.
"""

from __future__ import annotations

from typing import TypeVar

from pyike import ios_names
from pyike.config import defaults
from pyike.config.model import Config, IdentityMatch, Policy, Profile, Proposal
from pyike.config.query import effective_prf

T = TypeVar("T")


def _selected(objects: dict[str, T], name: str | None) -> list[T]:
    if name is None:
        return list(objects.values())
    return [objects[name]] if name in objects else []


def _with_default_last(objects: dict[str, T]) -> dict[str, T]:
    ordered = {k: v for k, v in objects.items() if k != defaults.DEFAULT}
    if defaults.DEFAULT in objects:
        ordered[defaults.DEFAULT] = objects[defaults.DEFAULT]
    return ordered


def proposal_lines(proposal: Proposal) -> list[str]:
    encryption = " ".join(
        ios_names.ike_encryption_with_key(e.id, e.key_bits) for e in proposal.encryption
    )
    lines = [f" IKEv2 proposal: {proposal.name}", f"     Encryption : {encryption}"]
    if not proposal.is_aead:
        integrity = " ".join(ios_names.ike_integrity(i) for i in proposal.integrity)
        lines.append(f"     Integrity  : {integrity}")
    lines += [
        f"     PRF        : {' '.join(ios_names.ike_prf(p) for p in effective_prf(proposal))}",
        f"     DH Group   : {' '.join(ios_names.dh_group_long(g) for g in proposal.groups)}",
    ]
    return lines


def show_crypto_ikev2_proposal(cfg: Config, name: str | None = None) -> list[str]:
    proposals = _selected(_with_default_last(defaults.proposals(cfg)), name)
    return [line for proposal in proposals for line in proposal_lines(proposal)]


def _fvrf(match_fvrf: str | None) -> str:
    return "global" if match_fvrf is None else match_fvrf


def policy_lines(policy: Policy) -> list[str]:
    lines = [f" IKEv2 policy : {policy.name}", f"      Match fvrf : {_fvrf(policy.match_fvrf)}"]
    locals_ = [ios_names.address(a) for a in policy.match_local] or ["any"]
    lines += [f"      Match address local : {a}" for a in locals_]
    lines += [f"      Proposal    : {p}" for p in policy.proposals]
    return lines


def show_crypto_ikev2_policy(cfg: Config, name: str | None = None) -> list[str]:
    policies = _selected(_with_default_last(defaults.policies(cfg)), name)
    return [line for policy in policies for line in policy_lines(policy)]


def _identity_match(m: IdentityMatch) -> str:
    value = m.value.upper() if m.kind.value == "address" and ":" in m.value else m.value
    if m.mask is not None:
        return f"{m.kind.value} {value} {m.mask}"
    return f"{m.kind.value} {'domain ' if m.domain else ''}{value}"


def _references(cfg: Config, profile: str) -> int:
    """IOS's reference count: the IPsec profiles and crypto map entries that use the profile."""
    count = sum(1 for p in cfg.ipsec_profiles.values() if p.ikev2_profile == profile)
    return count + sum(1 for e in cfg.map_entries() if e.ikev2_profile == profile)


def _auth_methods(methods: tuple[str, ...]) -> str:
    return " ".join(methods) if methods else "none"


def _eap_options(profile: Profile) -> str:
    eap = profile.eap_remote
    options = ["query-identity"] if eap.query_identity else []
    if eap.timeout is not None:
        options.append(f"timeout {eap.timeout}")
    return ", ".join(options) or "none"


def profile_lines(cfg: Config, profile: Profile) -> list[str]:
    local_match = [ios_names.address(a) for a in profile.match_local] + list(
        profile.match_local_interfaces
    )
    dpd = profile.dpd
    keepalive = f"{profile.nat_keepalive} seconds" if profile.nat_keepalive else "disabled"
    return [
        f"IKEv2 profile: {profile.name}",
        " Shutdown : No",
        f" Ref Count: {_references(cfg, profile.name)}",
        " Match criteria: ",
        f"  Fvrf: {_fvrf(profile.match_fvrf)}",
        f"  Local address/interface: {' '.join(local_match) or 'none'}",
        "  Identities: ",
        *(f"   {_identity_match(m)}" for m in profile.match_identities),
        "  Certificate maps: none",
        f" Local identity: {profile.local_identity.value if profile.local_identity else 'none'}",
        " Remote identity: none",
        f" Local authentication method: {_auth_methods(profile.auth_local)}",
        f" Remote authentication method(s): {_auth_methods(profile.auth_remote)}",
        f" EAP options: {_eap_options(profile)}",
        f" Keyring: {profile.keyring or 'none'}",
        " Trustpoint(s): none",
        f" Lifetime: {profile.lifetime or defaults.IKE_SA_LIFETIME} seconds",
        f" DPD: interval {dpd.interval}, retry-interval {dpd.retry}, {dpd.mode}"
        if dpd
        else " DPD: disabled",
        f" NAT-keepalive: {keepalive}",
        f" Ivrf: {profile.ivrf or 'none'}",
        " Virtual-template: none",
        " mode auto: none",
        " AAA AnyConnect EAP authentication mlist: none",
        " AAA EAP authentication mlist: none",
        " AAA authentication mlist: none",
        " AAA Accounting: none",
        " AAA group authorization: none",
        " AAA user authorization: none",
    ]


def show_crypto_ikev2_profile(cfg: Config, name: str | None = None) -> list[str]:
    """Every IKEv2 profile (IOS has no default profile), or the one named."""
    lines: list[str] = []
    for profile in _selected(cfg.profiles, name):
        lines += [*profile_lines(cfg, profile), ""]
    return lines
