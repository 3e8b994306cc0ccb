"""`pyike run` starts without importing what only other commands (or exec commands) need:
the lab and its topologies, the decoder, the explainer, the show/exec shell. Each costs tens of milliseconds of
start-up, which is time to the first IKE_SA_INIT."""

from __future__ import annotations

import subprocess
import sys

from pyike.cli import build_parser

_PROBE = """
import sys
from pyike.cli import build_parser
build_parser("run").parse_args(["run", "router.cfg"])
import pyike.net.runtime
print(" ".join(sorted(m for m in sys.modules if m.startswith(
    ("pyike.lab", "pyike.netns", "pyike.topology", "pyike.decode", "pyike.explain",
     "pyike.net.shell", "pyike.host.exec_crypto", "pyike.host.views", "prompt_toolkit")))))
"""


def test_run_imports_neither_other_faces_nor_the_exec_shell() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_full_parser_still_offers_every_command() -> None:
    help_text = build_parser().format_help()
    for command in ("config", "decode", "explain", "lab", "run", "exec", "cli"):
        assert command in help_text
    assert build_parser("run").parse_args(["run", "r.cfg", "--passive"]).passive
