"""What certificates add to IKE_SA_INIT and IKE_AUTH (RFC 7296 sections 2.15, 3.6, 3.7;
RFC 7427): the CERTREQ and SIGNATURE_HASH_ALGORITHMS a side sends when its profile uses
certificates (the responder's CERTREQ in IKE_SA_INIT, the initiator's in IKE_AUTH), what it
notes of the peer's, the CERT payloads of a chain, and IOS's names for AUTH methods.
HTTP_CERT_LOOKUP_SUPPORTED is noted and never acted on: pyike sends and fetches no
hash-and-URL certificates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyike.codec import CertPayload, CertReqPayload, NotifyPayload, Payload
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import (
    signature_hash_algorithms,
    signature_hash_algorithms_notify,
)
from pyike.codec.registry import AuthMethod, CertEncoding, NotifyType
from pyike.crypto.auth import SIGNATURE_HASHES, scheme_of
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import ProfileSpec

SHA1_SIZE = 20
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_SIGNATURE_HASH_ALGORITHMS = NotifyType.SIGNATURE_HASH_ALGORITHMS
_HTTP_CERT_LOOKUP_SUPPORTED = NotifyType.HTTP_CERT_LOOKUP_SUPPORTED
_DIGITAL_SIGNATURE = AuthMethod.DIGITAL_SIGNATURE


@dataclass
class PeerInit:
    """What the peer's IKE_SA_INIT message said about certificates."""

    hashes: tuple[int, ...] | None = None  # SIGNATURE_HASH_ALGORITHMS, None: not sent
    authorities: tuple[bytes, ...] = ()  # the SHA-1 hashes of its CERTREQ payloads
    http_lookup: bool = False


def init_payloads(sa: IkeSa, profile: ProfileSpec | None) -> list[Payload]:
    """What IKE_SA_INIT carries when certificates are in use: SIGNATURE_HASH_ALGORITHMS
    both ways (RFC 7427), and in the responder's message (which does not know the profile
    yet: for any) the CERTREQ of the CAs it trusts. The initiator's CERTREQ belongs to its
    IKE_AUTH request (RFC 7296 1.2; strongSwan refuses it in IKE_SA_INIT)."""
    pki = sa.ctx.policy.certificates
    if pki is None or (profile is not None and not profile.uses_certificates):
        return []
    requests = [] if sa.initiator else certreq_payloads(sa, profile)
    return [*requests, signature_hash_algorithms_notify(SIGNATURE_HASHES)]


def certreq_payloads(sa: IkeSa, profile: ProfileSpec | None) -> list[Payload]:
    """A CERTREQ with the SHA-1 hashes of the CAs `profile` verifies with (none without a
    PKI or CA)."""
    pki = sa.ctx.policy.certificates
    if pki is None or (profile is not None and not profile.uses_certificates):
        return []
    authorities = pki.authorities(profile)
    if not authorities:
        return []
    sa.info("Sending certificate request")
    return [CertReqPayload(CertEncoding.X509_CERT_SIGNATURE, authorities)]


def note_peer_init(sa: IkeSa, payloads: Sequence[Payload]) -> PeerInit:
    seen = PeerInit()
    for payload in payloads:
        if isinstance(payload, CertReqPayload):
            data = payload.data
            if payload.cert_encoding == CertEncoding.X509_CERT_SIGNATURE:
                seen.authorities += tuple(
                    data[i : i + SHA1_SIZE] for i in range(0, len(data), SHA1_SIZE)
                )
            sa.info(f"Received certificate request for {len(data) // SHA1_SIZE} CA(s)")
        elif isinstance(payload, NotifyPayload):
            if payload.notify_type == _SIGNATURE_HASH_ALGORITHMS:
                try:
                    seen.hashes = tuple(int(h) for h in signature_hash_algorithms(payload))
                except DecodeError as error:
                    sa.error(f"Ignoring a malformed {error.detail}")
            elif payload.notify_type == _HTTP_CERT_LOOKUP_SUPPORTED:
                seen.http_lookup = True
                sa.info("Peer supports HTTP certificate lookup: not used")
    return seen


def cert_payloads(chain: Sequence[bytes]) -> list[Payload]:
    """One CERT payload (X.509 signature) per certificate, the end entity's first."""
    return [CertPayload(CertEncoding.X509_CERT_SIGNATURE, der) for der in chain]


def peer_certificates(payloads: Sequence[Payload]) -> tuple[bytes, ...] | None:
    """The DER certificates of the CERT payloads, or None when one is not X.509 (hash and
    URL, PKCS #7, raw keys: pyike takes none of them)."""
    certs = [p for p in payloads if isinstance(p, CertPayload)]
    if any(p.cert_encoding != CertEncoding.X509_CERT_SIGNATURE for p in certs):
        return None
    return tuple(p.data for p in certs)


_METHOD_NAMES: dict[int, str] = {
    AuthMethod.SHARED_KEY_MIC: "PSK",
    AuthMethod.RSA_SIG: "RSA",
    AuthMethod.ECDSA_SHA256_P256: "ECDSA",
    AuthMethod.ECDSA_SHA384_P384: "ECDSA",
    AuthMethod.ECDSA_SHA512_P521: "ECDSA",
}


def signature_kind(method: int, data: bytes) -> str | None:
    """ "rsa-sig" or "ecdsa-sig": the `authentication` keyword a signature AUTH stands for
    (None for what is no signature pyike knows)."""
    if method == AuthMethod.RSA_SIG:
        return "rsa-sig"
    if method in (
        AuthMethod.ECDSA_SHA256_P256,
        AuthMethod.ECDSA_SHA384_P384,
        AuthMethod.ECDSA_SHA512_P521,
    ):
        return "ecdsa-sig"
    if method == _DIGITAL_SIGNATURE and data and len(data) > data[0]:
        scheme = scheme_of(data[1 : 1 + data[0]])
        if scheme is not None:
            return "ecdsa-sig" if scheme.kind == "ecdsa" else "rsa-sig"
    return None


def method_name(method: int, data: bytes) -> str:
    """How IOS names an AUTH method in "Peer's authentication method is '...'"."""
    if method == _DIGITAL_SIGNATURE:
        kind = signature_kind(method, data)
        return "ECDSA" if kind == "ecdsa-sig" else "RSA"
    return _METHOD_NAMES.get(method, str(int(method)))
