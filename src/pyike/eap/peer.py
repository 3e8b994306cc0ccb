"""The EAP peer (client): answers Identity with the user name, the configured method's
request with its response (any other method's with a Nak for the configured one), checks an
EAP-MSCHAPv2 authenticator's proof, and keeps the MSK."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.eap import mschapv2
from pyike.eap.authenticator import Random
from pyike.eap.methods import (
    CHALLENGE_LENGTH,
    MsChap,
    MsChapResponse,
    OpCode,
    decode_mschap,
    md5_value,
    split_value,
    value_and_name,
)
from pyike.eap.packet import Code, EapError, EapPacket, EapType, decode

_HANDLED = (EapType.MSCHAPV2, EapType.MD5, EapType.GTC)


@dataclass(frozen=True)
class PeerStep:
    """What the peer does with a packet: answers it (``response``), or the conversation
    ended: ``success`` (``msk`` set for EAP-MSCHAPv2) or not, and why (``failure``)."""

    response: EapPacket | None = None
    success: bool = False
    failure: str | None = None


class Peer:
    def __init__(
        self, username: str, password: str, method: EapType | None, random: Random
    ) -> None:
        self.username = username
        self.password = password
        self.method = method  # None: whichever of MD5, GTC, MSCHAPv2 the server offers
        self.random = random
        self.msk: bytes | None = None
        self._proof: str | None = None  # the S=... an MSCHAPv2 authenticator must send
        self._proven = False

    def receive(self, data: bytes) -> PeerStep:
        try:
            return self._receive(decode(data))
        except EapError as error:
            return PeerStep(failure=f"malformed EAP request: {error}")

    def _receive(self, packet: EapPacket) -> PeerStep:
        if packet.code == Code.SUCCESS:
            if self._proof is not None and not self._proven:
                return PeerStep(failure="EAP Success before the server proved its identity")
            return PeerStep(success=True)
        if packet.code == Code.FAILURE:
            return PeerStep(failure="EAP Failure from the server")
        if packet.code != Code.REQUEST:
            return PeerStep(failure=f"unexpected EAP {packet.code.name}")
        if packet.type == EapType.IDENTITY:
            return self._answer(packet, self.username.encode())
        if packet.type == EapType.NOTIFICATION:
            return self._answer(packet, b"")
        if packet.type not in _HANDLED or (self.method and packet.type != self.method):
            wanted = self.method or EapType.MSCHAPV2
            return PeerStep(
                EapPacket(Code.RESPONSE, packet.identifier, EapType.NAK, bytes([wanted]))
            )
        if packet.type == EapType.MD5:
            challenge, _ = split_value(packet.data)
            value = md5_value(packet.identifier, self.password, challenge)
            return self._answer(packet, value_and_name(value, self.username))
        if packet.type == EapType.GTC:
            return self._answer(packet, self.password.encode())
        return self._mschapv2(packet)

    def _mschapv2(self, packet: EapPacket) -> PeerStep:
        message = decode_mschap(packet.data)
        if message.opcode == OpCode.CHALLENGE:
            challenge, _ = split_value(message.body)
            if len(challenge) != CHALLENGE_LENGTH:
                raise EapError(f"EAP-MSCHAPv2 challenge of {len(challenge)} bytes")
            mine = self.random(CHALLENGE_LENGTH)
            nt = mschapv2.nt_response(challenge, mine, self.username, self.password)
            self._proof = mschapv2.authenticator_response(
                self.password, nt, mine, challenge, self.username
            )
            self.msk = mschapv2.msk(self.password, nt)
            body = MsChapResponse(mine, nt, self.username).body()
            return self._answer(packet, MsChap(OpCode.RESPONSE, message.ms_id, body).encode())
        if message.opcode == OpCode.SUCCESS:
            text = message.body.decode("utf-8", "replace")
            proof = text.split(" ", 1)[0]
            if self._proof is None or not mschapv2.responses_equal(proof, self._proof):
                return PeerStep(failure="the server's EAP-MSCHAPv2 proof is wrong")
            self._proven = True
            return self._answer(packet, MsChap(OpCode.SUCCESS, message.ms_id).encode(short=True))
        if message.opcode == OpCode.FAILURE:
            self.msk = None
            return self._answer(packet, MsChap(OpCode.FAILURE, message.ms_id).encode(short=True))
        raise EapError(f"unexpected EAP-MSCHAPv2 {message.opcode.name} from the server")

    @staticmethod
    def _answer(packet: EapPacket, data: bytes) -> PeerStep:
        assert packet.type is not None
        return PeerStep(EapPacket(Code.RESPONSE, packet.identifier, packet.type, data))
