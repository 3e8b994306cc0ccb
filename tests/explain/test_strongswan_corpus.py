"""charon's own logs, made by running it against `pyike run` with each misconfiguration
(tests/support/charon_logs.py; corpus/strongswan/README.md says how): every log of a scenario,
whatever its shape (file log at levels 1 to 4, syslog, `swanctl --log`, `swanctl --initiate`),
gets the scenario's verdict, from the line that decides it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyike.explain import explain_texts
from pyike.explain.charon import is_charon_log, parse_line
from pyike.explain.render_html import render_html
from pyike.explain.render_json import to_dict
from pyike.explain.render_text import render_text
from pyike.explain.report import Report
from tests.support.charon_logs import BY_NAME
from tests.support.paths import EXPLAIN_CORPUS

SWAN = EXPLAIN_CORPUS / "strongswan"

# The line (its text, at any level) that decides each scenario's cause.
DECISIVE = {
    "success-rekey-delete": "rekeyed between",
    "psk-mismatch-charon-responder": "but MAC mismatched",
    "psk-mismatch-charon-initiator": "received AUTHENTICATION_FAILED notify error",
    "ike-proposal-mismatch-charon-responder": "received proposals unacceptable",
    "ike-proposal-mismatch-charon-initiator": "received NO_PROPOSAL_CHOSEN notify error",
    "child-proposal-mismatch-charon-responder": "no acceptable proposal found",
    "ts-mismatch-charon-responder": "192.168.3.0/24 === 192.168.1.0/24 unacceptable",
    "ts-mismatch-charon-initiator": "received TS_UNACCEPTABLE notify, no CHILD_SA built",
    "identity-mismatch-charon-responder": "no matching peer config found",
    "nat-charon-behind": "CHILD_SA net{1} established",
    "no-response": "giving up after 3 retransmits",
    "dpd-dead-peer": "giving up after 3 retransmits",
}
# `swanctl --initiate` returns once the tunnel is up: rekeys and DPD come after it.
INITIATE_ENDS_EARLY = {"success-rekey-delete", "dpd-dead-peer"}


def _charon_logs() -> list[Path]:
    return sorted(path for path in SWAN.glob("*/*.log") if path.name != "pyike.log")


def _explain(path: Path) -> Report:
    return explain_texts([(path.name, path.read_text(encoding="utf-8"))])


def test_every_scenario_is_in_the_corpus_and_has_a_decisive_line() -> None:
    assert {path.name for path in SWAN.iterdir() if path.is_dir()} == set(BY_NAME) == set(DECISIVE)
    levels = {path.name for path in SWAN.glob("*/charon-*.log")}
    assert levels == {"charon-1.log", "charon-2.log", "charon-3.log", "charon-4.log"}


@pytest.mark.parametrize("path", _charon_logs(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_charon_log_gets_its_scenarios_verdict(path: Path) -> None:
    scenario = BY_NAME[path.parent.name]
    report = _explain(path)
    verdict = report.verdict
    if path.stem == "swanctl-initiate" and scenario.name in INITIATE_ENDS_EARLY:
        assert (verdict.outcome, verdict.cause) == ("success", "success")
        assert any("IKE_SA pyike[1] established" in line.text for line in verdict.evidence)
        return
    assert (verdict.outcome, verdict.cause) == (scenario.outcome, scenario.cause)
    assert any(DECISIVE[scenario.name] in line.text for line in verdict.evidence)
    assert verdict.dialect == "strongswan"
    assert report.sources[0].kind == "strongswan"


def test_proposal_mismatch_names_both_sides_transforms_and_the_types_that_differ() -> None:
    report = _explain(SWAN / "ike-proposal-mismatch-charon-responder" / "charon-1.log")
    assert report.verdict.differing == ["encryption", "PRF", "integrity", "DH group"]
    assert "3DES_CBC AES_CBC_128 HMAC_SHA1_96 PRF_HMAC_SHA1 MODP_1024" in report.verdict.detail
    child = _explain(SWAN / "child-proposal-mismatch-charon-responder" / "charon-2.log")
    assert child.verdict.differing == ["encryption", "integrity"]


def test_what_to_change_is_said_in_swanctl_terms() -> None:
    text = render_text(_explain(SWAN / "ts-mismatch-charon-responder" / "charon-1.log"))
    assert "`children.<child>.local_ts` and `remote_ts`" in text
    assert "match address" not in text
    assert "config: connections.<conn>.proposals" in text


def test_timelines_rebuild_exchanges_rekeys_and_deletes() -> None:
    report = _explain(SWAN / "success-rekey-delete" / "charon-2.log")
    first, rekeyed = report.timelines
    assert [f"{ex.type}/{ex.purpose}/{ex.result}" for ex in first.exchanges] == [
        "IKE_SA_INIT/initial/ok",
        "IKE_AUTH/initial/ok",
        "CREATE_CHILD_SA/child_rekey/ok",
        "INFORMATIONAL/delete/ok",
        "CREATE_CHILD_SA/ike_rekey/ok",
        "INFORMATIONAL/delete/ok",
    ]
    assert (first.sa_ids, rekeyed.sa_ids) == (["pyike[1]"], ["pyike[2]"])
    assert (first.role, first.local, first.remote) == ("initiator", "10.0.0.2:500", "10.0.0.1:500")
    assert (first.local_id, first.peer_id) == ("10.0.0.2", "10.0.0.1")
    assert first.child_up is not None and len(first.child_spis) == 4  # net{1}, net{2}
    assert "CONNECTING" in [step.state for step in first.states]  # level 2's state changes


def test_nat_and_forced_encapsulation_are_told_apart() -> None:
    behind = _explain(SWAN / "nat-charon-behind" / "charon-1.log").timelines[0]
    assert behind.nat == "detected"
    direct = _explain(SWAN / "success-rekey-delete" / "charon-1.log").timelines[0]
    assert direct.nat == "" and "nat_forced" in [step.what for step in direct.steps]


def test_level_3_shows_the_ike_spis_that_pyike_logged_for_the_same_sa() -> None:
    scenario = SWAN / "psk-mismatch-charon-responder"
    (timeline,) = _explain(scenario / "charon-3.log").timelines
    pyike = (scenario / "pyike.log").read_text()
    found = re.search(r"I_SPI=(\w+) R_SPI=(?!0{16})(\w+)", pyike)
    assert found is not None
    assert (timeline.spi_i, timeline.spi_r) == found.groups()


def test_keys_printed_at_level_4_never_reach_a_report() -> None:
    path = SWAN / "psk-mismatch-charon-responder" / "charon-4.log"
    log = path.read_text()
    secret = "not-the-key-it-signs-with"
    assert secret[:16] in log  # charon does print it (and SK_* keys) at level 4
    report = _explain(path)
    hexed = ":".join(f"{byte:02x}" for byte in secret.encode())
    for output in (render_text(report), render_html(report), str(to_dict(report))):
        assert secret[:16] not in output and hexed[:20] not in output
        assert "Sk_ei secret" not in output


def test_other_shapes_of_a_charon_line() -> None:
    """The journal's and syslog's prefixes (with a PID, ISO timestamps) around a line
    charon printed in the corpus."""
    line = "12[IKE] <pyike|1> tried 2 shared keys for '%any' - '10.0.0.1', but MAC mismatched"
    for prefix in (
        "Dec 04 22:31:22 vpn-gw charon[4711]: ",
        "2026-12-04T22:31:22.123456+0000 vpn-gw charon-systemd[4711]: ",
        "Dec  4 22:31:22.123 ",
        "",
    ):
        record = parse_line(7, prefix + line, "x")
        assert record is not None and record.uid == "1" and record.conn == "pyike"
        assert record.msg.startswith("tried 2 shared keys")
    stamped = parse_line(1, "2026-12-04T22:31:22.5+00:00 gw charon[1]: 12[IKE] x", "x")
    assert stamped is not None and stamped.stamp is not None
    assert (stamped.stamp.year, stamped.stamp.month, stamped.stamp.seconds) == (2026, 12, 81082.5)


def test_ios_logs_are_not_taken_for_charon_logs() -> None:
    for path in EXPLAIN_CORPUS.glob("*.log"):
        assert not is_charon_log(path.read_text(encoding="utf-8")), path.name
    assert is_charon_log((SWAN / "no-response" / "swanctl-initiate.log").read_text())
