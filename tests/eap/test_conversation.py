"""An authenticator and a peer talk until Success or Failure, for each method."""

from collections.abc import Callable
from itertools import count

import pytest

from pyike.crypto import passwords
from pyike.eap.authenticator import Authenticator, Outcome
from pyike.eap.packet import Code, EapPacket, EapType, decode
from pyike.eap.peer import Peer


class Users:
    def __init__(self, **clear: str) -> None:
        self.clear = clear

    def password(self, name: str) -> str | None:
        return self.clear.get(name)

    def check(self, name: str, typed: str) -> bool:
        return self.clear.get(name) == typed


def _random() -> Callable[[int], bytes]:
    counter = count(1)
    return lambda n: bytes([next(counter) % 256]) * n


def talk(server: Authenticator, peer: Peer, identity: str | None = None) -> tuple[Outcome, int]:
    request = server.start(identity)
    rounds = 0
    while True:
        rounds += 1
        step = peer.receive(request.encode())
        assert step.response is not None, step.failure
        outcome = server.receive(step.response.encode())
        if outcome.done:
            return outcome, rounds
        request = outcome.packet


@pytest.mark.parametrize("method", [None, EapType.MSCHAPV2, EapType.MD5, EapType.GTC])
def test_right_password_succeeds(method: EapType | None) -> None:
    server = Authenticator(Users(alice="s3cret"), _random())
    peer = Peer("alice", "s3cret", method, _random())
    outcome, _ = talk(server, peer)
    assert outcome.packet.code == Code.SUCCESS
    assert server.identity == "alice"
    assert server.method == (method or EapType.MSCHAPV2)
    assert peer.receive(outcome.packet.encode()).success
    if server.method == EapType.MSCHAPV2:
        assert outcome.msk is not None and outcome.msk == peer.msk
    else:
        assert outcome.msk is None


@pytest.mark.parametrize("method", [EapType.MSCHAPV2, EapType.MD5, EapType.GTC])
def test_wrong_password_fails(method: EapType) -> None:
    server = Authenticator(Users(alice="s3cret"), _random())
    peer = Peer("alice", "guess", method, _random())
    outcome, _ = talk(server, peer)
    assert outcome.packet.code == Code.FAILURE
    assert outcome.failure == "wrong password for user 'alice'"
    assert peer.receive(outcome.packet.encode()).failure == "EAP Failure from the server"


def test_identity_from_ike_skips_the_identity_round() -> None:
    server = Authenticator(Users(alice="pw"), _random())
    first = server.start("alice")
    assert first.type == EapType.MSCHAPV2
    asked = Authenticator(Users(alice="pw"), _random()).start(None)
    assert asked.type == EapType.IDENTITY


def test_gtc_checks_a_one_way_secret() -> None:
    stored = passwords.hash_secret(9, "pw", "abcdefghijklmn")

    class Hashed(Users):
        def password(self, name: str) -> str | None:
            return None

        def check(self, name: str, typed: str) -> bool:
            return passwords.verify(9, stored, typed)

    outcome, _ = talk(Authenticator(Hashed(), _random()), Peer("bob", "pw", EapType.GTC, _random()))
    assert outcome.packet.code == Code.SUCCESS
    outcome, _ = talk(
        Authenticator(Hashed(), _random()), Peer("bob", "pw", EapType.MSCHAPV2, _random())
    )
    assert outcome.failure == "no clear-text password for user 'bob' (unknown, or a secret)"


def test_a_forged_server_proof_is_refused() -> None:
    server = Authenticator(Users(alice="pw"), _random())
    peer = Peer("alice", "pw", EapType.MSCHAPV2, _random())
    challenge = server.start("alice")
    answer = peer.receive(challenge.encode()).response
    assert answer is not None
    success_request = server.receive(answer.encode()).packet
    forged = bytearray(success_request.encode())
    forged[12] ^= 1  # a byte of the S= proof
    assert peer.receive(bytes(forged)).failure == "the server's EAP-MSCHAPv2 proof is wrong"
    # and EAP Success without the proof is refused too
    assert peer.receive(EapPacket(Code.SUCCESS, 9).encode()).failure is not None


def test_malformed_packets_are_errors_not_exceptions() -> None:
    server = Authenticator(Users(), _random())
    server.start(None)
    assert server.receive(b"\x02").failure is not None
    assert Peer("a", "b", None, _random()).receive(b"\x01\x01\x00\x09\x1a\x01").failure
    assert decode(EapPacket(Code.REQUEST, 3, 1, b"").encode()).type == EapType.IDENTITY
