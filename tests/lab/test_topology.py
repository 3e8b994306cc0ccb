"""`pyike lab CONFIG...`: topologies from configuration files and lab directives."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.lab.lab import RunTooLong
from pyike.lab.topology_run import build_lab, run_topology
from pyike.topology import Check, TopologyError, load_topology, parse_duration
from tests.support.paths import SEED_CONFIGS


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def seed_pair(tmp: Path, extra_r1: str = "", r2_key: str = "cisco") -> list[Path]:
    r1 = extra_r1 + (SEED_CONFIGS / "router1.cfg").read_text()
    r2 = (
        (SEED_CONFIGS / "router2.cfg")
        .read_text()
        .replace("pre-shared-key local cisco", f"pre-shared-key local {r2_key}")
    )
    return [write(tmp, "r1.cfg", r1), write(tmp, "r2.cfg", r2)]


def test_hostnames_come_from_the_configs(tmp_path: Path) -> None:
    topology = load_topology(seed_pair(tmp_path))
    assert topology.hostnames == ["Router1", "Router2"]


def test_the_seed_configs_come_up_and_the_cli_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", str(SEED_CONFIGS / "router1.cfg"), str(SEED_CONFIGS / "router2.cfg")]) == 0
    out = capsys.readouterr().out
    assert "Router1: Router1#show crypto session" in out
    assert "Router2: Session status: UP-ACTIVE" in out
    assert "Router2: Router2#show crypto ikev2 sa" in out
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2" in out


def test_a_psk_mismatch_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = seed_pair(tmp_path, r2_key="wrong")
    assert main(["lab", *map(str, files)]) == 1
    err = capsys.readouterr().err
    assert "Router1 Tunnel0 peer 10.0.0.2: session" in err
    assert "AUTHENTICATION_FAILED" in err


def test_a_transform_mismatch_names_the_notify_once(tmp_path: Path) -> None:
    r1, r2 = seed_pair(tmp_path)
    r2.write_text(r2.read_text().replace("esp-3des esp-sha-hmac", "esp-aes esp-sha256-hmac"))
    result = run_topology(load_topology([r1, r2]), policy_for_config, show=False)
    assert result.problems[:2] == [
        "Router1 Tunnel0 peer 10.0.0.2: session UP-IDLE;"
        " last failure: CREATE_CHILD_SA refused: NO_PROPOSAL_CHOSEN",
        "Router2 Tunnel0 peer 10.0.0.1: session UP-IDLE;"
        " last failure: Received NO_PROPOSAL_CHOSEN notify",
    ]


def test_directives_in_a_comment_header_and_a_lab_file(tmp_path: Path) -> None:
    header = "! lab: expect Router1: ping 192.168.2.1 source Loopback0 => !!!!!\n! lab: run 2m\n"
    files = seed_pair(tmp_path, extra_r1=header)
    files.append(
        write(
            tmp_path, "wan.lab", "# slow WAN\ndelay 10.0.0.0/24 20ms\nexec Router2: show ip route\n"
        )
    )
    topology = load_topology(files)
    assert topology.run_seconds == 120.0
    assert topology.delays[0].subnet == "10.0.0.0/24" and topology.delays[0].seconds == 0.02
    assert [c.host for c in topology.checks] == ["Router1", "Router2"]
    assert topology.checks[1] == Check("Router2", "show ip route", None, f"{files[2]}:3")
    result = run_topology(topology, policy_for_config, show=False)
    assert result.ok, result.problems
    ping = result.lab.exec("Router1", "ping 192.168.2.1 source Loopback0")
    assert "round-trip min/avg/max = 40/40/40 ms" in ping  # there and back on a 20 ms link


def test_a_failed_expectation_is_a_problem(tmp_path: Path) -> None:
    header = "! lab: expect Router1: show ip interface brief => Tunnel9\n"
    result = run_topology(load_topology(seed_pair(tmp_path, header)), policy_for_config, show=False)
    assert len(result.problems) == 1
    assert "did not print 'Tunnel9'" in result.problems[0]


def test_a_directory_stands_for_its_configs(tmp_path: Path) -> None:
    seed_pair(tmp_path)
    write(tmp_path, "notes.md", "not a config")
    assert load_topology([tmp_path]).hostnames == ["Router1", "Router2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frobnicate now", "Unknown lab directive 'frobnicate'"),
        ("delay 10.0.0.0/24", "usage: delay SUBNET DURATION"),
        ("delay 10.0.0.0/24 soon", "Invalid duration 'soon'"),
        ("nat N inside 1.1.1.1/24", "usage: nat NAME inside"),
        ("nat N inside 1.1.1.300/24 outside 2.2.2.2/24", "Invalid address 1.1.1.300/24"),
        ("expect Router1: show version", "usage: expect HOST: COMMAND \\[@TIME\\] => TEXT"),
        ("exec Nobody: show version", "no router named Nobody"),
    ],
)
def test_bad_directives_are_errors_with_their_place(
    tmp_path: Path, text: str, message: str
) -> None:
    files = [*seed_pair(tmp_path), write(tmp_path, "x.lab", text + "\n")]
    with pytest.raises(TopologyError, match=message):
        load_topology(files)


def test_bad_input_never_gives_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.cfg", "hostname X\ninterface Ethernet0/0\n ip addres 1.2.3.4\n")
    assert main(["lab", str(bad)]) == 1
    assert "% Incomplete command." in capsys.readouterr().err
    assert main(["lab", str(tmp_path / "missing.cfg")]) == 1
    assert "no such file" in capsys.readouterr().err
    r1 = SEED_CONFIGS / "router1.cfg"
    assert main(["lab", str(r1), str(r1)]) == 1
    assert "hostname Router1 is already in use" in capsys.readouterr().err


def test_a_lone_router_protects_nothing_reachable(tmp_path: Path) -> None:
    topology = load_topology([SEED_CONFIGS / "router1.cfg"])
    result = run_topology(topology, policy_for_config, show=False)
    assert not result.ok
    assert result.problems[0] == (
        "Router1 Tunnel0 peer 10.0.0.2: session DOWN-NEGOTIATING;"
        " no router of this lab has 10.0.0.2"
    )


def test_durations() -> None:
    assert parse_duration("90") == 90.0
    assert parse_duration("2m") == 120.0
    assert parse_duration("250ms") == 0.25
    with pytest.raises(ValueError):
        parse_duration("-1s")


def test_a_nat_box_joins_its_two_subnets(tmp_path: Path) -> None:
    files = seed_pair(tmp_path)
    files.append(
        write(tmp_path, "nat.lab", "nat CPE inside 10.0.0.254/24 outside 198.51.100.1/24\n")
    )
    lab, nats = build_lab(load_topology(files), policy_for_config)
    box = nats["CPE"]
    assert box.inside in lab.network.segments["10.0.0.0/24"].endpoints
    assert box.outside in lab.network.segments["198.51.100.0/24"].endpoints


def test_exec_and_expect_lines_take_output_filters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (
        "! lab: exec Router1: show crypto session | include UP\n"
        "! lab: expect Router1: show crypto session | include Peer|Session => Session status: UP\n"
        "! lab: expect Router2: show crypto session | include Peer => Session status\n"
    )
    assert main(["lab", *map(str, seed_pair(tmp_path, header))]) == 1
    captured = capsys.readouterr()
    assert (
        "Router1: Session status: UP-ACTIVE\nRouter1: Router1#show crypto session | include Peer|Session\n"
        in captured.out
    )
    # Only the third check failed: its filter kept the Peer line alone.
    assert captured.err.count("did not print") == 1
    assert "`show crypto session | include Peer` did not print 'Session status'" in captured.err


def test_quiet_prints_only_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--quiet", *map(str, seed_pair(tmp_path))]) == 0
    assert capsys.readouterr().out == (
        "% pyike lab: 2 crypto sessions UP-ACTIVE on Router1, Router2; 0 checks passed.\n"
    )


def test_a_run_longer_than_the_lab_can_simulate_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = seed_pair(tmp_path, extra_r1="! lab: run 100000h\n")
    started = time.monotonic()
    assert main(["lab", "--quiet", *map(str, files)]) == 1
    assert time.monotonic() - started < 30  # the first hour is run, not minutes of the rest
    err = capsys.readouterr().err
    assert f"% pyike lab: {files[0]}:1: a run of 100000h is longer than the lab can simulate" in err
    assert re.search(r"about \d+ clock events per hour .* at most about \d+h$", err.strip())


def test_the_run_budget_is_judged_from_the_first_hour(tmp_path: Path) -> None:
    lab, _nats = build_lab(load_topology(seed_pair(tmp_path)), policy_for_config)
    lab.bring_up_tunnels()
    with pytest.raises(RunTooLong) as refused:
        lab.run_for(10 * 3600, budget=2000)  # the seed's routers take ~300 events an hour
    assert lab.clock.now == 3600  # judged after the first hour, the rest not run
    assert 3600 < refused.value.longest < 10 * 3600
    lab.run_for(2 * 3600, budget=2000)
    assert lab.clock.now == 3 * 3600
