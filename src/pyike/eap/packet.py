"""The EAP packet (RFC 3748 section 4): Code, Identifier, Length, and for requests and
responses a Type and its data."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum


class Code(IntEnum):
    REQUEST = 1
    RESPONSE = 2
    SUCCESS = 3
    FAILURE = 4


class EapType(IntEnum):
    IDENTITY = 1
    NOTIFICATION = 2
    NAK = 3  # legacy Nak: the types the peer would rather use
    MD5 = 4
    GTC = 6
    MSCHAPV2 = 26


# IOS's keyword for each method (`authentication local eap gtc|md5|mschapv2`).
METHOD_KEYWORDS = {"md5": EapType.MD5, "gtc": EapType.GTC, "mschapv2": EapType.MSCHAPV2}


class EapError(ValueError):
    """A malformed EAP packet, or one that does not fit the conversation."""


@dataclass(frozen=True)
class EapPacket:
    code: Code
    identifier: int
    type: int | None = None  # requests and responses only
    data: bytes = b""

    def encode(self) -> bytes:
        if self.type is None:
            return struct.pack("!BBH", self.code, self.identifier, 4)
        body = bytes([self.type]) + self.data
        return struct.pack("!BBH", self.code, self.identifier, 4 + len(body)) + body

    @property
    def type_name(self) -> str:
        try:
            return EapType(self.type or 0).name
        except ValueError:
            return f"type {self.type}"


def decode(data: bytes) -> EapPacket:
    if len(data) < 4:
        raise EapError(f"EAP packet of {len(data)} bytes is shorter than its header")
    code, identifier, length = struct.unpack("!BBH", data[:4])
    if length != len(data):
        raise EapError(f"EAP length {length} does not match the {len(data)} bytes received")
    try:
        kind = Code(code)
    except ValueError:
        raise EapError(f"unknown EAP code {code}") from None
    if kind in (Code.SUCCESS, Code.FAILURE):
        if length != 4:
            raise EapError(f"EAP {kind.name} carries {length - 4} unexpected bytes")
        return EapPacket(kind, identifier)
    if length < 5:
        raise EapError(f"EAP {kind.name} without a Type")
    return EapPacket(kind, identifier, data[4], data[5:])
