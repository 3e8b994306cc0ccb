"""The lab CA behind `pyike pki`: a directory with a root CA (and, when asked, one
intermediate CA under it) that issues router certificates from the routers' configurations,
revokes them and publishes CRLs. Everything is made with `cryptography`'s x509.

The directory holds `ca.key.pem` (0600) and `ca.crt.pem`, `intermediate.key.pem` and
`intermediate.crt.pem` once an intermediate is used, `ca.json` (the serial counter, the CRL
numbers, what was issued and revoked) and the CRLs (`ca.crl`/`ca.crl.pem`, and
`intermediate.crl`/`.crl.pem`). Serial numbers come from the counter, so issuing the same
things in the same order gives the same serials; keys are random.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from pyike.crypto.auth import PrivateKey
from pyike.pki.keystore import KeyFileError, read_private_key, write_private_key
from pyike.pki.router_names import parse_subject

KEY_TYPES: dict[str, Callable[[], PrivateKey]] = {
    "rsa2048": lambda: rsa.generate_private_key(65537, 2048),
    "rsa3072": lambda: rsa.generate_private_key(65537, 3072),
    "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
}
ROOT, INTERMEDIATE = "ca", "intermediate"
STATE = "ca.json"
DEFAULT_SUBJECT = "CN=pyike lab CA"


class CaError(Exception):
    """What the user must fix; the message says what and where."""


def key_type(key: PrivateKey) -> str:
    """The KEY_TYPES name of `key`."""
    if isinstance(key, rsa.RSAPrivateKey):
        return f"rsa{key.key_size}"
    return {"secp256r1": "p256", "secp384r1": "p384"}.get(key.curve.name, key.curve.name)


def _digest(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    big = isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 256
    return hashes.SHA384() if big else hashes.SHA256()


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class Authority:
    """One CA of the directory: its key and certificate."""

    name: str  # ROOT or INTERMEDIATE
    key: PrivateKey
    cert: x509.Certificate


class CaDir:
    """A CA directory on disk."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # --- state ---------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        file = self.path / STATE
        if not file.exists():
            raise CaError(
                f"{self.path}: no CA here (make one with 'pyike pki ca init {self.path}')"
            )
        try:
            state: dict[str, Any] = json.loads(file.read_text())
        except (OSError, ValueError) as error:
            raise CaError(f"{file}: unreadable CA state ({error})") from None
        return state

    def save(self, state: dict[str, Any]) -> None:
        (self.path / STATE).write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")

    def next_serial(self, state: dict[str, Any]) -> int:
        serial = int(state["next_serial"])
        state["next_serial"] = serial + 1
        return serial

    def authority(self, name: str) -> Authority:
        try:
            key = read_private_key(self.path / f"{name}.key.pem")
            cert = x509.load_pem_x509_certificate((self.path / f"{name}.crt.pem").read_bytes())
        except KeyFileError as error:
            raise CaError(str(error)) from None
        except (OSError, ValueError) as error:
            raise CaError(f"{self.path}/{name}.crt.pem: {error}") from None
        return Authority(name, key, cert)

    def has(self, name: str) -> bool:
        return (self.path / f"{name}.crt.pem").exists()

    def write_authority(self, authority: Authority) -> None:
        write_private_key(self.path / f"{authority.name}.key.pem", authority.key)
        (self.path / f"{authority.name}.crt.pem").write_bytes(_pem(authority.cert))


def _ca_certificate(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Authority | None,
    serial: int,
    start: datetime.datetime,
    days: int,
) -> x509.Certificate:
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            _authority_key_id(issuer.cert.public_key() if issuer else key.public_key()), False
        )
    )
    return builder.sign(signer_key, _digest(signer_key))


def _authority_key_id(issuer_key: Any) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key)


def _usage(ca: bool, encipher: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def init_ca(
    path: str | Path, key: str, subject: str, days: int, now: datetime.datetime, cdp: str | None
) -> Authority:
    """Make the root CA in `path` (created if needed; refused if it already holds one)."""
    ca = CaDir(path)
    if (ca.path / STATE).exists():
        raise CaError(f"{ca.path}: already holds a CA ({ca.path / STATE})")
    ca.path.mkdir(parents=True, exist_ok=True)
    name = _name(subject)
    private = KEY_TYPES[key]()
    root = Authority(ROOT, private, _ca_certificate(name, private, None, 1, now, days))
    ca.write_authority(root)
    state: dict[str, Any] = {
        "next_serial": 2,
        "cdp": cdp,
        "issued": {},
        "revoked": {},
        "crl_number": {},
    }
    ca.save(state)
    return root


def _name(subject: str) -> x509.Name:
    try:
        return x509.Name(parse_subject(subject))
    except ValueError as error:
        raise CaError(str(error)) from None


def intermediate(ca: CaDir, state: dict[str, Any], now: datetime.datetime, days: int) -> Authority:
    """The directory's intermediate CA, made under the root the first time it is asked for."""
    if ca.has(INTERMEDIATE):
        return ca.authority(INTERMEDIATE)
    root = ca.authority(ROOT)
    private = KEY_TYPES[key_type(root.key)]()
    subject = x509.Name(
        [*root.cert.subject.rdns[:-1], _cn(f"{_common_name(root.cert)} intermediate")]
    )
    serial = ca.next_serial(state)
    sub = Authority(
        INTERMEDIATE, private, _ca_certificate(subject, private, root, serial, now, days)
    )
    ca.write_authority(sub)
    state["issued"][f"{serial:X}"] = {"issuer": ROOT, "subject": sub.cert.subject.rfc4514_string()}
    return sub


def _cn(text: str) -> x509.RelativeDistinguishedName:
    return x509.RelativeDistinguishedName([x509.NameAttribute(x509.NameOID.COMMON_NAME, text)])


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    value = names[0].value if names else "pyike lab CA"
    return value if isinstance(value, str) else value.decode()


def end_certificate(
    issuer: Authority,
    subject: x509.Name,
    alt_names: list[x509.GeneralName],
    key: PrivateKey,
    serial: int,
    start: datetime.datetime,
    days: int,
    cdp: str | None,
) -> x509.Certificate:
    """A router's certificate: for signing IKE_AUTH (and key encipherment with RSA, as IOS's
    general-purpose keys allow), with the extended key usages IKE peers look for."""
    if issuer.cert.not_valid_after_utc <= start:
        ended = issuer.cert.not_valid_after_utc.date()
        which = "root" if issuer.name == ROOT else issuer.name
        raise CaError(
            f"the {which} CA's certificate expired on {ended}: nothing it signs can be valid "
            "at that date (choose another with --now, or make a new CA)"
        )
    usages = [
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.IPSEC_IKE,
    ]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(
            min(start + datetime.timedelta(days=days), issuer.cert.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False, encipher=isinstance(key, rsa.RSAPrivateKey)), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(_authority_key_id(issuer.cert.public_key()), False)
    )
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if cdp:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(cdp)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer.key, _digest(issuer.key))


# --- revocation -------------------------------------------------------------------------------


def revoke(ca: CaDir, serials: list[int], now: datetime.datetime) -> list[int]:
    """Record each serial as revoked at `now`; returns the serials newly revoked."""
    state = ca.state()
    done = []
    for serial in serials:
        text = f"{serial:X}"
        if text not in state["issued"]:
            raise CaError(f"serial {text} was not issued by the CA in {ca.path}")
        if text not in state["revoked"]:
            state["revoked"][text] = now.isoformat()
            done.append(serial)
    ca.save(state)
    return done


def write_crls(ca: CaDir, now: datetime.datetime, days: int) -> list[Path]:
    """A CRL from each CA of the directory, listing what it issued and was revoked; written
    as DER (`NAME.crl`) and PEM (`NAME.crl.pem`)."""
    state = ca.state()
    written = []
    for name in (ROOT, INTERMEDIATE):
        if not ca.has(name):
            continue
        authority = ca.authority(name)
        number = int(state["crl_number"].get(name, 0)) + 1
        state["crl_number"][name] = number
        crl = _crl(authority, state, number, now, days)
        for suffix, encoding in (
            (".crl", serialization.Encoding.DER),
            (".crl.pem", serialization.Encoding.PEM),
        ):
            file = ca.path / f"{name}{suffix}"
            file.write_bytes(crl.public_bytes(encoding))
            written.append(file)
    ca.save(state)
    return written


def _crl(
    authority: Authority, state: dict[str, Any], number: int, now: datetime.datetime, days: int
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.cert.subject)
        .last_update(now)
        .next_update(now + datetime.timedelta(days=days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(_authority_key_id(authority.cert.public_key()), critical=False)
    )
    for serial, when in sorted(state["revoked"].items(), key=lambda item: int(item[0], 16)):
        if state["issued"].get(serial, {}).get("issuer") != authority.name:
            continue
        revoked = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(datetime.datetime.fromisoformat(when))
            .build()
        )
        builder = builder.add_revoked_certificate(revoked)
    return builder.sign(authority.key, _digest(authority.key))
