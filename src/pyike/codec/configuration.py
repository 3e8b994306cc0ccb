"""Configuration payload CP (RFC 7296 section 3.15)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Reader
from pyike.codec.registry import CfgAttributeType, CfgType, PayloadType, as_enum


@dataclass(frozen=True)
class CfgAttribute:
    """``reserved_bit`` is the R bit before the 15-bit type, kept as received."""

    type: CfgAttributeType | int
    value: bytes = b""
    reserved_bit: bool = False

    def encode(self) -> bytes:
        word = (0x8000 if self.reserved_bit else 0) | self.type
        return struct.pack("!HH", word, len(self.value)) + self.value


@dataclass(frozen=True)
class CpPayload(PayloadBase):
    cfg_type: CfgType | int
    attributes: tuple[CfgAttribute, ...] = ()
    reserved: int = 0

    payload_type: ClassVar[PayloadType] = PayloadType.CP

    def encode_body(self) -> bytes:
        header = bytes([self.cfg_type]) + self.reserved.to_bytes(3, "big")
        return header + b"".join(a.encode() for a in self.attributes)

    @classmethod
    def decode_body(cls, r: Reader) -> CpPayload:
        cfg_type = r.u8("CFG type")
        reserved = r.u24("reserved")
        attributes: list[CfgAttribute] = []
        while not r.at_end():
            what = f"attribute #{len(attributes) + 1}"
            word = r.u16(f"{what} type")
            length = r.u16(f"{what} length")
            value = r.take(length, f"{what} value")
            attributes.append(
                CfgAttribute(as_enum(CfgAttributeType, word & 0x7FFF), value, bool(word & 0x8000))
            )
        return cls(as_enum(CfgType, cfg_type), tuple(attributes), reserved)
