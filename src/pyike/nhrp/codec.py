"""NHRP packets (RFC 2332 section 5) with the Cisco extensions IOS sends, to and from bytes.

A packet is the fixed header (20 octets: ar$afn, ar$pro.type, ar$pro.snap, ar$hopcnt,
ar$pktsz, ar$chksum, ar$extoff, ar$op.version, ar$op.type, ar$shtl, ar$sstl), the common
mandatory part (protocol address lengths, flags, request id, the source NBMA, source protocol
and destination protocol addresses), then Client Information Entries (CIEs) or, for the Error
and Traffic Indications, the packet they are about, then the extensions from ar$extoff on,
closed by the End extension. The checksum is RFC 1071's over the whole NHRP packet.

Addresses are IP addresses: IPv4 or IPv6 NBMA (ar$afn 1 or 2) carrying an IPv4 or IPv6
overlay (ar$pro.type 0x0800 or 0x86DD). NHRP rides GRE with protocol type 0x2001.

`decode` raises only `NhrpDecodeError`; `encode` computes every length, the extension offset
and the checksum. The authentication extension's password (Cisco's cleartext type 1) is a
secret: it never shows in a repr.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
    ip_address,
)

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
IPInterface = IPv4Interface | IPv6Interface

GRE_PROTOCOL_NHRP = 0x2001  # the GRE protocol type field of a packet carrying NHRP
NHRP_VERSION = 1
FIXED_HEADER = 20
MANDATORY_HEADER = 8  # src/dst protocol address lengths, flags, request id
CIE_HEADER = 12
EXTENSION_HEADER = 4
COMPULSORY = 0x8000  # the extension type's C bit


class PacketType(enum.IntEnum):
    RESOLUTION_REQUEST = 1
    RESOLUTION_REPLY = 2
    REGISTRATION_REQUEST = 3
    REGISTRATION_REPLY = 4
    PURGE_REQUEST = 5
    PURGE_REPLY = 6
    ERROR_INDICATION = 7
    TRAFFIC_INDICATION = 8  # Cisco's DMVPN phase 3 redirect

    @property
    def ios_name(self) -> str:
        """ "Registration Request", as `debug nhrp` names it."""
        return self.name.replace("_", " ").title()


class ExtensionType(enum.IntEnum):
    END = 0
    RESPONDER_ADDRESS = 3
    FORWARD_TRANSIT_NHS = 4
    REVERSE_TRANSIT_NHS = 5
    AUTHENTICATION = 7
    VENDOR_PRIVATE = 8
    NAT_ADDRESS = 9  # Cisco's


class CieCode(enum.IntEnum):
    SUCCESS = 0
    ADMINISTRATIVELY_PROHIBITED = 4
    INSUFFICIENT_RESOURCES = 5
    NO_BINDING = 12
    BINDING_NOT_UNIQUE = 13
    UNIQUE_ADDRESS_REGISTERED = 14


class ErrorCode(enum.IntEnum):
    UNRECOGNIZED_EXTENSION = 1
    LOOP_DETECTED = 3
    PROTOCOL_ADDRESS_UNREACHABLE = 6
    PROTOCOL_ERROR = 7
    SDU_SIZE_EXCEEDED = 8
    INVALID_EXTENSION = 9
    INVALID_RESOLUTION_REPLY = 10
    AUTHENTICATION_FAILURE = 11
    HOP_COUNT_EXCEEDED = 15


class ResolutionFlag(enum.IntFlag):
    ROUTER = 0x8000  # Q: the source is a router
    AUTHORITATIVE = 0x4000
    DESTINATION_STABLE = 0x2000
    UNIQUE = 0x1000
    SOURCE_STABLE = 0x0800
    NAT = 0x0002  # Cisco: the sender understands the NAT extension


class RegistrationFlag(enum.IntFlag):
    UNIQUE = 0x8000
    NAT = 0x0002


class PurgeFlag(enum.IntFlag):
    NO_REPLY = 0x8000


_PACKET_TYPES = frozenset(t.value for t in PacketType)
AUTH_CLEARTEXT = 1  # Cisco's authentication type: the password in clear
AFN_IPV4, AFN_IPV6 = 1, 2
PROTOCOL_IPV4, PROTOCOL_IPV6 = 0x0800, 0x86DD
_AFN_LENGTH = {AFN_IPV4: 4, AFN_IPV6: 16}
_PROTOCOL_LENGTH = {PROTOCOL_IPV4: 4, PROTOCOL_IPV6: 16}


def afn_of(address: IPAddress) -> int:
    return AFN_IPV4 if address.version == 4 else AFN_IPV6


def protocolextension_type(address: IPAddress) -> int:
    return PROTOCOL_IPV4 if address.version == 4 else PROTOCOL_IPV6


class NhrpDecodeError(Exception):
    """Bytes that are not a well-formed NHRP packet: what is wrong, and where."""

    def __init__(self, detail: str, offset: int = 0) -> None:
        self.detail = detail
        self.offset = offset
        super().__init__(f"{detail} (at offset {offset})")


@dataclass(frozen=True)
class Cie:
    """A Client Information Entry: a binding of a client protocol address (and prefix) to its
    NBMA address, or just a code, MTU and holding time when the addresses are the packet's
    own source (a registration's CIE)."""

    code: int = CieCode.SUCCESS
    prefix_length: int = 0
    mtu: int = 0
    holding_time: int = 0
    nbma: IPAddress | None = None
    protocol: IPAddress | None = None
    preference: int = 0


@dataclass(frozen=True)
class CieExtension:
    """Responder Address, Forward/Reverse Transit NHS Record, NAT Address: lists of CIEs."""

    type: int
    cies: tuple[Cie, ...] = ()
    compulsory: bool = True


@dataclass(frozen=True)
class AuthenticationExtension:
    """Cisco's form of RFC 2332's Authentication Extension: a 4-octet type (1: cleartext)
    and the password."""

    secret: bytes = field(repr=False)
    auth_type: int = AUTH_CLEARTEXT
    compulsory: bool = True


@dataclass(frozen=True)
class VendorPrivateExtension:
    vendor_id: int  # the IEEE OUI, 24 bits
    data: bytes = b""
    compulsory: bool = False


@dataclass(frozen=True)
class UnknownExtension:
    type: int
    body: bytes = b""
    compulsory: bool = False


Extension = CieExtension | AuthenticationExtension | VendorPrivateExtension | UnknownExtension
CIE_EXTENSIONS = frozenset(
    {
        ExtensionType.RESPONDER_ADDRESS,
        ExtensionType.FORWARD_TRANSIT_NHS,
        ExtensionType.REVERSE_TRANSIT_NHS,
        ExtensionType.NAT_ADDRESS,
    }
)


@dataclass(frozen=True)
class Packet:
    """One NHRP packet. For an Error Indication, `request_id` holds the error code (high 16
    bits) and offset (low 16); `payload` is the packet in error (Error Indication) or the
    data packet that caused a Traffic Indication, and `cies` is empty for both."""

    type: PacketType
    src_nbma: IPAddress
    src_protocol: IPAddress
    dst_protocol: IPAddress
    flags: int = 0
    request_id: int = 0
    hop_count: int = 255
    cies: tuple[Cie, ...] = ()
    payload: bytes = b""
    extensions: tuple[Extension, ...] = ()
    snap: bytes = bytes(5)

    @property
    def error_code(self) -> int:
        return self.request_id >> 16

    @property
    def error_offset(self) -> int:
        return self.request_id & 0xFFFF

    def extension(self, kind: int) -> Extension | None:
        return next((e for e in self.extensions if extension_type(e) == kind), None)


def extension_type(extension: Extension) -> int:
    if isinstance(extension, AuthenticationExtension):
        return ExtensionType.AUTHENTICATION
    if isinstance(extension, VendorPrivateExtension):
        return ExtensionType.VENDOR_PRIVATE
    return extension.type


def error_request_id(code: int, offset: int = 0) -> int:
    """The request id field of an Error Indication: its code and offset."""
    return (code << 16) | offset


# --- encoding ---------------------------------------------------------------------------


def checksum(data: bytes) -> int:
    """RFC 1071's Internet checksum."""
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _packed(address: IPAddress | None) -> bytes:
    return b"" if address is None else address.packed


def encode_cie(cie: Cie) -> bytes:
    nbma, protocol = _packed(cie.nbma), _packed(cie.protocol)
    header = struct.pack(
        "!BBHHHBBBB",
        cie.code,
        cie.prefix_length,
        0,
        cie.mtu,
        cie.holding_time,
        len(nbma),
        0,
        len(protocol),
        cie.preference,
    )
    return header + nbma + protocol


def _extension_body(extension: Extension) -> bytes:
    if isinstance(extension, CieExtension):
        return b"".join(encode_cie(cie) for cie in extension.cies)
    if isinstance(extension, AuthenticationExtension):
        return struct.pack("!I", extension.auth_type) + extension.secret
    if isinstance(extension, VendorPrivateExtension):
        return extension.vendor_id.to_bytes(3, "big") + extension.data
    return extension.body


def _encode_extension(kind: int, compulsory: bool, body: bytes) -> bytes:
    return struct.pack("!HH", kind | (COMPULSORY if compulsory else 0), len(body)) + body


def encode(packet: Packet) -> bytes:
    """The packet on the wire, its lengths, extension offset and checksum computed."""
    nbma, src, dst = packet.src_nbma.packed, packet.src_protocol.packed, packet.dst_protocol.packed
    mandatory = struct.pack("!BBHI", len(src), len(dst), packet.flags, packet.request_id)
    body = mandatory + nbma + src + dst
    body += packet.payload + b"".join(encode_cie(cie) for cie in packet.cies)
    extensions = b""
    if packet.extensions:
        extensions = b"".join(
            _encode_extension(extension_type(e), e.compulsory, _extension_body(e))
            for e in packet.extensions
        ) + _encode_extension(ExtensionType.END, True, b"")
    first_extension = FIXED_HEADER + len(body)
    size = first_extension + len(extensions)
    header = struct.pack(
        "!HH5sBHHHBBBB",
        afn_of(packet.src_nbma),
        protocolextension_type(packet.src_protocol),
        packet.snap,
        packet.hop_count,
        size,
        0,
        first_extension if extensions else 0,
        NHRP_VERSION,
        packet.type,
        len(nbma),
        0,
    )
    wire = bytearray(header + body + extensions)
    wire[12:14] = checksum(bytes(wire)).to_bytes(2, "big")
    return bytes(wire)


# --- decoding ---------------------------------------------------------------------------


class _Reader:
    """Bounds-checked reads over one region of the packet."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.at, self.end = data, start, end

    def take(self, count: int, what: str) -> bytes:
        if count > self.end - self.at:
            raise NhrpDecodeError(f"{what} runs past its end", self.at)
        chunk = self.data[self.at : self.at + count]
        self.at += count
        return chunk

    def address(self, length: int, expected: int, what: str) -> IPAddress | None:
        if length == 0:
            return None
        if length != expected:
            raise NhrpDecodeError(f"{what} is {length} octets, not {expected}", self.at)
        return ip_address(self.take(length, what))


def _address_lengths(afn: int, protocol_type: int) -> tuple[int, int]:
    if afn not in _AFN_LENGTH:
        raise NhrpDecodeError(f"unsupported NBMA address family {afn}", 0)
    if protocol_type not in _PROTOCOL_LENGTH:
        raise NhrpDecodeError(f"unsupported protocol type 0x{protocol_type:04x}", 2)
    return _AFN_LENGTH[afn], _PROTOCOL_LENGTH[protocol_type]


def _required(address: IPAddress | None, what: str, offset: int) -> IPAddress:
    if address is None:
        raise NhrpDecodeError(f"{what} is missing", offset)
    return address


def decode_cie(reader: _Reader, nbma_length: int, protocol_length: int) -> Cie:
    start = reader.at
    fields = struct.unpack("!BBHHHBBBB", reader.take(CIE_HEADER, "client information entry"))
    code, prefix, _unused, mtu, holding, cli_len, sub_len, proto_len, preference = fields
    if sub_len:
        raise NhrpDecodeError("client NBMA subaddress is not used with IP", start + 9)
    nbma = reader.address(cli_len, nbma_length, "client NBMA address")
    protocol = reader.address(proto_len, protocol_length, "client protocol address")
    return Cie(code, prefix, mtu, holding, nbma, protocol, preference)


def _cies(reader: _Reader, nbma_length: int, protocol_length: int) -> tuple[Cie, ...]:
    cies = []
    while reader.at < reader.end:
        cies.append(decode_cie(reader, nbma_length, protocol_length))
    return tuple(cies)


def _decode_extension(
    kind: int, compulsory: bool, reader: _Reader, lengths: tuple[int, int]
) -> Extension:
    if kind in CIE_EXTENSIONS:
        return CieExtension(kind, _cies(reader, *lengths), compulsory)
    body = reader.take(reader.end - reader.at, "extension")
    if kind == ExtensionType.AUTHENTICATION:
        if len(body) < 4:
            raise NhrpDecodeError("authentication extension shorter than its type", reader.at)
        return AuthenticationExtension(body[4:], int.from_bytes(body[:4], "big"), compulsory)
    if kind == ExtensionType.VENDOR_PRIVATE:
        if len(body) < 3:
            raise NhrpDecodeError("vendor-private extension without a vendor id", reader.at)
        return VendorPrivateExtension(int.from_bytes(body[:3], "big"), body[3:], compulsory)
    return UnknownExtension(kind, body, compulsory)


def _extensions(data: bytes, start: int, end: int, lengths: tuple[int, int]) -> list[Extension]:
    reader, extensions = _Reader(data, start, end), []
    while reader.at < end:
        raw_type, length = struct.unpack("!HH", reader.take(EXTENSION_HEADER, "extension header"))
        kind, compulsory = raw_type & ~COMPULSORY, bool(raw_type & COMPULSORY)
        if kind == ExtensionType.END:
            break
        body = _Reader(data, reader.at, reader.at + length)
        if body.end > end:
            raise NhrpDecodeError(f"extension {kind} runs past the packet", reader.at)
        extensions.append(_decode_extension(kind, compulsory, body, lengths))
        reader.at = body.end
    return extensions


def decode(data: bytes) -> Packet:
    """The NHRP packet in `data` (trailing octets past ar$pktsz are ignored)."""
    if len(data) < FIXED_HEADER + MANDATORY_HEADER:
        raise NhrpDecodeError(f"{len(data)} octets is shorter than the NHRP headers")
    afn, protocol_type, snap, hops, size, _sum, extoff, version, kind, shtl, sstl = struct.unpack(
        "!HH5sBHHHBBBB", data[:FIXED_HEADER]
    )
    if version != NHRP_VERSION:
        raise NhrpDecodeError(f"NHRP version {version} is not 1", 16)
    if kind not in _PACKET_TYPES:
        raise NhrpDecodeError(f"unknown packet type {kind}", 17)
    if not FIXED_HEADER + MANDATORY_HEADER <= size <= len(data):
        raise NhrpDecodeError(f"packet size {size} does not fit the {len(data)} octets", 10)
    if checksum(data[:size]) != 0:
        raise NhrpDecodeError("bad checksum", 12)
    if shtl & 0x40 or sstl:
        raise NhrpDecodeError("E.164 or subaddressed NBMA addresses are not IP", 18)
    lengths = _address_lengths(afn, protocol_type)
    body_end = extoff or size
    if extoff and not FIXED_HEADER + MANDATORY_HEADER <= extoff < size:
        raise NhrpDecodeError(f"extension offset {extoff} is outside the packet", 14)
    reader = _Reader(data, FIXED_HEADER, body_end)
    src_len, dst_len, flags, request_id = struct.unpack(
        "!BBHI", reader.take(MANDATORY_HEADER, "mandatory part")
    )
    at = reader.at
    src_nbma = _required(reader.address(shtl, lengths[0], "source NBMA address"), "source NBMA", at)
    at = reader.at
    src = _required(reader.address(src_len, lengths[1], "source protocol address"), "source", at)
    at = reader.at
    dst = _required(reader.address(dst_len, lengths[1], "destination protocol address"), "dst", at)
    cies: tuple[Cie, ...] = ()
    payload = b""
    packet_type = PacketType(kind)
    if packet_type in (PacketType.ERROR_INDICATION, PacketType.TRAFFIC_INDICATION):
        payload = reader.take(body_end - reader.at, "payload")
    else:
        cies = _cies(reader, *lengths)
    extensions = _extensions(data, extoff, size, lengths) if extoff else []
    return Packet(
        packet_type,
        src_nbma,
        src,
        dst,
        flags,
        request_id,
        hops,
        cies,
        payload,
        tuple(extensions),
        snap,
    )
