"""The engine's view of a router's PKI (`pyike.pki.trust.RouterPki`) from its IOS
configuration: each `crypto pki trustpoint` with the certificates of its `crypto pki
certificate chain` (the `ca` one, the router's own), the private key of its key pair (from
the key files beside the configuration, `pyike.pki.keystore`), its `revocation-check` and
the CRL files loaded for it; each IKEv2 profile's `pki trustpoint` and `match certificate`
lines; the certificate maps.

Choices where IOS's behaviour is not in the configuration:
- A trustpoint whose key file cannot be read (wrong permissions, not a key) keeps its
  certificate but cannot sign: the reason is what the engine reports when it tries.
- A CRL file that cannot be read or parsed counts as no CRL (`revocation-check crl` then
  refuses, `crl none` accepts), as IOS treats a CRL it cannot fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from pyike.codec.registry import HashAlgorithm
from pyike.config import query
from pyike.config.model import Config
from pyike.config.pki_model import PkiTrustpoint, local_crl_file
from pyike.crypto.auth import SIGNATURE_HASHES, PrivateKey
from pyike.ike.policy import ProfileSpec
from pyike.pki.trust import ProfileTrust, RouterPki, Trustpoint

# A trustpoint's `hash` keyword ("sha" and the size) to the hash Digital Signature uses.
_HASHES = {h.name.replace("SHA2_", "sha"): h for h in SIGNATURE_HASHES}


@dataclass(frozen=True)
class RouterKeys:
    """A router's private keys by label, and why a label has none when its file failed
    ("" for all of them)."""

    keys: dict[str, PrivateKey] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def _certificate(der: bytes) -> x509.Certificate | None:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def _crls(trustpoint: PkiTrustpoint, base: Path) -> tuple[x509.CertificateRevocationList, ...]:
    out = []
    queried = local_crl_file(trustpoint.crl_query)
    for name in (*trustpoint.crl_files, *([queried] if queried else [])):
        path = base / name
        try:
            data = path.read_bytes()
            crl = (
                x509.load_pem_x509_crl(data)
                if data.lstrip().startswith(b"-----")
                else x509.load_der_x509_crl(data)
            )
        except (OSError, ValueError):
            continue
        out.append(crl)
    return tuple(out)


def _trustpoint(
    tp: PkiTrustpoint,
    keys: RouterKeys,
    label: str,
    base: Path,
    fetched: tuple[x509.CertificateRevocationList, ...],
) -> Trustpoint:
    ca = next((c for c in map(_certificate, (x.der for x in tp.ca_certificates)) if c), None)
    own = tp.router_certificate
    key = keys.keys.get(label)
    return Trustpoint(
        tp.name,
        ca,
        None if own is None else _certificate(own.der),
        key,
        tp.revocation_check,
        (*_crls(tp, base), *fetched),
        _HASHES.get(tp.hash or "", HashAlgorithm.SHA2_256),
        None if key is not None else keys.problems.get(label, keys.problems.get("")),
    )


def _with_parents(cfg: Config, trustpoints: dict[str, Trustpoint]) -> dict[str, Trustpoint]:
    """Each trustpoint linked to its `chain-validation continue PARENT` (a parent that is
    not configured, or a loop back to a trustpoint already on the way, ends the chain)."""

    def linked(name: str, seen: frozenset[str]) -> Trustpoint:
        parent = cfg.trustpoints[name].parent
        if parent is None or parent in seen or parent not in trustpoints:
            return trustpoints[name]
        return replace(trustpoints[name], parent=linked(parent, seen | {parent}))

    return {name: linked(name, frozenset({name})) for name in trustpoints}


def _profile_trust(cfg: Config, name: str) -> ProfileTrust:
    profile = cfg.profiles[name]
    return ProfileTrust(
        query.sign_trustpoint(profile),
        tuple(n for n, use in profile.pki_trustpoints if use in ("", "verify")),
        profile.match_certificates,
    )


def router_pki(
    cfg: Config,
    keys: RouterKeys,
    default_label: str,
    profile_spec: Callable[[str], ProfileSpec | None],
    epoch: datetime,
    crls: Mapping[str, tuple[x509.CertificateRevocationList, ...]] | None = None,
) -> RouterPki | None:
    """The router's PKI, or None when it has no trustpoint. ``crls``: CRLs by trustpoint
    fetched from elsewhere than its CRL files (the lab's CA)."""
    if not cfg.trustpoints:
        return None
    base = Path(cfg.file).parent
    trustpoints = _with_parents(
        cfg,
        {
            name: _trustpoint(
                tp, keys, tp.key_label or default_label, base, (crls or {}).get(name, ())
            )
            for name, tp in cfg.trustpoints.items()
        },
    )
    maps = {
        name: tuple(entry.rules for entry in sorted(entries, key=lambda e: e.sequence))
        for name, entries in cfg.certificate_maps.items()
    }
    profiles = {name: _profile_trust(cfg, name) for name in cfg.profiles}
    aware = epoch if epoch.tzinfo is not None else epoch.replace(tzinfo=UTC)
    return RouterPki(trustpoints, profiles, maps, profile_spec, aware)
