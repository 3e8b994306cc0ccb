"""pyike's RADIUS client against a real FreeRADIUS (started by the test on a loopback port):
EAP relayed round by round (EAP-Message, Message-Authenticator, State), with pyike's own EAP
peer as the client: Access-Accept with the MSK that peer derives for EAP-MSCHAPv2, Access-
Reject for a wrong password, and a plain Access-Request."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from pyike.aaa.radius import RadiusAnswer, RadiusClient, RadiusServer
from pyike.eap.packet import Code, EapPacket, EapType, decode
from pyike.eap.peer import Peer
from tests.support.freeradius import Radius, free_udp_port, freeradius

USERS = 'alice Cleartext-Password := "Alice-Pass1"\n'


@pytest.fixture(scope="module")
def radius(tmp_path_factory: pytest.TempPathFactory) -> Radius:  # type: ignore[misc]
    with freeradius(tmp_path_factory.mktemp("radius"), USERS) as server:
        yield server


def client(radius: Radius, secret: str | None = None) -> RadiusClient:
    server = RadiusServer("FR", radius.address, radius.port, (secret or radius.secret).encode())
    return RadiusClient(server, timeout=2.0, retries=2)


async def relay(rc: RadiusClient, peer: Peer) -> tuple[RadiusAnswer, int]:
    """Identity, then every server request answered by ``peer``, until accept or reject."""
    response = EapPacket(Code.RESPONSE, 0, EapType.IDENTITY, peer.username.encode())
    state = None
    for rounds in range(1, 10):
        answer = await rc.eap(peer.username, response.encode(), state)
        if answer.outcome != "challenge":
            return answer, rounds
        step = peer.receive(answer.eap)
        assert step.response is not None, step.failure
        response, state = step.response, answer.state
    raise AssertionError("no end to the EAP conversation")


@pytest.mark.parametrize("method", [EapType.MSCHAPV2, EapType.MD5, EapType.GTC])
def test_eap_through_freeradius_accepts_the_right_password(radius: Radius, method: EapType) -> None:
    peer = Peer("alice", "Alice-Pass1", method, os.urandom)
    answer, _ = asyncio.run(relay(client(radius), peer))
    assert answer.outcome == "accept", answer
    assert decode(answer.eap).code == Code.SUCCESS
    assert peer.receive(answer.eap).success
    if method == EapType.MSCHAPV2:
        assert answer.msk is not None and answer.msk == peer.msk  # RFC 3079 keys both ways
    else:
        assert answer.msk is None or len(answer.msk) == 64


def test_eap_through_freeradius_rejects_a_wrong_password(radius: Radius) -> None:
    peer = Peer("alice", "guess", EapType.MSCHAPV2, os.urandom)
    answer, _ = asyncio.run(relay(client(radius), peer))
    assert answer.outcome == "reject" and answer.msk is None


def test_a_wrong_shared_secret_is_an_error_not_an_accept(radius: Radius) -> None:
    peer = Peer("alice", "Alice-Pass1", EapType.MSCHAPV2, os.urandom)
    answer = asyncio.run(
        client(radius, "not-the-secret").eap("alice", b"\x02\x00\x00\x0a\x01alice", None)
    )
    assert answer.outcome == "error"
    del peer


def test_plain_access_request(radius: Radius) -> None:
    assert asyncio.run(client(radius).authorize("alice", "Alice-Pass1")).outcome == "accept"
    assert asyncio.run(client(radius).authorize("alice", "nope")).outcome == "reject"


def test_a_silent_server_is_an_error(tmp_path: Path) -> None:
    rc = RadiusClient(
        RadiusServer("GONE", "127.0.0.1", free_udp_port(), b"x"), timeout=0.2, retries=2
    )
    answer = asyncio.run(rc.authorize("alice", "pw"))
    assert answer.outcome == "error" and "is not responding" in answer.reason
