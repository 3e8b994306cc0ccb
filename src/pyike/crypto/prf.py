"""Pseudo-random functions (IKEv2 transform type 3) and prf+ (RFC 7296 section 2.13)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes

from pyike.codec.registry import PrfId
from pyike.crypto.errors import CryptoError, UnsupportedTransform, transform_name
from pyike.crypto.mac import AES_BLOCK, aes_cmac, aes_xcbc_mac, hmac_digest


@dataclass(frozen=True)
class Prf(ABC):
    prf_id: PrfId
    name: str
    output_size: int
    # The preferred key length: the size of SK_d, SK_pi and SK_pr (RFC 7296 section 2.14).
    key_size: int
    # True for PRFs that take a fixed-size key (AES-XCBC, AES-CMAC): they change how
    # SKEYSEED is keyed (RFC 7296 section 2.14).
    fixed_key: bool = False

    @abstractmethod
    def __call__(self, key: bytes, data: bytes) -> bytes:
        """prf(key, data), output_size octets."""


@dataclass(frozen=True)
class HmacPrf(Prf):
    hash_algorithm: hashes.HashAlgorithm = field(default_factory=hashes.SHA256, repr=False)

    def __call__(self, key: bytes, data: bytes) -> bytes:
        return hmac_digest(self.hash_algorithm, key, data)


@dataclass(frozen=True)
class Aes128XcbcPrf(Prf):
    """AES-XCBC-PRF-128 (RFC 4434): any key length, normalised to 128 bits."""

    def __call__(self, key: bytes, data: bytes) -> bytes:
        if len(key) < AES_BLOCK:
            key = key.ljust(AES_BLOCK, b"\x00")
        elif len(key) > AES_BLOCK:
            key = aes_xcbc_mac(bytes(AES_BLOCK), key)
        return aes_xcbc_mac(key, data)


@dataclass(frozen=True)
class Aes128CmacPrf(Prf):
    """AES-CMAC-PRF-128 (RFC 4615): a key of any other length than 128 bits is CMAC'd first."""

    def __call__(self, key: bytes, data: bytes) -> bytes:
        if len(key) != AES_BLOCK:
            key = aes_cmac(bytes(AES_BLOCK), key)
        return aes_cmac(key, data)


_PRFS: dict[int, Prf] = {
    prf.prf_id: prf
    for prf in (
        HmacPrf(PrfId.HMAC_MD5, "HMAC-MD5", 16, 16, hash_algorithm=hashes.MD5()),
        HmacPrf(PrfId.HMAC_SHA1, "HMAC-SHA1", 20, 20, hash_algorithm=hashes.SHA1()),
        HmacPrf(PrfId.HMAC_SHA2_256, "HMAC-SHA256", 32, 32, hash_algorithm=hashes.SHA256()),
        HmacPrf(PrfId.HMAC_SHA2_384, "HMAC-SHA384", 48, 48, hash_algorithm=hashes.SHA384()),
        HmacPrf(PrfId.HMAC_SHA2_512, "HMAC-SHA512", 64, 64, hash_algorithm=hashes.SHA512()),
        Aes128XcbcPrf(PrfId.AES128_XCBC, "AES-XCBC-PRF-128", 16, 16, fixed_key=True),
        Aes128CmacPrf(PrfId.AES128_CMAC, "AES-CMAC-PRF-128", 16, 16, fixed_key=True),
    )
}


def prf_algorithm(prf_id: int) -> Prf:
    try:
        return _PRFS[prf_id]
    except KeyError:
        raise UnsupportedTransform(
            f"PRF transform {transform_name(PrfId, prf_id)} is not supported"
        ) from None


def prf_plus(prf: Prf, key: bytes, seed: bytes, length: int) -> bytes:
    """prf+ (RFC 7296 section 2.13): T1 | T2 | ... truncated to `length` octets."""
    if length > 255 * prf.output_size:
        raise CryptoError(f"prf+ with {prf.name} cannot produce {length} octets")
    output = bytearray()
    block = b""
    counter = 1
    while len(output) < length:
        block = prf(key, block + seed + bytes([counter]))
        output += block
        counter += 1
    return bytes(output[:length])
