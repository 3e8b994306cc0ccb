"""Signature AUTH (RFC 7296 2.15, RFC 4754, RFC 7427): every method signs and verifies, a
tampered octet or the wrong key fails, and the AlgorithmIdentifier table matches what an
independent encoder (OpenSSL, through `cryptography`'s certificate signing) writes."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from pyike.codec.registry import AuthMethod, HashAlgorithm
from pyike.crypto.auth import (
    SCHEMES,
    SignatureError,
    choose_method,
    scheme_of,
    sign_auth,
    verify_auth,
)

OCTETS = b"InitiatorSignedOctets" * 7
RSA_KEY = rsa.generate_private_key(65537, 2048)
P256 = ec.generate_private_key(ec.SECP256R1())
P384 = ec.generate_private_key(ec.SECP384R1())
P521 = ec.generate_private_key(ec.SECP521R1())
_HASH = {
    HashAlgorithm.SHA1: hashes.SHA1,
    HashAlgorithm.SHA2_256: hashes.SHA256,
    HashAlgorithm.SHA2_384: hashes.SHA384,
    HashAlgorithm.SHA2_512: hashes.SHA512,
}


def _signature_algorithm_der(kind: str, hash_id: HashAlgorithm) -> bytes:
    """The AlgorithmIdentifier OpenSSL writes into a certificate signed this way."""
    key = P256 if kind == "ecdsa" else RSA_KEY
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oracle")])
    now = datetime.datetime(2020, 1, 1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    algorithm = _HASH[hash_id]()
    pad = None
    if kind == "rsa-pss":
        pad = padding.PSS(padding.MGF1(algorithm), algorithm.digest_size)
    elif kind == "rsa":
        pad = padding.PKCS1v15()
    cert = builder.sign(key, algorithm, rsa_padding=pad)
    der = cert.public_bytes(Encoding.DER)
    # The outer signatureAlgorithm sits between the TBSCertificate and the signature.
    tbs = cert.tbs_certificate_bytes
    after = der[der.index(tbs) + len(tbs) :]
    return after[: 2 + after[1]]


@pytest.mark.parametrize(
    "scheme",
    [s for s in SCHEMES if s.hash != HashAlgorithm.SHA1],  # OpenSSL signs nothing with SHA-1
    ids=lambda s: f"{s.kind}-{s.hash.name}",
)
def test_the_algorithm_identifiers_are_what_openssl_encodes(scheme: object) -> None:
    assert scheme.blobs[0] == _signature_algorithm_der(scheme.kind, scheme.hash)  # type: ignore[attr-defined]
    assert scheme_of(scheme.blobs[0]) is scheme  # type: ignore[attr-defined]


def test_rfc7427_pss_blob_with_the_trailer_field_is_accepted() -> None:
    rfc = bytes.fromhex(
        "304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a0609"
        "2a864886f70d010108300d06096086480165030402010500a203020120a303020101"
    )
    scheme = scheme_of(rfc)
    assert scheme is not None and (scheme.kind, scheme.hash) == ("rsa-pss", HashAlgorithm.SHA2_256)


CASES = [
    (RSA_KEY, AuthMethod.RSA_SIG, None),
    (P256, AuthMethod.ECDSA_SHA256_P256, None),
    (P384, AuthMethod.ECDSA_SHA384_P384, None),
    (P521, AuthMethod.ECDSA_SHA512_P521, None),
    *[
        (RSA_KEY if s.kind != "ecdsa" else P384, AuthMethod.DIGITAL_SIGNATURE, s)
        for s in SCHEMES
        if s.hash != HashAlgorithm.SHA1
    ],
]


@pytest.mark.parametrize(("key", "method", "scheme"), CASES)
def test_every_method_signs_and_verifies(key: object, method: AuthMethod, scheme: object) -> None:
    data = sign_auth(key, method, scheme, OCTETS)  # type: ignore[arg-type]
    public = key.public_key()  # type: ignore[attr-defined]
    assert verify_auth(public, method, data, OCTETS)
    assert not verify_auth(public, method, data, OCTETS + b"x")
    other = (
        ec.generate_private_key(public.curve)
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else rsa.generate_private_key(65537, 2048)
    )
    assert not verify_auth(other.public_key(), method, data, OCTETS)


def test_ecdsa_methods_carry_r_and_s_of_the_curve_size() -> None:
    assert len(sign_auth(P256, AuthMethod.ECDSA_SHA256_P256, None, OCTETS)) == 64
    assert len(sign_auth(P521, AuthMethod.ECDSA_SHA512_P521, None, OCTETS)) == 132


def test_digital_signature_starts_with_the_blob_and_its_length() -> None:
    method, scheme = choose_method(RSA_KEY, [HashAlgorithm.SHA2_384])
    assert method == AuthMethod.DIGITAL_SIGNATURE and scheme is not None
    data = sign_auth(RSA_KEY, method, scheme, OCTETS)
    assert data[0] == 15 and data[1:16] == bytes.fromhex("300d06092a864886f70d01010c0500")


def test_choose_method_honours_the_peers_hashes() -> None:
    assert choose_method(RSA_KEY, None) == (AuthMethod.RSA_SIG, None)
    assert choose_method(P384, None) == (AuthMethod.ECDSA_SHA384_P384, None)
    assert choose_method(P256, [HashAlgorithm.SHA1]) == (AuthMethod.ECDSA_SHA256_P256, None)
    method, scheme = choose_method(P256, [HashAlgorithm.SHA2_512, HashAlgorithm.SHA2_256])
    assert method == AuthMethod.DIGITAL_SIGNATURE and scheme is not None
    assert (scheme.kind, scheme.hash) == ("ecdsa", HashAlgorithm.SHA2_256)
    _, scheme = choose_method(RSA_KEY, [HashAlgorithm.SHA2_512])
    assert scheme is not None and (scheme.kind, scheme.hash) == ("rsa", HashAlgorithm.SHA2_512)


def test_unverifiable_auth_data_is_an_error_not_a_crash() -> None:
    public = RSA_KEY.public_key()
    with pytest.raises(SignatureError):
        verify_auth(public, AuthMethod.DIGITAL_SIGNATURE, b"\x05ab", OCTETS)
    with pytest.raises(SignatureError):
        verify_auth(public, AuthMethod.DIGITAL_SIGNATURE, b"\x03abcdef", OCTETS)
    with pytest.raises(SignatureError):
        verify_auth(public, AuthMethod.ECDSA_SHA256_P256, bytes(64), OCTETS)
    with pytest.raises(SignatureError):
        verify_auth(P256.public_key(), AuthMethod.ECDSA_SHA384_P384, bytes(96), OCTETS)
    assert not verify_auth(P256.public_key(), AuthMethod.ECDSA_SHA256_P256, bytes(63), OCTETS)
    with pytest.raises(SignatureError):
        ecdsa_blob = sign_auth(P256, *choose_method(P256, [HashAlgorithm.SHA2_256]), OCTETS)
        verify_auth(public, AuthMethod.DIGITAL_SIGNATURE, ecdsa_blob, OCTETS)
