"""The wire format of each method's requests and responses: EAP-MD5's Value-Size/Value/Name
(RFC 3748 5.4, RFC 1994), EAP-GTC's text (RFC 3748 5.6), EAP-MSCHAPv2's OpCode/MS-CHAPv2-ID/
MS-Length header (draft-kamath-pppext-eap-mschapv2-02 section 2) around RFC 2759's packets."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from enum import IntEnum

from pyike.eap.packet import EapError

CHALLENGE_LENGTH = 16


class OpCode(IntEnum):
    CHALLENGE = 1
    RESPONSE = 2
    SUCCESS = 3
    FAILURE = 4


def md5_value(identifier: int, password: str, challenge: bytes) -> bytes:
    data = bytes([identifier]) + password.encode("utf-8") + challenge
    return hashlib.md5(data, usedforsecurity=False).digest()


def value_and_name(value: bytes, name: str) -> bytes:
    return bytes([len(value)]) + value + name.encode("utf-8")


def split_value(data: bytes) -> tuple[bytes, str]:
    if not data or len(data) < 1 + data[0]:
        raise EapError("EAP value shorter than its Value-Size")
    size = data[0]
    return data[1 : 1 + size], data[1 + size :].decode("utf-8", "replace")


@dataclass(frozen=True)
class MsChap:
    opcode: OpCode
    ms_id: int
    body: bytes = b""  # what follows MS-Length (nothing for a peer's Success/Failure answer)

    def encode(self, short: bool = False) -> bytes:
        if short:  # the peer's acknowledgement of Success or Failure: the OpCode alone
            return bytes([self.opcode])
        return struct.pack("!BBH", self.opcode, self.ms_id, 4 + len(self.body)) + self.body


def decode_mschap(data: bytes) -> MsChap:
    if not data:
        raise EapError("EAP-MSCHAPv2 packet without an OpCode")
    try:
        opcode = OpCode(data[0])
    except ValueError:
        raise EapError(f"unknown EAP-MSCHAPv2 OpCode {data[0]}") from None
    if len(data) == 1:
        return MsChap(opcode, 0)
    if len(data) < 4:
        raise EapError("EAP-MSCHAPv2 header cut short")
    ms_id, length = data[1], struct.unpack("!H", data[2:4])[0]
    if length != len(data):
        raise EapError(f"EAP-MSCHAPv2 MS-Length {length} does not match {len(data)} bytes")
    return MsChap(opcode, ms_id, data[4:])


@dataclass(frozen=True)
class MsChapResponse:
    """The peer's Response: its challenge, the NT-Response and its user name."""

    peer_challenge: bytes
    nt_response: bytes
    name: str

    def body(self) -> bytes:
        value = self.peer_challenge + bytes(8) + self.nt_response + b"\0"
        return value_and_name(value, self.name)


def decode_mschap_response(body: bytes) -> MsChapResponse:
    value, name = split_value(body)
    if len(value) != 49:
        raise EapError(f"EAP-MSCHAPv2 Response value of {len(value)} bytes, not 49")
    return MsChapResponse(value[:16], value[24:48], name)
