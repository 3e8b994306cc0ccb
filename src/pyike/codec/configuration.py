"""Configuration payload CP (RFC 7296 section 3.15)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Fields, Reader
from pyike.codec.registry import CfgAttributeType, CfgType, PayloadType, by_value

_CP_HEADER = Fields("!I", ("CFG type", 1), ("reserved", 3))  # CFG Type, RESERVED
# R bit and Attribute Type, Length (RFC 7296 section 3.15.1).
_ATTRIBUTE_HEADER = Fields("!HH", ("type", 2), ("length", 2))
_RESERVED_BIT = 0x8000
_CFG_TYPES = by_value(CfgType)
_ATTRIBUTE_TYPES = by_value(CfgAttributeType)


@dataclass(frozen=True)
class CfgAttribute:
    """``reserved_bit`` is the R bit before the 15-bit type, kept as received."""

    type: CfgAttributeType | int
    value: bytes = b""
    reserved_bit: bool = False

    def encode(self) -> bytes:
        parts: list[bytes] = []
        _add_attributes(parts, (self,))
        return b"".join(parts)


def _add_attributes(parts: list[bytes], attributes: Iterable[CfgAttribute]) -> None:
    """Appends each attribute's header and value to ``parts`` (one join for the payload)."""
    for attribute in attributes:
        value = attribute.value
        word = (_RESERVED_BIT if attribute.reserved_bit else 0) | attribute.type
        parts.append(_ATTRIBUTE_HEADER.struct.pack(word, len(value)))
        if value:
            parts.append(value)


@dataclass(frozen=True)
class CpPayload(PayloadBase):
    cfg_type: CfgType | int
    attributes: tuple[CfgAttribute, ...] = ()
    reserved: int = 0

    payload_type: ClassVar[PayloadType] = PayloadType.CP

    def encode_body(self) -> bytes:
        parts = [bytes([self.cfg_type]), self.reserved.to_bytes(3, "big")]
        _add_attributes(parts, self.attributes)
        return b"".join(parts)

    @classmethod
    def decode_body(cls, r: Reader) -> CpPayload:
        cfg_type, reserved = r.octet_and_reserved(_CP_HEADER)
        attributes: list[CfgAttribute] = []
        data, pos, end = r.data, r.pos, r.end
        while pos < end:
            value_start = pos + _ATTRIBUTE_HEADER.size
            if value_start > end:
                raise _ATTRIBUTE_HEADER.short(r, pos, end, f"attribute #{len(attributes) + 1}")
            word, length = _ATTRIBUTE_HEADER.unpack_from(data, pos)
            pos = value_start + length
            if pos > end:
                what = f"attribute #{len(attributes) + 1} value"
                raise r.short(what, length, value_start, end)
            attribute_type = word & 0x7FFF
            attributes.append(
                CfgAttribute(
                    _ATTRIBUTE_TYPES.get(attribute_type, attribute_type),
                    data[value_start:pos],
                    (word & _RESERVED_BIT) != 0,
                )
            )
        return cls(_CFG_TYPES.get(cfg_type, cfg_type), tuple(attributes), reserved)
