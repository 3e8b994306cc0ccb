"""PSK AUTH (RFC 7296 section 2.15)."""

from __future__ import annotations

import hashlib
import hmac

from pyike.codec.registry import PrfId
from pyike.crypto.auth import KEY_PAD, psk_auth, signed_octets, verify_psk_auth


def test_psk_auth_is_prf_of_prf_of_the_key_pad() -> None:
    octets = b"message" + b"nonce" + b"maced id"
    inner = hmac.new(b"cisco", b"Key Pad for IKEv2", hashlib.sha1).digest()
    expected = hmac.new(inner, octets, hashlib.sha1).digest()
    assert KEY_PAD == b"Key Pad for IKEv2"
    assert psk_auth(PrfId.HMAC_SHA1, b"cisco", octets) == expected


def test_signed_octets_append_the_peer_nonce_and_maced_id() -> None:
    id_body = bytes([1, 0, 0, 0]) + bytes([10, 0, 0, 1])
    sk_p = bytes(range(32))
    octets = signed_octets(b"IKE_SA_INIT", b"NONCE", PrfId.HMAC_SHA2_256, sk_p, id_body)
    assert octets == b"IKE_SA_INIT" + b"NONCE" + hmac.new(sk_p, id_body, hashlib.sha256).digest()


def test_verify_psk_auth() -> None:
    octets = b"signed octets"
    auth = psk_auth(PrfId.HMAC_SHA2_512, b"secret", octets)
    assert verify_psk_auth(PrfId.HMAC_SHA2_512, b"secret", octets, auth)
    assert not verify_psk_auth(PrfId.HMAC_SHA2_512, b"Secret", octets, auth)
    assert not verify_psk_auth(PrfId.HMAC_SHA2_512, b"secret", octets + b"!", auth)
    assert not verify_psk_auth(PrfId.HMAC_SHA2_512, b"secret", octets, auth[:-1])
    assert not verify_psk_auth(PrfId.HMAC_SHA2_512, b"secret", octets, b"")
