"""Payloads that repeat from peer to peer (SA, notifies, vendor IDs, CP, TS) are decoded once
per distinct body and shared: the result is the one a fresh decode gives, a body that fails
to decode fails every time, and the memory of bodies stays bounded whatever peers send."""

from __future__ import annotations

import struct

import pytest

from pyike.codec import DecodeError, NotifyPayload, VendorPayload, decode_payload_chain
from pyike.codec import message as codec_message
from pyike.codec.registry import NotifyType, PayloadType
from tests.support.ike_bytes import generic

FRAG_SUPPORTED = struct.pack("!BBH", 0, 0, 16430)


def test_a_repeated_body_decodes_to_what_a_fresh_decode_gives() -> None:
    chain = generic(PayloadType.VENDOR, FRAG_SUPPORTED) + generic(0, b"vendor id")
    first = decode_payload_chain(PayloadType.NOTIFY, chain)
    codec_message._shared.clear()
    fresh = decode_payload_chain(PayloadType.NOTIFY, chain)
    again = decode_payload_chain(PayloadType.NOTIFY, chain)
    expected = [
        NotifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
        VendorPayload(b"vendor id"),
    ]
    assert first == fresh == again == expected


def test_a_body_that_fails_to_decode_fails_each_time() -> None:
    short_notify = generic(0, b"\x00\x00")  # a Notify needs 4 bytes before its data
    for _ in range(2):
        with pytest.raises(DecodeError):
            decode_payload_chain(PayloadType.NOTIFY, short_notify)


def test_the_shared_bodies_stay_bounded_under_a_flood_of_distinct_ones() -> None:
    limit = codec_message._SHARED_LIMIT
    for n in range(3 * limit):
        body = struct.pack("!BBHI", 0, 0, 40000, n)  # a private-use status notify, data n
        (payload,) = decode_payload_chain(PayloadType.NOTIFY, generic(0, body))
        assert isinstance(payload, NotifyPayload) and payload.data == struct.pack("!I", n)
    assert len(codec_message._shared) <= limit
