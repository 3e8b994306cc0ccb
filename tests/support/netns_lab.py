"""`pyike lab --netns` run as a command, and the checks that a run leaves nothing behind: no
namespace of its tag, no process mentioning its work directory, no work directory."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.netns import PYIKE
from tests.support.paths import ROOT


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
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err, proc.pid


def assert_run_left_nothing(tag: str, out: str) -> None:
    assert f"pyike-{tag}-" not in namespaces()
    controls = set(re.findall(r"control (/tmp/pyike-netns-\w+)/", out))
    assert controls, "the daemons did not start"
    for workdir in controls:
        assert processes_mentioning(workdir) == []
        assert not Path(workdir).exists()
