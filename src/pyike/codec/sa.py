"""Security Association payload: proposals, transforms, attributes (RFC 7296 section 3.3)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Reader
from pyike.codec.registry import (
    DhId,
    EncrId,
    EsnId,
    IntegId,
    PayloadType,
    PrfId,
    ProtocolId,
    TransformAttributeType,
    TransformType,
    as_enum,
)

PROPOSAL_HEADER_SIZE = 8
TRANSFORM_HEADER_SIZE = 8
LAST = 0
MORE_PROPOSALS = 2
MORE_TRANSFORMS = 3
_ATTRIBUTE_FORMAT_TV = 0x8000

# SPI sizes a proposal may carry per protocol (IKE: 0 in IKE_SA_INIT, 8 when rekeying).
_PROPOSAL_SPI_SIZES: dict[int, tuple[int, ...]] = {
    ProtocolId.IKE: (0, 8),
    ProtocolId.AH: (4,),
    ProtocolId.ESP: (4,),
}

_TRANSFORM_ID_ENUMS: dict[int, type[IntEnum]] = {
    TransformType.ENCR: EncrId,
    TransformType.PRF: PrfId,
    TransformType.INTEG: IntegId,
    TransformType.DH: DhId,
    TransformType.ESN: EsnId,
}


@dataclass(frozen=True)
class TransformAttribute:
    """An int ``value`` is a TV attribute (2-byte value, AF bit set); bytes is a TLV one."""

    type: TransformAttributeType | int
    value: int | bytes

    @property
    def is_tv(self) -> bool:
        return isinstance(self.value, int)

    def encode(self) -> bytes:
        if isinstance(self.value, int):
            return struct.pack("!HH", _ATTRIBUTE_FORMAT_TV | self.type, self.value)
        return struct.pack("!HH", self.type, len(self.value)) + self.value


@dataclass(frozen=True)
class Transform:
    type: TransformType | int
    id: int
    attributes: tuple[TransformAttribute, ...] = ()
    reserved1: int = 0
    reserved2: int = 0

    @property
    def key_length(self) -> int | None:
        for attribute in self.attributes:
            if attribute.type == TransformAttributeType.KEY_LENGTH and isinstance(
                attribute.value, int
            ):
                return attribute.value
        return None

    def encode(self, last: bool) -> bytes:
        attributes = b"".join(a.encode() for a in self.attributes)
        header = struct.pack(
            "!BBHBBH",
            LAST if last else MORE_TRANSFORMS,
            self.reserved1,
            TRANSFORM_HEADER_SIZE + len(attributes),
            self.type,
            self.reserved2,
            self.id,
        )
        return header + attributes


@dataclass(frozen=True)
class Proposal:
    number: int
    protocol: ProtocolId | int
    spi: bytes = b""
    transforms: tuple[Transform, ...] = ()
    reserved: int = 0

    def transforms_of(self, transform_type: TransformType) -> tuple[Transform, ...]:
        return tuple(t for t in self.transforms if t.type == transform_type)

    def encode(self, last: bool) -> bytes:
        transforms = b"".join(
            t.encode(i == len(self.transforms) - 1) for i, t in enumerate(self.transforms)
        )
        header = struct.pack(
            "!BBHBBBB",
            LAST if last else MORE_PROPOSALS,
            self.reserved,
            PROPOSAL_HEADER_SIZE + len(self.spi) + len(transforms),
            self.number,
            self.protocol,
            len(self.spi),
            len(self.transforms),
        )
        return header + self.spi + transforms


@dataclass(frozen=True)
class SaPayload(PayloadBase):
    proposals: tuple[Proposal, ...]

    payload_type: ClassVar[PayloadType] = PayloadType.SA

    def encode_body(self) -> bytes:
        return b"".join(
            p.encode(i == len(self.proposals) - 1) for i, p in enumerate(self.proposals)
        )

    @classmethod
    def decode_body(cls, r: Reader) -> SaPayload:
        if r.at_end():
            raise r.error("SA payload has no proposal")
        proposals: list[Proposal] = []
        while not r.at_end():
            proposal = _decode_proposal(r, len(proposals) + 1)
            if proposals and proposal.number != proposals[-1].number + 1:
                raise r.error(
                    f"proposal number {proposal.number} does not follow {proposals[-1].number}"
                )
            if len(proposals) == 1 and proposals[0].number != 1:
                raise r.error(f"first of several proposals is numbered {proposals[0].number}")
            proposals.append(proposal)
        return cls(tuple(proposals))


def _substructure(
    r: Reader, what: str, more: int, header_size: int, container: str
) -> tuple[int, Reader]:
    """A proposal's or a transform's first four octets (RFC 7296 sections 3.3.1 and 3.3.2):
    Last Substruc (0 for the last one, ``more`` otherwise), a reserved octet and the length.
    The reserved octet, and a reader over the rest of the substructure."""
    start = r.offset
    last_substruc = r.u8(f"{what} last substruc")
    reserved = r.u8(f"{what} reserved")
    length = r.u16(f"{what} length")
    if last_substruc not in (LAST, more):
        raise r.error(f"{what} has last substruc {last_substruc}, expected 0 or {more}", at=start)
    if length < header_size or length - 4 > r.remaining:
        raise r.error(f"{what} length {length} does not fit {container}", at=start + 2)
    rest = r.sub(length - 4, what)
    if (last_substruc == LAST) != r.at_end():
        raise r.error(f"{what} last substruc {last_substruc} contradicts its position", at=start)
    return reserved, rest


def _decode_proposal(r: Reader, index: int) -> Proposal:
    start = r.offset
    what = f"proposal #{index}"
    reserved, p = _substructure(r, what, MORE_PROPOSALS, PROPOSAL_HEADER_SIZE, "the SA payload")
    number = p.u8(f"{what} number")
    protocol = p.u8(f"{what} protocol id")
    spi_size = p.u8(f"{what} SPI size")
    count = p.u8(f"{what} transform count")
    if number == 0:
        raise r.error(f"{what} is numbered 0", at=start + 4)
    allowed = _PROPOSAL_SPI_SIZES.get(protocol)
    if allowed is not None and spi_size not in allowed:
        raise r.error(
            f"{what} SPI size {spi_size} is wrong for {ProtocolId(protocol).name}", at=start + 6
        )
    spi = p.take(spi_size, f"{what} SPI")
    transforms: list[Transform] = []
    while not p.at_end():
        transforms.append(_decode_transform(p, f"{what} transform #{len(transforms) + 1}"))
    if len(transforms) != count:
        raise r.error(f"{what} announces {count} transforms but holds {len(transforms)}", at=start)
    return Proposal(
        number=number,
        protocol=as_enum(ProtocolId, protocol),
        spi=spi,
        transforms=tuple(transforms),
        reserved=reserved,
    )


def _decode_transform(p: Reader, what: str) -> Transform:
    reserved1, t = _substructure(p, what, MORE_TRANSFORMS, TRANSFORM_HEADER_SIZE, "its proposal")
    transform_type = t.u8(f"{what} type")
    reserved2 = t.u8(f"{what} reserved")
    transform_id = t.u16(f"{what} id")
    attributes: list[TransformAttribute] = []
    while not t.at_end():
        attributes.append(_decode_attribute(t, what))
    type_enum = as_enum(TransformType, transform_type)
    id_enum = _TRANSFORM_ID_ENUMS.get(transform_type)
    return Transform(
        type=type_enum,
        id=as_enum(id_enum, transform_id) if id_enum is not None else transform_id,
        attributes=tuple(attributes),
        reserved1=reserved1,
        reserved2=reserved2,
    )


def _decode_attribute(t: Reader, what: str) -> TransformAttribute:
    start = t.offset
    word = t.u16(f"{what} attribute type")
    attribute_type = as_enum(TransformAttributeType, word & 0x7FFF)
    if word & _ATTRIBUTE_FORMAT_TV:
        return TransformAttribute(attribute_type, t.u16(f"{what} attribute value"))
    if attribute_type == TransformAttributeType.KEY_LENGTH:
        raise t.error(f"{what} KEY_LENGTH attribute is not in TV format", at=start)
    length = t.u16(f"{what} attribute length")
    return TransformAttribute(attribute_type, t.take(length, f"{what} attribute value"))
