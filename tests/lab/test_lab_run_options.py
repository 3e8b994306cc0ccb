"""`pyike lab` from the command line (issue 17): `--exec` (at a virtual time with `@TIME`),
`--exec-file`, `--until`, `--debug/--no-debug` and `--json`, for the seed run and for any
topology."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyike.cli import main
from pyike.lab.topology_run import summary
from tests.support.genie_parse import parse
from tests.support.paths import EXAMPLES


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["lab", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _session(out: str, host: str, command: str) -> list[str]:
    """The output of `command` typed at `host`, as the lab printed it (prefix removed)."""
    lines = [line.removeprefix(f"{host}: ") for line in out.splitlines() if line.startswith(host)]
    start = lines.index(f"{host}#{command}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(f"{host}#")), None)
    return lines[start:end]


def _records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_exec_prints_each_command_as_a_terminal_session_that_genie_parses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = _run(
        [
            "--no-debug",
            "--exec",
            "Router1: show crypto ipsec sa",
            "--exec",
            "Router2: show crypto session",
        ],
        capsys,
    )
    assert code == 0
    assert "IKEv2:" not in out  # --no-debug
    ipsec = parse("show crypto ipsec sa", _session(out, "Router1", "show crypto ipsec sa"))
    flow = ipsec["interface"]["Tunnel0"]["ident"][1]
    assert flow["peer_ip"] == "10.0.0.2"
    assert flow["pkts_encaps"] > 15000  # typed after the seed's long ping
    session = parse("show crypto session", _session(out, "Router2", "show crypto session"))
    assert session["interface"]["Tunnel0"]["session_status"] == "UP-ACTIVE"
    assert out.rstrip().endswith(
        "% pyike lab: the seed scenario ran as the seed document shows it."
    )


def test_the_seed_run_debugs_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--until", "2s"], capsys)
    assert code == 0
    assert "Router1: Router1#debug crypto ikev2 packet" in out
    assert "IKEv2:New ikev2 sa request admitted" in out
    assert out.rstrip().endswith("as the seed document shows it, up to 2s.")
    assert "repeat 15000" not in out  # --until before the long ping leaves it out


def test_a_seed_run_cut_before_its_tunnel_is_up_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """`--until 0s` stops the seed before IKE_SA_INIT is answered: nothing was shown to work,
    so the verdict names the routers without a tunnel and the exit status is 1."""
    code, out, err = _run(["--no-debug", "--until", "0s"], capsys)
    assert code == 1
    assert "as the seed document shows it" not in out + err
    assert "% pyike lab: Router1 has no IKE SA up at 0s" in err
    assert "% pyike lab: Router2 has no child SA on its tunnel at 0s" in err
    code, out, _err = _run(["--no-debug", "--until", "1s"], capsys)  # up within milliseconds
    assert code == 0 and out.rstrip().endswith("as the seed document shows it, up to 1s.")


def test_json_is_one_record_a_line_ending_with_the_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = _run(
        ["--json", "--no-debug", "--exec", "Router2: show crypto session"], capsys
    )
    assert code == 0
    records = _records(out)
    assert records[-1] == {
        "type": "verdict",
        "ok": True,
        "summary": "the seed scenario ran as the seed document shows it.",
        "problems": [],
        "notes": [],
    }
    assert not [r for r in records if r["type"] == "log" and "IKEv2:" in r["line"]]
    first_up = next(r for r in records if r["type"] == "ike_sa" and r["event"] == "up")
    assert first_up["host"] in ("Router1", "Router2")
    assert {first_up["local"], first_up["remote"]} == {"10.0.0.1/500", "10.0.0.2/500"}
    assert first_up["profile"] == "IKEV2-SETUP" and first_up["lifetime"] == 120
    ups = [r for r in records if r["type"] == "ike_sa" and r["event"] == "up"]
    rekeyed = [r for r in ups if r["rekeyed_from"] is not None]
    assert rekeyed, "the 120 s lifetime forces IKE SA rekeys"
    child = next(r for r in records if r["type"] == "child_sa" and r["event"] == "rekeyed")
    assert child["tunnel"] == "Tunnel0" and child["encryption"] == "TRIPLE_DES"
    assert child["rekey_of"].startswith("0x")
    tunnel = next(r for r in records if r["type"] == "tunnel")
    assert tunnel["event"] == "up" and tunnel["interface"] == "Tunnel0"
    session = [r for r in records if r["type"] == "exec" and r["command"] == "show crypto session"]
    assert session[-1]["host"] == "Router2" and "UP-ACTIVE" in session[-1]["output"]


def test_a_command_at_a_virtual_time_runs_then(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(
        ["--json", "--until", "2m", "--exec", "SiteA: show crypto ikev2 sa @90s",
         str(EXAMPLES / "crypto-map")],
        capsys,
    )  # fmt: skip
    assert code == 0
    timed = [
        r for r in _records(out) if r["type"] == "exec" and r["command"] == "show crypto ikev2 sa"
    ]
    assert [r["time"] for r in timed][:1] == [90.0]
    assert "READY" in timed[0]["output"]


def test_until_sets_how_long_a_topology_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(
        ["--until", "10m", "--exec", "SiteA: show crypto ikev2 sa detailed",
         str(EXAMPLES / "crypto-map")],
        capsys,
    )  # fmt: skip
    assert code == 0
    detail = "\n".join(_session(out, "SiteA", "show crypto ikev2 sa detailed"))
    active = int(detail.split("Life/Active Time: ")[1].split("/")[1].split()[0])
    assert 590 <= active <= 600


def test_a_topology_run_debugs_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, quiet, _err = _run([str(EXAMPLES / "crypto-map")], capsys)
    code2, debug, _err = _run(["--debug", str(EXAMPLES / "crypto-map")], capsys)
    assert code == code2 == 0
    assert "IKEv2:" not in quiet
    assert "SiteA: SiteA#debug crypto ikev2\n" in debug and "IKEv2:" in debug


def test_json_for_a_topology_has_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--json", str(EXAMPLES / "crypto-map")], capsys)
    records = _records(out)
    checks = [r for r in records if r["type"] == "check"]
    assert code == 0 and checks and all(r["passed"] for r in checks)
    assert all(r["where"].startswith(str(EXAMPLES / "crypto-map")) for r in checks)
    assert records[-1]["type"] == "verdict" and records[-1]["ok"] is True


def test_exec_file_lines_run_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "commands.txt"
    script.write_text(
        "# what to look at\n"
        "Router2: show crypto ikev2 sa\n"
        "! IOS comments too\n"
        "Router1: show crypto session @1m\n"
    )
    code, out, _err = _run(["--json", "--exec-file", str(script)], capsys)
    assert code == 0
    commands = [(r["host"], r["command"], r["time"]) for r in _records(out) if r["type"] == "exec"]
    assert ("Router1", "show crypto session", 60.0) in commands  # during the seed run
    assert commands[-1][:2] == ("Router2", "show crypto ikev2 sa")  # after it, as untimed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exec", "show crypto session"], "usage: HOST: COMMAND [@TIME]"),
        (["--exec", "Router1: show crypto session @soon"], "Invalid duration 'soon'"),
        (["--until", "1m", "--exec", "Router1: show crypto session @2m"], "is after --until 1m"),
        (["--json", "--quiet"], "--json and --quiet cannot be used together"),
        (["--interactive", "--exec", "Router1: show crypto session"], "--exec does not apply"),
        (["--netns", "--json"], "--json does not apply to --netns"),
        (["--netns", "--until", "soon"], "Invalid duration 'soon'"),  # with --netns: the wait
    ],
)
def test_bad_options_are_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_command_for_a_router_the_lab_lacks_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _out, err = _run(["--exec", "Router9: show crypto session"], capsys)
    assert code == 1 and "% --exec: no router named Router9" in err
    code, _out, err = _run(
        ["--exec", "Router9: show crypto session", str(EXAMPLES / "crypto-map")], capsys
    )
    assert code == 1 and "% --exec: no router named Router9" in err


def test_a_bad_exec_file_line_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "commands.txt"
    script.write_text("Router1: show crypto session\nnonsense\n")
    with pytest.raises(SystemExit):
        main(["lab", "--exec-file", str(script)])
    assert f"{script}:2: % usage: HOST: COMMAND [@TIME]" in capsys.readouterr().err


def test_an_expect_directive_can_wait_for_its_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for config in (EXAMPLES / "crypto-map").glob("*.cfg"):
        (tmp_path / config.name).write_text(config.read_text())
    (tmp_path / "timed.lab").write_text(
        "expect SiteA: show crypto ikev2 sa detailed @45s => Life/Active Time: 86400/44 sec\n"
    )
    code, out, err = _run(["--json", str(tmp_path)], capsys)
    assert code == 0, err
    check = next(r for r in _records(out) if r["type"] == "check")
    assert check["passed"] and check["where"] == f"{tmp_path / 'timed.lab'}:1"


def test_a_large_lab_counts_its_routers_in_the_verdict() -> None:
    hosts = [f"Spoke{n}" for n in range(1000)]
    assert (
        summary(1000, hosts, 0)
        == "1000 crypto sessions UP-ACTIVE on 1000 routers; 0 checks passed."
    )
    assert summary(2, ["A", "B"], 1) == "2 crypto sessions UP-ACTIVE on A, B; 1 checks passed."


@pytest.mark.parametrize(
    ("name", "why"),
    [("missing.txt", "No such file or directory"), ("binary", "not a text file (binary data")],
)
def test_an_exec_file_that_cannot_be_read_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, why: str
) -> None:
    (tmp_path / "binary").write_bytes(b"Router1: show\0\x01\x02")
    with pytest.raises(SystemExit):
        main(["lab", "--exec-file", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert f"error: --exec-file {tmp_path / name}: {why}" in err and "Errno" not in err
