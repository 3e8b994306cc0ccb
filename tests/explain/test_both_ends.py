"""Both ends of a tunnel at once: a log from each end of the same exchange is one IKE SA with
one verdict from both views, the clocks' offset shown; logs of different exchanges are said to
be so. The pairs are real: pyike's IOS debug and charon's log of one run
(corpus/strongswan), and the lab's two routers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pyike.explain import explain_texts
from pyike.explain.render_html import render_html
from pyike.explain.render_json import SCHEMA, to_dict
from pyike.explain.render_text import render_text
from pyike.explain.report import Report
from tests.support.browser import rendered_dom
from tests.support.paths import EXPLAIN_CORPUS

SWAN = EXPLAIN_CORPUS / "strongswan"


def _both(first: Path, second: Path, shift: float = 0.0) -> Report:
    """The two logs as `pyike explain FIRST SECOND` reads them; `shift` seconds are added to
    every timestamp of the second (another clock)."""
    text = second.read_text(encoding="utf-8")
    if shift:
        text = _shifted(text, shift)
    return explain_texts([(first.name, first.read_text(encoding="utf-8")), (second.name, text)])


def _shifted(text: str, seconds: float) -> str:
    def later(match: re.Match[str]) -> str:
        hours, minutes, secs = int(match[2]), int(match[3]), float(match[4])
        total = hours * 3600 + minutes * 60 + secs + seconds
        clock = f"{int(total // 3600) % 24:02d}:{int(total % 3600 // 60):02d}:{total % 60:06.3f}"
        return f"{match[1]}{clock}"

    return re.sub(r"^(Dec  4 )(\d\d):(\d\d):(\d\d\.\d{3})", later, text, flags=re.MULTILINE)


def test_ios_and_charon_logs_of_one_failed_exchange_are_one_ike_sa_and_one_verdict() -> None:
    scenario = SWAN / "ike-proposal-mismatch-charon-responder"
    report = _both(scenario / "pyike.log", scenario / "charon-2.log")
    (pair,) = report.pairing.pairs
    assert (pair.first.source, pair.second.source) == ("pyike.log", "charon-2.log")
    assert pair.how == "messages" and pair.offset is not None and abs(pair.offset) < 0.05
    verdict = report.verdict
    assert (verdict.outcome, verdict.cause, verdict.side) == (
        "failure",
        "ike_proposal_mismatch",
        "both",
    )
    # the responder's reason and the initiator's offer, each end's settings
    assert "charon-2.log (responder): peer offered: 3DES_CBC" in verdict.detail
    assert "this router accepts: AES_CBC_256 HMAC_SHA2_256_128" in verdict.detail
    assert "pyike.log (initiator): NO_PROPOSAL_CHOSEN in the IKE_SA_INIT response" in verdict.detail
    assert {line.source for line in verdict.evidence} == {"pyike.log", "charon-2.log"}
    assert "peer_log" not in verdict.needs
    text = render_text(report)
    assert "`connections.<conn>.proposals`" in text  # strongSwan's side
    assert "On the other end (pyike.log (initiator)): Make `crypto ikev2 proposal`" in text


def test_the_reason_comes_from_the_end_that_decided_whichever_is_given_first() -> None:
    scenario = SWAN / "psk-mismatch-charon-responder"
    for first, second in (("pyike.log", "charon-1.log"), ("charon-1.log", "pyike.log")):
        verdict = _both(scenario / first, scenario / second).verdict
        assert (verdict.cause, verdict.dialect, verdict.peer_dialect) == (
            "psk_mismatch",
            "strongswan",
            "ios",
        )
        assert "but MAC mismatched" in verdict.evidence[0].text


def test_the_clock_offset_between_the_logs_is_detected_and_shown() -> None:
    scenario = SWAN / "child-proposal-mismatch-charon-responder"
    report = _both(scenario / "pyike.log", scenario / "charon-2.log", shift=3725.5)
    (pair,) = report.pairing.pairs
    assert pair.offset == pytest.approx(3725.5, abs=0.05)
    assert "clock offset: charon-2.log reads +3725.5" in render_text(report)
    assert to_dict(report)["pairs"][0]["clock_offset"] == pytest.approx(3725.5, abs=0.05)


def test_logs_of_different_exchanges_are_said_to_be_so() -> None:
    report = _both(
        SWAN / "psk-mismatch-charon-responder" / "pyike.log",
        SWAN / "ike-proposal-mismatch-charon-responder" / "charon-1.log",
    )
    assert report.pairing.pairs == []
    assert "are not logs of the same exchange" in report.verdict.note
    assert "are not logs of the same exchange" in render_text(report)


def test_two_ios_routers_pair_by_spis() -> None:
    lab = EXPLAIN_CORPUS / "lab"
    report = _both(lab / "psk-mismatch-router1.log", lab / "psk-mismatch-router2.log")
    (pair,) = report.pairing.pairs
    assert pair.how == "SPIs"
    assert (report.verdict.cause, report.verdict.side) == ("psk_mismatch", "both")
    assert report.verdict.evidence[0].source == "psk-mismatch-router2.log"  # it checked the AUTH


def test_json_lists_the_pairs() -> None:
    scenario = SWAN / "ts-mismatch-charon-initiator"
    data = to_dict(_both(scenario / "pyike.log", scenario / "charon-2.log"))
    assert data["schema"] == SCHEMA == "pyike-explain/2"
    (pair,) = data["pairs"]
    first, second = data["ike_sas"][pair["first"]], data["ike_sas"][pair["second"]]
    assert (first["dialect"], second["dialect"]) == ("ios", "strongswan")
    assert pair["matched_by"] == "messages" and [0, 0] in pair["exchanges"]
    assert data["verdict"]["side"] == "both" and data["verdict"]["peer"]
    json.dumps(data)


def test_the_two_sided_diagram_in_a_real_browser(tmp_path: Path) -> None:
    """Chromium parses the page and lays out the two-sided sequence diagram: both ends'
    lifelines, the messages between them, each end's decisive lines beside its messages."""
    scenario = SWAN / "psk-mismatch-charon-responder"
    page = tmp_path / "both.html"
    page.write_text(render_html(_both(scenario / "pyike.log", scenario / "charon-2.log")))
    done = rendered_dom(page)
    dom = done.stdout
    diagram = re.search(r'<svg[^>]*class="both-ends".*?</svg>', dom, re.DOTALL)
    assert diagram is not None, done.stderr[-2000:]
    svg = diagram.group(0)
    ends = re.findall(r'<text[^>]*class="end"[^>]*>([^<]*)</text>', svg)
    assert ends == ["pyike.log (initiator)", "charon-2.log (responder)"]
    messages = re.findall(r'class="message">([^<]*)<', svg)
    assert messages[-1] == "IKE_AUTH response AUTHENTICATION_FAILED"
    decisive = " ".join(re.findall(r'class="decisive"><title>([^<]*)</title>', svg))
    assert "but MAC mismatched" in decisive  # strongSwan's reason, on its side
    assert "Parse Notify Payload: AUTHENTICATION_FAILED" in decisive  # what pyike saw
