"""A peer's certificate chain validated as IOS validates it: a path from the end certificate
to the CA certificate of one of the trustpoints the profile names (`pki trustpoint NAME`),
each signature checked with its issuer's public key, every certificate of the path valid at
the router's clock, the end certificate fit for signing (keyUsage digitalSignature and an
extendedKeyUsage IKE accepts, when present), and revocation as the anchoring trustpoint's
`revocation-check` says: `none` skips it, `crl` needs a CRL of the issuer (signed by it,
current) that does not list the certificate, and fails without one unless `none` follows.

The result carries what IOS prints along the way: `debug crypto pki validation` and
`transactions` lines, the console messages (%PKI-3-...), and the reason for a failure.
Time is an argument: the lab's routers validate on their virtual clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

VALIDATION, TRANSACTIONS = "validation", "transactions"
# The extended key usages an IKE peer's certificate may carry (RFC 4945 5.1.3.12, RFC 4809).
_IKE_USAGES = frozenset(
    {
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.IPSEC_IKE,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
        ObjectIdentifier("1.3.6.1.5.5.7.3.5"),  # ipsecEndSystem
        ObjectIdentifier("1.3.6.1.5.5.7.3.6"),  # ipsecTunnel
        ObjectIdentifier("1.3.6.1.5.5.7.3.7"),  # ipsecUser
    }
)
_SHA256 = hashes.SHA256()
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Anchor:
    """A trustpoint as validation sees it: its CA certificate, how it checks revocation
    and the CRLs loaded for it."""

    trustpoint: str
    ca: x509.Certificate
    revocation_check: tuple[str, ...] = ("crl",)
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    parent: Anchor | None = None  # `chain-validation continue PARENT`: validates our CA


@dataclass
class Validation:
    """What validating one chain found. ``failure`` is None when the chain is good;
    ``cause`` names the failure for explain ("untrusted", "expired", "not_yet_valid",
    "revoked", "crl_unavailable", "signature", "key_usage", "malformed")."""

    session: str
    end: x509.Certificate | None = None
    trustpoint: str | None = None
    failure: str | None = None
    cause: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def say(self, text: str, topic: str = VALIDATION) -> None:
        self.lines.append((topic, text))

    def fail(self, cause: str, reason: str, alert: str | None = None) -> Validation:
        self.cause, self.failure = cause, reason
        if alert is not None:
            self.alerts.append(alert)
        self.say(f"({self.session}) Certificate validation failed")
        return self


def ios_time(moment: datetime) -> str:
    """ "11:53:58 UTC Jun 1 2025", as IOS prints validity dates."""
    return (
        f"{moment.hour:02}:{moment.minute:02}:{moment.second:02} UTC "
        f"{_MONTHS[moment.month - 1]} {moment.day} {moment.year}"
    )


def serial_text(cert: x509.Certificate) -> str:
    text = f"{cert.serial_number:X}"
    return text if len(text) % 2 == 0 else "0" + text


def validate(
    chain: Sequence[bytes], anchors: Sequence[Anchor], at: datetime, session: str
) -> Validation:
    """Validates ``chain`` (DER, the end certificate first, then the intermediates the peer
    sent) against ``anchors`` at ``at`` (aware, UTC)."""
    result = Validation(session)
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain]
    except ValueError as error:
        return result.fail("malformed", f"Peer certificate cannot be parsed: {error}")
    end = result.end = certs[0]
    result.say(f"({session}) Adding peer certificate")
    result.say(f"Added x509 peer certificate - ({len(chain[0])}) bytes")
    path = _path(certs, anchors, result)
    if path is None:
        return result.fail("untrusted", "No trustpoint for the peer certificate's issuer")
    links, anchor = path
    result.trustpoint = anchor.trustpoint
    result.say(f"({session}) Suitable trustpoints are: {anchor.trustpoint},")
    result.say(f"({session}) Attempting to validate certificate using {anchor.trustpoint} policy")
    for cert in [*links, anchor.ca]:
        if not _current(cert, at, result):
            return result
    if not _fit_for_signing(end, result):
        return result
    if not _not_revoked(links, anchor, at, result):
        return result
    if not _up_to_parents(anchor, at, result):
        return result
    result.say(f"({session}) Certificate validated")
    result.say(f"({session}) Certificate is verified")
    return result


def _up_to_parents(anchor: Anchor, at: datetime, result: Validation) -> bool:
    """`chain-validation continue PARENT`: the anchoring trustpoint's CA (an intermediate)
    is itself validated with its parent trustpoint's CA and revocation settings, up to a
    trustpoint with no parent (a root, or `chain-validation stop`)."""
    child, parent = anchor, anchor.parent
    while parent is not None:
        policy = f"{parent.trustpoint} policy"
        result.say(f"({result.session}) Attempting to validate certificate using {policy}")
        if not _issued_by(child.ca, parent.ca):
            result.fail(
                "untrusted",
                f"{child.trustpoint}'s CA certificate is not issued by the CA of "
                f"{parent.trustpoint} (chain-validation continue {parent.trustpoint})",
            )
            return False
        if not _current(parent.ca, at, result) or not _not_revoked([child.ca], parent, at, result):
            return False
        child, parent = parent, parent.parent
    return True


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _path(
    certs: list[x509.Certificate], anchors: Sequence[Anchor], result: Validation
) -> tuple[list[x509.Certificate], Anchor] | None:
    """The certificates from the end one up to (not including) a trustpoint's CA, each
    signed by the next, and that trustpoint."""
    session = result.session
    result.say(f"({session})validation path has {len(certs)} certs")
    result.say(f"({session}) Validating non-trusted cert")
    result.say(f"({session}) Create a list of suitable trustpoints")
    links = [certs[0]]
    pool = certs[1:]
    while len(links) <= len(certs):
        current = links[-1]
        for anchor in anchors:
            if current.fingerprint(_SHA256) == anchor.ca.fingerprint(_SHA256):
                return links[:-1], anchor
            if _issued_by(current, anchor.ca):
                result.say(f"({session}) Found a issuer match")
                return links, anchor
        issuer = next((c for c in pool if c not in links and _issued_by(current, c)), None)
        if issuer is None:
            break
        links.append(issuer)
    result.say("Unable to locate cert record by issuername")
    result.say("No trust point for cert issuer, looking up cert chain")
    result.say(f"({session}) No suitable trustpoints found")
    return None


def _current(cert: x509.Certificate, at: datetime, result: Validation) -> bool:
    serial = serial_text(cert)
    if at > cert.not_valid_after_utc:
        end = ios_time(cert.not_valid_after_utc)
        result.fail(
            "expired",
            f"Certificate (SN: {serial}) has expired: validity period ended on {end}",
            "%PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain validation has failed.  "
            f"The certificate (SN: {serial}) has expired.    Validity period ended on {end}",
        )
        return False
    if at < cert.not_valid_before_utc:
        start = ios_time(cert.not_valid_before_utc)
        result.fail(
            "not_yet_valid",
            f"Certificate (SN: {serial}) is not yet valid: validity period starts on {start}",
            "%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID: Certificate chain validation has "
            f"failed.  The certificate (SN: {serial}) is not yet valid   Validity period "
            f"starts on {start}",
        )
        return False
    return True


def _fit_for_signing(cert: x509.Certificate, result: Validation) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.digital_signature:
            result.fail("key_usage", "Peer certificate's key usage lacks digitalSignature")
            return False
    except x509.ExtensionNotFound:
        pass
    try:
        extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    if not _IKE_USAGES & set(extended):
        result.fail("key_usage", "Peer certificate's extended key usage does not allow IKE")
        return False
    return True


def _not_revoked(
    links: list[x509.Certificate], anchor: Anchor, at: datetime, result: Validation
) -> bool:
    session, modes = result.session, anchor.revocation_check
    if not modes or modes[0] == "none":
        result.say(f"({session}) Certificate validated without revocation check")
        return True
    issuers = [*links[1:], anchor.ca]
    for cert, issuer in zip(links, issuers, strict=True):
        result.say(f"({session}) Starting CRL revocation check", TRANSACTIONS)
        crl = next((c for c in anchor.crls if _crl_of(c, issuer, at)), None)
        if crl is None:
            result.say(f"({session}) Matching CRL not present", TRANSACTIONS)
            if "none" in modes[1:]:
                result.say(f"({session}) CRL not available: revocation-check none follows")
                continue
            result.fail(
                "crl_unavailable",
                f"No CRL of {anchor.trustpoint}'s CA to check the peer certificate against",
                f"%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint {anchor.trustpoint} failed "
                "Reason : no CRL loaded",
            )
            return False
        revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if revoked is not None:
            serial = serial_text(cert)
            result.say(f"({session}) Certificate revoked", TRANSACTIONS)
            result.fail(
                "revoked",
                f"Certificate (SN: {serial}) is revoked",
                "%PKI-3-CERTIFICATE_REVOKED: Certificate chain validation has failed.  "
                f"The certificate (SN: {serial}) is revoked",
            )
            return False
        result.say(f"({session}) CRL check: certificate not revoked", TRANSACTIONS)
    return True


def _crl_of(crl: x509.CertificateRevocationList, issuer: x509.Certificate, at: datetime) -> bool:
    """``crl`` is ``issuer``'s, signed by it, and current at ``at``."""
    if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        return False
    next_update = crl.next_update_utc
    return crl.last_update_utc <= at and (next_update is None or at <= next_update)
