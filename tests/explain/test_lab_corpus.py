"""The debug logs pyike's own lab prints for each `pyike lab --scenario`, read by `pyike
explain`: right verdict, cause, decisive lines and timeline, and still what the lab prints.

The logs are under corpus/lab/, one file per router as an engineer would paste them from
the console (prompts included, no "RouterN: " prefix). After an intended change of the lab's
output, regenerate them with PYIKE_REGENERATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from pyike.explain import explain_texts
from pyike.explain.report import Report
from pyike.lab.scenarios import ROUTERS, SCENARIOS, ScenarioResult, run_scenario
from tests.support.paths import EXPLAIN_CORPUS

LAB_CORPUS = EXPLAIN_CORPUS / "lab"


@dataclass(frozen=True)
class Expected:
    outcome: str
    cause: str
    decisive: tuple[tuple[str, int, str], ...]  # (router, line, what the line says)
    # (router, how the exchanges of its first IKE SA begin)
    exchanges: tuple[tuple[str, tuple[str, ...]], ...]


INITIAL_OK = ("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/ok")
AUTH_FAILED = ("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/failed")
KE_RETRY = ("IKE_SA_INIT/initial/failed", "IKE_AUTH/initial/ok")
INIT_FAILED = ("IKE_SA_INIT/initial/failed",)
# IDi without AUTH, the MSCHAPv2 response, its Success acknowledgement... refused
EAP_FAILED = (*INITIAL_OK, "IKE_AUTH/initial/ok", "IKE_AUTH/initial/ok", "IKE_AUTH/initial/failed")

CASES: dict[str, Expected] = {
    "psk-mismatch": Expected(
        "failure",
        "psk_mismatch",
        (
            ("Router2", 163, "Verification of peer's authentication data FAILED"),
            ("Router2", 165, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "aaa-authorization-failed": Expected(
        "failure",
        "aaa_authorization_failed",
        (
            ("Router2", 173, "AAA authorization failed: authorization policy SPOKES is not"),
            ("Router2", 177, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "pool-exhausted": Expected(
        "partial",
        "address_pool_exhausted",
        (
            ("Router2", 442, "Failed to allocate an address from pool SPOKES"),
            ("Router2", 451, "Construct Notify Payload: INTERNAL_ADDRESS_FAILURE"),
            ("Router3", 171, "Parse Notify Payload: INTERNAL_ADDRESS_FAILURE"),
        ),
        (("Router1", INITIAL_OK), ("Router3", AUTH_FAILED)),
    ),
    "proposal-mismatch": Expected(
        "failure",
        "ike_proposal_mismatch",
        (
            ("Router2", 45, "Failed to find a matching policy"),
            ("Router2", 40, "Construct Notify Payload: NO_PROPOSAL_CHOSEN"),
        ),
        (("Router1", INIT_FAILED), ("Router2", INIT_FAILED)),
    ),
    "transform-mismatch": Expected(
        "partial",
        "child_proposal_mismatch",
        (("Router2", 184, "Construct Notify Payload: NO_PROPOSAL_CHOSEN"),),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "transport-mismatch": Expected(
        "partial",
        "child_proposal_mismatch",
        (("Router2", 185, "Construct Notify Payload: NO_PROPOSAL_CHOSEN"),),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "ts-mismatch": Expected(
        "partial",
        "ts_mismatch",
        (("Router2", 184, "Construct Notify Payload: TS_UNACCEPTABLE"),),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "no-response": Expected(
        "failure",
        "no_response",
        (
            ("Router1", 27, "Exchange type: IKE_SA_INIT, flags: INITIATOR"),
            ("Router1", 51, "Retransmitting packet, message id 0"),
            ("Router1", 61, "Maximum number of retransmissions reached"),
        ),
        (("Router1", INIT_FAILED),),
    ),
    "invalid-ke": Expected(
        "success",
        "invalid_ke",
        (
            ("Router2", 45, "Construct Notify Payload: INVALID_KE_PAYLOAD"),
            ("Router1", 53, "Parse Notify Payload: INVALID_KE_PAYLOAD"),
            ("Router1", 265, "CurState: READY Event: EV_I_OK"),
        ),
        (("Router1", KE_RETRY), ("Router2", KE_RETRY)),
    ),
    "nat": Expected(
        "success",
        "success",
        (
            ("Router1", 220, "CurState: READY Event: EV_I_OK"),
            ("Router2", 236, "CurState: READY Event: EV_R_OK"),
        ),
        (("Router1", INITIAL_OK), ("Router2", INITIAL_OK)),
    ),
    "collision": Expected(
        "success",
        "success",
        (
            ("Router1", 219, "CurState: READY Event: EV_I_OK"),
            ("Router2", 235, "CurState: READY Event: EV_R_OK"),
        ),
        (("Router1", INITIAL_OK), ("Router2", INITIAL_OK)),
    ),
    "dmvpn-spoke-to-spoke": Expected(
        "success",
        "success",
        (
            ("Router2", 508, "CurState: READY Event: EV_R_OK"),  # the SA between the spokes
            ("Router3", 487, "CurState: READY Event: EV_I_OK"),
        ),
        (("Router1", INITIAL_OK), ("Router2", INITIAL_OK), ("Router3", INITIAL_OK)),
    ),
    "certificates": Expected(
        "success",
        "success",
        (("Router1", 256, "EV_I_OK"), ("Router2", 270, "EV_R_OK")),
        (("Router1", INITIAL_OK), ("Router2", INITIAL_OK)),
    ),
    "cert-expired": Expected(
        "failure",
        "certificate_expired",
        (
            ("Router2", 190, "Certificate (SN: 02) has expired"),
            ("Router2", 196, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "cert-untrusted-issuer": Expected(
        "failure",
        "certificate_untrusted",
        (
            ("Router2", 187, "CRYPTO_PKI: (A16A8) No suitable trustpoints found"),
            ("Router2", 195, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "cert-identity-mismatch": Expected(
        "failure",
        "certificate_identity_mismatch",
        (
            ("Router2", 191, "Peer identity 10.0.0.1 is not in its certificate"),
            ("Router2", 197, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
    "eap-bad-password": Expected(
        "failure",
        "eap_failure",
        (
            ("Router2", 189, "EAP authentication failed: wrong password for user 'alice'"),
            ("Router1", 201, "EAP authentication failed: EAP Failure from the server"),
        ),
        (("Router1", EAP_FAILED), ("Router2", EAP_FAILED)),
    ),
    "cert-revoked": Expected(
        "failure",
        "certificate_revoked",
        (
            ("Router2", 192, "Certificate (SN: 02) is revoked"),
            ("Router2", 198, "Construct Notify Payload: AUTHENTICATION_FAILED"),
        ),
        (("Router1", AUTH_FAILED), ("Router2", AUTH_FAILED)),
    ),
}


def log_path(name: str, host: str) -> Path:
    return LAB_CORPUS / f"{name}-{host.lower()}.log"


@cache
def lab_run(name: str) -> ScenarioResult:
    return run_scenario(name)


def explain_logs(name: str) -> Report:
    return explain_texts(
        [
            (host, log_path(name, host).read_text(encoding="utf-8"))
            for host in SCENARIOS[name].routers
        ]
    )


def test_every_scenario_has_logs_and_an_expectation() -> None:
    assert set(CASES) == set(SCENARIOS)
    logs = {path.name for path in LAB_CORPUS.glob("*.log")}
    expected = {log_path(name, host).name for name, s in SCENARIOS.items() for host in s.routers}
    assert logs == expected


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_lab_still_prints_these_logs(name: str) -> None:
    result = lab_run(name)
    assert result.ok, result.problems
    for host in SCENARIOS[name].routers:
        path = log_path(name, host)
        if os.environ.get("PYIKE_REGENERATE_GOLDEN"):
            path.write_text(result.transcripts[host], encoding="utf-8")
        assert result.transcripts[host] == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdict_cause_and_decisive_lines(name: str) -> None:
    expected = CASES[name]
    report = explain_logs(name)
    verdict = report.verdict
    assert (verdict.outcome, verdict.cause) == (expected.outcome, expected.cause)
    quoted = {(evidence.source, evidence.line): evidence.text for evidence in verdict.evidence}
    for host, line, says in expected.decisive:
        assert says in quoted.get((host, line), ""), (host, line, says, quoted)


@pytest.mark.parametrize("name", sorted(CASES))
def test_timeline_exchanges(name: str) -> None:
    report = explain_logs(name)
    for host, exchanges in CASES[name].exchanges:
        first = next(timeline for timeline in report.timelines if timeline.router == host)
        found = tuple(f"{x.type}/{x.purpose}/{x.result}" for x in first.exchanges)
        assert found[: len(exchanges)] == exchanges


def test_nat_is_detected_on_both_routers() -> None:
    report = explain_logs("nat")
    for host in ROUTERS:
        first = next(timeline for timeline in report.timelines if timeline.router == host)
        assert first.nat == "detected"
        assert first.nat_evidence is not None and "NAT" in first.nat_evidence.text


def test_collision_logs_show_both_rekeys_resolved() -> None:
    report = explain_logs("collision")
    for host in ROUTERS:
        rekeys = [
            exchange
            for timeline in report.timelines
            if timeline.router.startswith(host)
            for exchange in timeline.exchanges
            if exchange.purpose == "ike_rekey"
        ]
        assert rekeys and all(exchange.result == "ok" for exchange in rekeys)
        text = log_path("collision", host).read_text(encoding="utf-8")
        assert "IKE SA rekey collision" in text and "Child SA rekey collision:" in text


def test_no_response_log_of_the_silent_peer_is_empty() -> None:
    """Router 2 never heard Router 1: its log holds only the debug commands."""
    report = explain_logs("no-response")
    assert {timeline.router for timeline in report.timelines} == {"Router1"}
    text = log_path("no-response", "Router2").read_text(encoding="utf-8")
    assert "IKEv2:" not in text
