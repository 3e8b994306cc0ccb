"""`pyike lab --scenario NAME`: each what-if on the seed's routers behaves as IOS would, and
pyike's explainer, reading the lab's own debug output, gives the expected verdict."""

from __future__ import annotations

from functools import cache

import pytest

from pyike.cli import main
from pyike.lab.scenarios import (
    SCENARIOS,
    ScenarioError,
    ScenarioResult,
    replace_line,
    run_scenario,
    scenario_configs,
)


@cache
def result(name: str) -> ScenarioResult:
    return run_scenario(name)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_behaves_as_expected(name: str) -> None:
    outcome = result(name)
    assert outcome.problems == []
    verdict = outcome.report.verdict
    assert (verdict.outcome, verdict.cause) == (SCENARIOS[name].outcome, SCENARIOS[name].cause)
    assert len(outcome.telling_lines()) == len(SCENARIOS[name].telling)


def test_list_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--list-scenarios"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == list(SCENARIOS)
    assert {"psk-mismatch", "no-response", "invalid-ke", "nat", "collision"} <= set(names)


def test_cli_prints_debug_what_ios_shows_and_the_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lab", "--scenario", "psk-mismatch"]) == 0
    out = capsys.readouterr().out
    assert (
        "Router2: *Nov 11 19:30:34.812: IKEv2:Construct Notify Payload: AUTHENTICATION_FAILED"
        in out
    )
    shows = out.index("% What the routers show:")
    assert "Verification of peer's authentication data FAILED" in out[shows:]
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith("% Verdict (psk-mismatch, as expected): failure — psk_mismatch")


def test_quiet_prints_only_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--scenario", "ts-mismatch", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "ts_mismatch" in lines[0] and "as expected" in lines[0]


def test_seed_changes_the_spis_not_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    default = result("invalid-ke").transcripts["Router1"]
    other = run_scenario("invalid-ke", seed=7)
    assert other.ok
    assert other.transcripts["Router1"] != default
    assert main(["lab", "--scenario", "invalid-ke", "--seed", "7", "--quiet"]) == 0
    assert "as expected" in capsys.readouterr().out


def test_unknown_scenario_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--scenario", "psk"]) == 2
    err = capsys.readouterr().err
    assert "% Unknown scenario 'psk'" in err and "psk-mismatch" in err


def test_scenarios_are_config_edits_the_parser_accepts() -> None:
    router1, router2 = scenario_configs("ts-mismatch")
    assert "CMAP" in router1.crypto_maps and "Tunnel0" not in router1.interfaces
    assert router2.interfaces["Ethernet0/0"].crypto_map == "CMAP"
    nat1, nat2 = scenario_configs("nat")
    assert str(nat1.interfaces["Ethernet0/0"].addresses[0][0]) == "172.20.0.1"
    assert nat2.interfaces["Tunnel0"].tunnel_destination == "10.0.0.3"
    hub, *spokes = scenario_configs("dmvpn-spoke-to-spoke")
    assert hub.interfaces["Tunnel0"].nhrp.redirect and hub.interfaces["Tunnel0"].is_multipoint_gre
    assert [s.hostname for s in spokes] == ["Router2", "Router3"]
    assert all(s.interfaces["Tunnel0"].nhrp.shortcut for s in spokes)


def test_replace_line_refuses_a_missing_line() -> None:
    with pytest.raises(ScenarioError):
        replace_line("hostname R1\n", "group 2", "group 14")
    assert replace_line(" group 2\n", "group 2", "group 14 2") == " group 14 2\n"


def test_a_failing_scenario_reports_problems_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the PSKs equal, psk-mismatch would come up: the run says so and exits 1."""
    from dataclasses import replace

    from pyike.lab import scenarios

    fixed = replace(scenarios.SCENARIOS["psk-mismatch"], edit=scenarios._unchanged)
    monkeypatch.setitem(scenarios.SCENARIOS, "psk-mismatch", fixed)
    assert main(["lab", "--scenario", "psk-mismatch", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "NOT as expected (failure/psk_mismatch)" in captured.out
    assert "Router1 has an IKE SA up" in captured.err
