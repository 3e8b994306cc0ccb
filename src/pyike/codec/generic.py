"""What every payload shares: the generic payload header (RFC 7296 section 3.2)."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.codec.registry import PayloadType

GENERIC_HEADER_SIZE = 4
MAX_PAYLOAD_LENGTH = 0xFFFF
CRITICAL_BIT = 0x80


@dataclass(frozen=True, kw_only=True)
class PayloadBase:
    """``critical`` is the C bit; ``header_reserved`` the 7 RESERVED bits beside it, kept so
    that re-encoding a received payload gives the same bytes (RFC 7296 says ignore them)."""

    critical: bool = False
    header_reserved: int = 0

    @property
    def payload_type(self) -> PayloadType | int:
        raise NotImplementedError

    def encode_body(self) -> bytes:
        """The payload's bytes after the generic header."""
        raise NotImplementedError

    @property
    def flags_octet(self) -> int:
        return (CRITICAL_BIT if self.critical else 0) | (self.header_reserved & 0x7F)


def split_flags_octet(octet: int) -> tuple[bool, int]:
    return bool(octet & CRITICAL_BIT), octet & 0x7F
