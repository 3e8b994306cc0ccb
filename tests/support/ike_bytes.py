"""Builds test input by hand from the RFC 7296 layouts, independently of the encoder."""

from __future__ import annotations

import struct

import pytest

from pyike.codec import DecodeError, Message, decode_message
from pyike.codec.registry import NotifyType, PayloadType

SPI_I = bytes.fromhex("0123456789abcdef")
SPI_R = bytes.fromhex("fedcba9876543210")


def generic(next_payload: int, body: bytes, flags: int = 0, length: int | None = None) -> bytes:
    """Generic payload header + body (RFC 7296 3.2)."""
    return struct.pack("!BBH", next_payload, flags, 4 + len(body) if length is None else length) + (
        body
    )


def ike_header(
    next_payload: int,
    body_length: int,
    *,
    exchange: int = 34,
    flags: int = 0x08,
    message_id: int = 0,
    version: int = 0x20,
    length: int | None = None,
) -> bytes:
    total = 28 + body_length if length is None else length
    return (
        SPI_I
        + SPI_R
        + struct.pack("!BBBBII", next_payload, version, exchange, flags, message_id, total)
    )


def message_bytes(first: int, *payloads: bytes, exchange: int = 34) -> bytes:
    body = b"".join(payloads)
    return ike_header(first, len(body), exchange=exchange) + body


def single(payload_type: int, body: bytes, flags: int = 0) -> bytes:
    """A message holding one payload of ``payload_type``."""
    return message_bytes(payload_type, generic(0, body, flags))


def decode_single(payload_type: int, body: bytes, flags: int = 0) -> Message:
    return decode_message(single(payload_type, body, flags))


def expect_error(
    data: bytes,
    payload: int | None,
    notify: NotifyType = NotifyType.INVALID_SYNTAX,
    match: str | None = None,
) -> DecodeError:
    with pytest.raises(DecodeError, match=match) as caught:
        decode_message(data)
    error = caught.value
    assert error.notify == notify
    assert error.payload == payload
    return error


def expect_single_error(
    payload_type: PayloadType, body: bytes, match: str | None = None
) -> DecodeError:
    return expect_error(single(payload_type, body), payload_type, match=match)
