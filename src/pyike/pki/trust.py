"""A router's PKI as the engine asks about it (`pyike.ike.policy.Certificates`): its
trustpoints (CA certificate, own certificate and key, revocation settings and CRLs), which
trustpoints each IKEv2 profile signs and verifies with (`pki trustpoint NAME [sign|verify]`;
a profile naming none verifies with every trustpoint and, as IOS's initiator cannot, signs
with none), and its `match certificate` maps. Built by the adapter from a configuration and
the router's key files, or directly by tests."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pyike.codec.registry import HashAlgorithm
from pyike.crypto.auth import PrivateKey, PublicKey
from pyike.ike.events import Endpoint
from pyike.ike.policy import Identity, PeerCertificate, ProfileSpec, SigningCredential
from pyike.pki.identity import certificate_map_matches, dn_text, identity_in_certificate
from pyike.pki.validate import Anchor, validate

Rules = tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Trustpoint:
    """One `crypto pki trustpoint` with what it holds: ``ca`` (its CA certificate; None
    before `crypto pki authenticate`), ``certificate`` (the router's own, enrolled under
    it), ``key`` (the private key of its key pair, from the router's key file)."""

    name: str
    ca: x509.Certificate | None
    certificate: x509.Certificate | None = None
    key: PrivateKey | None = None
    revocation_check: tuple[str, ...] = ("crl",)
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    hash: HashAlgorithm = HashAlgorithm.SHA2_256
    key_problem: str | None = None  # why ``key`` is None although a key file was looked for
    parent: Trustpoint | None = None  # `chain-validation continue PARENT`

    @property
    def anchor(self) -> Anchor | None:
        if self.ca is None:
            return None
        parent = None if self.parent is None else self.parent.anchor
        return Anchor(self.name, self.ca, self.revocation_check, self.crls, parent)

    def chain(self) -> tuple[bytes, ...]:
        """What this router sends: its certificate, and its CA's unless that is a root
        (the peer must trust the root itself; an intermediate it may not have)."""
        assert self.certificate is not None
        own = (self.certificate.public_bytes(Encoding.DER),)
        if self.ca is None or self.ca.issuer == self.ca.subject:
            return own
        return (*own, self.ca.public_bytes(Encoding.DER))


@dataclass(frozen=True)
class ProfileTrust:
    """What a profile says about certificates: `pki trustpoint NAME sign` (or without a
    keyword, both), `... verify`, and `match certificate MAP`."""

    sign: str | None = None
    verify: tuple[str, ...] = ()
    certificate_maps: tuple[str, ...] = ()


def authority_hash(ca: x509.Certificate) -> bytes:
    """RFC 7296 3.7: the SHA-1 hash of the CA's SubjectPublicKeyInfo."""
    spki = ca.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(spki, usedforsecurity=False).digest()


@dataclass(eq=False)
class RouterPki:
    """`Certificates` for one router. ``epoch`` is the router's wall-clock time at the
    engine's time zero; ``profile_spec`` gives the engine's profile by name."""

    trustpoints: dict[str, Trustpoint]
    profiles: dict[str, ProfileTrust]
    certificate_maps: dict[str, tuple[Rules, ...]]
    profile_spec: Callable[[str], ProfileSpec | None]
    epoch: datetime
    # IOS's validation context ids
    _sessions: Iterator[int] = field(
        default_factory=lambda: itertools.count(0xA16A8), init=False, repr=False
    )

    def _trust(self, profile: str) -> ProfileTrust:
        return self.profiles.get(profile, ProfileTrust())

    def _verifying(self, profile: ProfileSpec | None) -> list[Trustpoint]:
        names = self._trust(profile.name).verify if profile is not None else ()
        if profile is None:
            names = tuple(n for p in self.profiles.values() for n in p.verify)
        chosen = names or tuple(self.trustpoints)
        return [self.trustpoints[n] for n in dict.fromkeys(chosen) if n in self.trustpoints]

    def authorities(self, profile: ProfileSpec | None) -> bytes:
        return b"".join(
            authority_hash(tp.ca) for tp in self._verifying(profile) if tp.ca is not None
        )

    def signing_trustpoint(self, profile: str) -> Trustpoint | None:
        name = self._trust(profile).sign
        return None if name is None else self.trustpoints.get(name)

    def credential(self, profile: ProfileSpec) -> SigningCredential | str:
        name = self._trust(profile.name).sign
        if name is None:
            return f"profile {profile.name} names no 'pki trustpoint' to sign with"
        trustpoint = self.trustpoints.get(name)
        if trustpoint is None:
            return f"trustpoint {name} is not configured"
        if trustpoint.certificate is None:
            return f"trustpoint {name} has no router certificate (not enrolled)"
        if trustpoint.key is None:
            why = f" ({trustpoint.key_problem})" if trustpoint.key_problem else ""
            return f"trustpoint {name} has a certificate but no private key{why}"
        return SigningCredential(name, trustpoint.key, trustpoint.chain(), trustpoint.hash)

    def local_dn(self, profile: str) -> Identity | None:
        """`identity local dn`: the subject of the profile's signing certificate."""
        trustpoint = self.signing_trustpoint(profile)
        if trustpoint is None or trustpoint.certificate is None:
            return None
        subject = trustpoint.certificate.subject
        return Identity.dn(subject.public_bytes(), dn_text(subject))

    def check_peer(
        self, profile: ProfileSpec, certificates: Sequence[bytes], identity: Identity, now: float
    ) -> PeerCertificate:
        anchors = [a for a in (tp.anchor for tp in self._verifying(profile)) if a is not None]
        session = f"{next(self._sessions):X}"
        at = self.epoch + timedelta(seconds=now)
        result = validate(certificates, anchors, at, session)
        subject = "" if result.end is None else dn_text(result.end.subject)
        lines = tuple(result.lines)
        if not result.ok or result.end is None:
            return PeerCertificate(None, subject, result.failure, lines, tuple(result.alerts))
        if not identity_in_certificate(identity.id_type, identity.data, result.end):
            reason = f"Peer identity {identity} is not in its certificate ({subject})"
            return PeerCertificate(None, subject, reason, lines, tuple(result.alerts))
        key = result.end.public_key()
        assert isinstance(key, PublicKey)
        return PeerCertificate(key, subject, None, lines, tuple(result.alerts))

    def profile_for_certificate(
        self, local: Endpoint, certificates: Sequence[bytes]
    ) -> ProfileSpec | None:
        try:
            cert = x509.load_der_x509_certificate(certificates[0])
        except (ValueError, IndexError):
            return None
        for name, trust in self.profiles.items():
            maps = [self.certificate_maps.get(m, ()) for m in trust.certificate_maps]
            if any(certificate_map_matches(entries, cert) for entries in maps):
                return self.profile_spec(name)
        return None
