"""Fixed headers are read in one unpack (codec.reader.Fields); input too short for them must
still fail naming the first field that does not fit, at that field's offset, and encoders that
build a payload from parts must give the RFC 7296 layouts from each substructure's own
encode method too."""

from __future__ import annotations

import struct

import pytest

from pyike.codec import CfgAttribute, Proposal, Transform, TransformAttribute
from pyike.codec.reader import Fields
from pyike.codec.registry import (
    CfgAttributeType,
    EncrId,
    IntegId,
    PayloadType,
    ProtocolId,
    TransformAttributeType,
    TransformType,
)
from tests.support.ike_bytes import expect_single_error

BODY = 28 + 4  # offset of a single payload's body in the messages built by ike_bytes


@pytest.mark.parametrize(
    ("body", "detail", "offset"),
    [
        (b"", "protocol id needs 1 bytes but only 0 remain", BODY),
        (b"\x00", "SPI size needs 1 bytes but only 0 remain", BODY + 1),
        (b"\x00\x00", "notify message type needs 2 bytes but only 0 remain", BODY + 2),
        (b"\x00\x00\x40", "notify message type needs 2 bytes but only 1 remain", BODY + 2),
    ],
)
def test_short_notify_header_names_the_first_missing_field(
    body: bytes, detail: str, offset: int
) -> None:
    error = expect_single_error(PayloadType.NOTIFY, body)
    assert (error.detail, error.offset) == (detail, offset)


def _sa_with_attributes(attributes: bytes) -> bytes:
    transform = struct.pack("!BBHBBH", 0, 0, 8 + len(attributes), 1, 0, 12) + attributes
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform


ATTRIBUTES = BODY + 8 + 8  # the SA body's proposal header, then the transform header


@pytest.mark.parametrize(
    ("attributes", "detail", "offset"),
    [
        (b"\x00", "attribute type needs 2 bytes but only 1 remain", ATTRIBUTES),
        (b"\x80\x0e", "attribute value needs 2 bytes but only 0 remain", ATTRIBUTES + 2),
        (b"\x00\x14\x00", "attribute length needs 2 bytes but only 1 remain", ATTRIBUTES + 2),
        # A TLV KEY_LENGTH is refused for its format before its missing length is noticed.
        (b"\x00\x0e", "KEY_LENGTH attribute is not in TV format", ATTRIBUTES),
        (b"\x00\x14\x00\x05ab", "attribute value needs 5 bytes but only 2 remain", ATTRIBUTES + 4),
    ],
)
def test_short_transform_attribute_names_the_first_missing_field(
    attributes: bytes, detail: str, offset: int
) -> None:
    error = expect_single_error(PayloadType.SA, _sa_with_attributes(attributes))
    assert (error.detail, error.offset) == (f"proposal #1 transform #1 {detail}", offset)


def test_short_traffic_selector_header_is_named_after_its_selector() -> None:
    error = expect_single_error(PayloadType.TSi, b"\x01\x00\x00\x00\x07\x00\x00")
    assert error.detail == "traffic selector #1 length needs 2 bytes but only 1 remain"
    assert error.offset == BODY + 4 + 2


def test_fields_must_cover_the_layout() -> None:
    with pytest.raises(ValueError, match="do not add up to the 4 octets"):
        Fields("!I", ("type", 1), ("reserved", 2))


def test_substructure_encode_methods_give_the_rfc_layouts() -> None:
    key_length = TransformAttribute(TransformAttributeType.KEY_LENGTH, 256)
    tlv = TransformAttribute(300, b"xyz")
    assert key_length.encode() == struct.pack("!HH", 0x800E, 256)
    assert tlv.encode() == struct.pack("!HH", 300, 3) + b"xyz"
    encr = Transform(TransformType.ENCR, EncrId.AES_CBC, (key_length, tlv), 5, 6)
    encr_bytes = struct.pack("!BBHBBH", 3, 5, 8 + 4 + 7, 1, 6, 12) + key_length.encode()
    encr_bytes += tlv.encode()
    assert encr.encode(last=False) == encr_bytes
    integ = Transform(TransformType.INTEG, IntegId.HMAC_SHA1_96)
    integ_bytes = struct.pack("!BBHBBH", 0, 0, 8, 3, 0, 2)
    assert integ.encode(last=True) == integ_bytes
    proposal = Proposal(2, ProtocolId.ESP, b"\x01\x02\x03\x04", (encr, integ), reserved=9)
    body = b"\x01\x02\x03\x04" + encr_bytes + integ_bytes
    assert (
        proposal.encode(last=False)
        == struct.pack("!BBHBBBB", 2, 9, 8 + len(body), 2, 3, 4, 2) + body
    )
    dns = CfgAttribute(CfgAttributeType.INTERNAL_IP4_DNS, b"\x0a\x00\x00\x01", reserved_bit=True)
    assert dns.encode() == struct.pack("!HH", 0x8003, 4) + b"\x0a\x00\x00\x01"
    assert CfgAttribute(CfgAttributeType.INTERNAL_IP4_ADDRESS).encode() == b"\x00\x01\x00\x00"
