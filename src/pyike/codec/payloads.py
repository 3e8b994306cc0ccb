"""The payloads with flat bodies: KE, IDi/IDr, CERT, CERTREQ, AUTH, Nonce, Notify, Delete,
Vendor ID, EAP, SK, SKF and unrecognised ones (RFC 7296 sections 3.4-3.16, RFC 7383)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Reader
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


@dataclass(frozen=True)
class KePayload(PayloadBase):
    group: DhId | int
    data: bytes
    reserved: int = 0

    payload_type: ClassVar[PayloadType] = PayloadType.KE

    def encode_body(self) -> bytes:
        return struct.pack("!HH", self.group, self.reserved) + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> KePayload:
        group = r.u16("Diffie-Hellman group")
        reserved = r.u16("reserved")
        data = r.rest()
        expected = KE_DATA_LENGTHS.get(group)
        if expected is not None and len(data) != expected:
            raise r.error(
                f"key exchange data for group {group} is {len(data)} bytes, expected {expected}"
            )
        if not data:
            raise r.error("key exchange data is empty")
        return cls(as_enum(DhId, group), data, reserved)


@dataclass(frozen=True)
class IdPayload(PayloadBase):
    """IDi (``initiator`` true) or IDr."""

    id_type: IdType | int
    data: bytes
    initiator: bool = True
    reserved: int = 0

    @property
    def payload_type(self) -> PayloadType:
        return PayloadType.IDi if self.initiator else PayloadType.IDr

    @property
    def address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        if self.id_type == IdType.ID_IPV4_ADDR and len(self.data) == 4:
            return ipaddress.IPv4Address(self.data)
        if self.id_type == IdType.ID_IPV6_ADDR and len(self.data) == 16:
            return ipaddress.IPv6Address(self.data)
        return None

    def encode_body(self) -> bytes:
        return struct.pack("!B", self.id_type) + self.reserved.to_bytes(3, "big") + self.data

    @classmethod
    def decode_body(cls, r: Reader, *, initiator: bool) -> IdPayload:
        id_type = r.u8("ID type")
        reserved = r.u24("reserved")
        data = r.rest()
        expected = _ADDRESS_ID_LENGTHS.get(id_type)
        if expected is not None and len(data) != expected:
            raise r.error(f"{IdType(id_type).name} data is {len(data)} bytes, expected {expected}")
        return cls(as_enum(IdType, id_type), data, initiator, reserved)


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
        return cls(as_enum(CertEncoding, encoding), r.rest())


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
        method = r.u8("auth method")
        reserved = r.u24("reserved")
        return cls(as_enum(AuthMethod, method), r.rest(), reserved)


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
        header = struct.pack("!BBH", self.protocol, len(self.spi), self.notify_type)
        return header + self.spi + self.data

    @classmethod
    def decode_body(cls, r: Reader) -> NotifyPayload:
        protocol = r.u8("protocol id")
        spi_size = r.u8("SPI size")
        notify_type = r.u16("notify message type")
        allowed = _SPI_SIZES.get(protocol)
        if allowed is not None and spi_size not in allowed:
            raise r.error(f"SPI size {spi_size} is wrong for {ProtocolId(protocol).name}")
        spi = r.take(spi_size, "SPI")
        return cls(as_enum(NotifyType, notify_type), r.rest(), as_enum(ProtocolId, protocol), spi)


@dataclass(frozen=True)
class DeletePayload(PayloadBase):
    protocol: ProtocolId | int
    spi_size: int
    spis: tuple[bytes, ...] = ()

    payload_type: ClassVar[PayloadType] = PayloadType.DELETE

    def encode_body(self) -> bytes:
        if any(len(spi) != self.spi_size for spi in self.spis):
            raise ValueError(f"every SPI of a Delete payload must be {self.spi_size} bytes")
        return struct.pack("!BBH", self.protocol, self.spi_size, len(self.spis)) + b"".join(
            self.spis
        )

    @classmethod
    def decode_body(cls, r: Reader) -> DeletePayload:
        protocol = r.u8("protocol id")
        spi_size = r.u8("SPI size")
        count = r.u16("number of SPIs")
        if protocol == ProtocolId.IKE and (spi_size, count) != (0, 0):
            raise r.error(f"IKE SA delete carries SPI size {spi_size} and {count} SPIs")
        if protocol in (ProtocolId.AH, ProtocolId.ESP) and spi_size != 4:
            raise r.error(f"SPI size {spi_size} is wrong for {ProtocolId(protocol).name}")
        if spi_size * count != r.remaining:
            raise r.error(f"{count} SPIs of {spi_size} bytes do not fill {r.remaining} bytes")
        if spi_size == 0 and count:
            raise r.error(f"{count} SPIs of size 0")
        spis = tuple(r.take(spi_size, "SPI") for _ in range(count))
        return cls(as_enum(ProtocolId, protocol), spi_size, spis)


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
        return struct.pack("!HH", self.fragment_number, self.total_fragments) + self.body

    @classmethod
    def decode_body(cls, r: Reader, *, first_inner_type: int) -> SkfPayload:
        number = r.u16("fragment number")
        total = r.u16("total fragments")
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
