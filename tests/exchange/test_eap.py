"""EAP in IKE_AUTH (RFC 7296 2.16) between two engines: the client sends IDi without AUTH,
the server authenticates itself with its PSK and runs EAP against its users, both end with
AUTH payloads made with the EAP key, and the Child SA comes up; a wrong password fails."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.codec import AuthPayload, EapPayload, IdPayload
from pyike.codec.registry import NotifyType
from pyike.eap.packet import EapType
from pyike.ike import IkeSaUp, NegotiationFailed
from pyike.ike.eap_directory import EapCredentials
from pyike.ike.trace import ErrorTrace
from tests.support.harness import check_consistent, check_data_path, only_sa, open_as, pair
from tests.support.policies import R1, R2, site


class Directory:
    def __init__(self, credentials: EapCredentials | str, **users: str) -> None:
        self.given = credentials
        self.clear = users

    def users(self, profile: str) -> Directory:
        return self

    def credentials(self, profile: str) -> EapCredentials | str:
        return self.given

    def psk_group(self, profile: str) -> None:
        return None

    def password(self, name: str) -> str | None:
        return self.clear.get(name)

    def check(self, name: str, typed: str) -> bool:
        return self.clear.get(name) == typed


def eap_pair(
    method: EapType | None = None, password: str = "s3cret", *, query: bool = False
) -> object:
    client = replace(
        site(R1, R2, auth_local="eap"),
        eap_directory=Directory(EapCredentials("alice", password, method)),
    )
    server = site(R2, R1, auth_remote=("eap",))
    profile = replace(server.profiles[0], eap_query_identity=query)
    server = replace(server, profiles=(profile,), eap_directory=Directory("unused", alice="s3cret"))
    return pair(p1=client, p2=server)


def _ike_auth(h: object, sender: str) -> list[object]:
    return [r for r in h.wire if r.exchange == "IKE_AUTH" and r.sender == sender]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "query", "rounds"),
    [
        (EapType.MSCHAPV2, False, 4),  # IDi, MSCHAPv2 Response, Success ack, AUTH
        (None, False, 4),  # the client takes the server's first offer, MSCHAPv2
        (EapType.MD5, False, 4),  # IDi, Nak (MD5 wanted), MD5 Response, AUTH
        (EapType.GTC, True, 5),  # IDi, Identity (GTC names no user), Nak, GTC Response, AUTH
    ],
)
def test_eap_client_comes_up_with_each_method(
    method: EapType | None, query: bool, rounds: int
) -> None:
    h = eap_pair(method, query=query)
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)  # type: ignore[index]
    check_consistent(h)  # type: ignore[arg-type]
    check_data_path(h)  # type: ignore[arg-type]
    assert len(_ike_auth(h, "R1")) == rounds
    assert len(_ike_auth(h, "R2")) == len(_ike_auth(h, "R1"))


def test_first_and_last_messages_carry_what_rfc_7296_says() -> None:
    h = eap_pair(EapType.MSCHAPV2)
    sa = only_sa(h, "R1")  # type: ignore[arg-type]

    def kinds(record: object) -> list[type]:
        by_initiator = record.sender == "R1"  # type: ignore[attr-defined]
        _, payloads = open_as(sa, record.datagram.data, sent_by_initiator=by_initiator)  # type: ignore[attr-defined]
        return [type(p) for p in payloads]

    requests, responses = _ike_auth(h, "R1"), _ike_auth(h, "R2")
    assert IdPayload in kinds(requests[0]) and AuthPayload not in kinds(requests[0])
    assert {IdPayload, AuthPayload, EapPayload} <= set(kinds(responses[0]))
    assert kinds(requests[1]) == [EapPayload]
    assert kinds(requests[-1]) == [AuthPayload]
    final = kinds(responses[-1])
    assert AuthPayload in final and IdPayload not in final and EapPayload not in final


def test_query_identity_asks_the_identity_first() -> None:
    h = eap_pair(EapType.MSCHAPV2, query=True)
    assert h["R1"].of_type(IkeSaUp)  # type: ignore[index]
    assert "Sending EAP request (IDENTITY)" in [r.text for r in h["R2"].trace if hasattr(r, "text")]  # type: ignore[index]


@pytest.mark.parametrize("method", [EapType.MSCHAPV2, EapType.MD5, EapType.GTC])
def test_wrong_password_fails_both_sides(method: EapType) -> None:
    h = eap_pair(method, password="guess", query=method == EapType.GTC)
    assert not h["R1"].of_type(IkeSaUp) and not h["R2"].of_type(IkeSaUp)  # type: ignore[index]
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]  # type: ignore[index]
    assert "EAP authentication failed: wrong password for user 'alice'" in errors
    failed = h["R1"].of_type(NegotiationFailed)  # type: ignore[index]
    assert failed and failed[0].notify == NotifyType.AUTHENTICATION_FAILED
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []  # type: ignore[index]


def test_server_without_eap_refuses_an_eap_client() -> None:
    client = replace(
        site(R1, R2, auth_local="eap"),
        eap_directory=Directory(EapCredentials("alice", "s3cret")),
    )
    h = pair(p1=client, p2=site(R2, R1))
    assert not h["R1"].of_type(IkeSaUp)
    failed = h["R2"].of_type(NegotiationFailed)
    assert failed and failed[0].notify == NotifyType.AUTHENTICATION_FAILED
