"""Pre-shared key authentication (RFC 7296 section 2.15)."""

from __future__ import annotations

import hmac

from pyike.codec.registry import PrfId
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


def psk_auth(prf_id: PrfId, psk: bytes, octets: bytes) -> bytes:
    """AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)."""
    prf = prf_algorithm(prf_id)
    return prf(prf(psk, KEY_PAD), octets)


def verify_psk_auth(prf_id: PrfId, psk: bytes, octets: bytes, auth_data: bytes) -> bool:
    """True when the peer's AUTH data matches, compared in constant time."""
    return hmac.compare_digest(psk_auth(prf_id, psk, octets), auth_data)
