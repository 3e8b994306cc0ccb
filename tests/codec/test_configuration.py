from __future__ import annotations

import struct

import pytest

from pyike.codec import CfgAttribute, CpPayload, encode_message
from pyike.codec.registry import CfgAttributeType, CfgType, PayloadType
from tests.support.ike_bytes import decode_single, expect_single_error, single


def test_cfg_request_and_reply() -> None:
    body = b"\x01\x00\x00\x00" + struct.pack("!HH", 1, 0) + struct.pack("!HH", 3, 0)
    (cp,) = decode_single(PayloadType.CP, body).payloads
    assert cp == CpPayload(
        CfgType.CFG_REQUEST,
        (
            CfgAttribute(CfgAttributeType.INTERNAL_IP4_ADDRESS),
            CfgAttribute(CfgAttributeType.INTERNAL_IP4_DNS),
        ),
    )
    reply = b"\x02\x00\x00\x00" + struct.pack("!HH", 1, 4) + bytes([10, 1, 1, 5])
    (cp,) = decode_single(PayloadType.CP, reply).payloads
    assert isinstance(cp, CpPayload)
    assert cp.attributes[0].value == bytes([10, 1, 1, 5])


def test_reserved_bit_and_unknown_attribute_are_kept() -> None:
    body = b"\x03\x00\x00\x09" + struct.pack("!HH", 0x8000 | 30000, 2) + b"ok"
    message = decode_single(PayloadType.CP, body)
    assert message.payloads == [
        CpPayload(CfgType.CFG_SET, (CfgAttribute(30000, b"ok", reserved_bit=True),), reserved=9)
    ]
    assert encode_message(message) == single(PayloadType.CP, body)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x01\x00", "reserved needs 3 bytes"),
        (b"\x01\x00\x00\x00\x00\x01\x00", "attribute #1 length needs 2 bytes"),
        (b"\x01\x00\x00\x00" + struct.pack("!HH", 1, 4) + b"\x0a", "attribute #1 value needs 4"),
    ],
)
def test_malformed_cp(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.CP, body, match)
