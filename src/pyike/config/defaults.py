"""IOS smart defaults, as IOS 15.x (15.2(4)M through 15.9(3)M) and IOS-XE 3.x define them.

Source: Cisco "FlexVPN and Internet Key Exchange Version 2 Configuration Guide, Cisco IOS
Release 15M&T", section "IKEv2 Smart Defaults". The stored-docs search available while this was
written did not hold that page, so the `show` output below is reproduced from memory of the guide
and cross-checked against the seed (Router 2 offers 15 transforms, window 5, DPD 0, IPsec SA
3600 s / 4608000 KB); treat the exact text as to be re-verified. The default proposal's and
transform set's transforms are quoted with the other transforms in `pyike.crypto.catalogue`.

    show crypto ikev2 policy default
     IKEv2 policy: default
          Match fvrf: any
          Match address local: any
          Proposal: default
    show crypto ipsec profile default
     IPSEC profile default
          Security association lifetime: 4608000 kilobytes/3600 seconds
          PFS (Y/N): N
          Transform sets={ default: { <the default transform set> }, }

and the command reference defaults: IKEv2 SA lifetime 86400 s (`lifetime`), IPsec SA lifetime
3600 s / 4608000 KB (`crypto ipsec security-association lifetime`), window 5 (`crypto ikev2
window`), DPD off, NAT keepalive off, cookie challenge off, fragmentation off, anti-replay window
64 packets, `set pfs` without a group meaning group 1. IOS-XE 16.x and later changed the default
proposal and transform set (GCM ciphers, SHA-2, ECP groups); pyike models the 15.x set above, which
is the one the seed routers (IOS 15.1(1)T+) negotiate.

A default object stays in force until `no crypto ikev2 proposal default` (`... policy default`,
`no crypto ipsec transform-set default`, `no crypto ipsec profile default`) disables it; entering
`crypto ikev2 proposal default` and configuring it modifies it.
"""

from __future__ import annotations

from typing import TypeVar

from pyike.codec.registry import DhId
from pyike.config.model import (
    Config,
    EspEncryption,
    EspIntegrity,
    IkeEncryption,
    IpsecProfile,
    Policy,
    Proposal,
    SaLifetime,
    TransformSet,
)
from pyike.crypto import catalogue

T = TypeVar("T")

DEFAULT = "default"
RELEASE = "IOS 15.x / IOS-XE 3.x (15.2(4)M and later 15M&T)"

IKE_SA_LIFETIME = 86400
IPSEC_SA_LIFETIME_SECONDS = 3600
IPSEC_SA_LIFETIME_KILOBYTES = 4608000
WINDOW = 5
REPLAY_WINDOW = 64
# `crypto ikev2 limit max-in-negotiation-sa`: what `show crypto ikev2 stats` shows unconfigured
# (incoming, outgoing). pyike enforces only a configured incoming limit.
MAX_IN_NEGOTIATION = (40, 400)
PFS_WITHOUT_GROUP = catalogue.IOS_PFS_GROUP_UNNAMED.id

_PROPOSAL = catalogue.IOS_DEFAULT_IKE_PROPOSAL
DEFAULT_PROPOSAL = Proposal(
    name=DEFAULT,
    encryption=tuple(
        IkeEncryption(e.id, e.key_length, e.ike_keyword or "") for e in _PROPOSAL.encryption
    ),
    integrity=_PROPOSAL.integrity_ids,
    prf=_PROPOSAL.prf_ids,
    groups=_PROPOSAL.group_ids,
)

DEFAULT_POLICY = Policy(name=DEFAULT, proposals=(DEFAULT,), match_fvrf="any")

_ESP_ENCRYPTION = catalogue.IOS_DEFAULT_ESP_ENCRYPTION
_ESP_INTEGRITY = catalogue.IOS_DEFAULT_ESP_INTEGRITY
DEFAULT_TRANSFORM_SET = TransformSet(
    name=DEFAULT,
    encryption=EspEncryption(_ESP_ENCRYPTION.id, None, _ESP_ENCRYPTION.esp_keyword or ""),
    integrity=EspIntegrity(_ESP_INTEGRITY.id, _ESP_INTEGRITY.esp_keyword or ""),
    mode="transport",  # `show crypto ipsec transform-set default`: { Transport,  }
)

DEFAULT_IPSEC_PROFILE = IpsecProfile(name=DEFAULT, transform_sets=(DEFAULT,))

# The defaults a user may modify or disable, by the keyword `no crypto ... default` uses.
DEFAULT_KINDS = ("proposal", "policy", "transform-set", "ipsec-profile")


def _with_default(cfg: Config, kind: str, configured: dict[str, T], default: T) -> dict[str, T]:
    """Configured objects plus IOS's default one of `kind` unless it was disabled."""
    out = dict(configured)
    if kind not in cfg.disabled_defaults:
        out.setdefault(DEFAULT, default)
    return out


def proposals(cfg: Config) -> dict[str, Proposal]:
    return _with_default(cfg, "proposal", cfg.proposals, DEFAULT_PROPOSAL)


def policies(cfg: Config) -> dict[str, Policy]:
    return _with_default(cfg, "policy", cfg.policies, DEFAULT_POLICY)


def transform_sets(cfg: Config) -> dict[str, TransformSet]:
    return _with_default(cfg, "transform-set", cfg.transform_sets, DEFAULT_TRANSFORM_SET)


def ipsec_profiles(cfg: Config) -> dict[str, IpsecProfile]:
    return _with_default(cfg, "ipsec-profile", cfg.ipsec_profiles, DEFAULT_IPSEC_PROFILE)


def dh_groups(cfg: Config) -> set[DhId]:
    """The key exchange groups a configuration can negotiate: its IKEv2 proposals' (IOS's
    default one included) and the PFS groups of its IPsec profiles and crypto map entries."""
    groups = {group for proposal in proposals(cfg).values() for group in proposal.groups}
    for owner in [*ipsec_profiles(cfg).values(), *cfg.map_entries()]:
        if owner.pfs is not None:
            groups.add(owner.pfs)
    return groups


def ipsec_lifetime(cfg: Config, own: SaLifetime) -> tuple[int, int]:
    """(seconds, kilobytes) for a profile or map entry: its own, else global, else default."""
    seconds = own.seconds or cfg.ipsec.lifetime.seconds or IPSEC_SA_LIFETIME_SECONDS
    kilobytes = own.kilobytes or cfg.ipsec.lifetime.kilobytes or IPSEC_SA_LIFETIME_KILOBYTES
    return seconds, kilobytes
