"""`authentication remote|local` is enforced: a profile demanding a signature never accepts a
pre-shared key in its place, and a side without the means to sign (no PKI, EAP) never sends
a PSK instead. Certificates themselves: tests/exchange/test_certificates.py."""

from __future__ import annotations

import pytest

from pyike.codec.registry import NotifyType
from pyike.ike import IkeSaUp, NegotiationFailed
from pyike.ike.ike_auth import METHOD_MISMATCH
from pyike.ike.trace import ErrorTrace
from tests.support.harness import pair
from tests.support.policies import R1, R2, site


def _failures(node: object) -> list[tuple[NotifyType | None, bool]]:
    return [(e.notify, e.sent) for e in node.of_type(NegotiationFailed)]  # type: ignore[attr-defined]


def _errors(node: object) -> list[str]:
    return [r.text for r in node.trace if isinstance(r, ErrorTrace)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", ["rsa-sig", "ecdsa-sig"])
def test_responder_demanding_a_signature_refuses_a_psk_initiator(method: str) -> None:
    h = pair(p1=site(R1, R2), p2=site(R2, R1, auth_remote=(method,)))
    assert (NotifyType.AUTHENTICATION_FAILED, True) in _failures(h["R2"])
    assert (NotifyType.AUTHENTICATION_FAILED, False) in _failures(h["R1"])
    assert METHOD_MISMATCH in _errors(h["R2"])
    assert not h["R1"].of_type(IkeSaUp) and not h["R2"].of_type(IkeSaUp)
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []


@pytest.mark.parametrize("method", ["rsa-sig", "ecdsa-sig"])
def test_initiator_demanding_a_signature_refuses_a_psk_responder(method: str) -> None:
    h = pair(p1=site(R1, R2, auth_remote=(method,)), p2=site(R2, R1))
    assert ("I_PROC_AUTH", "EV_AUTH_FAIL") in h["R1"].sm()
    assert METHOD_MISMATCH in _errors(h["R1"])
    assert (NotifyType.AUTHENTICATION_FAILED, False) in _failures(h["R1"])
    assert h["R1"].engine.ike_sas == []


def test_psk_is_accepted_where_it_is_one_of_the_remote_methods() -> None:
    h = pair(p1=site(R1, R2), p2=site(R2, R1, auth_remote=("rsa-sig", "pre-share")))
    assert h["R1"].of_type(IkeSaUp) and h["R2"].of_type(IkeSaUp)


@pytest.mark.parametrize(
    ("method", "lacking"), [("rsa-sig", "no trustpoint is configured"), ("eap", "EAP is not")]
)
def test_a_signing_initiator_never_sends_a_psk_instead(method: str, lacking: str) -> None:
    h = pair(p1=site(R1, R2, auth_local=method), p2=site(R2, R1))
    assert any(lacking in t for t in _errors(h["R1"]))
    assert not [r for r in h.wire if r.exchange == "IKE_AUTH"]
    assert h["R1"].engine.ike_sas == [] and not h["R2"].of_type(IkeSaUp)


def test_a_signing_responder_answers_authentication_failed() -> None:
    h = pair(p1=site(R1, R2), p2=site(R2, R1, auth_local="ecdsa-sig"))
    assert (NotifyType.AUTHENTICATION_FAILED, True) in _failures(h["R2"])
    assert (NotifyType.AUTHENTICATION_FAILED, False) in _failures(h["R1"])
    assert not h["R1"].of_type(IkeSaUp)


def test_a_responder_the_initiator_cannot_authenticate_does_not_stay_up() -> None:
    """RFC 7296 2.21.2: the initiator reports AUTHENTICATION_FAILED in an INFORMATIONAL, and
    the responder, which had already installed the SA, removes it."""
    h = pair(p1=site(R1, R2), p2=site(R2, R1, psk_local=b"other"))
    informational = [r for r in h.wire if r.exchange == "INFORMATIONAL" and r.sender == "R1"]
    assert len(informational) == 1
    assert h["R2"].engine.ike_sas == []
    assert (NotifyType.AUTHENTICATION_FAILED, False) in _failures(h["R2"])
    assert not h["R2"].sad.children
