"""Hypothesis strategies producing every payload type, within what decoding accepts."""

from __future__ import annotations

import ipaddress
from typing import TypedDict

from hypothesis import strategies as st

from pyike.codec import (
    AuthPayload,
    CertPayload,
    CertReqPayload,
    CfgAttribute,
    CpPayload,
    DeletePayload,
    EapPayload,
    IdPayload,
    IkeHeader,
    KePayload,
    Message,
    NoncePayload,
    NotifyPayload,
    OpaqueTrafficSelector,
    Payload,
    Proposal,
    SaPayload,
    SkfPayload,
    SkPayload,
    TrafficSelector,
    Transform,
    TransformAttribute,
    TsPayload,
    UnknownPayload,
    VendorPayload,
)
from pyike.codec.registry import KE_DATA_LENGTHS, IdType, PayloadType, ProtocolId

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u24 = st.integers(0, 0xFFFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
small_bytes = st.binary(max_size=40)
_UNKNOWN_PROTOCOL = st.integers(4, 255)
# Payload types the codec does not interpret (neither modelled nor SK/SKF, nor NONE).
_MODELLED = {int(t) for t in PayloadType if t <= PayloadType.EAP or t == PayloadType.SKF}
UNKNOWN_PAYLOAD_TYPES = st.integers(1, 255).filter(lambda t: t not in _MODELLED)


class HeaderFields(TypedDict):
    critical: bool
    header_reserved: int


@st.composite
def header_fields(draw: st.DrawFn) -> HeaderFields:
    return {"critical": draw(st.booleans()), "header_reserved": draw(st.integers(0, 0x7F))}


@st.composite
def transform_attributes(draw: st.DrawFn) -> TransformAttribute:
    if draw(st.booleans()):
        return TransformAttribute(draw(st.integers(0, 0x7FFF)), draw(u16))
    attribute_type = draw(st.integers(0, 0x7FFF).filter(lambda t: t != 14))
    return TransformAttribute(attribute_type, draw(small_bytes))


transforms = st.builds(
    Transform,
    type=u8,
    id=u16,
    attributes=st.lists(transform_attributes(), max_size=3).map(tuple),
    reserved1=u8,
    reserved2=u8,
)


@st.composite
def proposals(draw: st.DrawFn, number: int) -> Proposal:
    kind = draw(st.sampled_from(["ike", "child", "other"]))
    if kind == "ike":
        protocol: int = ProtocolId.IKE
        spi = draw(st.sampled_from([b"", bytes(range(1, 9))]))
    elif kind == "child":
        protocol = draw(st.sampled_from([ProtocolId.AH, ProtocolId.ESP]))
        spi = draw(st.binary(min_size=4, max_size=4))
    else:
        protocol = draw(_UNKNOWN_PROTOCOL)
        spi = draw(small_bytes)
    return Proposal(
        number=number,
        protocol=protocol,
        spi=spi,
        transforms=tuple(draw(st.lists(transforms, max_size=4))),
        reserved=draw(u8),
    )


@st.composite
def sa_payloads(draw: st.DrawFn) -> SaPayload:
    count = draw(st.integers(1, 3))
    first = 1 if count > 1 else draw(st.integers(1, 255))
    items = tuple(draw(proposals(first + i)) for i in range(count))
    return SaPayload(items, **draw(header_fields()))


@st.composite
def ke_payloads(draw: st.DrawFn) -> KePayload:
    group = draw(st.sampled_from([*KE_DATA_LENGTHS, 0, 35, 1000]))
    size = KE_DATA_LENGTHS.get(group)
    data = draw(st.binary(min_size=size or 1, max_size=size or 64))
    return KePayload(group, data, draw(u16), **draw(header_fields()))


@st.composite
def id_payloads(draw: st.DrawFn) -> IdPayload:
    id_type = draw(st.sampled_from([*IdType, 0, 200]))
    if id_type == IdType.ID_IPV4_ADDR:
        data = draw(st.binary(min_size=4, max_size=4))
    elif id_type == IdType.ID_IPV6_ADDR:
        data = draw(st.binary(min_size=16, max_size=16))
    else:
        data = draw(small_bytes)
    return IdPayload(id_type, data, draw(st.booleans()), draw(u24), **draw(header_fields()))


@st.composite
def notify_payloads(draw: st.DrawFn) -> NotifyPayload:
    protocol, spi = draw(
        st.one_of(
            st.just((0, b"")),
            st.tuples(st.just(ProtocolId.IKE), st.sampled_from([b"", bytes(8)])),
            st.tuples(
                st.sampled_from([ProtocolId.AH, ProtocolId.ESP]),
                st.sampled_from([b"", b"\x01\x02\x03\x04"]),
            ),
            st.tuples(_UNKNOWN_PROTOCOL, small_bytes),
        )
    )
    return NotifyPayload(draw(u16), draw(small_bytes), protocol, spi, **draw(header_fields()))


@st.composite
def delete_payloads(draw: st.DrawFn) -> DeletePayload:
    kind = draw(st.sampled_from(["ike", "child", "other"]))
    if kind == "ike":
        return DeletePayload(ProtocolId.IKE, 0, (), **draw(header_fields()))
    if kind == "child":
        protocol = draw(st.sampled_from([ProtocolId.AH, ProtocolId.ESP]))
        spis = draw(st.lists(st.binary(min_size=4, max_size=4), max_size=4))
        return DeletePayload(protocol, 4, tuple(spis), **draw(header_fields()))
    size = draw(st.integers(0, 8))
    spis = draw(st.lists(st.binary(min_size=size, max_size=size), max_size=3 if size else 0))
    return DeletePayload(draw(_UNKNOWN_PROTOCOL), size, tuple(spis), **draw(header_fields()))


@st.composite
def ip_selectors(draw: st.DrawFn) -> TrafficSelector:
    version = draw(st.sampled_from([4, 6]))
    bits = 32 if version == 4 else 128
    a, b = sorted(draw(st.lists(st.integers(0, 2**bits - 1), min_size=2, max_size=2)))
    family = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return TrafficSelector(draw(u8), draw(u16), draw(u16), family(a), family(b))


opaque_selectors = st.builds(
    OpaqueTrafficSelector,
    ts_type=u8.filter(lambda t: t not in (7, 8)),
    octet=u8,
    body=small_bytes,
)


@st.composite
def ts_payloads(draw: st.DrawFn) -> TsPayload:
    selectors = draw(st.lists(st.one_of(ip_selectors(), opaque_selectors), max_size=3))
    return TsPayload(tuple(selectors), draw(st.booleans()), draw(u24), **draw(header_fields()))


@st.composite
def cp_payloads(draw: st.DrawFn) -> CpPayload:
    attributes = draw(
        st.lists(
            st.builds(
                CfgAttribute,
                type=st.integers(0, 0x7FFF),
                value=small_bytes,
                reserved_bit=st.booleans(),
            ),
            max_size=4,
        )
    )
    return CpPayload(draw(u8), tuple(attributes), draw(u24), **draw(header_fields()))


@st.composite
def simple_payloads(draw: st.DrawFn) -> Payload:
    kind = draw(st.sampled_from(["cert", "certreq", "auth", "nonce", "vendor", "eap", "unknown"]))
    fields = draw(header_fields())
    if kind == "cert":
        return CertPayload(draw(u8), draw(small_bytes), **fields)
    if kind == "certreq":
        return CertReqPayload(draw(u8), draw(small_bytes), **fields)
    if kind == "auth":
        return AuthPayload(draw(u8), draw(small_bytes), draw(u24), **fields)
    if kind == "nonce":
        return NoncePayload(draw(st.binary(min_size=16, max_size=64)), **fields)
    if kind == "vendor":
        return VendorPayload(draw(small_bytes), **fields)
    if kind == "eap":
        return EapPayload(draw(small_bytes), **fields)
    return UnknownPayload(draw(UNKNOWN_PAYLOAD_TYPES), draw(small_bytes), critical=False)


clear_payloads = st.one_of(
    sa_payloads(),
    ke_payloads(),
    id_payloads(),
    notify_payloads(),
    delete_payloads(),
    ts_payloads(),
    cp_payloads(),
    simple_payloads(),
)


@st.composite
def encrypted_payloads(draw: st.DrawFn) -> Payload:
    if draw(st.booleans()):
        return SkPayload(draw(u8), draw(small_bytes), **draw(header_fields()))
    total = draw(st.integers(1, 0xFFFF))
    return SkfPayload(
        draw(u8),
        draw(st.integers(1, total)),
        total,
        draw(small_bytes),
        **draw(header_fields()),
    )


@st.composite
def payload_chains(draw: st.DrawFn) -> list[Payload]:
    """A list of clear payloads, sometimes ended by SK or SKF."""
    payloads: list[Payload] = draw(st.lists(clear_payloads, max_size=6))
    if draw(st.booleans()):
        payloads.append(draw(encrypted_payloads()))
    return payloads


headers = st.builds(
    IkeHeader,
    spi_i=st.binary(min_size=8, max_size=8),
    spi_r=st.binary(min_size=8, max_size=8),
    major_version=st.just(2),
    minor_version=st.integers(0, 15),
    exchange_type=u8,
    flags=u8,
    message_id=u32,
)

messages = st.builds(Message, header=headers, payloads=payload_chains())
