"""`show crypto pki certificates [TRUSTPOINT] [verbose]`, `show crypto pki trustpoints [NAME]
[status]` and `show crypto key mypubkey rsa|ec`, from the configuration's trustpoints (their
certificate chains) and the router's key pairs, as IOS prints them.

IOS prints a distinguished name one attribute per line, the last RDN of the certificate first
(`hostname=R1.lab.example`, then `cn=R1`, ...), the attributes of a multi-valued RDN joined
with `+`; it names unstructuredName `hostname` and repeats it as `Name:` (and the address and
serial number as `IP Address:` and `Serial Number:`). Dates are `HH:MM:SS UTC Mon D YYYY`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from pyike.config.pki_hex import hex_lines, hex_serial
from pyike.config.pki_model import PkiCertificate, PkiTrustpoint

_UNSTRUCTURED_NAME = ObjectIdentifier("1.2.840.113549.1.9.2")
_UNSTRUCTURED_ADDRESS = ObjectIdentifier("1.2.840.113549.1.9.8")
_LABELS = {
    NameOID.COMMON_NAME: "cn",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "ou",
    NameOID.ORGANIZATION_NAME: "o",
    NameOID.LOCALITY_NAME: "l",
    NameOID.STATE_OR_PROVINCE_NAME: "st",
    NameOID.COUNTRY_NAME: "c",
    NameOID.EMAIL_ADDRESS: "e",
    NameOID.DOMAIN_COMPONENT: "dc",
    NameOID.SERIAL_NUMBER: "serialNumber",
    _UNSTRUCTURED_NAME: "hostname",
    _UNSTRUCTURED_ADDRESS: "ipaddress",
}
# Lines IOS puts before the subject's attributes, for the attributes they repeat.
_SUMMARY = ((_UNSTRUCTURED_NAME, "Name"), (_UNSTRUCTURED_ADDRESS, "IP Address"))
_HEADINGS = {"ca": "CA Certificate", "self-signed": "Router Self-Signed Certificate"}
_KEY_USAGES = (
    ("digital_signature", "Digital Signature"),
    ("content_commitment", "Non Repudiation"),
    ("key_encipherment", "Key Encipherment"),
    ("data_encipherment", "Data Encipherment"),
    ("key_agreement", "Key Agreement"),
    ("key_cert_sign", "Key Cert Sign"),
    ("crl_sign", "CRL Signature"),
)
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "Server Auth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "Client Auth",
    ExtendedKeyUsageOID.CODE_SIGNING: "Code Signing",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "Email Protection",
    ExtendedKeyUsageOID.TIME_STAMPING: "Time Stamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSP Signing",
}


def ios_date(moment: datetime) -> str:
    """`12:24:48 UTC Feb 25 2021`."""
    return f"{moment:%H:%M:%S} UTC {moment:%b} {moment.day} {moment.year}"


def _value(attribute: x509.NameAttribute[Any]) -> str:
    value = attribute.value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def name_lines(name: x509.Name) -> list[str]:
    """A name as IOS prints it: one RDN a line, the certificate's last RDN first."""
    return [
        "+".join(f"{_LABELS.get(a.oid, a.oid.dotted_string)}={_value(a)}" for a in rdn)
        for rdn in reversed(name.rdns)
    ]


def _subject_lines(name: x509.Name) -> list[str]:
    lines = [
        f"{label}: {_value(a)}" for oid, label in _SUMMARY for a in name.get_attributes_for_oid(oid)
    ]
    serials = name.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    lines += [f"Serial Number: {_value(a)}" for a in serials]
    return lines + name_lines(name)


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def certificate_usage(cert: x509.Certificate) -> str:
    """IOS's `Certificate Usage`: what the key usage lets the key do."""
    usage = _key_usage(cert)
    if usage is None:
        return "General Purpose"
    signs = usage.digital_signature or usage.key_cert_sign or usage.crl_sign
    if signs and usage.key_encipherment:
        return "General Purpose"
    return "Encryption" if usage.key_encipherment else "Signature"


def storage(cert: x509.Certificate, role: str) -> str:
    """`nvram:CA#4.cer`: IOS names the file after the issuer (12 characters of its common
    name, letters, digits and `-` only) and the last two bytes of the serial."""
    names = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME) or [
        a for rdn in cert.issuer.rdns for a in rdn
    ]
    issuer = re.sub(r"[^A-Za-z0-9-]", "", _value(names[0]) if names else "")[:12]
    serial = f"{cert.serial_number & 0xFFFF:X}"
    return f"nvram:{issuer}#{serial}{'CA' if role == 'ca' else ''}.cer"


def _words(data: bytes) -> str:
    return " ".join(hex_lines(data))


def fingerprints(der: bytes) -> list[str]:
    return [
        f"Fingerprint MD5: {_words(hashlib.md5(der, usedforsecurity=False).digest())} ",
        f"Fingerprint SHA1: {_words(hashlib.sha1(der, usedforsecurity=False).digest())} ",
    ]


@dataclass(frozen=True)
class _Entry:
    certificate: PkiCertificate
    trustpoints: tuple[str, ...]
    key_label: str | None


def _entries(trustpoints: Sequence[PkiTrustpoint]) -> list[_Entry]:
    """Each certificate once, the router's first, with every trustpoint that holds it."""
    found: dict[bytes, _Entry] = {}
    for tp in trustpoints:
        for cert in tp.chain:
            known = found.get(cert.der)
            names = (*known.trustpoints, tp.name) if known else (tp.name,)
            found[cert.der] = _Entry(cert, names, tp.key_label if cert.role != "ca" else None)
    entries = list(found.values())
    return [e for e in entries if e.certificate.role != "ca"] + [
        e for e in entries if e.certificate.role == "ca"
    ]


def _certificate_block(entry: _Entry, verbose: bool) -> list[str]:
    cert = x509.load_der_x509_certificate(entry.certificate.der)
    role = entry.certificate.role
    subject_heading = "  Subject: " if role == "ca" else "  Subject:"
    lines = [_HEADINGS.get(role, "Certificate"), "  Status: Available"]
    lines += ["  Version: 3"] if verbose else []
    lines += [
        f"  Certificate Serial Number (hex): {hex_serial(cert.serial_number)}",
        f"  Certificate Usage: {certificate_usage(cert)}",
        "  Issuer: ",
        *(f"    {line}" for line in name_lines(cert.issuer)),
        subject_heading,
        *(f"    {line}" for line in _subject_lines(cert.subject)),
        *_distribution_points(cert),
        "  Validity Date: ",
        f"    start date: {ios_date(cert.not_valid_before_utc)}",
        f"    end   date: {ios_date(cert.not_valid_after_utc)}",
    ]
    if verbose:
        lines += _verbose(cert, entry.certificate.der)
    lines.append(f"  Associated Trustpoints: {' '.join(entry.trustpoints)} ")
    if verbose and entry.key_label:
        lines.append(f"  Key Label: {entry.key_label}")
    lines.append(f"  Storage: {storage(cert, role)}")
    return lines


def _distribution_points(cert: x509.Certificate) -> list[str]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    urls = [
        n.value
        for p in points
        for n in p.full_name or ()
        if isinstance(n, x509.UniformResourceIdentifier)
    ]
    return ["  CRL Distribution Points: ", *(f"    {url}" for url in urls)] if urls else []


def _verbose(cert: x509.Certificate, der: bytes) -> list[str]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        algorithm, size, kind = "rsaEncryption", key.key_size, "RSA"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        algorithm, size, kind = "id-ecPublicKey", key.curve.key_size, "EC"
    else:
        algorithm, size, kind = "unknown", 0, "Unknown"
    digest = cert.signature_hash_algorithm
    ecdsa = isinstance(cert.signature_algorithm_parameters, ec.ECDSA)
    scheme = "ECDSA" if ecdsa else "RSA Encryption"  # the issuer's key signed
    signature = f"{digest.name.upper() if digest else 'NONE'} with {scheme}"
    return [
        "  Subject Key Info:",
        f"    Public Key Algorithm: {algorithm}",
        f"    {kind} Public Key: ({size} bit)",
        f"  Signature Algorithm: {signature}",
        *(f"  {line}" for line in fingerprints(der)),
        "  X509v3 extensions:",
        *_extension_lines(cert),
    ]


def _extension_lines(cert: x509.Certificate) -> list[str]:
    lines: list[str] = []
    for extension in cert.extensions:
        value = extension.value
        if isinstance(value, x509.KeyUsage):
            names = [label for attr, label in _KEY_USAGES if getattr(value, attr)]
            lines += [f"    X509v3 Key Usage: {_key_usage_bits(value):08X}"]
            lines += [f"      {name}" for name in names]
        elif isinstance(value, x509.SubjectKeyIdentifier):
            lines.append(f"    X509v3 Subject Key ID: {_words(value.digest)} ")
        elif isinstance(value, x509.AuthorityKeyIdentifier) and value.key_identifier:
            lines.append(f"    X509v3 Authority Key ID: {_words(value.key_identifier)} ")
        elif isinstance(value, x509.BasicConstraints):
            lines += ["    X509v3 Basic Constraints:", f"        CA: {str(value.ca).upper()}"]
        elif isinstance(value, x509.SubjectAlternativeName):
            lines += ["    X509v3 Subject Alternative Name:", *_alt_name_lines(value)]
        elif isinstance(value, x509.ExtendedKeyUsage):
            names = [_EKU_NAMES.get(oid, oid.dotted_string) for oid in value]
            lines += ["    Extended Key Usage:", *(f"        {n}" for n in names)]
    return lines


def _alt_name_lines(value: x509.SubjectAlternativeName) -> list[str]:
    lines = [f"        {name}" for name in value.get_values_for_type(x509.DNSName)]
    lines += [f"        IP Address : {a}" for a in value.get_values_for_type(x509.IPAddress)]
    return lines + [f"        OtherNames : {m}" for m in value.get_values_for_type(x509.RFC822Name)]


def _key_usage_bits(usage: x509.KeyUsage) -> int:
    bits = 0
    for position, (attr, _) in enumerate(_KEY_USAGES):
        if getattr(usage, attr):
            bits |= 0x80000000 >> position
    return bits


def _chosen(trustpoints: Sequence[PkiTrustpoint], name: str | None) -> list[PkiTrustpoint]:
    return [tp for tp in trustpoints if name is None or tp.name == name]


def show_crypto_pki_certificates(
    trustpoints: Sequence[PkiTrustpoint], name: str | None = None, verbose: bool = False
) -> list[str]:
    lines: list[str] = []
    for entry in _entries(_chosen(trustpoints, name)):
        lines += [*_certificate_block(entry, verbose), ""]
    return lines


# --- show crypto pki trustpoints -------------------------------------------------------------


def _scep_url(tp: PkiTrustpoint) -> list[str]:
    if not tp.enrollment or not tp.enrollment.startswith("url "):
        return []
    url = tp.enrollment.split(" ", 1)[1]
    return [f"    SCEP URL: {url if url.endswith('/cgi-bin') else url + '/cgi-bin'}"]


def _trustpoint_block(tp: PkiTrustpoint) -> list[str]:
    lines = [f"Trustpoint {tp.name}:"]
    anchor = tp.ca_certificates[0] if tp.ca_certificates else tp.router_certificate
    if anchor is None:
        return [*lines, "    Not authenticated.", *_scep_url(tp)]
    cert = x509.load_der_x509_certificate(anchor.der)
    lines += ["    Subject Name:", *(f"    {line}" for line in name_lines(cert.subject))]
    lines += [f"          Serial Number (hex): {hex_serial(cert.serial_number)}"]
    return [*lines, "    Certificate configured.", *_scep_url(tp)]


def _status_certificate(heading: str, certificate: PkiCertificate) -> list[str]:
    cert = x509.load_der_x509_certificate(certificate.der)
    return [
        f"  {heading} certificate configured:",
        "    Subject Name:",
        f"     {','.join(name_lines(cert.subject))}",
        *(f"    {line}" for line in fingerprints(certificate.der)),
    ]


def _status_block(tp: PkiTrustpoint, keys: dict[str, bool], default_label: str) -> list[str]:
    lines = [f"Trustpoint {tp.name}:"]
    if tp.ca_certificates:
        lines += _status_certificate("Issuing CA", tp.ca_certificates[0])
    own = tp.router_certificate
    if own is not None:
        usage = certificate_usage(x509.load_der_x509_certificate(own.der))
        lines += _status_certificate(f"Router {usage}", own)
    exportable = keys.get(tp.key_label or default_label)
    generated = "No" if exportable is None else "Yes (General Purpose, "
    if exportable is not None:
        generated += "exportable)" if exportable else "non-exportable)"
    return [
        *lines,
        "  State:",
        f"    Keys generated ............. {generated}",
        f"    Issuing CA authenticated ....... {'Yes' if tp.ca_certificates else 'No'}",
        f"    Certificate request(s) ..... {'Yes' if own else 'None'}",
    ]


def show_crypto_pki_trustpoints(
    trustpoints: Sequence[PkiTrustpoint],
    name: str | None = None,
    status: bool = False,
    keys: dict[str, bool] | None = None,
    default_label: str = "",
) -> list[str]:
    """`keys`: the labels of the key pairs the router has, and whether each is exportable;
    a trustpoint naming no key pair uses the one labelled `default_label`."""
    lines: list[str] = []
    for tp in _chosen(trustpoints, name):
        block = _status_block(tp, keys or {}, default_label) if status else _trustpoint_block(tp)
        lines += [*block, ""]
    return lines


# --- show crypto key mypubkey --------------------------------------------------------------


@dataclass(frozen=True)
class KeyView:
    """One of the router's key pairs, by what show prints of it (never the private key)."""

    label: str
    public_der: bytes  # SubjectPublicKeyInfo
    kind: str  # "rsa" | "ec"
    bits: int
    generated: datetime
    exportable: bool = False


def key_view(
    label: str,
    public: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    generated: datetime,
    exportable: bool = False,
) -> KeyView:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if isinstance(public, rsa.RSAPublicKey):
        return KeyView(label, der, "rsa", public.key_size, generated, exportable)
    return KeyView(label, der, "ec", public.curve.key_size, generated, exportable)


def show_crypto_key_mypubkey(
    kind: str, keys: Sequence[KeyView], label: str | None = None
) -> list[str]:
    """`show crypto key mypubkey rsa|ec|all [LABEL]`: the key pairs of that kind (`all`:
    every one), or the one labelled LABEL."""
    lines: list[str] = []
    for key in keys:
        if kind not in (key.kind, "all") or (label is not None and key.label != label):
            continue
        rsa = key.kind == "rsa"
        key_type = f"RSA KEYS      {key.bits} bits" if rsa else "EC KEYS"
        usage = "General Purpose Key" if rsa else "Signature Key"
        export = "exportable" if key.exportable else "not exportable"
        lines += [
            f"% Key pair was generated at: {ios_date(key.generated)}",
            f"Key name: {key.label}",
            f"Key type: {key_type}",
            " Storage Device: private-config",
            f" Usage: {usage}",
            f" Key is {export}. Redundancy enabled.",
            " Key Data:",
            *(f"  {line}" for line in hex_lines(key.public_der)),
        ]
    return lines
