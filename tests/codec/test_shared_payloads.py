"""Payloads that repeat from peer to peer (SA, notifies, vendor IDs, CP, TS) are decoded once
per distinct body and shared, and so are a proposal's transforms (offered again with a new SPI
each time): the result is the one a fresh decode gives, a body that fails to decode fails every
time, and the memory of bodies stays bounded whatever peers send."""

from __future__ import annotations

import struct

import pytest

from pyike.codec import (
    DecodeError,
    NotifyPayload,
    Proposal,
    SaPayload,
    Transform,
    TransformAttribute,
    VendorPayload,
    decode_payload_chain,
)
from pyike.codec import message as codec_message
from pyike.codec import sa as codec_sa
from pyike.codec.registry import (
    EncrId,
    EsnId,
    IntegId,
    NotifyType,
    PayloadType,
    ProtocolId,
    TransformAttributeType,
    TransformType,
)
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


ESP_TRANSFORMS = (
    Transform(
        TransformType.ENCR,
        EncrId.AES_CBC,
        (TransformAttribute(TransformAttributeType.KEY_LENGTH, 128),),
    ),
    Transform(TransformType.INTEG, IntegId.HMAC_SHA1_96),
    Transform(TransformType.ESN, EsnId.NO_ESN),
)


def _esp_offer(spi: bytes, transforms: tuple[Transform, ...] = ESP_TRANSFORMS) -> bytes:
    return generic(0, SaPayload((Proposal(1, ProtocolId.ESP, spi, transforms),)).encode_body())


def test_transforms_offered_again_with_another_spi_decode_as_fresh_ones() -> None:
    codec_sa._transforms.clear()
    decoded = [
        decode_payload_chain(PayloadType.SA, _esp_offer(spi))[0]
        for spi in (b"\x00\x00\x00\x01", b"\x00\x00\x00\x02")
    ]
    assert [p.proposals[0].spi for p in decoded if isinstance(p, SaPayload)] == [
        b"\x00\x00\x00\x01",
        b"\x00\x00\x00\x02",
    ]
    for payload in decoded:
        assert isinstance(payload, SaPayload) and payload.proposals[0].transforms == ESP_TRANSFORMS
    assert len(codec_sa._transforms) == 1


def test_a_proposal_whose_transform_count_is_wrong_fails_each_time() -> None:
    body = bytearray(_esp_offer(bytes(4))[4:])
    body[7] = 4  # Num Transforms: 4 announced, 3 held
    for _ in range(2):
        with pytest.raises(DecodeError, match="announces 4 transforms but holds 3"):
            decode_payload_chain(PayloadType.SA, generic(0, bytes(body)))


def test_the_shared_transforms_stay_bounded_under_a_flood_of_distinct_ones() -> None:
    limit = codec_sa._TRANSFORMS_LIMIT
    for n in range(3 * limit):
        transforms = (Transform(TransformType.ENCR, 1024 + n),)
        decode_payload_chain(PayloadType.SA, _esp_offer(bytes(4), transforms))
    assert len(codec_sa._transforms) <= limit
