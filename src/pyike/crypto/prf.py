"""Pseudo-random functions (IKEv2 transform type 3) and prf+ (RFC 7296 section 2.13)."""

from __future__ import annotations

from collections.abc import Callable

from pyike.codec.registry import PrfId
from pyike.crypto import catalogue
from pyike.crypto.catalogue import PrfTransform
from pyike.crypto.errors import CryptoError, unsupported
from pyike.crypto.mac import (
    AES_BLOCK,
    aes_cmac,
    aes_xcbc_mac,
    keyed_mac_function,
    mac_function,
)


class Prf:
    """prf(key, data) of a catalogue entry. AES-XCBC-PRF-128 (RFC 4434) and AES-CMAC-PRF-128
    (RFC 4615) take a key of any length, normalised to 128 bits first."""

    def __init__(self, transform: PrfTransform) -> None:
        self.transform = transform
        self.name, self.output_size = transform.name, transform.output_size
        # key_size: the preferred key length, that of SK_d, SK_pi and SK_pr; a fixed-size key
        # changes how SKEYSEED is keyed (RFC 7296 section 2.14).
        self.key_size, self.fixed_key = transform.key_size, transform.fixed_key
        self._mac = mac_function(transform.mac, transform.hash)
        self._keyed_mac = keyed_mac_function(transform.mac, transform.hash)
        self._normalise: Callable[[bytes], bytes] = _NORMALISE.get(transform.mac, _as_is)

    def __repr__(self) -> str:
        return f"<Prf {self.name}>"

    def __call__(self, key: bytes, data: bytes) -> bytes:
        """prf(key, data), output_size octets."""
        return self._mac(self._normalise(key), data)

    def keyed(self, key: bytes) -> Callable[[bytes], bytes]:
        """prf(key, ·), for several inputs under one key."""
        return self._keyed_mac(self._normalise(key))


def _as_is(key: bytes) -> bytes:
    return key


def _xcbc_key(key: bytes) -> bytes:
    """RFC 4434: a shorter key is padded with zeros, a longer one is MACed with a zero key."""
    if len(key) < AES_BLOCK:
        return key.ljust(AES_BLOCK, b"\x00")
    return aes_xcbc_mac(bytes(AES_BLOCK), key) if len(key) > AES_BLOCK else key


def _cmac_key(key: bytes) -> bytes:
    """RFC 4615: a key of any other length than 128 bits is CMACed with a zero key."""
    return key if len(key) == AES_BLOCK else aes_cmac(bytes(AES_BLOCK), key)


_COUNTERS = [bytes([counter]) for counter in range(1, 256)]  # prf+'s block counter octets
_NORMALISE = {"aes-xcbc": _xcbc_key, "aes-cmac": _cmac_key}
_PRFS: dict[int, Prf] = {t.id: Prf(t) for t in catalogue.PRFS}


def prf_algorithm(prf_id: int) -> Prf:
    algorithm = _PRFS.get(prf_id)
    if algorithm is None:
        raise unsupported(PrfId, prf_id)
    return algorithm


def prf_plus(prf: Prf, key: bytes, seed: bytes, length: int) -> bytes:
    """prf+ (RFC 7296 section 2.13): T1 | T2 | ... truncated to `length` octets."""
    if length > 255 * prf.output_size:
        raise CryptoError(f"prf+ with {prf.name} cannot produce {length} octets")
    keyed = prf.keyed(key)
    blocks: list[bytes] = []
    block = b""
    for counter in _COUNTERS[: -(-length // prf.output_size)]:
        block = keyed(block + seed + counter)
        blocks.append(block)
    return b"".join(blocks)[:length]
