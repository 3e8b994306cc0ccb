"""The fixed 28-byte IKE header (RFC 7296 section 3.1)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pyike.codec.errors import DecodeError
from pyike.codec.registry import ExchangeType, NotifyType, PayloadType, by_value

HEADER_SIZE = 28
IKE_MAJOR_VERSION = 2

FLAG_INITIATOR = 0x08
FLAG_VERSION = 0x10
FLAG_RESPONSE = 0x20

# IKE SA Initiator's SPI, IKE SA Responder's SPI, Next Payload, MjVer | MnVer, Exchange Type,
# Flags, Message ID, Length.
_HEADER = struct.Struct("!8s8sBBBBII")
_PAYLOAD_TYPES = by_value(PayloadType)
_EXCHANGE_TYPES = by_value(ExchangeType)


def make_flags(*, initiator: bool, response: bool, version: bool = False) -> int:
    return (
        (FLAG_INITIATOR if initiator else 0)
        | (FLAG_RESPONSE if response else 0)
        | (FLAG_VERSION if version else 0)
    )


# Not frozen, as Message is not: a dozen are made per IKE SA (a frozen __init__ costs ~1,500
# instructions a field). Nothing changes one once made; dataclasses.replace makes another.
@dataclass
class IkeHeader:
    """Fields in wire order. ``next_payload`` and ``length`` are recomputed by encode_message;
    unknown exchange types and reserved flag bits are kept as received."""

    spi_i: bytes
    spi_r: bytes = bytes(8)
    next_payload: PayloadType | int = PayloadType.NONE
    major_version: int = IKE_MAJOR_VERSION
    minor_version: int = 0
    exchange_type: ExchangeType | int = ExchangeType.IKE_SA_INIT
    flags: int = 0
    message_id: int = 0
    length: int = HEADER_SIZE

    @property
    def initiator(self) -> bool:
        """The I flag: sent by the original initiator of the IKE SA."""
        return bool(self.flags & FLAG_INITIATOR)

    @property
    def response(self) -> bool:
        return bool(self.flags & FLAG_RESPONSE)

    @property
    def version(self) -> bool:
        """The V flag: the sender can speak a higher major version."""
        return bool(self.flags & FLAG_VERSION)

    def encode(self) -> bytes:
        return self.encode_with(self.next_payload, self.length)

    def encode_with(self, next_payload: int, length: int) -> bytes:
        """The header with ``next_payload`` and ``length`` in place of its own (what a message
        being encoded needs, without a copy of the header)."""
        if len(self.spi_i) != 8 or len(self.spi_r) != 8:
            raise ValueError("IKE SPIs are 8 bytes")
        return _HEADER.pack(
            self.spi_i,
            self.spi_r,
            next_payload,
            (self.major_version << 4) | self.minor_version,
            self.exchange_type,
            self.flags,
            self.message_id,
            length,
        )


def decode_header(data: bytes) -> IkeHeader:
    """The header of ``data`` (a whole datagram): checks the version and that the header's
    length is exactly the datagram's."""
    if len(data) < HEADER_SIZE:
        raise DecodeError(
            f"message of {len(data)} bytes is shorter than the {HEADER_SIZE}-byte header"
        )
    spi_i, spi_r, next_payload, version, exchange, flags, message_id, length = _HEADER.unpack_from(
        data
    )
    major, minor = version >> 4, version & 0x0F
    if major != IKE_MAJOR_VERSION:
        raise DecodeError(
            f"major version {major}.{minor} is not 2",
            notify=NotifyType.INVALID_MAJOR_VERSION,
            offset=17,
        )
    if length != len(data):
        raise DecodeError(
            f"header length {length} does not match the datagram length {len(data)}", offset=24
        )
    return IkeHeader(  # positionally: quicker than by keyword
        spi_i,
        spi_r,
        _PAYLOAD_TYPES.get(next_payload, next_payload),
        major,
        minor,
        _EXCHANGE_TYPES.get(exchange, exchange),
        flags,
        message_id,
        length,
    )
