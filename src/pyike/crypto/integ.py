"""Integrity transforms (IKEv2 transform type 3): truncated MACs with constant-time verify."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from cryptography.hazmat.primitives import hashes

from pyike.codec.registry import IntegId
from pyike.crypto.errors import CryptoError, UnsupportedTransform, transform_name
from pyike.crypto.mac import aes_cmac, aes_xcbc_mac, hmac_digest


@dataclass(frozen=True)
class IntegAlgorithm:
    integ_id: IntegId
    name: str
    key_size: int
    icv_size: int
    mac: Callable[[bytes, bytes], bytes] = field(repr=False)

    def compute(self, key: bytes, data: bytes) -> bytes:
        """The ICV of `data`: the MAC truncated to icv_size octets."""
        if len(key) != self.key_size:
            raise CryptoError(f"{self.name}: key must be {self.key_size} octets, got {len(key)}")
        return self.mac(key, data)[: self.icv_size]

    def verify(self, key: bytes, data: bytes, icv: bytes) -> bool:
        return hmac.compare_digest(self.compute(key, data), icv)


def _hmac(algorithm: hashes.HashAlgorithm) -> Callable[[bytes, bytes], bytes]:
    return partial(hmac_digest, algorithm)


_INTEGS: dict[int, IntegAlgorithm] = {
    integ.integ_id: integ
    for integ in (
        IntegAlgorithm(IntegId.HMAC_MD5_96, "HMAC-MD5-96", 16, 12, _hmac(hashes.MD5())),
        IntegAlgorithm(IntegId.HMAC_SHA1_96, "HMAC-SHA1-96", 20, 12, _hmac(hashes.SHA1())),
        IntegAlgorithm(IntegId.AES_XCBC_96, "AES-XCBC-96", 16, 12, aes_xcbc_mac),
        IntegAlgorithm(IntegId.AES_CMAC_96, "AES-CMAC-96", 16, 12, aes_cmac),
        IntegAlgorithm(
            IntegId.HMAC_SHA2_256_128, "HMAC-SHA256-128", 32, 16, _hmac(hashes.SHA256())
        ),
        IntegAlgorithm(
            IntegId.HMAC_SHA2_384_192, "HMAC-SHA384-192", 48, 24, _hmac(hashes.SHA384())
        ),
        IntegAlgorithm(
            IntegId.HMAC_SHA2_512_256, "HMAC-SHA512-256", 64, 32, _hmac(hashes.SHA512())
        ),
    )
}


def integ_algorithm(integ_id: int) -> IntegAlgorithm:
    """The INTEG transform for an ID; AUTH_NONE is not a transform (AEAD suites have none)."""
    try:
        return _INTEGS[integ_id]
    except KeyError:
        raise UnsupportedTransform(
            f"integrity transform {transform_name(IntegId, integ_id)} is not supported"
        ) from None
