"""`pyike lab --netns` run as a command, and the checks that a run leaves nothing behind: no
namespace of its tag, no process mentioning its work directory, no work directory."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pyike.frr.daemons import FRR_DAEMON_DIR
from pyike.frr.vtysh import FRR_STATE_DIR
from tests.support.netns import NO_NETNS, NO_NETNS_REASON, PYIKE
from tests.support.paths import ROOT

needs_frr = pytest.mark.skipif(
    NO_NETNS or not (FRR_DAEMON_DIR / "zebra").is_file(),
    reason=f"{NO_NETNS_REASON}, and FRRouting (Debian package frr)",
)


def namespaces() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def run_netns_lab(*args: str, timeout: float = 120) -> tuple[int, str, str, int]:
    """`pyike lab --netns ARGS...` from the repository root: (exit code, stdout, stderr,
    pid); the pid is the tag of the run's namespaces."""
    proc = subprocess.Popen(
        [*PYIKE, "lab", "--netns", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # SIGTERM: the run tears its namespaces and daemons down
        proc.communicate(timeout=60)
        raise
    return proc.returncode, out, err, proc.pid


def answer(out: str, host: str, command: str) -> list[str]:
    """What `host` printed for `command` (an exec command or a ping), without its prefix."""
    text = out.split(f"{host}: {host}#{command}\n")[1]
    lines = []
    for line in text.splitlines():
        if not line.startswith(f"{host}: ") or line.startswith(f"{host}: {host}#"):
            break
        lines.append(line.removeprefix(f"{host}: "))
    return lines


def assert_run_left_nothing(tag: str, out: str) -> None:
    assert f"pyike-{tag}-" not in namespaces()
    controls = set(re.findall(r"control (/tmp/pyike-netns-\w+)/", out))
    assert controls, "the daemons did not start"
    for workdir in controls:
        assert processes_mentioning(workdir) == []
        assert not Path(workdir).exists()


def assert_no_frr_left(tag: str) -> None:
    """No FRR daemon (they run with -N pyike-TAG-HOST), pathspace or namespace of the run."""
    assert processes_mentioning(f"pyike-{tag}-") == []
    assert not list(FRR_STATE_DIR.glob(f"pyike-{tag}-*"))
    assert f"pyike-{tag}-" not in namespaces()
