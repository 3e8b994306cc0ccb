"""decode(encode(m)) == m over generated messages, and decoding arbitrary bytes raises only
DecodeError (and whatever decodes re-encodes to the same bytes)."""

from __future__ import annotations

import struct
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyike.codec import (
    DecodeError,
    Message,
    decode_message,
    decode_payload_chain,
    encode_message,
    encode_payload_chain,
)
from pyike.codec.header import HEADER_SIZE
from tests.support.payload_strategies import messages, payload_chains
from tests.support.vectors import all_ike_messages

REAL_MESSAGES = all_ike_messages()


def _normalised(message: Message, wire: bytes) -> Message:
    """``message`` with the header fields that encoding fills in."""
    return replace(
        message,
        header=replace(message.header, next_payload=wire[16], length=len(wire)),
    )


@given(messages)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_decode_inverts_encode(message: Message) -> None:
    wire = encode_message(message)
    decoded = decode_message(wire)
    assert decoded == _normalised(message, wire)
    assert encode_message(decoded) == wire


@given(payload_chains().filter(lambda chain: all(p.payload_type not in (46, 53) for p in chain)))
def test_inner_chain_round_trip(chain: list) -> None:  # type: ignore[type-arg]
    first, data = encode_payload_chain(chain)
    assert decode_payload_chain(first, data) == chain


def _decode_or_decode_error(data: bytes) -> None:
    try:
        message = decode_message(data)
    except DecodeError as error:
        assert error.detail and isinstance(error.offset, int)
        return
    # Anything that decodes is kept exactly: encoding gives back the same bytes.
    assert encode_message(message) == data


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_decode_error(data: bytes) -> None:
    _decode_or_decode_error(data)


@given(st.binary(min_size=HEADER_SIZE - 8, max_size=200), st.integers(0, 255))
def test_random_bodies_behind_a_valid_header_raise_only_decode_error(
    body: bytes, first_type: int
) -> None:
    header = bytes(16) + bytes([first_type, 0x20, 35, 0x08]) + bytes(4)
    data = header + struct.pack("!I", HEADER_SIZE + len(body)) + body
    _decode_or_decode_error(data)


@given(st.integers(0, 255), st.binary(max_size=300))
def test_random_inner_chains_raise_only_decode_error(first_type: int, data: bytes) -> None:
    try:
        payloads = decode_payload_chain(first_type, data)
    except DecodeError:
        return
    assert encode_payload_chain(payloads) == (first_type if payloads else 0, data)


@st.composite
def mutated_real_messages(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL_MESSAGES)))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "byte", "truncate", "length", "header-length"]))
        if not data:
            break
        if how == "flip":
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif how == "byte":
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif how == "truncate":
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif how == "length":
            positions = _payload_length_positions(bytes(data))
            if positions:
                position = draw(st.sampled_from(positions))
                struct.pack_into("!H", data, position, draw(st.integers(0, 0xFFFF)))
        elif len(data) >= HEADER_SIZE:
            struct.pack_into("!I", data, 24, draw(st.integers(0, 0xFFFFFFFF)))
    return bytes(data)


def _payload_length_positions(data: bytes) -> list[int]:
    """Offsets of the generic payload headers' length fields, following the chain."""
    positions: list[int] = []
    if len(data) < HEADER_SIZE:
        return positions
    next_type, pos = data[16], HEADER_SIZE
    while next_type and pos + 4 <= len(data):
        positions.append(pos + 2)
        length = struct.unpack_from("!H", data, pos + 2)[0]
        if next_type in (46, 53) or length < 4:
            break
        next_type, pos = data[pos], pos + length
    return positions


@given(mutated_real_messages())
@settings(max_examples=500)
def test_mutated_real_messages_raise_only_decode_error(data: bytes) -> None:
    _decode_or_decode_error(data)


@given(messages, st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_mutated_generated_messages_raise_only_decode_error(
    message: Message, data: st.DataObject
) -> None:
    wire = bytearray(encode_message(message))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(wire) - 1))
        wire[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(wire)))
    _decode_or_decode_error(bytes(wire[:cut]))
    _decode_or_decode_error(bytes(wire))
