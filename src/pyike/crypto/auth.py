"""AUTH payloads (RFC 7296 section 2.15): pre-shared keys, and signatures: RSA (method 1),
ECDSA (RFC 4754, methods 9 to 11) and Digital Signature (RFC 7427, method 14) with the
AlgorithmIdentifiers of RFC 7427 Appendix A."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from pyike.codec.registry import AuthMethod, HashAlgorithm, PrfId
from pyike.crypto.prf import prf_algorithm

KEY_PAD = b"Key Pad for IKEv2"


def signed_octets(
    message: bytes, peer_nonce: bytes, prf_id: PrfId, sk_p: bytes, id_body: bytes
) -> bytes:
    """InitiatorSignedOctets / ResponderSignedOctets.

    `message` is the sender's own IKE_SA_INIT message, `peer_nonce` the other side's nonce
    data, `sk_p` the sender's SK_pi or SK_pr, `id_body` its IDx' (ID type, three reserved
    octets, identification data).
    """
    return message + peer_nonce + prf_algorithm(prf_id)(sk_p, id_body)


def key_pad(prf_id: PrfId, psk: bytes) -> bytes:
    """prf(Shared Secret, "Key Pad for IKEv2"): the key of AUTH with a pre-shared key, as
    secret as the shared secret itself."""
    return prf_algorithm(prf_id)(psk, KEY_PAD)


def padded_psk_auth(prf_id: PrfId, pad: bytes, octets: bytes) -> bytes:
    """AUTH = prf(``pad``, <SignedOctets>), ``pad`` the shared secret's key_pad."""
    return prf_algorithm(prf_id)(pad, octets)


def verify_padded_psk_auth(prf_id: PrfId, pad: bytes, octets: bytes, auth_data: bytes) -> bool:
    """True when the peer's AUTH data matches, compared in constant time."""
    return hmac.compare_digest(padded_psk_auth(prf_id, pad, octets), auth_data)


def psk_auth(prf_id: PrfId, psk: bytes, octets: bytes) -> bytes:
    """AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)."""
    return padded_psk_auth(prf_id, key_pad(prf_id, psk), octets)


def verify_psk_auth(prf_id: PrfId, psk: bytes, octets: bytes, auth_data: bytes) -> bool:
    """True when the peer's AUTH data matches, compared in constant time."""
    return verify_padded_psk_auth(prf_id, key_pad(prf_id, psk), octets, auth_data)


# --- signatures (RFC 7296 section 2.15, RFC 4754, RFC 7427) ----------------------------------

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

_HASHES: dict[HashAlgorithm, type[hashes.HashAlgorithm]] = {
    HashAlgorithm.SHA1: hashes.SHA1,
    HashAlgorithm.SHA2_256: hashes.SHA256,
    HashAlgorithm.SHA2_384: hashes.SHA384,
    HashAlgorithm.SHA2_512: hashes.SHA512,
}

# The hash algorithms pyike signs and verifies with under Digital Signature, announced in
# SIGNATURE_HASH_ALGORITHMS, strongest last.
SIGNATURE_HASHES = (HashAlgorithm.SHA2_256, HashAlgorithm.SHA2_384, HashAlgorithm.SHA2_512)


@dataclass(frozen=True)
class SignatureScheme:
    """One AlgorithmIdentifier of Digital Signature (method 14): ``kind`` "rsa" (PKCS#1
    v1.5), "rsa-pss" or "ecdsa", its hash, and its DER encoding as RFC 7427 Appendix A and
    RFC 4055 give it (``blobs``: the encodings a peer may send, the first one ours)."""

    kind: str
    hash: HashAlgorithm
    blobs: tuple[bytes, ...]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


# RFC 7427 Appendix A (A.1 RSA, A.3 ECDSA, A.4.3 RSASSA-PSS with SHA-256, which the RFC
# writes with the default trailer field; DER encoders, OpenSSL's among them, leave it out).
# The PSS parameters for SHA-384 and SHA-512 follow RFC 4055 with salt length = hash size.
SCHEMES: tuple[SignatureScheme, ...] = (
    SignatureScheme("rsa", HashAlgorithm.SHA1, (_hex("300d06092a864886f70d0101050500"),)),
    SignatureScheme("rsa", HashAlgorithm.SHA2_256, (_hex("300d06092a864886f70d01010b0500"),)),
    SignatureScheme("rsa", HashAlgorithm.SHA2_384, (_hex("300d06092a864886f70d01010c0500"),)),
    SignatureScheme("rsa", HashAlgorithm.SHA2_512, (_hex("300d06092a864886f70d01010d0500"),)),
    SignatureScheme(
        "rsa-pss",
        HashAlgorithm.SHA2_256,
        (
            _hex(
                "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a0609"
                "2a864886f70d010108300d06096086480165030402010500a203020120"
            ),
            _hex(
                "304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a0609"
                "2a864886f70d010108300d06096086480165030402010500a203020120a303020101"
            ),
        ),
    ),
    SignatureScheme(
        "rsa-pss",
        HashAlgorithm.SHA2_384,
        (
            _hex(
                "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a0609"
                "2a864886f70d010108300d06096086480165030402020500a203020130"
            ),
        ),
    ),
    SignatureScheme(
        "rsa-pss",
        HashAlgorithm.SHA2_512,
        (
            _hex(
                "304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a0609"
                "2a864886f70d010108300d06096086480165030402030500a203020140"
            ),
        ),
    ),
    SignatureScheme("ecdsa", HashAlgorithm.SHA1, (_hex("300906072a8648ce3d0401"),)),
    SignatureScheme("ecdsa", HashAlgorithm.SHA2_256, (_hex("300a06082a8648ce3d040302"),)),
    SignatureScheme("ecdsa", HashAlgorithm.SHA2_384, (_hex("300a06082a8648ce3d040303"),)),
    SignatureScheme("ecdsa", HashAlgorithm.SHA2_512, (_hex("300a06082a8648ce3d040304"),)),
)

# RFC 4754: ECDSA with a fixed curve and hash, the signature r | s.
_ECDSA_METHODS: dict[AuthMethod, tuple[str, HashAlgorithm]] = {
    AuthMethod.ECDSA_SHA256_P256: ("secp256r1", HashAlgorithm.SHA2_256),
    AuthMethod.ECDSA_SHA384_P384: ("secp384r1", HashAlgorithm.SHA2_384),
    AuthMethod.ECDSA_SHA512_P521: ("secp521r1", HashAlgorithm.SHA2_512),
}


class SignatureError(ValueError):
    """A peer's AUTH data that cannot even be checked: an unknown AlgorithmIdentifier, a key
    of the wrong kind for the method, a malformed length."""


def scheme_of(blob: bytes) -> SignatureScheme | None:
    return next((s for s in SCHEMES if blob in s.blobs), None)


def key_kind(key: PrivateKey | PublicKey) -> str:
    """ "rsa" or "ecdsa": IOS's `rsa-sig` or `ecdsa-sig`."""
    return "rsa" if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) else "ecdsa"


def _ecdsa_method(key: PrivateKey | PublicKey) -> AuthMethod | None:
    curve = (
        key.curve.name
        if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey)
        else ""
    )
    return next((m for m, (name, _) in _ECDSA_METHODS.items() if name == curve), None)


def choose_method(
    key: PrivateKey,
    peer_hashes: Sequence[int] | None,
    preferred: HashAlgorithm = HashAlgorithm.SHA2_256,
) -> tuple[AuthMethod, SignatureScheme | None]:
    """How to sign with ``key``: Digital Signature (14) with ``preferred`` or another hash
    the peer announced in SIGNATURE_HASH_ALGORITHMS (``peer_hashes``; None when it sent
    none), else the method of the key: RSA (1, SHA-1) or ECDSA by curve (9, 10, 11)."""
    if peer_hashes is not None:
        common = [h for h in (preferred, *SIGNATURE_HASHES) if h in peer_hashes]
        if common:
            kind = key_kind(key)
            return AuthMethod.DIGITAL_SIGNATURE, next(
                s for s in SCHEMES if s.kind == kind and s.hash == common[0]
            )
    if isinstance(key, rsa.RSAPrivateKey):
        return AuthMethod.RSA_SIG, None
    method = _ecdsa_method(key)
    if method is not None:
        return method, None
    # a curve RFC 4754 has no method for: only Digital Signature can carry it
    return AuthMethod.DIGITAL_SIGNATURE, next(
        s for s in SCHEMES if s.kind == "ecdsa" and s.hash == preferred
    )


def _pss(algorithm: hashes.HashAlgorithm) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size)


def _scalar_size(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> int:
    return (key.curve.key_size + 7) // 8


def sign_auth(
    key: PrivateKey, method: AuthMethod, scheme: SignatureScheme | None, octets: bytes
) -> bytes:
    """The AUTH data of ``method`` over the signed octets (``scheme`` for Digital Signature)."""
    if method == AuthMethod.DIGITAL_SIGNATURE:
        assert scheme is not None
        blob = scheme.blobs[0]
        return bytes([len(blob)]) + blob + _sign(key, scheme.kind, _HASHES[scheme.hash](), octets)
    if method == AuthMethod.RSA_SIG:
        return _sign(key, "rsa", hashes.SHA1(), octets)
    _, hash_id = _ECDSA_METHODS[method]
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    r, s = decode_dss_signature(
        key.sign(octets, ec.ECDSA(_HASHES[hash_id](), deterministic_signing=True))
    )
    size = _scalar_size(key)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _sign(key: PrivateKey, kind: str, algorithm: hashes.HashAlgorithm, octets: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(octets, ec.ECDSA(algorithm, deterministic_signing=True))
    pad = _pss(algorithm) if kind == "rsa-pss" else padding.PKCS1v15()
    return key.sign(octets, pad, algorithm)


def verify_auth(public_key: PublicKey, method: int, data: bytes, octets: bytes) -> bool:
    """True when ``data`` (a peer's AUTH data of ``method``) is a signature of ``octets`` by
    ``public_key``. Raises SignatureError when it cannot be checked at all."""
    if method == AuthMethod.DIGITAL_SIGNATURE:
        if not data or len(data) < 1 + data[0]:
            raise SignatureError("Digital Signature AUTH data shorter than its ASN.1 length")
        scheme = scheme_of(data[1 : 1 + data[0]])
        if scheme is None:
            raise SignatureError("unknown signature algorithm in Digital Signature AUTH data")
        if (scheme.kind == "ecdsa") != (key_kind(public_key) == "ecdsa"):
            raise SignatureError(f"a {scheme.kind} signature from a {key_kind(public_key)} key")
        return _verify(public_key, scheme.kind, _HASHES[scheme.hash](), data[1 + data[0] :], octets)
    if method == AuthMethod.RSA_SIG:
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise SignatureError("RSA signature AUTH from a certificate without an RSA key")
        return _verify(public_key, "rsa", hashes.SHA1(), data, octets)
    if method in _ECDSA_METHODS:
        curve, hash_id = _ECDSA_METHODS[AuthMethod(method)]
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != curve:
            raise SignatureError(f"{AuthMethod(method).name} AUTH from a key not on {curve}")
        size = _scalar_size(public_key)
        if len(data) != 2 * size:
            return False
        der = encode_dss_signature(
            int.from_bytes(data[:size], "big"), int.from_bytes(data[size:], "big")
        )
        return _verify(public_key, "ecdsa", _HASHES[hash_id](), der, octets)
    raise SignatureError(f"AUTH method {method} is not a signature pyike verifies")


def _verify(
    key: PublicKey, kind: str, algorithm: hashes.HashAlgorithm, signature: bytes, octets: bytes
) -> bool:
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, octets, ec.ECDSA(algorithm))
        else:
            pad = _pss(algorithm) if kind == "rsa-pss" else padding.PKCS1v15()
            key.verify(signature, octets, pad, algorithm)
    except (InvalidSignature, ValueError):
        return False
    return True
