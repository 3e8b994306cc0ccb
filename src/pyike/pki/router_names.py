"""The names a router's certificate carries, from its configuration as IOS enrolment builds
them: the trustpoint's `subject-name` (IOS's `cn=...,ou=...` text, first attribute printed
first), then one last RDN with the router's FQDN as unstructuredName (`hostname=` in show
output; left out with `fqdn none`), its address as unstructuredAddress (`ip-address`) and a
serialNumber (`serial-number`). The FQDN and address are also put in subjectAltName, where
strongSwan and RFC 4945 look for identities; so is `subject-alt-name`.
"""

from __future__ import annotations

import hashlib
import ipaddress

from cryptography import x509
from cryptography.x509.oid import NameOID

from pyike.config.model import Config
from pyike.config.pki_model import PkiTrustpoint, domain_in
from pyike.pki.identity import UNSTRUCTURED_ADDRESS, UNSTRUCTURED_NAME

# The attribute names `subject-name` takes, in lower case.
_ATTRIBUTES = {
    "cn": NameOID.COMMON_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "l": NameOID.LOCALITY_NAME,
    "st": NameOID.STATE_OR_PROVINCE_NAME,
    "c": NameOID.COUNTRY_NAME,
    "e": NameOID.EMAIL_ADDRESS,
    "ea": NameOID.EMAIL_ADDRESS,
    "email": NameOID.EMAIL_ADDRESS,
    "dc": NameOID.DOMAIN_COMPONENT,
    "serialnumber": NameOID.SERIAL_NUMBER,
    "unstructuredname": UNSTRUCTURED_NAME,
    "unstructuredaddress": UNSTRUCTURED_ADDRESS,
}


class SubjectNameError(ValueError):
    """A subject name pyike cannot read; the message says which part."""


def parse_subject(text: str) -> list[x509.RelativeDistinguishedName]:
    """`CN=R1,OU=VPN, O=Lab` as RDNs in encoding order (the last attribute written first)."""
    rdns = []
    for part in text.split(","):
        key, sep, value = part.strip().partition("=")
        oid = _ATTRIBUTES.get(key.strip().lower())
        if not sep or oid is None or not value.strip():
            raise SubjectNameError(f"subject-name {text}: cannot read '{part.strip()}'")
        rdns.append(x509.RelativeDistinguishedName([x509.NameAttribute(oid, value.strip())]))
    return rdns[::-1]


def domain_name(config: Config) -> str | None:
    """The router's `ip domain name` (kept by the configuration as written)."""
    found = (domain_in(block.lines[0]) for block in config.unmodelled)
    return next((domain for domain in found if domain), None)


def router_fqdn(config: Config, tp: PkiTrustpoint) -> str | None:
    """The FQDN IOS enrols with: the trustpoint's `fqdn`, else hostname.domain (the hostname
    alone without a domain); None with `fqdn none`."""
    if tp.fqdn is not None:
        return None if tp.fqdn.lower() == "none" else tp.fqdn
    domain = domain_name(config)
    return f"{config.hostname}.{domain}" if domain else config.hostname


def router_address(tp: PkiTrustpoint) -> ipaddress.IPv4Address | None:
    """`ip-address A.B.C.D` (an interface name or `none` puts no address in the certificate)."""
    try:
        return ipaddress.IPv4Address(tp.ip_address or "")
    except ValueError:
        return None


def router_serial(config: Config) -> str:
    """What `serial-number` puts in the subject: pyike has no chassis, so a number derived
    from the hostname stands for the router's serial number."""
    return hashlib.sha256(config.hostname.encode()).hexdigest()[:8].upper()


def router_subject(config: Config, tp: PkiTrustpoint) -> x509.Name:
    rdns = parse_subject(tp.subject_name) if tp.subject_name else []
    extra = []
    if tp.serial_number:
        extra.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, router_serial(config)))
    fqdn, address = router_fqdn(config, tp), router_address(tp)
    if fqdn:
        extra.append(x509.NameAttribute(UNSTRUCTURED_NAME, fqdn))
    if address is not None:
        extra.append(x509.NameAttribute(UNSTRUCTURED_ADDRESS, str(address)))
    if extra:
        rdns.append(x509.RelativeDistinguishedName(extra))
    if not rdns:
        rdns = [
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.COMMON_NAME, config.hostname)]
            )
        ]
    return x509.Name(rdns)


def router_alt_names(config: Config, tp: PkiTrustpoint) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    fqdn, address = router_fqdn(config, tp), router_address(tp)
    for name in (fqdn, tp.subject_alt_name):
        if name and x509.DNSName(name) not in names:
            names.append(x509.DNSName(name))
    if address is not None:
        names.append(x509.IPAddress(address))
    return names
