"""What pyike itself prints, read by `pyike explain` as it comes: `pyike lab`'s stream of
several routers (each line behind its hostname) and `pyike run --debug-file`'s file."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pyike.config import load
from pyike.explain.routers import split_routers
from pyike.lab.scenarios import ROUTERS, SCENARIOS, seed_texts
from pyike.net.runtime import RunOptions, Runtime
from tests.support.cli import run_cli
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import EXPLAIN_CORPUS, SEED_DOCUMENT

SUMMARY = "% What the routers show:"  # where `pyike lab --scenario` starts quoting lines


def stdout_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    return run_cli(capsys, *argv)[1]


def explain_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str
) -> dict[str, Any]:
    """`... | pyike explain --format json -`"""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    data: dict[str, Any] = json.loads(stdout_of(capsys, "explain", "--format", "json", "-"))
    return data


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_lab_scenario_piped_into_explain_gets_the_scenarios_verdict(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = stdout_of(capsys, "lab", "--scenario", name)
    data = explain_stdin(monkeypatch, capsys, stream)
    scenario = SCENARIOS[name]
    verdict = data["verdict"]
    assert (verdict["outcome"], verdict["cause"]) == (scenario.outcome, scenario.cause)
    routers = scenario.routers
    assert data["sources"][0]["routers"] == list(routers)
    assert data["ike_sas"] and {sa["router"] for sa in data["ike_sas"]} <= set(routers)
    # The decisive lines are the routers' own output, not the summary quoting them again.
    summary_line = stream.splitlines().index(SUMMARY) + 1
    for evidence in verdict["evidence"]:
        assert evidence["router"] in routers and evidence["line"] < summary_line


def test_the_seed_run_piped_into_explain_is_a_success_on_both_routers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = explain_stdin(monkeypatch, capsys, stdout_of(capsys, "lab"))
    assert (data["verdict"]["outcome"], data["verdict"]["cause"]) == ("success", "success")
    sas = data["ike_sas"]
    assert {sa["router"] for sa in sas} == set(ROUTERS)
    assert all(sa["outcome"] == "success" for sa in sas)
    roles = {(sa["router"], sa["role"]) for sa in sas}
    assert roles == {("Router1", "initiator"), ("Router2", "responder")}


def test_the_text_report_of_a_lab_stream_names_the_routers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = stdout_of(capsys, "lab", "--scenario", "psk-mismatch")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stream.encode())))
    text = stdout_of(capsys, "explain", "-")
    assert text.startswith("pyike explain: 1 file(s) (routers Router1, Router2), ")
    assert "Seen in: Router2" in text
    assert "stdin:" in text and " (Router2)  IKEv2:(SA ID = 1):Verification of peer's" in text
    assert " on Router1 (initiator): failure — psk_mismatch" in text


def _real_logs() -> list[Path]:
    return sorted([*EXPLAIN_CORPUS.rglob("*.log"), *SEED_DOCUMENT.parent.glob("*.txt")])


@pytest.mark.parametrize("path", _real_logs(), ids=lambda path: path.name)
def test_real_logs_with_prompts_and_colons_are_not_taken_for_a_multi_router_stream(
    path: Path,
) -> None:
    """Prompts (`Router1#show ...`), `IKEv2-PROTO-1: ...`, `Payload contents:` and the like
    are not hostname prefixes: each of these one-router logs stays one log."""
    stream = split_routers(path.read_text(encoding="utf-8"))
    assert stream.routers == [] and len(stream.logs) == 1


def test_a_stream_split_per_router_keeps_indentation_and_line_numbers() -> None:
    text = (
        "Router1: *Nov 11 19:30:34.811: IKEv2:(SA ID = 1):Next payload: SA, version: 2.0\n"
        "Router1:  SA  Next payload: KE, reserved: 0x0, length: 56\n"
        "Router2: *Nov 11 19:30:34.812: IKEv2:Parse Notify Payload: AUTHENTICATION_FAILED\n"
        "a note between the routers' lines\n"
        "Router1: *Nov 11 19:30:34.811: IKEv2:(SA ID = 1):Next payload: SA, version: 2.0\n"
    )
    stream = split_routers(text)
    first, second = stream.logs
    assert first.router == "Router1" and first.lines == [
        (1, "*Nov 11 19:30:34.811: IKEv2:(SA ID = 1):Next payload: SA, version: 2.0"),
        (2, " SA  Next payload: KE, reserved: 0x0, length: 56"),
    ]
    assert second.router == "Router2" and [n for n, _ in second.lines] == [3]
    assert [(number, reason.split()[0]) for number, _, reason in stream.set_aside] == [
        (4, "not"),
        (5, "quotes"),
    ]


# -- `pyike run --debug-file` ------------------------------------------------------------------


def test_pyike_run_debug_files_are_read_as_a_success_on_both_routers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [tmp_path / f"{host.lower()}.debug" for host in ROUTERS]
    # each gateway's debug output goes where `pyike run --debug --debug-file` sends it
    runtimes = [
        Runtime(RunOptions(Path("router.cfg"), debug=True, debug_file=path, quiet=True))
        for path in files
    ]
    texts = seed_texts()
    router1, router2 = ROUTERS
    debug = [{"trace_sink": runtime._trace, "log": runtime.log} for runtime in runtimes]
    pair = GatewayPair(
        load(texts[router1], "router.cfg").raise_for_errors(),
        load(texts[router2], "router.cfg").raise_for_errors(),
        names=(router1, router2),
        options=(debug[0], debug[1]),
    )
    for gateway, runtime in ((pair.a, runtimes[0]), (pair.b, runtimes[1])):
        gateway.trace_only(runtime.formatter.record_kinds())
    pair.a.start_all()
    pair.pump()
    for runtime in runtimes:
        runtime.console.close()
    assert all(path.stat().st_size > 0 for path in files)
    data = json.loads(stdout_of(capsys, "explain", "--format", "json", *map(str, files)))
    assert (data["verdict"]["outcome"], data["verdict"]["cause"]) == ("success", "success")
    roles = {(sa["router"], sa["role"], sa["outcome"]) for sa in data["ike_sas"]}
    assert roles == {
        (str(files[0]), "initiator", "success"),
        (str(files[1]), "responder", "success"),
    }
