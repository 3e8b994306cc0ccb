"""The ESP packet format (RFC 4303 section 2), without keys.

    SPI (4) | Sequence Number (4) | IV | [ payload | TFC padding | padding | pad length | next
    header ] encrypted | ICV

Padding is 1, 2, 3, ... and makes the encrypted part a multiple of the cipher's block size and
of four octets. With ESN only the low 32 bits of the sequence number travel; the high 32 bits
enter the ICV (after the payload) or the AEAD's AAD (between SPI and sequence number).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from pyike.ipsec.errors import EspPaddingError

HEADER_SIZE = 8
NEXT_HEADER_IPV4 = 4  # IP-in-IP: tunnel mode with an IPv4 inner packet
NEXT_HEADER_IPV6 = 41
NO_NEXT_HEADER = 59  # a dummy packet (RFC 4303 section 2.6): the receiver discards it
MAX_SEQ_32 = 0xFFFFFFFF
MAX_SEQ_64 = 0xFFFFFFFFFFFFFFFF

# _TRAILERS[n] is the padding 1..n followed by the pad-length octet n.
_TRAILERS = [bytes(range(1, n + 1)) + bytes((n,)) for n in range(256)]
_OCTETS = [bytes((n,)) for n in range(256)]
_HEADER = struct.Struct(">II")

Buffer = bytes | bytearray | memoryview


def pack_header(spi: int, seq: int) -> bytes:
    """SPI and the low 32 bits of the sequence number."""
    return _HEADER.pack(spi, seq & MAX_SEQ_32)


def unpack_header(packet: Buffer) -> tuple[int, int]:
    """(SPI, low 32 bits of the sequence number); the caller checked the length."""
    return _HEADER.unpack_from(packet)


def high_order_bits(seq: int) -> bytes:
    """The ESN high 32 bits as they enter the ICV or AAD."""
    return (seq >> 32).to_bytes(4, "big")


def pad_length(length: int, alignment: int) -> int:
    """Padding octets after `length` octets of payload (the two trailer octets included)."""
    return -(length + 2) % alignment


def encrypted_part(payload: bytes, next_header: int, alignment: int, tfc: int = 0) -> bytes:
    """Payload, `tfc` zero octets of TFC padding, padding, pad length and next header."""
    length = len(payload) + tfc
    trailer = _TRAILERS[pad_length(length, alignment)]
    if tfc:
        return b"".join((payload, bytes(tfc), trailer, _OCTETS[next_header]))
    return b"".join((payload, trailer, _OCTETS[next_header]))


class Decapsulated(NamedTuple):
    """What an inbound SA accepted: the payload and its Next Header, and the full sequence
    number (64-bit with ESN). A tuple, as it is made once per packet."""

    next_header: int
    payload: bytes
    seq: int

    @property
    def is_dummy(self) -> bool:
        """A TFC dummy packet, to be dropped by the receiver."""
        return self.next_header == NO_NEXT_HEADER


def split_encrypted_part(plaintext: bytes, start: int) -> tuple[int, bytes]:
    """(next header, payload with any TFC padding) from the decrypted part at `start`."""
    end = len(plaintext) - 2
    pad = plaintext[end]
    payload_end = end - pad
    if payload_end < start:
        raise EspPaddingError(f"decaps: pad length {pad} exceeds the encrypted payload")
    if plaintext[payload_end:end] != _TRAILERS[pad][:pad]:
        raise EspPaddingError("decaps: padding is not the monotonic sequence 1, 2, 3, ...")
    return plaintext[end + 1], plaintext[start:payload_end]
