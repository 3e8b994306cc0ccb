"""`pyike lab`'s progress line: on a terminal for a long run, erased at the end, never in
piped output, not with --quiet or --json."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import PLAIN_RUN
from pyike.lab.progress import LabProgress
from pyike.lab.topology_run import run_topology
from pyike.topology import load_topology
from tests.support.hub_and_spokes import write_hub_and_spokes
from tests.support.paths import EXAMPLES
from tests.support.terminal import pseudo_terminal, run_on_terminal, screen

SPOKES = 150  # some seconds of run: well past the second before the line shows
PYIKE = [sys.executable, "-m", "pyike"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub with SPOKES static-VTI spokes, written by the scale benchmark."""
    return write_hub_and_spokes(tmp_path_factory.mktemp("hub"), SPOKES)


@pytest.fixture(scope="module")
def piped(hub: Path) -> subprocess.CompletedProcess[str]:
    """The run with stdout and stderr both pipes."""
    return subprocess.run(
        [*PYIKE, "lab", str(hub)], capture_output=True, text=True, timeout=900, check=False
    )


def test_piped_output_never_shows_it(piped: subprocess.CompletedProcess[str]) -> None:
    assert piped.returncode == 0, piped.stderr
    assert f"{SPOKES + 1} routers" in piped.stdout
    assert "tunnels up" not in piped.stdout + piped.stderr
    assert "\x1b" not in piped.stdout + piped.stderr


def test_a_long_run_shows_it_on_the_terminal_and_erases_it(
    hub: Path, piped: subprocess.CompletedProcess[str]
) -> None:
    run = run_on_terminal([*PYIKE, "lab", str(hub)], stdout_too=False)
    assert run.code == 0
    shown = re.findall(
        r"pyike lab: virtual time 0:00:\d\d  tunnels up (\d+)/(\d+)  events", run.terminal
    )
    assert shown, run.terminal
    assert {configured for _up, configured in shown} == {str(2 * SPOKES)}  # each end
    ups = [int(up) for up, _configured in shown]
    assert ups == sorted(ups) and ups[-1] <= 2 * SPOKES
    assert screen(run.terminal) == []  # nothing left of it
    assert run.stdout == piped.stdout  # the routers' output as without a terminal


def test_output_on_the_same_terminal_goes_above_it(
    hub: Path, piped: subprocess.CompletedProcess[str]
) -> None:
    run = run_on_terminal([*PYIKE, "lab", str(hub)], stdout_too=True)
    assert run.code == 0
    assert "tunnels up" in run.terminal
    assert screen(run.terminal) == [line.rstrip() for line in piped.stdout.splitlines()]


@pytest.mark.parametrize("option", ["--quiet", "--json"])
def test_quiet_and_json_runs_never_show_it(hub: Path, option: str) -> None:
    run = run_on_terminal([*PYIKE, "lab", option, str(hub)], stdout_too=True)
    assert run.code == 0
    assert "tunnels up" not in run.terminal and "\x1b[" not in run.terminal


def _watched_run(timer_step: float) -> str:
    """The hub-and-spokes example run with a display whose clock moves ``timer_step``
    seconds a look; what the display wrote."""
    ticks = iter(range(1_000_000))
    written = io.StringIO()
    progress = LabProgress(
        Console(file=written, force_terminal=True, width=120),
        stdout_above=False,
        timer=lambda: next(ticks) * timer_step,
    )
    topology = load_topology([str(EXAMPLES / "hub-and-spokes")])
    with progress:
        result = run_topology(
            topology, policy_for_config, options=replace(PLAIN_RUN, watch=progress.watch)
        )
    assert result.ok
    return written.getvalue()


def test_it_counts_each_routers_end_of_the_tunnels() -> None:
    shown = _watched_run(timer_step=1.0)
    assert set(re.findall(r"tunnels up \d+/(\d+)", shown)) == {"6"}  # three tunnels, two ends
    assert "tunnels up 6/6" in shown


def test_a_short_run_never_shows_it() -> None:
    assert _watched_run(timer_step=0.0) == ""


def test_it_shows_the_configurations_loading_on_a_terminal(hub: Path) -> None:
    """Loading thousands of configurations takes seconds before the lab runs: the line counts
    the files read meanwhile, says when the lab is being built, and is erased at the end."""
    ticks = iter(range(1_000_000))
    with pseudo_terminal() as (terminal, written):
        progress = LabProgress(
            Console(file=terminal, width=200),
            stdout_above=False,
            timer=lambda: next(ticks) * 1.0,  # a second a look: it shows at once
        )
        with progress:
            topology = load_topology([str(hub)], progress.loading)
            options = replace(PLAIN_RUN, watch=progress.watch, loading=progress.loading)
            assert run_topology(topology, policy_for_config, options=options).ok
    shown = b"".join(written).decode()
    files = SPOKES + 1
    read = [int(n) for n in re.findall(rf"reading configurations (\d+)/{files}\b", shown)]
    assert read[0] == 0 and read == sorted(read) and read[-1] == files - 1
    assert f"{files} files read, building the lab" in shown
    assert shown.index("building the lab") < shown.index("tunnels up")
    assert screen(shown) == []  # erased with the rest
