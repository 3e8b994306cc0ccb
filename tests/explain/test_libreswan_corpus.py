"""Libreswan's pluto logs, made by running pluto against `pyike run` with each misconfiguration
(tests/support/pluto_logs.py; corpus/libreswan/README.md says how): the scenario's verdict, from
the line that decides it, and what to change in ipsec.conf's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.explain import explain_texts
from pyike.explain.pluto import is_pluto_log, parse_line
from pyike.explain.render_text import render_text
from pyike.explain.report import Report
from tests.support.paths import EXPLAIN_CORPUS
from tests.support.pluto_logs import BY_NAME

LIBRESWAN = EXPLAIN_CORPUS / "libreswan"
DECISIVE = {
    "psk-mismatch-pluto-responder": "authentication failed: computed hash does not match",
    "psk-mismatch-pluto-initiator": "rejected by peer: AUTHENTICATION_FAILED",
    "ike-proposal-mismatch-pluto-responder": "no local proposal matches remote proposals",
    "ike-proposal-mismatch-pluto-initiator": "containing NO_PROPOSAL_CHOSEN notification",
    "ts-mismatch-pluto-responder": "No IKEv2 connection found with compatible Traffic Selectors",
    "identity-mismatch-pluto-responder": "Peer ID '10.0.0.1' mismatched",
    "no-response": "retransmission; will wait",
}


def _explain(path: Path) -> Report:
    return explain_texts([(path.name, path.read_text(encoding="utf-8"))])


def test_every_scenario_is_in_the_corpus() -> None:
    assert {path.name for path in LIBRESWAN.iterdir() if path.is_dir()} == set(BY_NAME)
    assert set(DECISIVE) == set(BY_NAME)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_pluto_log_gets_its_scenarios_verdict(name: str) -> None:
    scenario = BY_NAME[name]
    report = _explain(LIBRESWAN / name / "syslog.log")
    verdict = report.verdict
    assert (verdict.outcome, verdict.cause) == (scenario.outcome, scenario.cause)
    assert any(DECISIVE[name] in line.text for line in verdict.evidence)
    assert (verdict.dialect, report.sources[0].kind) == ("libreswan", "libreswan")


def test_proposal_mismatch_compares_pluto_spellings() -> None:
    report = _explain(LIBRESWAN / "ike-proposal-mismatch-pluto-responder" / "syslog.log")
    assert report.verdict.differing == ["encryption", "PRF", "DH group"]
    assert "this router accepts: AES_GCM_C_256 HMAC_SHA2_384 ECP_384" in report.verdict.detail


def test_what_to_change_is_said_in_ipsec_conf_terms() -> None:
    text = render_text(_explain(LIBRESWAN / "identity-mismatch-pluto-responder" / "syslog.log"))
    assert "`rightid=`" in text and "match identity remote" not in text
    assert 'IKE SA "pyike" #1 on' in text


def test_a_child_sa_serial_belongs_to_its_ike_sa() -> None:
    report = _explain(LIBRESWAN / "ts-mismatch-pluto-responder" / "syslog.log")
    (timeline,) = report.timelines
    assert timeline.sa_ids == ['"pyike" #1'] and timeline.ike_up is not None
    assert [f"{ex.type}/{ex.result}" for ex in timeline.exchanges][-1] == "CREATE_CHILD_SA/failed"


def test_line_shapes() -> None:
    line = '"pyike" #1: authentication failed: computed hash does not match'
    for prefix in ("Dec  4 22:50:40 vpn-gw pluto[9289]: ", "Dec 04 22:50:40 gw pluto[1]: ", ""):
        record = parse_line(3, prefix + line, "x")
        assert record is not None and (record.conn, record.serial) == ("pyike", "1")
    assert not any(
        is_pluto_log(p.read_text(encoding="utf-8")) for p in EXPLAIN_CORPUS.glob("*.log")
    )
