"""A small certificate authority for tests (cryptography's x509): roots, intermediates,
router certificates with SANs, CRLs, and the RouterPki / StaticPolicy that use them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from pyike.crypto.auth import PrivateKey
from pyike.ike import ProfileSpec, StaticPolicy
from pyike.ike.policy import Identity
from pyike.lab.lab_ca import ca_builder, end_builder, lab_name, revocation_list
from pyike.pki.trust import ProfileTrust, RouterPki, Trustpoint

NOW = datetime(2013, 11, 11, 19, 30, 34, tzinfo=UTC)  # the lab's epoch
YEAR = timedelta(days=365)


def new_key(kind: str = "rsa") -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(65537, 2048)
    curve = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}[kind]
    return ec.generate_private_key(curve)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def _sign(
    builder: x509.CertificateBuilder, issuer: Issued | None, key: PrivateKey
) -> x509.Certificate:
    signer = key if issuer is None else issuer.key
    return builder.sign(signer, hashes.SHA256())


def make_ca(
    cn: str = "Lab Root CA",
    *,
    parent: Issued | None = None,
    kind: str = "rsa",
    start: datetime = NOW - YEAR,
    end: datetime = NOW + 5 * YEAR,
    serial: int = 1,
) -> Issued:
    key = new_key(kind)
    builder = ca_builder(
        cn, None if parent is None else parent.cert.subject, key, serial, start, end
    )
    return Issued(_sign(builder, parent, key), key)


def issue(
    ca: Issued,
    cn: str,
    *,
    kind: str = "rsa",
    fqdn: str | None = None,
    address: str | None = None,
    email: str | None = None,
    start: datetime = NOW - timedelta(days=30),
    end: datetime = NOW + YEAR,
    serial: int = 0x10,
    digital_signature: bool = True,
) -> Issued:
    key = new_key(kind)
    names: list[x509.GeneralName] = []
    if fqdn:
        names.append(x509.DNSName(fqdn))
    if address:
        names.append(x509.IPAddress(ipaddress.ip_address(address)))
    if email:
        names.append(x509.RFC822Name(email))
    usage = (digital_signature, not digital_signature, False)
    builder = end_builder(
        lab_name(cn), ca.cert.subject, key, serial, start, end, names, usage=usage
    )
    return Issued(_sign(builder, ca, key), key)


def crl(
    ca: Issued, revoked: tuple[int, ...] = (), *, at: datetime = NOW
) -> x509.CertificateRevocationList:
    return revocation_list(ca.cert, ca.key, revoked, at, at - timedelta(hours=1))


def trustpoint(
    name: str,
    ca: Issued,
    own: Issued | None = None,
    *,
    revocation: tuple[str, ...] = ("none",),
    crls: tuple[x509.CertificateRevocationList, ...] = (),
) -> Trustpoint:
    return Trustpoint(
        name,
        ca.cert,
        None if own is None else own.cert,
        None if own is None else own.key,
        revocation,
        crls,
    )


def router_pki(
    profile: ProfileSpec, trustpoints: list[Trustpoint], sign: str | None, *, epoch: datetime = NOW
) -> RouterPki:
    return RouterPki(
        {tp.name: tp for tp in trustpoints},
        {profile.name: ProfileTrust(sign=sign, verify=tuple(tp.name for tp in trustpoints))},
        {},
        lambda name: profile if name == profile.name else None,
        epoch,
    )


def with_certificates(
    policy: StaticPolicy,
    trustpoints: list[Trustpoint],
    sign: str | None,
    *,
    auth: str = "rsa-sig",
    remote: tuple[str, ...] | None = None,
    local_id: Identity | None = None,
    epoch: datetime = NOW,
) -> StaticPolicy:
    """``policy`` with its one profile signing with ``auth`` and verifying ``remote``
    (``auth`` by default) through the given trustpoints."""
    profile = replace(
        policy.profiles[0],
        auth_local=auth,
        auth_remote=remote or (auth,),
        local_identity=local_id or policy.profiles[0].local_identity,
    )
    return replace(
        policy, profiles=(profile,), pki=router_pki(profile, trustpoints, sign, epoch=epoch)
    )
