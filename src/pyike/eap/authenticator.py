"""The EAP authenticator (server) against a user database: asks the peer's identity (or
takes the one IKE gave), offers a method (EAP-MSCHAPv2 first; the peer may Nak for MD5 or
GTC), checks the answer, and ends with Success (and the method's MSK) or Failure and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pyike.eap import mschapv2
from pyike.eap.methods import (
    CHALLENGE_LENGTH,
    MsChap,
    OpCode,
    decode_mschap,
    decode_mschap_response,
    md5_value,
    split_value,
    value_and_name,
)
from pyike.eap.packet import Code, EapError, EapPacket, EapType, decode

Random = Callable[[int], bytes]
OFFERED = (EapType.MSCHAPV2, EapType.MD5, EapType.GTC)
GTC_PROMPT = b"Password: "


class Users(Protocol):
    """The accounts the authenticator checks (`username NAME password|secret ...`)."""

    def password(self, name: str) -> str | None:
        """The clear text (for MD5 and MSCHAPv2, which need it); None: unknown, or hashed."""
        ...

    def check(self, name: str, typed: str) -> bool:
        """Whether ``typed`` is the user's password, whatever form it is stored in."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What the authenticator answers: the next packet; with Success the MSK (None for a
    method that makes none); with Failure the reason, in words for the debug."""

    packet: EapPacket
    msk: bytes | None = None
    failure: str | None = None  # also with EAP-MSCHAPv2's Failure request, ahead of the end

    @property
    def done(self) -> bool:
        return self.packet.code in (Code.SUCCESS, Code.FAILURE)


class Authenticator:
    def __init__(self, users: Users, random: Random, name: str = "pyike") -> None:
        self.users = users
        self.random = random
        self.name = name
        self.identity: str | None = None
        self.method: EapType | None = None
        self._identifier = random(1)[0]
        self._challenge = b""
        self._pending: Outcome | None = None  # Success or Failure once the peer acknowledges

    def start(self, identity: str | None) -> EapPacket:
        """The first request: Identity, or with ``identity`` known, the first method's."""
        if identity is None:
            return self._request(EapType.IDENTITY, b"")
        self.identity = identity
        return self._offer(OFFERED[0])

    def receive(self, data: bytes) -> Outcome:
        try:
            packet = decode(data)
        except EapError as error:
            return self._fail(f"malformed EAP response: {error}")
        if packet.code != Code.RESPONSE or packet.identifier != self._identifier:
            return self._fail(f"unexpected EAP {packet.code.name} (identifier {packet.identifier})")
        try:
            return self._answer(packet)
        except EapError as error:
            return self._fail(str(error))

    def _answer(self, packet: EapPacket) -> Outcome:
        if packet.type == EapType.IDENTITY and self.method is None:
            self.identity = packet.data.decode("utf-8", "replace")
            return Outcome(self._offer(OFFERED[0]))
        if packet.type == EapType.NAK and self.method is not None:
            wanted = next((EapType(t) for t in packet.data if t in OFFERED), None)
            if wanted is None or wanted == self.method:
                return self._fail("peer refused every EAP method offered")
            return Outcome(self._offer(wanted))
        if packet.type != self.method:
            return self._fail(f"peer answered with EAP {packet.type_name}")
        if self.method == EapType.MSCHAPV2:
            return self._mschapv2(packet.data)
        if self.method == EapType.MD5:
            return self._md5(packet)
        return self._gtc(packet.data)

    def _offer(self, method: EapType) -> EapPacket:
        self.method = method
        self._challenge = self.random(CHALLENGE_LENGTH)
        if method == EapType.GTC:
            return self._request(method, GTC_PROMPT)
        if method == EapType.MD5:
            return self._request(method, value_and_name(self._challenge, self.name))
        body = value_and_name(self._challenge, self.name)
        return self._request(method, MsChap(OpCode.CHALLENGE, self._next_id(), body).encode())

    def _md5(self, packet: EapPacket) -> Outcome:
        value, name = split_value(packet.data)
        self.identity = name or self.identity
        password = self._password()
        expected = md5_value(packet.identifier, password or "", self._challenge)
        if password is None or not mschapv2.responses_equal(value, expected):
            return self._fail(self._wrong())
        return self._success(None)

    def _gtc(self, data: bytes) -> Outcome:
        assert self.identity is not None
        typed = data.decode("utf-8", "replace")
        if not self.users.check(self.identity, typed):
            return self._fail(self._wrong())
        return self._success(None)

    def _mschapv2(self, data: bytes) -> Outcome:
        message = decode_mschap(data)
        if self._pending is not None:  # the peer acknowledged our Success or Failure
            outcome, self._pending = self._pending, None
            return outcome
        if message.opcode != OpCode.RESPONSE:
            return self._fail(f"unexpected EAP-MSCHAPv2 {message.opcode.name}")
        response = decode_mschap_response(message.body)
        self.identity = response.name or self.identity
        password = self._password()
        if password is None:
            return self._mschap_failure(self._wrong())
        expected = mschapv2.nt_response(
            self._challenge, response.peer_challenge, response.name, password
        )
        if not mschapv2.responses_equal(expected, response.nt_response):
            return self._mschap_failure(self._wrong())
        proof = mschapv2.authenticator_response(
            password, response.nt_response, response.peer_challenge, self._challenge, response.name
        )
        body = f"{proof} M=Welcome".encode()
        request = self._request(
            EapType.MSCHAPV2, MsChap(OpCode.SUCCESS, message.ms_id, body).encode()
        )
        self._pending = self._success(mschapv2.msk(password, response.nt_response))
        return Outcome(request)

    def _mschap_failure(self, reason: str) -> Outcome:
        body = f"E=691 R=0 C={self._challenge.hex().upper()} V=3 M=Authentication failed"
        request = self._request(
            EapType.MSCHAPV2, MsChap(OpCode.FAILURE, self._identifier, body.encode()).encode()
        )
        self._pending = self._fail(reason)
        return Outcome(request, failure=reason)

    def _password(self) -> str | None:
        return None if self.identity is None else self.users.password(self.identity)

    def _wrong(self) -> str:
        unknown = self.identity is None or self.users.password(self.identity) is None
        if unknown and self.method != EapType.GTC:
            return f"no clear-text password for user '{self.identity}' (unknown, or a secret)"
        return f"wrong password for user '{self.identity}'"

    def _next_id(self) -> int:
        self._identifier = (self._identifier + 1) % 256
        return self._identifier

    def _request(self, method: EapType, data: bytes) -> EapPacket:
        return EapPacket(Code.REQUEST, self._next_id(), method, data)

    # Success and Failure carry the identifier of the response they answer (RFC 3748 4.2).
    def _success(self, msk: bytes | None) -> Outcome:
        return Outcome(EapPacket(Code.SUCCESS, self._identifier), msk=msk)

    def _fail(self, reason: str) -> Outcome:
        return Outcome(EapPacket(Code.FAILURE, self._identifier), failure=reason)
