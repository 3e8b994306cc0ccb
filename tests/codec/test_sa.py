from __future__ import annotations

import struct

import pytest

from pyike.codec import Proposal, SaPayload, Transform, TransformAttribute, encode_message
from pyike.codec.registry import (
    DhId,
    EncrId,
    IntegId,
    PayloadType,
    PrfId,
    ProtocolId,
    TransformAttributeType,
    TransformType,
)
from tests.support.ike_bytes import decode_single, expect_single_error, single

SA = PayloadType.SA


def transform(
    ttype: int, tid: int, attributes: bytes = b"", last: int = 3, length: int | None = None
) -> bytes:
    size = 8 + len(attributes) if length is None else length
    return struct.pack("!BBHBBH", last, 0, size, ttype, 0, tid) + attributes


def proposal(
    number: int,
    protocol: int,
    transforms: list[bytes],
    spi: bytes = b"",
    last: int = 0,
    count: int | None = None,
    length: int | None = None,
) -> bytes:
    # The last transform gets last substruc 0, as the RFC requires.
    fixed = [*transforms[:-1], b"\x00" + transforms[-1][1:]] if transforms else []
    body = spi + b"".join(fixed)
    size = 8 + len(body) if length is None else length
    number_of = len(transforms) if count is None else count
    return struct.pack("!BBHBBBB", last, 0, size, number, protocol, len(spi), number_of) + body


KEY_LENGTH_256 = struct.pack("!HH", 0x8000 | 14, 256)
IKE_TRANSFORMS = [
    transform(1, 12, KEY_LENGTH_256),
    transform(3, 12),
    transform(2, 5),
    transform(4, 14),
]


def test_ike_proposal_with_key_length() -> None:
    message = decode_single(SA, proposal(1, 1, IKE_TRANSFORMS))
    sa = message.payloads[0]
    assert isinstance(sa, SaPayload)
    (prop,) = sa.proposals
    assert prop.number == 1 and prop.protocol is ProtocolId.IKE and prop.spi == b""
    encr, integ, prf, dh = prop.transforms
    assert (encr.type, encr.id, encr.key_length) == (TransformType.ENCR, EncrId.AES_CBC, 256)
    assert (integ.id, prf.id, dh.id) == (
        IntegId.HMAC_SHA2_256_128,
        PrfId.HMAC_SHA2_256,
        DhId.MODP_2048,
    )
    assert integ.key_length is None
    assert prop.transforms_of(TransformType.DH) == (dh,)


def test_several_proposals_and_esp_spi() -> None:
    body = proposal(1, 3, [transform(1, 20, KEY_LENGTH_256)], spi=b"\x11\x22\x33\x44", last=2)
    body += proposal(2, 2, [transform(3, 2), transform(5, 0)], spi=b"\xaa\xbb\xcc\xdd")
    sa = decode_single(SA, body).payloads[0]
    assert isinstance(sa, SaPayload)
    assert [(p.number, p.protocol, p.spi) for p in sa.proposals] == [
        (1, ProtocolId.ESP, b"\x11\x22\x33\x44"),
        (2, ProtocolId.AH, b"\xaa\xbb\xcc\xdd"),
    ]


def test_accepted_proposal_keeps_its_number() -> None:
    sa = decode_single(SA, proposal(4, 3, [transform(1, 12)], spi=bytes(4))).payloads[0]
    assert isinstance(sa, SaPayload) and sa.proposals[0].number == 4


def test_rekey_proposal_carries_8_byte_ike_spi() -> None:
    sa = decode_single(SA, proposal(1, 1, IKE_TRANSFORMS, spi=bytes(range(8)))).payloads[0]
    assert isinstance(sa, SaPayload) and sa.proposals[0].spi == bytes(range(8))


def test_unknown_values_and_reserved_fields_survive_a_round_trip() -> None:
    tlv = struct.pack("!HH", 77, 3) + b"abc"
    tv = struct.pack("!HH", 0x8000 | 99, 5)
    odd = struct.pack("!BBHBBH", 0, 0xEE, 8 + len(tlv + tv), 200, 0xDD, 4242) + tlv + tv
    body = struct.pack("!BBHBBBB", 0, 0xCC, 8 + 3 + len(odd), 1, 77, 3, 1) + b"xyz" + odd
    data = single(SA, body, flags=0x01)
    message = decode_single(SA, body, flags=0x01)
    sa = message.payloads[0]
    assert isinstance(sa, SaPayload)
    assert (sa.critical, sa.header_reserved) == (False, 1)
    prop = sa.proposals[0]
    assert (prop.protocol, prop.reserved, prop.spi) == (77, 0xCC, b"xyz")
    (t,) = prop.transforms
    assert (t.type, t.id, t.reserved1, t.reserved2) == (200, 4242, 0xEE, 0xDD)
    assert t.attributes == (TransformAttribute(77, b"abc"), TransformAttribute(99, 5))
    assert not t.attributes[0].is_tv and t.attributes[1].is_tv
    assert encode_message(message) == data


def test_encoded_sa_matches_the_rfc_layout() -> None:
    sa = SaPayload(
        (
            Proposal(
                1,
                ProtocolId.IKE,
                transforms=(
                    Transform(
                        TransformType.ENCR,
                        EncrId.AES_CBC,
                        (TransformAttribute(TransformAttributeType.KEY_LENGTH, 256),),
                    ),
                    Transform(TransformType.INTEG, IntegId.HMAC_SHA2_256_128),
                    Transform(TransformType.PRF, PrfId.HMAC_SHA2_256),
                    Transform(TransformType.DH, DhId.MODP_2048),
                ),
            ),
        )
    )
    assert sa.encode_body() == proposal(1, 1, IKE_TRANSFORMS)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "no proposal"),
        (proposal(1, 1, IKE_TRANSFORMS)[:3], "proposal #1 length needs 2 bytes"),
        (proposal(1, 1, IKE_TRANSFORMS, last=1), "last substruc 1, expected 0 or 2"),
        (proposal(1, 1, IKE_TRANSFORMS, last=2), "contradicts its position"),
        (
            proposal(1, 1, IKE_TRANSFORMS) + proposal(2, 1, IKE_TRANSFORMS),
            "contradicts its position",
        ),
        (proposal(1, 1, IKE_TRANSFORMS, length=7), "length 7 does not fit"),
        (proposal(1, 1, IKE_TRANSFORMS, length=500), "length 500 does not fit"),
        (proposal(0, 1, IKE_TRANSFORMS), "numbered 0"),
        (
            proposal(1, 1, IKE_TRANSFORMS, last=2) + proposal(3, 1, IKE_TRANSFORMS),
            "number 3 does not follow 1",
        ),
        (
            proposal(2, 1, IKE_TRANSFORMS, last=2) + proposal(3, 1, IKE_TRANSFORMS),
            "first of several proposals is numbered 2",
        ),
        (proposal(1, 1, IKE_TRANSFORMS, spi=bytes(4)), "SPI size 4 is wrong for IKE"),
        (proposal(1, 3, IKE_TRANSFORMS), "SPI size 0 is wrong for ESP"),
        (proposal(1, 2, IKE_TRANSFORMS, spi=bytes(8)), "SPI size 8 is wrong for AH"),
        (
            struct.pack("!BBHBBBB", 0, 0, 10, 1, 77, 9, 0) + b"ab",
            "SPI needs 9 bytes",
        ),
        (proposal(1, 1, IKE_TRANSFORMS, count=3), "announces 3 transforms but holds 4"),
        (proposal(1, 1, IKE_TRANSFORMS, count=5), "announces 5 transforms but holds 4"),
        (
            proposal(1, 1, [transform(1, 3, last=2), transform(3, 2)]),
            "last substruc 2, expected 0 or 3",
        ),
        (
            struct.pack("!BBHBBBB", 0, 0, 24, 1, 1, 0, 2)
            + transform(1, 3, last=0)
            + transform(3, 2, last=0),
            "transform #1 last substruc 0 contradicts its position",
        ),
        (
            struct.pack("!BBHBBBB", 0, 0, 16, 1, 1, 0, 1) + transform(1, 3, last=3),
            "transform #1 last substruc 3 contradicts its position",
        ),
        (proposal(1, 1, [transform(1, 3, length=6)]), "transform #1 length 6 does not fit"),
        (proposal(1, 1, [transform(1, 3, length=40)]), "transform #1 length 40 does not fit"),
        (
            proposal(1, 1, [transform(1, 12, struct.pack("!HH", 14, 2) + b"\x01\x00")]),
            "KEY_LENGTH attribute is not in TV format",
        ),
        (
            proposal(1, 1, [transform(1, 12, struct.pack("!HH", 20, 9) + b"ab")]),
            "attribute value needs 9 bytes",
        ),
        (proposal(1, 1, [transform(1, 12, b"\x80\x0e\x01")]), "attribute value needs 2"),
    ],
)
def test_malformed_sa_is_invalid_syntax(body: bytes, match: str) -> None:
    expect_single_error(SA, body, match=match)
