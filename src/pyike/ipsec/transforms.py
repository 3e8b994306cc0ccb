"""The transforms of an ESP SA: an encryption algorithm and, unless it is AEAD, an integrity one.

The algorithms themselves come from pyike.crypto; this module checks that the pair makes an
ESP SA (RFC 4303 section 3.2: not NULL with no integrity; RFC 4106 / RFC 7634: no integrity
transform with an AEAD) and derives the packet geometry: IV, ICV and padding alignment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pyike.codec.registry import IntegId
from pyike.crypto.encr import EncrAlgorithm, encr_algorithm
from pyike.crypto.errors import CryptoError
from pyike.crypto.integ import IntegAlgorithm, integ_algorithm
from pyike.ipsec.errors import EspConfigError


@dataclass(frozen=True)
class EspTransform:
    """Its sizes are worked out once (cached_property): every SA built with it reads them,
    and `esp_transform` hands each SA of a negotiated pair the same transform."""

    encr: EncrAlgorithm
    integ: IntegAlgorithm | None

    @cached_property
    def is_aead(self) -> bool:
        return self.encr.is_aead

    @cached_property
    def iv_size(self) -> int:
        return self.encr.iv_size

    @cached_property
    def icv_size(self) -> int:
        return self.encr.icv_size if self.encr.is_aead else self.integ.icv_size if self.integ else 0

    @cached_property
    def alignment(self) -> int:
        """What the encrypted part (payload through next header) must be a multiple of."""
        return math.lcm(self.encr.block_size, 4)

    @cached_property
    def encr_key_size(self) -> int:
        """Octets of KEYMAT for the cipher, salt included for AEAD."""
        return self.encr.key_size

    @cached_property
    def integ_key_size(self) -> int:
        return self.integ.key_size if self.integ else 0

    @cached_property
    def name(self) -> str:
        return self.encr.name if self.integ is None else f"{self.encr.name}/{self.integ.name}"

    def overhead(self, payload_length: int) -> int:
        """ESP octets added to a payload of this length: header, IV, padding, trailer, ICV."""
        padded = -(-(payload_length + 2) // self.alignment) * self.alignment
        return 8 + self.iv_size + padded - payload_length + self.icv_size

    @cached_property
    def largest_overhead(self) -> int:
        """What ESP may add to any payload (the most padding): what IOS sets a tunnel's IP
        MTU below its transport's by (73 for a 16-octet block and IV and a 12-octet ICV)."""
        return 8 + self.iv_size + self.alignment - 1 + 2 + self.icv_size

    def largest_payload(self, room: int) -> int:
        """The longest payload whose ESP packet fits in `room` octets: what IOS shows as the
        SA's `plaintext mtu` (1,438 in a 1,500-octet path for a 16-octet block and IV and a
        12-octet ICV)."""
        aligned = (room - 8 - self.iv_size - self.icv_size) // self.alignment * self.alignment
        return aligned - 2


@lru_cache(maxsize=64)  # one per negotiated pair (only supported pairs are kept)
def esp_transform(encr_id: int, key_bits: int | None, integ_id: int = IntegId.NONE) -> EspTransform:
    """The transform pair negotiated for a child SA (key_bits None when no Key Length)."""
    try:
        encr = encr_algorithm(encr_id, key_bits)
    except CryptoError as exc:
        raise EspConfigError(str(exc)) from None
    if encr.is_aead:
        if integ_id != IntegId.NONE:
            raise EspConfigError(f"{encr.name} is combined-mode: it takes no integrity transform")
        return EspTransform(encr, None)
    if integ_id == IntegId.NONE:
        if encr.transform.mode == "null":
            raise EspConfigError("ESP with neither encryption nor integrity is not allowed")
        return EspTransform(encr, None)
    try:
        return EspTransform(encr, integ_algorithm(integ_id))
    except CryptoError as exc:
        raise EspConfigError(str(exc)) from None
