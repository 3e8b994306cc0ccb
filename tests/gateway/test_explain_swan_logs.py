"""Logs made now read as the saved ones do: the corpus of tests/explain cannot drift from what
the installed charon and pluto print (root, network namespaces, strongSwan, Libreswan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.explain import explain_texts
from tests.support.charon_logs import BY_NAME, run_scenario
from tests.support.netns import NO_NETNS, NO_NETNS_REASON
from tests.support.pluto_logs import BY_NAME as PLUTO_SCENARIOS
from tests.support.pluto_logs import run_scenario as run_pluto_scenario
from tests.support.strongswan import require_charon

pytestmark = [pytest.mark.interop, pytest.mark.skipif(NO_NETNS, reason=NO_NETNS_REASON)]


def test_a_fresh_charon_log_of_a_child_proposal_mismatch(tmp_path: Path) -> None:
    require_charon()
    scenario = BY_NAME["child-proposal-mismatch-charon-responder"]
    logs = run_scenario(scenario, tmp_path)
    for name in ("charon-1", "charon-2", "charon-3", "syslog", "swanctl-log"):
        report = explain_texts([(name, logs[name])])
        verdict = report.verdict
        assert (verdict.outcome, verdict.cause) == (scenario.outcome, scenario.cause), name
        assert verdict.differing == ["encryption", "integrity"], name
        assert any("no acceptable proposal found" in line.text for line in verdict.evidence)
    pyike = explain_texts([("pyike", logs["pyike"])]).verdict  # the IOS side of it
    assert (pyike.outcome, pyike.cause) == ("partial", "child_proposal_mismatch")


def test_a_fresh_pluto_log_of_a_psk_mismatch(tmp_path: Path) -> None:
    scenario = PLUTO_SCENARIOS["psk-mismatch-pluto-responder"]
    logs = run_pluto_scenario(scenario, tmp_path)
    verdict = explain_texts([("syslog", logs["syslog"])]).verdict
    assert (verdict.outcome, verdict.cause, verdict.dialect) == (
        "failure",
        "psk_mismatch",
        "libreswan",
    )
    assert any("computed hash does not match" in line.text for line in verdict.evidence)
