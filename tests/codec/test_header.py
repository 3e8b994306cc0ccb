from __future__ import annotations

import pytest

from pyike.codec import IkeHeader, decode_header, decode_message, encode_message, make_flags
from pyike.codec.registry import ExchangeType, NotifyType, PayloadType
from tests.support.ike_bytes import SPI_I, SPI_R, expect_error, generic, ike_header


def test_header_fields_are_read_in_rfc_order() -> None:
    data = ike_header(0, 0, exchange=35, flags=0x20, message_id=7)
    header = decode_header(data)
    assert header.spi_i == SPI_I
    assert header.spi_r == SPI_R
    assert header.next_payload == PayloadType.NONE
    assert (header.major_version, header.minor_version) == (2, 0)
    assert header.exchange_type is ExchangeType.IKE_AUTH
    assert header.message_id == 7
    assert header.length == 28
    assert header.response and not header.initiator and not header.version


@pytest.mark.parametrize(
    ("flags", "initiator", "response", "version"),
    [(0x08, True, False, False), (0x20, False, True, False), (0x18, True, False, True)],
)
def test_flag_properties(flags: int, initiator: bool, response: bool, version: bool) -> None:
    header = decode_header(ike_header(0, 0, flags=flags))
    assert (header.initiator, header.response, header.version) == (initiator, response, version)
    assert make_flags(initiator=initiator, response=response, version=version) == flags


def test_unknown_exchange_reserved_flags_and_minor_version_are_kept() -> None:
    data = ike_header(0, 0, exchange=200, flags=0xC7, version=0x2F)
    message = decode_message(data)
    assert message.header.exchange_type == 200
    assert message.header.minor_version == 15
    assert encode_message(message) == data


def test_datagram_shorter_than_header() -> None:
    error = expect_error(ike_header(0, 0)[:27], None, match="shorter than the 28-byte header")
    assert error.payload_name == "IKE header"


@pytest.mark.parametrize("version", [0x10, 0x30, 0xF0])
def test_other_major_versions_answer_invalid_major_version(version: int) -> None:
    error = expect_error(ike_header(0, 0, version=version), None, NotifyType.INVALID_MAJOR_VERSION)
    assert error.offset == 17


@pytest.mark.parametrize("claimed", [27, 29, 0, 1000])
def test_header_length_must_equal_datagram_length(claimed: int) -> None:
    error = expect_error(ike_header(0, 0, length=claimed), None, match="does not match")
    assert error.offset == 24


def test_trailing_bytes_after_a_message_with_no_payloads() -> None:
    data = ike_header(0, 4) + generic(0, b"")
    expect_error(data, None, match="4 bytes follow the last payload")


def test_encode_rejects_spi_of_wrong_size() -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        IkeHeader(spi_i=b"short").encode()


def test_encode_fills_next_payload_and_length() -> None:
    header = IkeHeader(SPI_I, SPI_R, exchange_type=ExchangeType.INFORMATIONAL, flags=0x08)
    wire = encode_message(decode_message(header.encode()))
    assert wire == ike_header(0, 0, exchange=37)
