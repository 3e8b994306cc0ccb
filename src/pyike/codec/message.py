"""Whole messages and payload chains: the Next Payload linkage and every length."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from pyike.bounded import remember
from pyike.codec.configuration import CpPayload
from pyike.codec.errors import DecodeError
from pyike.codec.generic import (
    CRITICAL_BIT,
    GENERIC_HEADER_SIZE,
    MAX_PAYLOAD_LENGTH,
    PayloadBase,
    split_flags_octet,
)
from pyike.codec.header import HEADER_SIZE, IkeHeader, decode_header
from pyike.codec.payloads import (
    AuthPayload,
    CertPayload,
    CertReqPayload,
    DeletePayload,
    EapPayload,
    IdPayload,
    KePayload,
    NoncePayload,
    NotifyPayload,
    SkfPayload,
    SkPayload,
    UnknownPayload,
    VendorPayload,
)
from pyike.codec.reader import Reader
from pyike.codec.registry import NotifyType, PayloadType, as_enum, by_value, name_of
from pyike.codec.sa import SaPayload
from pyike.codec.traffic_selectors import TsPayload

Payload = (
    SaPayload
    | KePayload
    | IdPayload
    | CertPayload
    | CertReqPayload
    | AuthPayload
    | NoncePayload
    | NotifyPayload
    | DeletePayload
    | VendorPayload
    | TsPayload
    | SkPayload
    | SkfPayload
    | CpPayload
    | EapPayload
    | UnknownPayload
)

_P = TypeVar("_P", bound=Payload)

_Decoder = Callable[[Reader], Payload]

# The payloads whose type is their class's; IDi/IDr and TSi/TSr share a class each.
_DECODERS: dict[int, _Decoder] = {
    **{
        cls.payload_type: cls.decode_body
        for cls in (
            SaPayload,
            KePayload,
            CertPayload,
            CertReqPayload,
            AuthPayload,
            NoncePayload,
            NotifyPayload,
            DeletePayload,
            VendorPayload,
            CpPayload,
            EapPayload,
        )
    },
    PayloadType.IDi: lambda r: IdPayload.decode_body(r, initiator=True),
    PayloadType.IDr: lambda r: IdPayload.decode_body(r, initiator=False),
    PayloadType.TSi: lambda r: TsPayload.decode_body(r, initiator=True),
    PayloadType.TSr: lambda r: TsPayload.decode_body(r, initiator=False),
}

# Payloads one peer sends as the next one does (the same software's proposals, configuration
# requests, selectors, notifies and vendor IDs): each distinct body is decoded once and its
# frozen result shared. Bounded, since the bodies come from the network.
_SHARED_TYPES = frozenset(
    {
        PayloadType.SA,
        PayloadType.NOTIFY,
        PayloadType.VENDOR,
        PayloadType.CP,
        PayloadType.TSi,
        PayloadType.TSr,
    }
)
_SHARED_LIMIT = 1024
_shared: dict[tuple[int, bytes], Payload] = {}

_ENCRYPTED = (PayloadType.SK, PayloadType.SKF)
_ENCRYPTED_CLASSES = (SkPayload, SkfPayload)
_NONE = PayloadType.NONE.value
_SKF = PayloadType.SKF
_PAYLOAD_TYPES = by_value(PayloadType)
# Next Payload, C bit and RESERVED, Payload Length (RFC 7296 section 3.2).
_GENERIC_PAYLOAD_HEADER = struct.Struct("!BBH")


@dataclass
class Message:
    header: IkeHeader
    payloads: list[Payload] = field(default_factory=list)
    # The octets decode_message read (b"" for a message built here): what the peer sent, which
    # AUTH signs (RFC 7296 section 2.15), without encoding the message again.
    wire: bytes = field(default=b"", repr=False, compare=False)

    def first(self, payload_class: type[_P]) -> _P | None:
        return next((p for p in self.payloads if isinstance(p, payload_class)), None)

    def all(self, payload_class: type[_P]) -> list[_P]:
        return [p for p in self.payloads if isinstance(p, payload_class)]

    def notify(self, notify_type: NotifyType) -> NotifyPayload | None:
        return next(
            (
                p
                for p in self.payloads
                if isinstance(p, NotifyPayload) and p.notify_type == notify_type
            ),
            None,
        )

    def octets(self) -> bytes:
        """The message's wire form: as received, or encoded."""
        return self.wire or encode_message(self)


def decode_message(data: bytes, header: IkeHeader | None = None) -> Message:
    """Decodes one IKE datagram (non-ESP marker already removed). SK/SKF stay encrypted.
    ``header`` is ``decode_header(data)`` when the caller has it already."""
    if header is None:
        header = decode_header(data)
    payloads = _decode_chain(header.next_payload, data[HEADER_SIZE:], HEADER_SIZE, outer=True)
    return Message(header, payloads, data)


def encode_message(message: Message) -> bytes:
    """The wire form of ``message``; the header's Next Payload and Length are recomputed."""
    first, body = encode_payload_chain(message.payloads)
    return message.header.encode_with(first, HEADER_SIZE + len(body)) + body


def decode_payload_chain(first_type: int, data: bytes) -> list[Payload]:
    """Decodes the inner payloads of a decrypted SK payload (or reassembled SKF fragments)."""
    return _decode_chain(first_type, data, 0, outer=False)


def encode_payload_chain(
    payloads: Sequence[PayloadBase], next_after_last: int = PayloadType.NONE
) -> tuple[int, bytes]:
    """Returns (type of the first payload, the chained payloads). The last payload's Next
    Payload is ``next_after_last`` unless it is SK/SKF, whose Next Payload is its first inner
    payload type."""
    if not payloads:
        return int(next_after_last), b""
    parts: list[bytes] = []
    types = [payload.payload_type for payload in payloads]
    next_types = [*types[1:], next_after_last]
    last = len(payloads) - 1
    for index, payload in enumerate(payloads):
        next_type = next_types[index]
        if types[index] in _ENCRYPTED and isinstance(payload, _ENCRYPTED_CLASSES):
            if index != last:
                raise ValueError(f"{name_of(PayloadType, types[index])} must be the last payload")
            next_type = payload.first_inner_type
        body = payload.encode_body()
        length = GENERIC_HEADER_SIZE + len(body)
        if length > MAX_PAYLOAD_LENGTH:
            name = name_of(PayloadType, types[index])
            raise ValueError(f"{name} payload of {length} bytes is too long")
        flags = payload.flags_octet if payload.critical or payload.header_reserved else 0
        parts.append(_GENERIC_PAYLOAD_HEADER.pack(next_type, flags, length))
        parts.append(body)
    return int(types[0]), b"".join(parts)


def _decode_chain(first_type: int, data: bytes, base: int, *, outer: bool) -> list[Payload]:
    payloads: list[Payload] = []
    current = first_type
    pos = 0
    size = len(data)
    reader = Reader(data, None, base)
    while current != _NONE:
        start = base + pos
        left = size - pos
        if left < GENERIC_HEADER_SIZE:
            raise DecodeError(
                f"payload header needs {GENERIC_HEADER_SIZE} bytes but only {left} remain",
                payload=_PAYLOAD_TYPES.get(current, current),
                offset=start,
            )
        next_type, flags, length = _GENERIC_PAYLOAD_HEADER.unpack_from(data, pos)
        if length < GENERIC_HEADER_SIZE or length > left:
            raise DecodeError(
                f"payload length {length} does not fit the {left} bytes left",
                payload=_PAYLOAD_TYPES.get(current, current),
                offset=start + 2,
            )
        body_start = pos + GENERIC_HEADER_SIZE
        pos += length
        # The reader moves to this payload's body.
        reader.payload, reader.pos, reader.end = current, body_start, pos
        decoder = _DECODERS.get(current)
        if decoder is not None:
            if current in _SHARED_TYPES:
                payload = _decode_shared(current, data[body_start:pos], decoder, reader)
            else:
                payload = decoder(reader)
        elif current in _ENCRYPTED:
            named = _PAYLOAD_TYPES[current]
            if not outer:
                raise DecodeError(
                    "encrypted payload inside an encrypted payload", payload=named, offset=start
                )
            payloads.append(_with_flags(_decode_encrypted(current, next_type, reader), flags))
            if pos != size:
                raise DecodeError(
                    f"{size - pos} bytes follow the {named.name} payload, which must be last",
                    payload=named,
                    offset=base + pos,
                )
            return payloads
        elif flags & CRITICAL_BIT:
            raise DecodeError(
                f"payload type {current} is not supported and marked critical",
                payload=_PAYLOAD_TYPES.get(current, current),
                notify=NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
                offset=start,
            )
        else:
            payload = UnknownPayload(current, data[body_start:pos])
        payloads.append(_with_flags(payload, flags) if flags else payload)
        current = next_type
    if pos != size:
        last = payloads[-1].payload_type if payloads else None
        raise DecodeError(
            f"{size - pos} bytes follow the last payload", payload=last, offset=base + pos
        )
    return payloads


def _decode_shared(kind: int, body: bytes, decoder: _Decoder, reader: Reader) -> Payload:
    key = (kind, body)
    payload = _shared.get(key)
    if payload is None:
        payload = decoder(reader)  # what fails to decode raises, and is not kept
        remember(_shared, key, payload, _SHARED_LIMIT)
    return payload


def _with_flags(payload: _P, flags: int) -> _P:
    """The payload with its generic header's C bit and RESERVED bits, kept when set so that
    re-encoding it gives the same bytes."""
    if not flags:
        return payload
    critical, header_reserved = split_flags_octet(flags)
    return replace(payload, critical=critical, header_reserved=header_reserved)


def _decode_encrypted(current: int, next_type: int, reader: Reader) -> Payload:
    if current == _SKF:
        return SkfPayload.decode_body(reader, first_inner_type=next_type)
    return SkPayload(as_enum(PayloadType, next_type), reader.rest())
