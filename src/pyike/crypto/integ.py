"""Integrity transforms (IKEv2 transform type 3): truncated MACs with constant-time verify."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from pyike.codec.registry import IntegId
from pyike.crypto import catalogue
from pyike.crypto.catalogue import IntegTransform
from pyike.crypto.errors import CryptoError, unsupported
from pyike.crypto.mac import mac_function


class IntegAlgorithm:
    """An integrity transform: the catalogue entry's MAC, truncated to its ICV size."""

    def __init__(self, transform: IntegTransform) -> None:
        self.transform = transform
        self.name, self.integ_id = transform.name, transform.id
        self.key_size = transform.key_size
        self.icv_size = transform.icv_size
        self.mac: Callable[[bytes, bytes], bytes] = mac_function(transform.mac, transform.hash)

    def __repr__(self) -> str:
        return f"<IntegAlgorithm {self.name}>"

    def compute(self, key: bytes, data: bytes) -> bytes:
        """The ICV of `data`: the MAC truncated to icv_size octets."""
        if len(key) != self.key_size:
            raise CryptoError(f"{self.name}: key must be {self.key_size} octets, got {len(key)}")
        return self.mac(key, data)[: self.icv_size]

    def verify(self, key: bytes, data: bytes, icv: bytes) -> bool:
        return hmac.compare_digest(self.compute(key, data), icv)


class UncheckedIntegrity(IntegAlgorithm):
    """An ICV of a known length whose algorithm or key is not known: skipped, never verified.
    For reading captures only (Wireshark's "No Checking"); it cannot compute an ICV."""

    def __init__(self, icv_size: int, key_size: int = 0) -> None:
        none = catalogue.integrity(IntegId.NONE)
        assert none is not None
        self.transform = none
        self.name, self.integ_id = f"ANY-{icv_size * 8} (not checked)", IntegId.NONE
        self.key_size, self.icv_size = key_size, icv_size

    def compute(self, key: bytes, data: bytes) -> bytes:
        raise CryptoError(f"{self.name}: no ICV can be computed")

    def verify(self, key: bytes, data: bytes, icv: bytes) -> bool:
        return len(icv) == self.icv_size


_INTEGS: dict[int, IntegAlgorithm] = {
    t.id: IntegAlgorithm(t) for t in catalogue.INTEGRITIES if t.implemented
}


def integ_algorithm(integ_id: int) -> IntegAlgorithm:
    """The INTEG transform for an ID; AUTH_NONE is not a transform (AEAD suites have none)."""
    algorithm = _INTEGS.get(integ_id)
    if algorithm is None:
        raise unsupported(IntegId, integ_id)
    return algorithm
