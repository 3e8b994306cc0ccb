"""What pyike itself prints, read by `pyike explain` as it comes: `pyike lab`'s stream of
several routers (each line behind its hostname) and `pyike run --debug-file`'s file."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.config import load
from pyike.explain.routers import split_routers
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.lab.scenarios import ROUTERS, SCENARIOS, seed_texts
from pyike.net.gateway import Gateway
from pyike.net.runtime import RunOptions, Runtime

TESTS = Path(__file__).parents[1]
SUMMARY = "% What the routers show:"  # where `pyike lab --scenario` starts quoting lines


def stdout_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


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
    assert data["sources"][0]["routers"] == list(ROUTERS)
    assert data["ike_sas"] and {sa["router"] for sa in data["ike_sas"]} <= set(ROUTERS)
    # The decisive lines are the routers' own output, not the summary quoting them again.
    summary_line = stream.splitlines().index(SUMMARY) + 1
    for evidence in verdict["evidence"]:
        assert evidence["router"] in ROUTERS and evidence["line"] < summary_line


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
    corpus = TESTS / "explain" / "corpus"
    return sorted([*corpus.rglob("*.log"), *(TESTS / "data" / "seed").glob("*.txt")])


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


class MemoryWire:
    """Two gateways joined in memory: what one sends, the other receives (queued)."""

    def __init__(self, queue: list[Callable[[], None]]) -> None:
        self.queue = queue
        self.peer: Gateway | None = None

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        peer = self.peer
        assert peer is not None
        self.queue.append(lambda: peer.receive_ike(remote, local, data))

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        return None

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        return None


class _Timer:
    def cancel(self) -> None:
        return None


def _gateway(text: str, runtime: Runtime, wire: MemoryWire, seed: int) -> Gateway:
    """A gateway whose debug output goes where `pyike run --debug --debug-file` sends it."""
    config = load(text, "router.cfg").raise_for_errors()
    policy, tunnels = policy_for_config(config)
    gateway = Gateway(
        config,
        policy,
        tunnels,
        wire,
        clock=lambda: 100.0,
        call_later=lambda _delay, _callback: _Timer(),
        random_bytes=random.Random(seed).randbytes,
        trace_sink=runtime._trace,
        log=runtime.log,
    )
    gateway.trace_only(runtime.formatter.record_kinds())
    return gateway


def test_pyike_run_debug_files_are_read_as_a_success_on_both_routers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue: list[Callable[[], None]] = []
    files = [tmp_path / f"{host.lower()}.debug" for host in ROUTERS]
    runtimes = [
        Runtime(RunOptions(Path("router.cfg"), debug=True, debug_file=path, quiet=True))
        for path in files
    ]
    wires = [MemoryWire(queue), MemoryWire(queue)]
    texts = seed_texts()
    gateways = [
        _gateway(texts[host], runtime, wire, seed)
        for seed, (host, runtime, wire) in enumerate(zip(ROUTERS, runtimes, wires, strict=True))
    ]
    wires[0].peer, wires[1].peer = gateways[1], gateways[0]
    gateways[0].start_all()
    while queue:
        queue.pop(0)()
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
