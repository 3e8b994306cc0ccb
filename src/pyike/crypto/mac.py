"""Full-length MAC functions shared by the PRF and INTEG transforms."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from cryptography.hazmat.primitives import cmac, hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pyike.crypto.errors import CryptoError

AES_BLOCK = 16


def hmac_digest(algorithm: hashes.HashAlgorithm, key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, algorithm)
    mac.update(data)
    return mac.finalize()


def hmac_keyed(algorithm: hashes.HashAlgorithm, key: bytes) -> Callable[[bytes], bytes]:
    """hmac(key, data) for several messages under one key: the keyed context is made once
    and copied per message (about half the instructions of a new one)."""
    keyed = hmac.HMAC(key, algorithm)

    def digest(data: bytes) -> bytes:
        mac = keyed.copy()
        mac.update(data)
        return mac.finalize()

    return digest


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _require_aes128_key(name: str, key: bytes) -> None:
    if len(key) != AES_BLOCK:
        raise CryptoError(f"{name}: key must be {AES_BLOCK} octets, got {len(key)}")


def aes_xcbc_mac(key: bytes, data: bytes) -> bytes:
    """AES-XCBC-MAC (RFC 3566) with a 128-bit key, untruncated (16 octets)."""
    _require_aes128_key("AES-XCBC-MAC", key)
    derive = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    derived = derive.update(b"\x01" * 16 + b"\x02" * 16 + b"\x03" * 16) + derive.finalize()
    k1, k2, k3 = derived[:16], derived[16:32], derived[32:]
    if data and len(data) % AES_BLOCK == 0:
        body, last = data[:-AES_BLOCK], _xor(data[-AES_BLOCK:], k2)
    else:
        split = len(data) - len(data) % AES_BLOCK
        tail = data[split:] + b"\x80"
        body, last = data[:split], _xor(tail.ljust(AES_BLOCK, b"\x00"), k3)
    # CBC with a zero IV over the adjusted message: its last block is the MAC.
    chain = Cipher(algorithms.AES(k1), modes.CBC(bytes(AES_BLOCK))).encryptor()
    return (chain.update(body + last) + chain.finalize())[-AES_BLOCK:]


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (RFC 4493) with a 128-bit key, untruncated (16 octets)."""
    _require_aes128_key("AES-CMAC", key)
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()


def mac_function(
    kind: str, algorithm: hashes.HashAlgorithm | None
) -> Callable[[bytes, bytes], bytes]:
    """mac(key, data) for a catalogue entry's MAC kind ("hmac" with its hash, "aes-xcbc",
    "aes-cmac")."""
    if kind == "hmac" and algorithm is not None:
        return partial(hmac_digest, algorithm)
    if kind == "aes-xcbc":
        return aes_xcbc_mac
    if kind == "aes-cmac":
        return aes_cmac
    raise CryptoError(f"no MAC of kind {kind!r}")


def keyed_mac_function(
    kind: str, algorithm: hashes.HashAlgorithm | None
) -> Callable[[bytes], Callable[[bytes], bytes]]:
    """key -> mac(key, ·), for several messages under one key (prf+)."""
    if kind == "hmac" and algorithm is not None:
        return partial(hmac_keyed, algorithm)
    mac = mac_function(kind, algorithm)
    return lambda key: partial(mac, key)
