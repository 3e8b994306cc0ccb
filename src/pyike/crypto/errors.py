"""Errors raised by the crypto suite.

Messages name the transform or the check that failed, never key material.
"""

from __future__ import annotations

from enum import IntEnum


class CryptoError(Exception):
    """Base class for every failure in pyike.crypto."""


class IntegrityError(CryptoError):
    """An ICV, MAC or AEAD tag did not verify, or decrypted padding is malformed."""


class InvalidKeyExchange(CryptoError):
    """A peer's key exchange public value failed the RFC 7296 / RFC 6989 checks."""


class UnsupportedTransform(CryptoError):
    """A transform ID (or key length) that pyike does not implement."""


def transform_name(registry: type[IntEnum], value: int) -> str:
    """`ENCR_AES_CBC`-style name for a transform ID, or the bare number if IANA has none here."""
    prefix = {"EncrId": "ENCR", "PrfId": "PRF", "IntegId": "AUTH", "DhId": "DH"}.get(
        registry.__name__, registry.__name__
    )
    try:
        return f"{prefix}_{registry(value).name}"
    except ValueError:
        return f"{prefix} {value}"
