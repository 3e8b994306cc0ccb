"""A RADIUS client for EAP pass-through (RFC 3579) and authorization: Access-Request with
EAP-Message (split into 253-byte attributes) and Message-Authenticator, the State of an
Access-Challenge carried into the next request, the MSK of an Access-Accept from its
MS-MPPE-Recv-Key and MS-MPPE-Send-Key (RFC 2548, decrypted with the shared secret), Cisco's
`Cisco-AVPair` attributes as given. pyrad encodes, decodes and checks (Response
Authenticator, Message-Authenticator); asyncio sends, with retransmissions."""

from __future__ import annotations

import asyncio
from dataclasses import KW_ONLY, dataclass, field
from importlib import resources

from pyrad import packet
from pyrad.dictionary import Dictionary

EAP_CHUNK = 253  # an attribute's value holds at most 253 bytes (RFC 3579 3.1)
MS_KEY_LENGTH = 32  # MS-MPPE keys as FreeRADIUS sends them (RFC 3079 keys, padded)


def dictionary() -> Dictionary:
    with resources.as_file(resources.files("pyike") / "data" / "radius.dictionary") as path:
        return Dictionary(str(path))


@dataclass(frozen=True)
class RadiusServer:
    """`radius server NAME` with `address ipv4 A auth-port N` and `key`."""

    name: str
    address: str
    auth_port: int = 1812
    secret: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class RadiusAnswer:
    """What the server said: `accept`, `challenge` (more EAP to come), `reject`, or `error`
    (no answer, or one that failed its checks: ``reason`` says which)."""

    outcome: str
    eap: bytes = b""
    state: bytes | None = None
    msk: bytes | None = field(default=None, repr=False)
    avpairs: tuple[str, ...] = ()
    reason: str = ""


_OUTCOMES = {
    packet.AccessAccept: "accept",
    packet.AccessChallenge: "challenge",
    packet.AccessReject: "reject",
}


class _Datagram(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.replies.put_nowait(data)


@dataclass(eq=False)
class RadiusClient:
    server: RadiusServer
    _: KW_ONLY
    nas_identifier: str = "pyike"
    timeout: float = 3.0
    retries: int = 3
    _dict: Dictionary = field(default_factory=dictionary, init=False, repr=False)

    def _request(self, user: str) -> packet.AuthPacket:
        request = packet.AuthPacket(
            code=packet.AccessRequest,
            secret=self.server.secret,
            dict=self._dict,
            id=packet.CreateID(),
        )
        request["User-Name"] = user
        request["NAS-Identifier"] = self.nas_identifier
        request["Service-Type"] = "Framed-User"
        request["NAS-Port-Type"] = "Virtual"
        return request

    async def eap(self, user: str, eap_message: bytes, state: bytes | None) -> RadiusAnswer:
        """One EAP round: the peer's EAP response relayed, the server's next EAP packet."""
        request = self._request(user)
        for offset in range(0, len(eap_message), EAP_CHUNK):
            request.AddAttribute("EAP-Message", eap_message[offset : offset + EAP_CHUNK])
        if state is not None:
            request["State"] = state
        request.add_message_authenticator()
        return await self._exchange(request)

    async def authorize(self, user: str, password: str) -> RadiusAnswer:
        """A plain Access-Request (IOS's authorization and `keyring aaa` lookups), with the
        Service-Type IOS gives authorization requests."""
        request = self._request(user)
        request["Service-Type"] = "Outbound-User"
        request["User-Password"] = request.PwCrypt(password)
        request.add_message_authenticator()
        return await self._exchange(request)

    async def _exchange(self, request: packet.AuthPacket) -> RadiusAnswer:
        raw = request.RequestPacket()
        loop = asyncio.get_running_loop()
        where = f"{self.server.address}:{self.server.auth_port}"
        try:
            transport, protocol = await loop.create_datagram_endpoint(
                _Datagram, remote_addr=(self.server.address, self.server.auth_port)
            )
        except OSError as error:
            reason = f"RADIUS server {self.server.name} ({where}): {error.strerror}"
            return RadiusAnswer("error", reason=reason)
        try:
            for _ in range(self.retries):
                transport.sendto(raw)
                try:
                    reply = await asyncio.wait_for(protocol.replies.get(), self.timeout)
                except TimeoutError:
                    continue
                return self._answer(request, reply)
        finally:
            transport.close()
        return RadiusAnswer(
            "error", reason=f"RADIUS server {self.server.name} ({where}) is not responding"
        )

    def _answer(self, request: packet.AuthPacket, raw: bytes) -> RadiusAnswer:
        try:
            reply = packet.Packet(packet=raw, secret=self.server.secret, dict=self._dict)
        except packet.PacketError as error:
            return RadiusAnswer("error", reason=f"malformed RADIUS reply: {error}")
        # RFC 3579 3.2: a reply to EAP must carry a Message-Authenticator; any reply that
        # has one is checked (pyrad), which also guards plain replies (BlastRADIUS)
        eap_sent = "EAP-Message" in request
        if not request.VerifyReply(reply, raw, enforce_ma=eap_sent):
            return RadiusAnswer(
                "error", reason=f"RADIUS reply from {self.server.name} fails its authenticators"
            )
        outcome = _OUTCOMES.get(reply.code)
        if outcome is None:
            return RadiusAnswer("error", reason=f"unexpected RADIUS code {reply.code}")
        reply.request_authenticator = request.authenticator
        eap = b"".join(reply.get("EAP-Message", []))
        state = reply.get("State", [None])[0]
        avpairs = tuple(reply.get("Cisco-AVPair", []))
        msk = None
        if outcome == "accept" and "MS-MPPE-Recv-Key" in reply and "MS-MPPE-Send-Key" in reply:
            receive = reply["MS-MPPE-Recv-Key"][0]
            send = reply["MS-MPPE-Send-Key"][0]
            msk = (receive[:MS_KEY_LENGTH] + send[:MS_KEY_LENGTH]).ljust(64, b"\0")
        return RadiusAnswer(outcome, eap, state, msk, avpairs)
