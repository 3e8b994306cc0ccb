"""Every public log in the corpus gets the right verdict, cause, decisive lines and timeline."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pyike.explain import explain_texts
from pyike.explain.report import Report
from tests.support.paths import EXPLAIN_CORPUS


@dataclass(frozen=True)
class Expected:
    outcome: str
    cause: str
    decisive: tuple[int, ...]  # line numbers that must be quoted as evidence
    exchanges: tuple[tuple[str, ...], ...]  # per timeline, in order: "TYPE/purpose/result"
    differing: tuple[str, ...] = ()


CASES: dict[str, Expected] = {
    "asa-psk-mismatch-responder.log": Expected(
        "failure",
        "psk_mismatch",
        (158, 164),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/failed"),),
    ),
    "asa-auth-method-mismatch-responder.log": Expected(
        "failure",
        "auth_method_mismatch",
        (84, 89),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/failed"),),
    ),
    "asa-dh-group-mismatch-responder.log": Expected(
        "failure",
        "ike_proposal_mismatch",
        (55, 57, 61, 74),
        (("IKE_SA_INIT/initial/failed",),),
        ("DH group",),
    ),
    "asa-ike-proposal-mismatch-received-expected.log": Expected(
        "failure",
        "ike_proposal_mismatch",
        (2, 8, 10),
        ((),),
        ("PRF", "integrity", "DH group"),
    ),
    "asa-transform-set-mismatch-responder.log": Expected(
        "partial",
        "child_proposal_mismatch",
        (88, 90, 94, 107),
        (("IKE_AUTH/initial/failed", "INFORMATIONAL/delete/ok"),),
        ("encryption",),
    ),
    "iosxe-16.7-child-no-proposal-then-no-response.log": Expected(
        "failure",
        "child_proposal_mismatch",
        (98,),
        (
            (
                "IKE_SA_INIT/initial/ok",
                "IKE_AUTH/initial/failed",
                "INFORMATIONAL/delete/ok",
                "INFORMATIONAL/delete/ok",
            ),
            ("IKE_SA_INIT/initial/no_response",),
        ),
    ),
    "iosxe-certificate-no-trustpoint.log": Expected(
        "failure",
        "certificate_error",
        (22,),
        (("IKE_AUTH/initial/in_progress",),),
    ),
}


def explain_file(name: str) -> Report:
    path = EXPLAIN_CORPUS / name
    return explain_texts([(name, path.read_text(encoding="utf-8"))])


def test_every_corpus_log_has_an_expectation() -> None:
    logs = {path.name for path in EXPLAIN_CORPUS.glob("*.log")}
    assert logs == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdict_cause_and_decisive_lines(name: str) -> None:
    expected = CASES[name]
    report = explain_file(name)
    assert (report.verdict.outcome, report.verdict.cause) == (expected.outcome, expected.cause)
    quoted = {evidence.line for evidence in report.verdict.evidence}
    assert set(expected.decisive) <= quoted
    assert tuple(report.verdict.differing) == expected.differing


@pytest.mark.parametrize("name", sorted(CASES))
def test_timeline_exchanges(name: str) -> None:
    expected = CASES[name]
    report = explain_file(name)
    found = tuple(
        tuple(f"{ex.type}/{ex.purpose}/{ex.result}" for ex in timeline.exchanges)
        for timeline in report.timelines
    )
    assert found == expected.exchanges


def test_psk_mismatch_timeline_details() -> None:
    report = explain_file("asa-psk-mismatch-responder.log")
    (timeline,) = report.timelines
    assert timeline.role == "responder"
    assert (timeline.spi_i, timeline.spi_r) == ("D7307E13C686A26E", "1FDBEBAAE40753CF")
    assert (timeline.local, timeline.remote) == ("30.30.30.1:500", "20.20.20.1:500")
    assert timeline.nat == "none"
    init, auth = timeline.exchanges
    assert init.request is not None and init.request.direction == "received"
    assert init.request.proposals[0].transforms == [
        "AES-CBC",
        "SHA1",
        "SHA256",
        "DH_GROUP_2048_MODP/Group 14",
    ]
    assert auth.request is not None
    assert auth.request.ts_i == ["10.0.0.10-10.0.0.10", "10.0.0.0-10.0.0.255"]
    # IOS's abbreviation is reported under its IANA name.
    assert "ESP_TFC_PADDING_NOT_SUPPORTED" in auth.request.notifies
    assert auth.response is not None and auth.response.notifies == ["AUTHENTICATION_FAILED"]


def test_iosxe_child_rejection_names_transport_mode_and_the_later_silence() -> None:
    report = explain_file("iosxe-16.7-child-no-proposal-then-no-response.log")
    first, last = report.timelines
    assert first.ike_up is not None and first.child_up is None
    assert report.findings[0].outcome == "partial"
    assert "USE_TRANSPORT_MODE" in report.verdict.detail
    assert report.findings[1].cause == "no_response"
    assert last.exchanges[0].retransmits == 3
    assert last.admin_clear is not None
    assert (
        "iosxe-16.7-child-no-proposal-then-no-response.log",
        "no_response",
    ) in report.verdict.also
    assert first.local == "FC00:123:123:123::2:500"
    skipped = {item.line: item.reason for item in report.skipped}
    assert skipped[2] == "CLI prompt or command"
    assert skipped[10] == "syslog message (not IKEv2 debug)"
