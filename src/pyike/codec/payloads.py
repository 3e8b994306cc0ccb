"""The payloads with flat bodies: KE, IDi/IDr, CERT, CERTREQ, AUTH, Nonce, Notify, Delete,
Vendor ID, EAP, SK, SKF and unrecognised ones (RFC 7296 sections 3.4-3.16, RFC 7383)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Fields, Reader
from pyike.codec.registry import (
    KE_DATA_LENGTHS,
    AuthMethod,
    CertEncoding,
    DhId,
    IdType,
    NotifyType,
    PayloadType,
    ProtocolId,
    as_enum,
    by_value,
)

MIN_NONCE_SIZE = 16
MAX_NONCE_SIZE = 256

# SPI sizes a Notify or Delete payload may carry per protocol.
_SPI_SIZES: dict[int, tuple[int, ...]] = {
    ProtocolId.IKE: (0, 8),
    ProtocolId.AH: (0, 4),
    ProtocolId.ESP: (0, 4),
}
_ADDRESS_ID_LENGTHS: dict[int, int] = {IdType.ID_IPV4_ADDR: 4, IdType.ID_IPV6_ADDR: 16}

# The fixed fields at the start of each body, in RFC 7296 order.
_KE_HEADER = Fields("!HH", ("Diffie-Hellman group", 2), ("reserved", 2))  # 3.4
_ID_HEADER = Fields("!I", ("ID type", 1), ("reserved", 3))  # 3.5
_AUTH_HEADER = Fields("!I", ("auth method", 1), ("reserved", 3))  # 3.8
_NOTIFY_HEADER = Fields(  # 3.10: Protocol ID, SPI Size, Notify Message Type
    "!BBH", ("protocol id", 1), ("SPI size", 1), ("notify message type", 2)
)
_DELETE_HEADER = Fields(  # 3.11: Protocol ID, SPI Size, Num of SPIs
    "!BBH", ("protocol id", 1), ("SPI size", 1), ("number of SPIs", 2)
)
_SKF_HEADER = Fields(  # RFC 7383 2.5: Fragment Number, Total Fragments
    "!HH", ("fragment number", 2), ("total fragments", 2)
)

_OCTET = struct.Struct("!B")

_DH_IDS = by_value(DhId)
_ID_TYPES = by_value(IdType)
_AUTH_METHODS = by_value(AuthMethod)
_CERT_ENCODINGS = by_value(CertEncoding)
_NOTIFY_TYPES = by_value(NotifyType)
_PROTOCOL_IDS = by_value(ProtocolId)
_IDI, _IDR = PayloadType.IDi, PayloadType.IDr


@dataclass(frozen=True)
class KePayload(PayloadBase):
    group: DhId | int
    data: bytes
    reserved: int = 0

    payload_type: ClassVar[PayloadType] = PayloadType.KE

    def encode_body(self) -> bytes:
        return _KE_HEADER.struct.pack(self.group, self.reserved) + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> KePayload:
        group, reserved = r.read(_KE_HEADER)
        data = r.rest()
        expected = KE_DATA_LENGTHS.get(group)
        if expected is not None and len(data) != expected:
            raise r.error(
                f"key exchange data for group {group} is {len(data)} bytes, expected {expected}"
            )
        if not data:
            raise r.error("key exchange data is empty")
        return cls(_DH_IDS.get(group, group), data, reserved)


@dataclass(frozen=True)
class IdPayload(PayloadBase):
    """IDi (``initiator`` true) or IDr."""

    id_type: IdType | int
    data: bytes
    initiator: bool = True
    reserved: int = 0

    @property
    def payload_type(self) -> PayloadType:
        return _IDI if self.initiator else _IDR

    @property
    def address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        if self.id_type == IdType.ID_IPV4_ADDR and len(self.data) == 4:
            return ipaddress.IPv4Address(self.data)
        if self.id_type == IdType.ID_IPV6_ADDR and len(self.data) == 16:
            return ipaddress.IPv6Address(self.data)
        return None

    def encode_body(self) -> bytes:
        return _OCTET.pack(self.id_type) + self.reserved.to_bytes(3, "big") + self.data

    @classmethod
    def decode_body(cls, r: Reader, *, initiator: bool) -> IdPayload:
        id_type, reserved = r.octet_and_reserved(_ID_HEADER)
        data = r.rest()
        expected = _ADDRESS_ID_LENGTHS.get(id_type)
        if expected is not None and len(data) != expected:
            raise r.error(f"{IdType(id_type).name} data is {len(data)} bytes, expected {expected}")
        return cls(_ID_TYPES.get(id_type, id_type), data, initiator, reserved)


@dataclass(frozen=True)
class _EncodedCertificateData(PayloadBase):
    """CERT and CERTREQ share one layout: an encoding octet, then data."""

    cert_encoding: CertEncoding | int
    data: bytes

    def encode_body(self) -> bytes:
        return bytes([self.cert_encoding]) + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> Self:
        encoding = r.u8("certificate encoding")
        return cls(_CERT_ENCODINGS.get(encoding, encoding), r.rest())


@dataclass(frozen=True)
class CertPayload(_EncodedCertificateData):
    payload_type: ClassVar[PayloadType] = PayloadType.CERT


@dataclass(frozen=True)
class CertReqPayload(_EncodedCertificateData):
    """``data`` is the Certification Authority field (concatenated SHA-1 hashes for X.509)."""

    payload_type: ClassVar[PayloadType] = PayloadType.CERTREQ


@dataclass(frozen=True)
class AuthPayload(PayloadBase):
    method: AuthMethod | int
    data: bytes
    reserved: int = 0

    payload_type: ClassVar[PayloadType] = PayloadType.AUTH

    def encode_body(self) -> bytes:
        return bytes([self.method]) + self.reserved.to_bytes(3, "big") + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> AuthPayload:
        method, reserved = r.octet_and_reserved(_AUTH_HEADER)
        return cls(_AUTH_METHODS.get(method, method), r.rest(), reserved)


@dataclass(frozen=True)
class _OpaqueData(PayloadBase):
    """Nonce, Vendor ID and EAP: the body is the data, as it is."""

    data: bytes

    def encode_body(self) -> bytes:
        return self.data

    @classmethod
    def decode_body(cls, r: Reader) -> Self:
        return cls(r.rest())


@dataclass(frozen=True)
class NoncePayload(_OpaqueData):
    payload_type: ClassVar[PayloadType] = PayloadType.NONCE

    @classmethod
    def decode_body(cls, r: Reader) -> Self:
        nonce = super().decode_body(r)
        size = len(nonce.data)
        if not MIN_NONCE_SIZE <= size <= MAX_NONCE_SIZE:
            raise r.error(
                f"nonce is {size} bytes, not between {MIN_NONCE_SIZE} and {MAX_NONCE_SIZE}"
            )
        return nonce


@dataclass(frozen=True)
class NotifyPayload(PayloadBase):
    """``protocol`` is 0 when ``spi`` is empty. Typed views of ``data`` are in notify_data."""

    notify_type: NotifyType | int
    data: bytes = b""
    protocol: ProtocolId | int = 0
    spi: bytes = b""

    payload_type: ClassVar[PayloadType] = PayloadType.NOTIFY

    @property
    def is_error(self) -> bool:
        return self.notify_type < 16384

    def encode_body(self) -> bytes:
        header = _NOTIFY_HEADER.struct.pack(self.protocol, len(self.spi), self.notify_type)
        return header + self.spi + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> NotifyPayload:
        protocol, spi_size, notify_type = r.read(_NOTIFY_HEADER)
        allowed = _SPI_SIZES.get(protocol)
        if allowed is not None and spi_size not in allowed:
            raise r.error(f"SPI size {spi_size} is wrong for {ProtocolId(protocol).name}")
        spi = r.take(spi_size, "SPI") if spi_size else b""
        return cls(
            _NOTIFY_TYPES.get(notify_type, notify_type),
            r.rest(),
            _PROTOCOL_IDS.get(protocol, protocol),
            spi,
        )


@dataclass(frozen=True)
class DeletePayload(PayloadBase):
    protocol: ProtocolId | int
    spi_size: int
    spis: tuple[bytes, ...] = ()

    payload_type: ClassVar[PayloadType] = PayloadType.DELETE

    def encode_body(self) -> bytes:
        if any(len(spi) != self.spi_size for spi in self.spis):
            raise ValueError(f"every SPI of a Delete payload must be {self.spi_size} bytes")
        header = _DELETE_HEADER.struct.pack(self.protocol, self.spi_size, len(self.spis))
        return header + b"".join(self.spis)

    @classmethod
    def decode_body(cls, r: Reader) -> DeletePayload:
        protocol, spi_size, count = r.read(_DELETE_HEADER)
        if protocol == ProtocolId.IKE and (spi_size, count) != (0, 0):
            raise r.error(f"IKE SA delete carries SPI size {spi_size} and {count} SPIs")
        if protocol in (ProtocolId.AH, ProtocolId.ESP) and spi_size != 4:
            raise r.error(f"SPI size {spi_size} is wrong for {ProtocolId(protocol).name}")
        if spi_size * count != r.remaining:
            raise r.error(f"{count} SPIs of {spi_size} bytes do not fill {r.remaining} bytes")
        if spi_size == 0 and count:
            raise r.error(f"{count} SPIs of size 0")
        spis = tuple(r.take(spi_size, "SPI") for _ in range(count))
        return cls(_PROTOCOL_IDS.get(protocol, protocol), spi_size, spis)


@dataclass(frozen=True)
class VendorPayload(_OpaqueData):
    payload_type: ClassVar[PayloadType] = PayloadType.VENDOR


@dataclass(frozen=True)
class EapPayload(_OpaqueData):
    """The EAP message, kept opaque."""

    payload_type: ClassVar[PayloadType] = PayloadType.EAP


@dataclass(frozen=True)
class SkPayload(PayloadBase):
    """Encrypted and Authenticated payload: ``body`` is IV | ciphertext | ICV, and
    ``first_inner_type`` (the header's Next Payload) the type of the first inner payload."""

    first_inner_type: PayloadType | int
    body: bytes

    payload_type: ClassVar[PayloadType] = PayloadType.SK

    def encode_body(self) -> bytes:
        return self.body


SKF_HEADER_SIZE = 4


@dataclass(frozen=True)
class SkfPayload(PayloadBase):
    """Encrypted Fragment payload (RFC 7383 section 2.5). ``first_inner_type`` is meaningful in
    fragment 1 only (0 in the others)."""

    first_inner_type: PayloadType | int
    fragment_number: int
    total_fragments: int
    body: bytes

    payload_type: ClassVar[PayloadType] = PayloadType.SKF

    def encode_body(self) -> bytes:
        return _SKF_HEADER.struct.pack(self.fragment_number, self.total_fragments) + self.body

    @classmethod
    def decode_body(cls, r: Reader, *, first_inner_type: int) -> SkfPayload:
        number, total = r.read(_SKF_HEADER)
        if number == 0 or total == 0 or number > total:
            raise r.error(f"fragment number {number} of {total} is impossible")
        return cls(as_enum(PayloadType, first_inner_type), number, total, r.rest())


@dataclass(frozen=True)
class UnknownPayload(PayloadBase):
    """A non-critical payload pyike does not interpret, kept to be re-encoded unchanged."""

    type: int
    body: bytes

    @property
    def payload_type(self) -> PayloadType | int:
        return as_enum(PayloadType, self.type)

    def encode_body(self) -> bytes:
        return self.body
