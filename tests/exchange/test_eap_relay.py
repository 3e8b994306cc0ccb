"""EAP relayed to AAA (RFC 3579's pass-through, as IOS does with `aaa authentication eap` to a
RADIUS group): the engine emits an `EapRelayRequest` per EAP response and waits, without
answering the peer, until the host calls `eap_answer`. Here a stand-in for the AAA server
runs pyike's own EAP authenticator; tests/aaa runs the RADIUS side against FreeRADIUS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.codec.registry import NotifyType
from pyike.eap.authenticator import Authenticator
from pyike.eap.packet import Code, EapType, decode
from pyike.ike import IkeSaUp, NegotiationFailed
from pyike.ike.eap_directory import EapCredentials, EapRelay, EapRelayAnswer
from pyike.ike.events import EapRelayRequest
from pyike.ike.trace import ErrorTrace
from tests.support.harness import Harness, check_data_path, pair
from tests.support.policies import R1, R2, site


class Users:
    def password(self, name: str) -> str | None:
        return "s3cret" if name == "alice" else None

    def check(self, name: str, typed: str) -> bool:
        return name == "alice" and typed == "s3cret"


class Directory:
    def __init__(self, credentials: EapCredentials | None = None) -> None:
        self.given = credentials

    def users(self, profile: str) -> EapRelay:
        return EapRelay("RADIUS-GROUP")

    def credentials(self, profile: str) -> EapCredentials | str:
        return self.given or "none"

    def psk_group(self, profile: str) -> None:
        return None


class FakeAaa:
    """Answers relayed EAP as a RADIUS server would: challenge, accept (with the MSK), reject."""

    def __init__(self) -> None:
        self.servers: dict[int, Authenticator] = {}
        self.seen: list[EapRelayRequest] = []

    def answer(self, request: EapRelayRequest) -> EapRelayAnswer:
        self.seen.append(request)
        server = self.servers.get(request.sa_id)
        if server is None:
            assert decode(request.eap).type == EapType.IDENTITY
            server = self.servers[request.sa_id] = Authenticator(Users(), bytes)
            return EapRelayAnswer("challenge", server.start(request.identity).encode())
        outcome = server.receive(request.eap)
        if outcome.packet.code == Code.SUCCESS:
            return EapRelayAnswer("accept", outcome.packet.encode(), outcome.msk)
        if outcome.packet.code == Code.FAILURE:
            return EapRelayAnswer("reject", outcome.packet.encode())
        return EapRelayAnswer("challenge", outcome.packet.encode())


def relay_pair(password: str = "s3cret", query: bool = False) -> Harness:
    client = replace(
        site(R1, R2, auth_local="eap"),
        eap_directory=Directory(EapCredentials("alice", password, EapType.MSCHAPV2)),
    )
    server = site(R2, R1, auth_remote=("eap",))
    profile = replace(server.profiles[0], eap_query_identity=query)
    server = replace(server, profiles=(profile,), eap_directory=Directory())
    return pair(p1=client, p2=server)


def serve(h: Harness, aaa: FakeAaa, delay: float = 0.5, drop: bool = False) -> None:
    """Runs the pair, answering each relay request ``delay`` seconds later."""
    for _ in range(40):
        h.run(until=h.now + delay)
        pending = [e for e in h["R2"].of_type(EapRelayRequest) if e not in aaa.seen]
        for request in pending:
            answer = aaa.answer(request)
            if not drop:
                h["R2"].engine.eap_answer(h.now, request.sa_id, answer)
    h.run(until=h.now + 5)


@pytest.mark.parametrize("query", [False, True])
def test_relayed_eap_brings_the_tunnel_up(query: bool) -> None:
    h = relay_pair(query=query)
    aaa = FakeAaa()
    serve(h, aaa)
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)
    check_data_path(h)
    assert aaa.seen[0].identity == ("alice" if query else "10.0.0.1")
    assert aaa.seen[0].group == "RADIUS-GROUP" and aaa.seen[0].profile == "IKEV2-SETUP"


def test_the_ike_auth_response_waits_for_aaa() -> None:
    h = relay_pair()
    aaa = FakeAaa()
    h.run(until=h.now + 1.0)  # IDi sent, relayed, no answer yet
    responses = [r for r in h.wire if r.exchange == "IKE_AUTH" and r.sender == "R2"]
    assert responses == [] and len(h["R2"].of_type(EapRelayRequest)) == 1
    serve(h, aaa)
    assert h["R1"].of_type(IkeSaUp)


def test_an_access_reject_fails_both_sides() -> None:
    h = relay_pair(password="guess")
    serve(h, FakeAaa())
    assert not h["R1"].of_type(IkeSaUp) and not h["R2"].of_type(IkeSaUp)
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("rejected the user (Access-Reject)" in t for t in errors)
    failed = h["R1"].of_type(NegotiationFailed)
    assert failed and failed[0].notify == NotifyType.AUTHENTICATION_FAILED


def test_an_unreachable_aaa_server_fails_with_its_reason() -> None:
    h = relay_pair()
    h.run(until=h.now + 1.0)
    (request,) = h["R2"].of_type(EapRelayRequest)
    gone = EapRelayAnswer("error", reason="RADIUS server FR (127.0.0.1:1812) is not responding")
    h["R2"].engine.eap_answer(h.now, request.sa_id, gone)
    h["R2"].engine.eap_answer(h.now, request.sa_id, gone)  # a second answer is ignored
    h.run(until=h.now + 5)
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("is not responding" in t for t in errors)
    assert h["R2"].engine.ike_sas == []
    # the client got AUTHENTICATION_FAILED (no IDr/AUTH was ever sent to it)
    assert h["R1"].of_type(NegotiationFailed)


def test_no_answer_leaves_the_sa_to_the_half_open_timeout() -> None:
    h = relay_pair()
    serve(h, FakeAaa(), drop=True)
    h.run(until=h.now + 60)
    assert h["R2"].engine.ike_sas == [] and not h["R1"].of_type(IkeSaUp)
