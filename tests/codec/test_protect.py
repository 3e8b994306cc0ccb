from __future__ import annotations

import struct

import pytest

from pyike.codec import (
    DecodeError,
    IdPayload,
    IkeHeader,
    NoncePayload,
    NotifyPayload,
    SkfPayload,
    SkPayload,
    VendorPayload,
    decode_message,
    encode_message,
    encode_protected,
    encode_protected_fragment,
    make_flags,
    open_protected,
    open_protected_fragment,
    reassemble_fragments,
    split_for_fragments,
)
from pyike.codec.message import Message, encode_payload_chain
from pyike.codec.registry import ExchangeType, IdType, NotifyType, PayloadType
from pyike.crypto.errors import IntegrityError
from tests.support.fake_cipher import FakeCipher, LyingCipher
from tests.support.ike_bytes import SPI_I, SPI_R

HEADER = IkeHeader(
    SPI_I,
    SPI_R,
    exchange_type=ExchangeType.IKE_AUTH,
    flags=make_flags(initiator=True, response=False),
    message_id=1,
)
INNER = [
    IdPayload(IdType.ID_FQDN, b"r1.example"),
    NotifyPayload(NotifyType.INITIAL_CONTACT),
    VendorPayload(b"x" * 50),
]
IV = bytes(range(8))


def test_protected_message_round_trip() -> None:
    cipher = FakeCipher()
    data = encode_protected(HEADER, INNER, cipher, IV)
    message, inner = open_protected(data, cipher)
    assert inner == INNER
    assert message.header == HEADER.__class__(
        SPI_I, SPI_R, PayloadType.SK, 2, 0, ExchangeType.IKE_AUTH, 0x08, 1, len(data)
    )
    (sk,) = message.payloads
    assert isinstance(sk, SkPayload) and sk.first_inner_type is PayloadType.IDi
    assert sk.body[:8] == IV
    assert len(sk.body) == cipher.sealed_length(len(encode_payload_chain(INNER)[1]))
    # The encoder's own framing agrees with the generic one.
    assert encode_message(message) == data


def test_prefix_covers_header_and_sk_header_with_final_lengths() -> None:
    seen: list[bytes] = []

    class Recording(FakeCipher):
        def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
            seen.append(prefix)
            return super().seal(prefix, plaintext, iv)

    data = encode_protected(HEADER, INNER, Recording(), IV)
    (prefix,) = seen
    assert prefix == data[:32]
    assert struct.unpack("!I", prefix[24:28])[0] == len(data)
    assert struct.unpack("!H", prefix[30:32])[0] == len(data) - 28


def test_leading_clear_payloads_point_at_sk() -> None:
    cipher = FakeCipher()
    leading = [NotifyPayload(NotifyType.COOKIE, b"cookie")]
    data = encode_protected(HEADER, INNER, cipher, IV, leading_payloads=leading)
    message, inner = open_protected(data, cipher)
    assert message.header.next_payload is PayloadType.NOTIFY
    assert message.payloads[0] == leading[0]
    assert inner == INNER


def test_empty_inner_chain() -> None:
    cipher = FakeCipher()
    data = encode_protected(HEADER, [], cipher, IV)
    message, inner = open_protected(data, cipher)
    assert inner == []
    assert isinstance(message.payloads[0], SkPayload)
    assert message.payloads[0].first_inner_type is PayloadType.NONE


@pytest.mark.parametrize("position", [5, 17, 30, -1, -15])
def test_tampering_anywhere_fails_integrity(position: int) -> None:
    data = bytearray(encode_protected(HEADER, INNER, FakeCipher(), IV))
    data[position] ^= 0x01
    with pytest.raises((IntegrityError, DecodeError)):
        open_protected(bytes(data), FakeCipher())


def test_wrong_key_fails_integrity() -> None:
    data = encode_protected(HEADER, INNER, FakeCipher(b"one"), IV)
    with pytest.raises(IntegrityError):
        open_protected(data, FakeCipher(b"other"))


def test_message_without_sk_is_rejected() -> None:
    data = encode_message(Message(HEADER, [NoncePayload(bytes(16))]))
    with pytest.raises(DecodeError, match="no Encrypted payload") as caught:
        open_protected(data, FakeCipher())
    assert caught.value.payload is PayloadType.SK
    with pytest.raises(DecodeError, match="no Encrypted Fragment payload") as caught:
        open_protected_fragment(data, FakeCipher())
    assert caught.value.payload is PayloadType.SKF


def test_malformed_inner_chain_is_a_decode_error() -> None:
    cipher = FakeCipher()
    # An inner nonce of 3 bytes: framing is fine, the payload is not.
    bad_inner = [NoncePayload(b"abc")]
    data = encode_protected(HEADER, bad_inner, cipher, IV)
    with pytest.raises(DecodeError, match="nonce is 3 bytes") as caught:
        open_protected(data, cipher)
    assert caught.value.payload is PayloadType.NONCE


def test_cipher_that_breaks_its_length_promise_is_caught() -> None:
    with pytest.raises(ValueError, match="announcing"):
        encode_protected(HEADER, INNER, LyingCipher(), IV)


def test_fragments_round_trip_and_reassemble() -> None:
    cipher = FakeCipher()
    first_type, plaintext = encode_payload_chain(INNER)
    chunks = split_for_fragments(plaintext, 20)
    assert len(chunks) == -(-len(plaintext) // 20)
    datagrams = [
        encode_protected_fragment(HEADER, first_type, chunk, n, len(chunks), cipher, IV)
        for n, chunk in enumerate(chunks, start=1)
    ]
    opened = [open_protected_fragment(d, cipher) for d in datagrams]
    numbers = [(skf.fragment_number, skf.total_fragments) for _, skf, _ in opened]
    assert numbers == [(n, len(chunks)) for n in range(1, len(chunks) + 1)]
    first_skf = opened[0][1]
    assert first_skf.first_inner_type is PayloadType.IDi
    assert all(skf.first_inner_type == 0 for _, skf, _ in opened[1:])
    assert reassemble_fragments(first_skf.first_inner_type, [c for _, _, c in opened]) == INNER
    # Each fragment is an ordinary message too, and re-encodes to itself.
    for datagram in datagrams:
        message = decode_message(datagram)
        assert isinstance(message.payloads[-1], SkfPayload)
        assert encode_message(message) == datagram


def test_fragment_prefix_includes_numbering() -> None:
    seen: list[bytes] = []

    class Recording(FakeCipher):
        def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
            seen.append(prefix)
            return super().seal(prefix, plaintext, iv)

    data = encode_protected_fragment(HEADER, 35, b"chunk", 2, 3, Recording(), IV)
    assert seen[0] == data[:36]
    assert seen[0][28] == 0  # Next Payload is zero outside fragment 1
    assert seen[0][32:36] == b"\x00\x02\x00\x03"


@pytest.mark.parametrize(("number", "total"), [(0, 1), (3, 2), (1, 0x10000)])
def test_fragment_numbering_checked_on_encode(number: int, total: int) -> None:
    with pytest.raises(ValueError):
        encode_protected_fragment(HEADER, 35, b"", number, total, FakeCipher(), IV)


def test_split_for_fragments() -> None:
    assert split_for_fragments(b"abcdefg", 3) == [b"abc", b"def", b"g"]
    assert split_for_fragments(b"", 3) == [b""]
    with pytest.raises(ValueError):
        split_for_fragments(b"abc", 0)


def test_too_large_encrypted_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        encode_protected(HEADER, [VendorPayload(bytes(65500))], FakeCipher(), IV)
