"""The IOS PKI configuration: trustpoints, certificate chains, certificate maps, key pairs.

Frozen dataclasses like the rest of the model (config/model.py). The certificates are kept
as DER, exactly as the `crypto pki certificate chain` hex blocks carried them; reading them
(subject, validity, key) is the job of `cryptography`'s x509 in the modules that need it.
Private keys are never part of a configuration: they live in key files beside it
(`pyike.pki.keystore`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module for its Config fields
    from pyike.config.model import Secret, Source

_DOMAIN = re.compile(r"ip\s+domain(?:-name|\s+name)\s+(?:vrf\s+\S+\s+)?(\S+)", re.IGNORECASE)

# `revocation-check` when a trustpoint does not say: IOS checks the CRL.
DEFAULT_REVOCATION_CHECK: tuple[str, ...] = ("crl",)

# The roles a `certificate` line of a chain block may name; "certificate" is the router's own.
CERTIFICATE_ROLES = (
    "certificate",
    "ca",
    "self-signed",
    "ra-sign",
    "ra-encrypt",
    "ra-general",
    "rollover",
)


@dataclass(frozen=True)
class PkiCertificate:
    """One `certificate [ca|ra-sign|...] SERIAL` of a chain block."""

    role: str  # "ca" | "certificate" | "self-signed" | "ra-sign" ... as the chain block says
    serial: str  # hex as IOS prints it (upper case, even length)
    der: bytes
    status: str = "nvram"  # IOS: `certificate ... nvram:NAME#xxxx.cer` comes from NVRAM


@dataclass(frozen=True)
class PkiTrustpoint:
    """`crypto pki trustpoint NAME` with its sub-commands and its certificate chain."""

    name: str
    enrollment: str | None = None  # "terminal" | "terminal pem" | "selfsigned" | "url <URL>"
    subject_name: str | None = None  # as typed: "CN=R1.example.com,O=Lab"
    subject_alt_name: str | None = None
    revocation_check: tuple[str, ...] = DEFAULT_REVOCATION_CHECK  # ("none",), ("crl", "none")...
    rsakeypair: str | None = None  # label; the modulus, when given, is in `rsakeypair_size`
    eckeypair: str | None = None
    fqdn: str | None = None  # "none" is kept as typed
    ip_address: str | None = None  # an address, an interface name or "none"
    serial_number: bool = False  # `serial-number` (not `serial-number none`)
    hash: str | None = None  # "sha256", "sha384", ...
    chain: tuple[PkiCertificate, ...] = ()  # from `crypto pki certificate chain NAME`
    crl_files: tuple[str, ...] = ()  # CRLs loaded for this trustpoint (the lab's CA dir)
    rsakeypair_size: int | None = None  # `rsakeypair LABEL 2048`
    usage: str | None = None  # `usage ike|ssl-client|ssl-server`
    password: Secret | None = None  # `password [0|7] TEXT`: the challenge password
    auto_enroll: str | None = None  # `auto-enroll [PERCENT] [regenerate]`, as typed ("" if bare)
    vrf: str | None = None
    chain_validation: str | None = None  # "stop" | "continue" | "continue PARENT", as typed
    crl_query: str | None = None  # `crl query URL`: where the CRL is fetched from
    extra: tuple[str, ...] = ()  # sub-commands IOS has and pyike does not model, kept verbatim
    source: Source | None = None

    @property
    def key_label(self) -> str | None:
        """The key pair this trustpoint signs with, when it names one."""
        return self.rsakeypair or self.eckeypair

    @property
    def parent(self) -> str | None:
        """`chain-validation continue PARENT`: the trustpoint whose CA validates this one's."""
        words = (self.chain_validation or "").split()
        return words[1] if len(words) == 2 and words[0] == "continue" else None

    @property
    def ca_certificates(self) -> tuple[PkiCertificate, ...]:
        return tuple(cert for cert in self.chain if cert.role == "ca")

    @property
    def router_certificate(self) -> PkiCertificate | None:
        """The router's own certificate: issued by a CA, or self-signed."""
        mine = ("certificate", "self-signed")
        return next((cert for cert in self.chain if cert.role in mine), None)


@dataclass(frozen=True)
class PkiCertificateMap:
    """`crypto pki certificate map NAME SEQ` and its match rules."""

    name: str
    sequence: int
    rules: tuple[
        tuple[str, str, str], ...
    ] = ()  # (field, op, value): ("subject-name", "co", "cn=r1")
    source: Source | None = None


@dataclass(frozen=True)
class KeyPairConfig:
    """`crypto key generate rsa|ec ...` found in a pasted configuration."""

    label: str
    kind: str  # "rsa" | "ec"
    size: int  # modulus bits, or the EC key size (256, 384, 521)
    exportable: bool = False
    usage_keys: bool = False  # `usage-keys`: a signing and an encryption pair


_LOCAL_URL = re.compile(r"(?:file|flash|bootflash|nvram|disk0):/*(.+)|(/.+)", re.IGNORECASE)


def local_crl_file(url: str | None) -> str | None:
    """The file a `crl query` URL names on the router itself (`file:`, `flash:`, `nvram:`...
    or a path), relative to the configuration's directory unless absolute; None for a
    network URL (http://, ldap://), which pyike does not fetch."""
    found = _LOCAL_URL.fullmatch(url or "")
    if found is None:
        return None
    if found.group(2):
        return found.group(2)
    absolute = url is not None and url.lower().startswith("file:/")
    return ("/" if absolute else "") + found.group(1)


def domain_in(line: str) -> str | None:
    """The domain an `ip domain name D` (or `ip domain-name D`) line sets: IOS names a router's
    default key pair and its enrolment FQDN `hostname.D`."""
    found = _DOMAIN.fullmatch(line.strip())
    return found.group(1) if found else None
