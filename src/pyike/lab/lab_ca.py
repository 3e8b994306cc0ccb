"""The seed's two routers enrolled with one lab CA, made at run time and deterministic from
the lab's seed (`pyike lab --scenario certificates` and the certificate failures): ECDSA
P-256 keys derived from the seed, certificates signed with deterministic ECDSA (RFC 6979),
so a run with the same seed prints the same bytes. Each router gets `crypto pki trustpoint
LAB-CA` (`eckeypair` naming its key), its `crypto pki certificate chain` in IOS's hex, and
its IKEv2 profile authenticates both ways with `ecdsa-sig` through the trustpoint.

Variants break one thing, as it goes wrong in the field: Router 1's certificate expired, or
issued by a CA Router 2 does not trust, or naming another address than the one Router 1
identifies itself with, or revoked on the CRL Router 2 checks (`revocation-check crl`; the
lab's CA hands Router 2 its CRL, as a CDP would)."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from pyike.adapter.config_pki import RouterKeys
from pyike.adapter.config_policy import ConfigPolicy, policy_for_config
from pyike.config.model import Config
from pyike.config.pki_hex import hex_serial
from pyike.config.pki_model import PkiCertificate, PkiTrustpoint
from pyike.config.pki_writer import chain_lines
from pyike.crypto.auth import PrivateKey
from pyike.ike.policy import TunnelSpec
from pyike.seed_epoch import SEED_EPOCH

TRUSTPOINT = "LAB-CA"
VARIANTS = ("good", "expired", "untrusted", "identity", "revoked")
NOW = SEED_EPOCH.replace(tzinfo=UTC)
_ADDRESSES = {"Router1": "10.0.0.1", "Router2": "10.0.0.2"}
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)

Texts = dict[str, str]


def _key(seed: int, name: str) -> ec.EllipticCurvePrivateKey:
    digest = hashlib.sha256(f"pyike-lab-ca/{seed}/{name}".encode()).digest()
    return ec.derive_private_key(int.from_bytes(digest) % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def lab_name(cn: str) -> x509.Name:
    """`CN=cn,O=pyike lab`."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pyike lab"),
        ]
    )


def ca_builder(
    cn: str,
    issuer: x509.Name | None,
    key: PrivateKey,
    serial: int,
    start: datetime,
    end: datetime,
) -> x509.CertificateBuilder:
    """A CA certificate named `cn`, issued by `issuer` (self-signed without), to sign."""
    return (
        x509.CertificateBuilder()
        .subject_name(lab_name(cn))
        .issuer_name(lab_name(cn) if issuer is None else issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    )


def end_builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: PrivateKey,
    serial: int,
    start: datetime,
    end: datetime,
    names: list[x509.GeneralName],
    *,
    usage: tuple[bool, bool, bool] = (True, False, False),
) -> x509.CertificateBuilder:
    """A router's certificate with `names` as its SANs, to sign; `usage`: its key usages
    digitalSignature, nonRepudiation and keyEncipherment."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.KeyUsage(*usage, False, False, False, False, False, False), True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    return builder


def revocation_list(
    issuer: x509.Certificate,
    key: PrivateKey,
    revoked: tuple[int, ...],
    at: datetime,
    revoked_at: datetime,
) -> x509.CertificateRevocationList:
    """The CRL `issuer` publishes at `at` (good for a week), listing `revoked`."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(at - timedelta(days=1))
        .next_update(at + timedelta(days=7))
    )
    for serial in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial)
        builder = builder.add_revoked_certificate(entry.revocation_date(revoked_at).build())
    return builder.sign(key, hashes.SHA256())


@dataclass(frozen=True)
class _Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _sign(builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)


def _authority(seed: int, cn: str) -> _Authority:
    key = _key(seed, cn)
    builder = ca_builder(cn, None, key, 1, NOW - timedelta(days=365), NOW + timedelta(days=3650))
    return _Authority(key, _sign(builder, key))


def _router_certificate(
    ca: _Authority,
    host: str,
    key: ec.EllipticCurvePrivateKey,
    serial: int,
    *,
    expired: bool,
    address: str,
) -> x509.Certificate:
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=365)
    if expired:
        start, end = NOW - timedelta(days=395), NOW - timedelta(days=30)
    san: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address(address))]
    builder = end_builder(lab_name(host), ca.cert.subject, key, serial, start, end, san)
    return _sign(builder, ca.key)


def _crl(ca: _Authority, revoked: tuple[int, ...]) -> x509.CertificateRevocationList:
    return revocation_list(ca.cert, ca.key, revoked, NOW, NOW - timedelta(hours=2))


@cache
def authority(seed: int) -> _Authority:
    """The lab's CA for `seed` (the one `enrol` and `pyike.lab.lab_enrol` issue from)."""
    return _authority(seed, "pyike lab CA")


def lab_key(seed: int, name: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key the same for the same seed and name."""
    return _key(seed, name)


def signed(builder: x509.CertificateBuilder, ca: _Authority) -> x509.Certificate:
    """`builder` signed by `ca`, deterministically."""
    return _sign(builder, ca.key)


def lab_crl(seed: int) -> x509.CertificateRevocationList:
    """The lab CA's CRL, revoking nothing."""
    return _crl(authority(seed), ())


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


@dataclass
class LabPki:
    """The edited configurations, each router's key, and the CRLs each one has fetched."""

    texts: Texts
    keys: dict[str, RouterKeys] = field(default_factory=dict)
    crls: dict[str, dict[str, tuple[x509.CertificateRevocationList, ...]]] = field(
        default_factory=dict
    )

    def policy_factory(self) -> Callable[[Config], tuple[ConfigPolicy, list[TunnelSpec]]]:
        def factory(cfg: Config) -> tuple[ConfigPolicy, list[TunnelSpec]]:
            return policy_for_config(
                cfg, keys=self.keys.get(cfg.hostname), crls=self.crls.get(cfg.hostname)
            )

        return factory


def _trustpoint_text(host: str, revocation: str, chain: tuple[PkiCertificate, ...]) -> str:
    trustpoint = PkiTrustpoint(TRUSTPOINT, chain=chain)
    lines = [
        f"crypto pki trustpoint {TRUSTPOINT}",
        " enrollment terminal",
        f" subject-name cn={host},o=pyike lab",
        f" revocation-check {revocation}",
        f" eckeypair {host}",
        "!",
        *chain_lines(trustpoint),
        "!",
    ]
    return "\n".join(lines) + "\n"


def _with_certificates(text: str, host: str, block: str) -> str:
    for old, new in (
        (" authentication remote pre-share\n", " authentication remote ecdsa-sig\n"),
        (
            " authentication local pre-share\n",
            f" authentication local ecdsa-sig\n pki trustpoint {TRUSTPOINT}\n",
        ),
    ):
        if old not in text:
            raise ValueError(f"{host}'s configuration has no line {old.strip()!r}")
        text = text.replace(old, new)
    at = text.index("crypto ikev2 proposal")
    return text[:at] + block + text[at:]


def enrol(texts: Texts, variant: str, seed: int) -> LabPki:
    """Both routers enrolled with the lab CA, Router 1's certificate broken as ``variant``
    says (one of VARIANTS)."""
    ca = authority(seed)
    other = _authority(seed, "other CA")
    lab = LabPki(dict(texts))
    for number, host in enumerate(("Router1", "Router2"), start=2):
        key = _key(seed, host)
        broken = host == "Router1"
        issuer = other if broken and variant == "untrusted" else ca
        address = "10.0.0.99" if broken and variant == "identity" else _ADDRESSES[host]
        cert = _router_certificate(
            issuer, host, key, number, expired=broken and variant == "expired", address=address
        )
        chain = (
            PkiCertificate("certificate", hex_serial(number), _der(cert)),
            PkiCertificate("ca", hex_serial(1), _der(issuer.cert)),
        )
        checks = variant == "revoked" and host == "Router2"
        block = _trustpoint_text(host, "crl" if checks else "none", chain)
        lab.texts[host] = _with_certificates(lab.texts[host], host, block)
        lab.keys[host] = RouterKeys({host: key})
        if checks:
            lab.crls[host] = {TRUSTPOINT: (_crl(ca, (2,)),)}
    return lab
