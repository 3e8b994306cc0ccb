from __future__ import annotations

import struct

import pytest

from pyike.codec import (
    DecodeError,
    IkeHeader,
    Message,
    NoncePayload,
    NotifyPayload,
    SkPayload,
    UnknownPayload,
    VendorPayload,
    decode_message,
    decode_payload_chain,
    encode_message,
    encode_payload_chain,
)
from pyike.codec.registry import NotifyType, PayloadType
from tests.support.ike_bytes import SPI_I, expect_error, generic, message_bytes

NONCE = bytes(range(32))
FRAG_SUPPORTED = struct.pack("!BBH", 0, 0, 16430)


def test_chain_follows_next_payload_fields() -> None:
    data = message_bytes(
        PayloadType.NONCE,
        generic(PayloadType.NOTIFY, NONCE),
        generic(PayloadType.VENDOR, FRAG_SUPPORTED),
        generic(0, b"vendor"),
    )
    message = decode_message(data)
    assert message.payloads == [
        NoncePayload(NONCE),
        NotifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
        VendorPayload(b"vendor"),
    ]
    assert encode_message(message) == data
    assert message.first(NoncePayload) == NoncePayload(NONCE)
    assert message.first(SkPayload) is None
    assert message.all(VendorPayload) == [VendorPayload(b"vendor")]
    assert message.notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) is not None
    assert message.notify(NotifyType.COOKIE) is None


def test_critical_bit_on_a_known_payload_is_kept() -> None:
    data = message_bytes(PayloadType.VENDOR, generic(0, b"v", flags=0x80))
    (vendor,) = decode_message(data).payloads
    assert vendor == VendorPayload(b"v", critical=True)
    assert encode_message(decode_message(data)) == data


def test_unknown_non_critical_payload_is_skipped_and_kept() -> None:
    data = message_bytes(200, generic(PayloadType.NONCE, b"future"), generic(0, NONCE))
    message = decode_message(data)
    assert message.payloads == [UnknownPayload(200, b"future"), NoncePayload(NONCE)]
    assert encode_message(message) == data


def test_unknown_critical_payload_is_rejected() -> None:
    data = message_bytes(PayloadType.NONCE, generic(200, NONCE), generic(0, b"future", flags=0x80))
    error = expect_error(data, 200, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)
    assert error.offset == 28 + 36
    assert error.notify_data == b"\xc8"
    assert "UNKNOWN(200)" in str(error)


def test_critical_payload_of_a_registered_but_unsupported_type_is_rejected() -> None:
    data = message_bytes(PayloadType.PS, generic(0, b"puzzle", flags=0x80))
    error = expect_error(data, PayloadType.PS, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)
    assert error.notify_data == bytes([54])


@pytest.mark.parametrize(
    ("data", "payload", "match"),
    [
        (message_bytes(PayloadType.NONCE, b"\x00\x00\x00"), PayloadType.NONCE, "header needs 4"),
        (
            message_bytes(PayloadType.NONCE, generic(0, b"", length=3)),
            PayloadType.NONCE,
            "payload length 3 does not fit",
        ),
        (
            message_bytes(PayloadType.NONCE, generic(0, NONCE, length=100)),
            PayloadType.NONCE,
            "payload length 100 does not fit the 36 bytes left",
        ),
        (
            message_bytes(PayloadType.NONCE, generic(PayloadType.VENDOR, NONCE)),
            PayloadType.VENDOR,
            "header needs 4 bytes but only 0 remain",
        ),
        (
            message_bytes(PayloadType.NONCE, generic(0, NONCE), b"junk"),
            PayloadType.NONCE,
            "4 bytes follow the last payload",
        ),
        (
            message_bytes(PayloadType.SK, generic(PayloadType.IDi, b"ct"), generic(0, NONCE)),
            PayloadType.SK,
            "bytes follow the SK payload, which must be last",
        ),
    ],
)
def test_malformed_chains(data: bytes, payload: int, match: str) -> None:
    expect_error(data, payload, match=match)


def test_inner_chain_round_trip_and_nested_sk_rejected() -> None:
    first, data = encode_payload_chain([NoncePayload(NONCE), VendorPayload(b"v")])
    assert first == PayloadType.NONCE
    assert decode_payload_chain(first, data) == [NoncePayload(NONCE), VendorPayload(b"v")]
    with pytest.raises(DecodeError, match="inside an encrypted payload") as caught:
        decode_payload_chain(PayloadType.SK, generic(0, b"x"))
    assert caught.value.payload is PayloadType.SK


def test_empty_chain() -> None:
    assert encode_payload_chain([]) == (0, b"")
    assert decode_payload_chain(0, b"") == []


def test_encode_refuses_sk_before_other_payloads() -> None:
    header = IkeHeader(SPI_I)
    with pytest.raises(ValueError, match="SK must be the last payload"):
        encode_message(Message(header, [SkPayload(0, b""), VendorPayload(b"")]))


def test_encode_refuses_payloads_over_64k() -> None:
    with pytest.raises(ValueError, match="too long"):
        encode_message(Message(IkeHeader(SPI_I), [VendorPayload(bytes(65532))]))


def test_decode_error_text_names_notify_payload_and_offset() -> None:
    error = DecodeError("bad", payload=PayloadType.KE, offset=40)
    assert str(error) == "INVALID_SYNTAX: KE: bad (at offset 40)"
    assert error.notify_data == b""


def test_a_decoded_message_keeps_its_octets() -> None:
    data = message_bytes(PayloadType.NONCE, generic(0, NONCE))
    message = decode_message(data)
    assert message.wire == data and message.octets() == data == encode_message(message)
    built = Message(message.header, list(message.payloads))
    assert built == message and built.wire == b"" and built.octets() == data


def test_decoding_with_the_header_already_decoded() -> None:
    data = message_bytes(PayloadType.NONCE, generic(0, NONCE))
    header = decode_message(data).header
    assert decode_message(data, header) == decode_message(data)
    assert decode_message(data, header).header is header
