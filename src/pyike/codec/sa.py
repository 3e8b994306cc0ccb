"""Security Association payload: proposals, transforms, attributes (RFC 7296 section 3.3)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import ClassVar

from pyike.bounded import remember
from pyike.codec.errors import DecodeError
from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Fields, Reader
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
    by_value,
)

PROPOSAL_HEADER_SIZE = 8
TRANSFORM_HEADER_SIZE = 8
LAST = 0
MORE_PROPOSALS = 2
MORE_TRANSFORMS = 3
_LAST_TRANSFORM = bytes([LAST])  # a transform's first octet when it is its proposal's last
_ATTRIBUTE_FORMAT_TV = 0x8000
_KEY_LENGTH = TransformAttributeType.KEY_LENGTH.value

# Proposal Substructure (3.3.1): Last Substruc, RESERVED, Proposal Length, Proposal Num,
# Protocol ID, SPI Size, Num Transforms.
_PROPOSAL_HEADER = struct.Struct("!BBHBBBB")
# Transform Substructure (3.3.2): Last Substruc, RESERVED, Transform Length, Transform Type,
# RESERVED, Transform ID.
_TRANSFORM_HEADER = struct.Struct("!BBHBBH")
# Data Attributes (3.3.5): AF bit and Attribute Type, then Attribute Length (TLV) or Value (TV).
_ATTRIBUTE_HEADER = struct.Struct("!HH")
# Decoding reads the first four octets of both substructures, which say how long they are,
# then the rest of their header.
_SUBSTRUCTURE_START = Fields("!BBH", ("last substruc", 1), ("reserved", 1), ("length", 2))
_PROPOSAL_REST = struct.Struct("!BBBB")  # Proposal Num, Protocol ID, SPI Size, Num Transforms
_TRANSFORM_REST = struct.Struct("!BBH")  # Transform Type, RESERVED, Transform ID

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
_TRANSFORM_IDS: dict[int, dict[int, IntEnum]] = {
    transform_type: by_value(enum) for transform_type, enum in _TRANSFORM_ID_ENUMS.items()
}
_TRANSFORM_TYPES = by_value(TransformType)
_PROTOCOL_IDS = by_value(ProtocolId)
_ATTRIBUTE_TYPES = by_value(TransformAttributeType)


@dataclass(frozen=True)
class TransformAttribute:
    """An int ``value`` is a TV attribute (2-byte value, AF bit set); bytes is a TLV one."""

    type: TransformAttributeType | int
    value: int | bytes

    @property
    def is_tv(self) -> bool:
        return isinstance(self.value, int)

    def encode(self) -> bytes:
        parts: list[bytes] = []
        _add_attribute(parts, self)
        return b"".join(parts)


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
            if attribute.type == _KEY_LENGTH and isinstance(attribute.value, int):
                return attribute.value
        return None

    def encode(self, last: bool) -> bytes:
        parts: list[bytes] = []
        _add_transform(parts, self, last)
        return b"".join(parts)

    @cached_property
    def octets(self) -> bytes:
        """The transform as one of several (Last Substruc 3), made once: the transforms
        offered and chosen are the same objects SA after SA (proposals.py)."""
        parts: list[bytes] = [b""]
        length = TRANSFORM_HEADER_SIZE
        for attribute in self.attributes:
            length += _add_attribute(parts, attribute)
        parts[0] = _TRANSFORM_HEADER.pack(
            MORE_TRANSFORMS, self.reserved1, length, self.type, self.reserved2, self.id
        )
        return b"".join(parts)


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
        parts: list[bytes] = []
        _add_proposal(parts, self, last)
        return b"".join(parts)


@dataclass(frozen=True)
class SaPayload(PayloadBase):
    proposals: tuple[Proposal, ...]

    payload_type: ClassVar[PayloadType] = PayloadType.SA

    def encode_body(self) -> bytes:
        parts: list[bytes] = []
        final = len(self.proposals) - 1
        for index, proposal in enumerate(self.proposals):
            _add_proposal(parts, proposal, index == final)
        return b"".join(parts)

    @classmethod
    def decode_body(cls, r: Reader) -> SaPayload:
        if r.at_end():
            raise r.error("SA payload has no proposal")
        proposals: list[Proposal] = []
        pos, end = r.pos, r.end
        while pos < end:
            proposal, pos = _decode_proposal(r, pos, end, len(proposals) + 1)
            if proposals and proposal.number != proposals[-1].number + 1:
                raise r.error(
                    f"proposal number {proposal.number} does not follow {proposals[-1].number}",
                    at=r.origin + pos,
                )
            if len(proposals) == 1 and proposals[0].number != 1:
                raise r.error(
                    f"first of several proposals is numbered {proposals[0].number}",
                    at=r.origin + pos,
                )
            proposals.append(proposal)
        r.pos = pos
        return cls(tuple(proposals))


# Encoding appends every header and value to one list of parts, joined once per payload. A
# substructure's header goes in first as a placeholder, replaced once its length is known.


def _add_proposal(parts: list[bytes], proposal: Proposal, last: bool) -> None:
    header_at = len(parts)
    parts.append(b"")
    spi = proposal.spi
    parts.append(spi)
    length = PROPOSAL_HEADER_SIZE + len(spi)
    final = len(proposal.transforms) - 1
    for index, transform in enumerate(proposal.transforms):
        length += _add_transform(parts, transform, index == final)
    parts[header_at] = _PROPOSAL_HEADER.pack(
        LAST if last else MORE_PROPOSALS,
        proposal.reserved,
        length,
        proposal.number,
        proposal.protocol,
        len(spi),
        len(proposal.transforms),
    )


def _add_transform(parts: list[bytes], transform: Transform, last: bool) -> int:
    """Appends the transform; returns its length."""
    octets = transform.octets
    parts.append(_LAST_TRANSFORM + octets[1:] if last else octets)
    return len(octets)


def _add_attribute(parts: list[bytes], attribute: TransformAttribute) -> int:
    """Appends the attribute; returns its length."""
    value = attribute.value
    if isinstance(value, int):
        parts.append(_ATTRIBUTE_HEADER.pack(_ATTRIBUTE_FORMAT_TV | attribute.type, value))
        return _ATTRIBUTE_HEADER.size
    parts.append(_ATTRIBUTE_HEADER.pack(attribute.type, len(value)))
    parts.append(value)
    return _ATTRIBUTE_HEADER.size + len(value)


# Decoding works on positions in the payload reader's bytes: ``pos`` is where the proposal,
# transform or attribute starts, ``end`` where its container (the SA payload, the proposal, the
# transform) ends. Error texts name the substructure ("proposal #2 transform #1").
#
# A peer offers (and answers) the same transforms SA after SA, each time with a new SPI, so a
# proposal's transforms are decoded once per distinct run of their octets and the frozen
# result shared. Bounded, since the octets come from the network.
_TRANSFORMS_LIMIT = 1024
_transforms: dict[bytes, tuple[Transform, ...]] = {}


def _what(proposal: int, transform: int = 0) -> str:
    name = f"proposal #{proposal}"
    return f"{name} transform #{transform}" if transform else name


def _substructure(
    r: Reader, pos: int, end: int, proposal: int, transform: int = 0
) -> tuple[int, int]:
    """A proposal's (``transform`` 0) or a transform's first four octets (RFC 7296 sections
    3.3.1 and 3.3.2): Last Substruc (0 for the last one, 2 or 3 otherwise), a reserved octet and
    the length, checked against the container. The reserved octet, and where it ends."""
    if transform:
        more, header_size, container = MORE_TRANSFORMS, TRANSFORM_HEADER_SIZE, "its proposal"
    else:
        more, header_size, container = MORE_PROPOSALS, PROPOSAL_HEADER_SIZE, "the SA payload"
    if end - pos < _SUBSTRUCTURE_START.size:
        raise _SUBSTRUCTURE_START.short(r, pos, end, _what(proposal, transform))
    last_substruc, reserved, length = _SUBSTRUCTURE_START.unpack_from(r.data, pos)
    if last_substruc != LAST and last_substruc != more:
        raise _substructure_error(
            r, pos, proposal, transform, f"has last substruc {last_substruc}, expected 0 or {more}"
        )
    if length < header_size or length > end - pos:
        raise _substructure_error(
            r, pos + 2, proposal, transform, f"length {length} does not fit {container}"
        )
    if (last_substruc == LAST) != (pos + length == end):
        raise _substructure_error(
            r, pos, proposal, transform, f"last substruc {last_substruc} contradicts its position"
        )
    return reserved, pos + length


def _substructure_error(
    r: Reader, pos: int, proposal: int, transform: int, detail: str
) -> DecodeError:
    return r.error(f"{_what(proposal, transform)} {detail}", at=r.origin + pos)


def _decode_proposal(r: Reader, pos: int, end: int, index: int) -> tuple[Proposal, int]:
    reserved, proposal_end = _substructure(r, pos, end, index)
    number, protocol, spi_size, count = _PROPOSAL_REST.unpack_from(r.data, pos + 4)
    if number == 0:
        raise _substructure_error(r, pos + 4, index, 0, "is numbered 0")
    allowed = _PROPOSAL_SPI_SIZES.get(protocol)
    if allowed is not None and spi_size not in allowed:
        detail = f"SPI size {spi_size} is wrong for {ProtocolId(protocol).name}"
        raise _substructure_error(r, pos + 6, index, 0, detail)
    spi_start = pos + PROPOSAL_HEADER_SIZE
    transform_start = spi_start + spi_size
    if transform_start > proposal_end:
        raise r.short(f"{_what(index)} SPI", spi_size, spi_start, proposal_end)
    octets = r.data[transform_start:proposal_end]
    transforms = _transforms.get(octets)
    if transforms is None:
        transforms = _decode_transforms(r, transform_start, proposal_end, index)
        remember(_transforms, octets, transforms, _TRANSFORMS_LIMIT)
    if len(transforms) != count:
        detail = f"announces {count} transforms but holds {len(transforms)}"
        raise _substructure_error(r, pos, index, 0, detail)
    # Positional arguments: a frozen dataclass matches keywords noticeably slower.
    spi = r.data[spi_start : spi_start + spi_size]
    protocol_id = _PROTOCOL_IDS.get(protocol, protocol)
    return Proposal(number, protocol_id, spi, transforms, reserved), proposal_end


def _decode_transforms(r: Reader, pos: int, end: int, proposal: int) -> tuple[Transform, ...]:
    transforms: list[Transform] = []
    while pos < end:
        transform, pos = _decode_transform(r, pos, end, proposal, len(transforms) + 1)
        transforms.append(transform)
    return tuple(transforms)


def _decode_transform(
    r: Reader, pos: int, end: int, proposal: int, index: int
) -> tuple[Transform, int]:
    reserved1, transform_end = _substructure(r, pos, end, proposal, index)
    transform_type, reserved2, transform_id = _TRANSFORM_REST.unpack_from(r.data, pos + 4)
    attributes_start = pos + TRANSFORM_HEADER_SIZE
    attributes: tuple[TransformAttribute, ...] = ()
    if attributes_start < transform_end:
        attributes = _decode_attributes(r, attributes_start, transform_end, proposal, index)
    ids = _TRANSFORM_IDS.get(transform_type)
    type_ = _TRANSFORM_TYPES.get(transform_type, transform_type)
    id_ = transform_id if ids is None else ids.get(transform_id, transform_id)
    return Transform(type_, id_, attributes, reserved1, reserved2), transform_end


def _decode_attributes(
    r: Reader, pos: int, end: int, proposal: int, transform: int
) -> tuple[TransformAttribute, ...]:
    data = r.data
    attributes: list[TransformAttribute] = []
    while pos < end:
        if end - pos < 2:
            raise r.short(f"{_what(proposal, transform)} attribute type", 2, pos, end)
        word = data[pos] << 8 | data[pos + 1]
        attribute_type = word & 0x7FFF
        is_tv = word & _ATTRIBUTE_FORMAT_TV
        if not is_tv and attribute_type == _KEY_LENGTH:
            raise _substructure_error(
                r, pos, proposal, transform, "KEY_LENGTH attribute is not in TV format"
            )
        if end - pos < _ATTRIBUTE_HEADER.size:
            field = "attribute value" if is_tv else "attribute length"
            raise r.short(f"{_what(proposal, transform)} {field}", 2, pos + 2, end)
        length_or_value = data[pos + 2] << 8 | data[pos + 3]
        value: int | bytes
        if is_tv:
            value = length_or_value
            pos += _ATTRIBUTE_HEADER.size
        else:
            value_start = pos + _ATTRIBUTE_HEADER.size
            pos = value_start + length_or_value
            if pos > end:
                what = f"{_what(proposal, transform)} attribute value"
                raise r.short(what, length_or_value, value_start, end)
            value = data[value_start:pos]
        attributes.append(
            TransformAttribute(_ATTRIBUTE_TYPES.get(attribute_type, attribute_type), value)
        )
    return tuple(attributes)
