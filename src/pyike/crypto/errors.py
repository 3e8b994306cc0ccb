"""Errors raised by the crypto suite.

Messages name the transform or the check that failed, never key material.
"""

from __future__ import annotations

from enum import IntEnum

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId


class CryptoError(Exception):
    """Base class for every failure in pyike.crypto."""


class IntegrityError(CryptoError):
    """An ICV, MAC or AEAD tag did not verify, or decrypted padding is malformed."""


class InvalidKeyExchange(CryptoError):
    """A peer's key exchange public value failed the RFC 7296 / RFC 6989 checks."""


class UnsupportedTransform(CryptoError):
    """A transform ID (or key length) that pyike does not implement."""


# Per transform registry: IANA's prefix for its names, and what the transforms are called.
_REGISTRIES: dict[type[IntEnum], tuple[str, str]] = {
    EncrId: ("ENCR", "encryption transform"),
    PrfId: ("PRF", "PRF transform"),
    IntegId: ("AUTH", "integrity transform"),
    DhId: ("DH", "key exchange"),
}


def transform_name(registry: type[IntEnum], value: int) -> str:
    """`ENCR_AES_CBC`-style name for a transform ID, or the bare number if IANA has none here."""
    prefix = _REGISTRIES[registry][0]
    try:
        return f"{prefix}_{registry(value).name}"
    except ValueError:
        return f"{prefix} {value}"


def unsupported(registry: type[IntEnum], value: int, detail: str = "") -> UnsupportedTransform:
    """`integrity transform AUTH_DES_MAC is not supported`, with ``detail`` after the name."""
    what = _REGISTRIES[registry][1]
    return UnsupportedTransform(
        f"{what} {transform_name(registry, value)}{detail} is not supported"
    )
