"""Certificates and IKE identities, as IOS relates them: a distinguished name as IOS prints
it, the identity a certificate gives its holder (`identity local dn|fqdn|email|address`),
whether a peer's ID payload is one its certificate names (RFC 4945 4.1: the subject, or a
subjectAltName; IOS's own enrolment puts the FQDN and address in the subject's
unstructuredName and unstructuredAddress), and `crypto pki certificate map` rules."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

from pyike.codec.registry import IdType

UNSTRUCTURED_NAME = ObjectIdentifier("1.2.840.113549.1.9.2")  # IOS: hostname=
UNSTRUCTURED_ADDRESS = ObjectIdentifier("1.2.840.113549.1.9.8")  # IOS: ipaddress=
# The attribute names IOS prints in a distinguished name.
_IOS_NAMES = {
    NameOID.COMMON_NAME: "cn",
    NameOID.ORGANIZATION_NAME: "o",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "ou",
    NameOID.COUNTRY_NAME: "c",
    NameOID.STATE_OR_PROVINCE_NAME: "st",
    NameOID.LOCALITY_NAME: "l",
    NameOID.EMAIL_ADDRESS: "ea",
    NameOID.SERIAL_NUMBER: "serialNumber",
    UNSTRUCTURED_NAME: "hostname",
    UNSTRUCTURED_ADDRESS: "ipaddress",
}


def dn_text(name: x509.Name) -> str:
    """ "hostname=R1.lab.example,cn=R1,o=Lab": the attributes in the certificate's order."""
    parts = []
    for rdn in name.rdns:
        for attribute in rdn:
            label = _IOS_NAMES.get(attribute.oid, attribute.oid.dotted_string)
            parts.append(f"{label}={_text(attribute.value)}")
    return ",".join(parts)


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _attributes(name: x509.Name, oid: ObjectIdentifier) -> list[str]:
    return [_text(a.value) for a in name.get_attributes_for_oid(oid)]


def _alt_names(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def fqdns(cert: x509.Certificate) -> list[str]:
    alt = _alt_names(cert)
    names = alt.get_values_for_type(x509.DNSName) if alt is not None else []
    return [*names, *_attributes(cert.subject, UNSTRUCTURED_NAME)]


def emails(cert: x509.Certificate) -> list[str]:
    alt = _alt_names(cert)
    names = alt.get_values_for_type(x509.RFC822Name) if alt is not None else []
    return [*names, *_attributes(cert.subject, NameOID.EMAIL_ADDRESS)]


def addresses(cert: x509.Certificate) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    alt = _alt_names(cert)
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    if alt is not None:
        found += [
            a
            for a in alt.get_values_for_type(x509.IPAddress)
            if isinstance(a, ipaddress.IPv4Address | ipaddress.IPv6Address)
        ]
    for text in _attributes(cert.subject, UNSTRUCTURED_ADDRESS):
        try:
            found.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    return found


def identity_for(kind: str, cert: x509.Certificate) -> tuple[IdType, bytes] | None:
    """The identity `identity local KIND` ("dn", "fqdn", "email", "address") takes from our
    certificate, or None when the certificate has no such name."""
    if kind == "dn":
        return IdType.ID_DER_ASN1_DN, cert.subject.public_bytes()
    if kind == "fqdn":
        names = fqdns(cert)
        return (IdType.ID_FQDN, names[0].encode()) if names else None
    if kind == "email":
        mails = emails(cert)
        return (IdType.ID_RFC822_ADDR, mails[0].encode()) if mails else None
    ips = addresses(cert)
    if not ips:
        return None
    kind_id = IdType.ID_IPV4_ADDR if ips[0].version == 4 else IdType.ID_IPV6_ADDR
    return kind_id, ips[0].packed


def identity_in_certificate(id_type: int, data: bytes, cert: x509.Certificate) -> bool:
    """The peer's ID payload names what its certificate certifies."""
    if id_type == IdType.ID_DER_ASN1_DN:
        # the DER of the subject, as the peer copies it from its certificate
        return data == cert.subject.public_bytes()
    text = data.decode("utf-8", "replace").lower().rstrip(".")
    if id_type == IdType.ID_FQDN:
        return text in (n.lower().rstrip(".") for n in fqdns(cert))
    if id_type == IdType.ID_RFC822_ADDR:
        return text in (m.lower() for m in emails(cert))
    if id_type in (IdType.ID_IPV4_ADDR, IdType.ID_IPV6_ADDR):
        try:
            return ipaddress.ip_address(data) in addresses(cert)
        except ValueError:
            return False
    return False


# --- crypto pki certificate map ---------------------------------------------------------------


def _field_text(field: str, cert: x509.Certificate) -> str | None:
    if field == "subject-name":
        return dn_text(cert.subject)
    if field == "issuer-name":
        return dn_text(cert.issuer)
    if field == "unstructured-subject-name":
        return ",".join(_attributes(cert.subject, UNSTRUCTURED_NAME))
    if field == "alt-subject-name":
        alt = _alt_names(cert)
        return "" if alt is None else ",".join(str(v.value) for v in alt)
    if field == "serial-number":
        return f"{cert.serial_number:X}"
    return None


def _date(value: str) -> datetime | None:
    for layout in ("%H:%M:%S %d %b %Y", "%d %b %Y"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _date_rule(field: str, op: str, value: str, cert: x509.Certificate) -> bool:
    when = _date(value)
    actual = cert.not_valid_after_utc if field == "expires-on" else cert.not_valid_before_utc
    if when is None:
        return False
    return {
        "eq": actual == when,
        "ne": actual != when,
        "lt": actual < when,
        "le": actual <= when,
        "gt": actual > when,
        "ge": actual >= when,
    }.get(op, False)


def rule_matches(rule: tuple[str, str, str], cert: x509.Certificate) -> bool:
    """One `FIELD OP VALUE` line of a certificate map; names compare without regard to case,
    `co`/`nc` as substrings, as IOS does."""
    field, op, value = rule
    if field in ("expires-on", "valid-start"):
        return _date_rule(field, op, value, cert)
    text = _field_text(field, cert)
    if text is None:
        return False
    text, value = text.lower(), value.lower()
    return {
        "eq": text == value,
        "ne": text != value,
        "co": value in text,
        "nc": value not in text,
    }.get(op, False)


def certificate_map_matches(
    entries: Sequence[tuple[tuple[str, str, str], ...]], cert: x509.Certificate
) -> bool:
    """A certificate map (its sequences, each a list of rules that must all hold) selects the
    certificate when one of its sequences does."""
    return any(all(rule_matches(rule, cert) for rule in rules) for rules in entries)
