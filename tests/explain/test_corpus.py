"""Every public log in the corpus gets the right verdict, cause, decisive lines and timeline."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pyike.explain import explain_texts
from pyike.explain.catalogue import CAUSE_TEXTS
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
    "asa-no-proxy-match-responder.log": Expected(
        "partial",
        "ts_mismatch",
        (236, 263),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/failed", "INFORMATIONAL/delete/ok"),),
    ),
    "asa-nat-peer-not-in-crypto-map-responder.log": Expected(
        "partial",
        "peer_not_configured",
        (238, 194, 265),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/failed", "INFORMATIONAL/delete/ok"),),
    ),
    "asa-child-refused-ike-deleted-initiator.log": Expected(
        "partial",
        "peer_rejected_child",
        (201, 244, 271),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/ok", "INFORMATIONAL/delete/ok"),),
    ),
    "asa-working-initiator.log": Expected(
        "success",
        "success",
        (309, 339),
        (("IKE_SA_INIT/initial/ok", "IKE_AUTH/initial/ok"),),
    ),
    "iosxe-certificate-no-trustpoint.log": Expected(
        "failure",
        "certificate_untrusted",
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


def test_no_proxy_match_names_the_proposed_selectors_and_the_map_entry_searched() -> None:
    report = explain_file("asa-no-proxy-match-responder.log")
    detail = report.verdict.detail
    assert "TSi 10.0.0.10, 10.0.0.0-10.0.0.255" in detail
    assert "TSr 172.16.0.10, 172.16.0.0-172.16.0.255" in detail
    assert "crypto map VPN_MAP seq 1" in detail
    assert report.verdict.differing == []


def test_a_refusal_without_proxy_match_or_expected_policies_is_a_selector_mismatch() -> None:
    """A log without the platform line that names the failed lookup: nothing was expected and
    no PROXY MATCH came before the refusal, so no crypto map entry matched the selectors."""
    text = (EXPLAIN_CORPUS / "asa-no-proxy-match-responder.log").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "No proxy match" not in line]
    report = explain_texts([("x.log", "\n".join(lines))])
    assert (report.verdict.outcome, report.verdict.cause) == ("partial", "ts_mismatch")
    assert "no PROXY MATCH line" in report.verdict.detail
    # With a PROXY MATCH, the same refusal is about the transforms.
    tset = explain_file("asa-transform-set-mismatch-responder.log")
    assert tset.verdict.cause == "child_proposal_mismatch"


def test_nat_translated_peer_outside_the_crypto_map_is_named_with_the_nat() -> None:
    report = explain_file("asa-nat-peer-not-in-crypto-map-responder.log")
    detail = report.verdict.detail
    assert "crypto map VPN_MAP seq 1" in detail
    assert "NAT detected" in detail and "30.30.30.2" in detail and "20.20.20.1" in detail
    fixes = " ".join(fix.en for fix in CAUSE_TEXTS["peer_not_configured"].fix)
    assert "`set peer`" in fixes


def test_child_refused_unseen_then_ike_deleted_says_where_the_reason_is() -> None:
    report = explain_file("asa-child-refused-ike-deleted-initiator.log")
    assert report.verdict.needs == ["notify", "peer_log"]
    assert "no child SA" in report.verdict.detail
    (timeline,) = report.timelines
    assert timeline.ike_up is not None and timeline.child_up is None
