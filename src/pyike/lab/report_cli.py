"""`pyike lab --report FORMAT CONFIG...`: the session report alone on stdout (the routers'
consoles on stderr with --debug). Imported only when asked: the explainer and the renderers
cost start-up time the plain lab run does not need."""

from __future__ import annotations

import argparse
import sys

from pyike.lab.lab import RunOptions
from pyike.lab.report_html import render_html
from pyike.lab.report_render import RENDERERS
from pyike.lab.sessions import run_report
from pyike.topology import Topology


def report_cli(topology: Topology, args: argparse.Namespace, options: RunOptions) -> int:
    """Exit 0 when every session is established and carries traffic, every check passed and
    every line loaded."""
    for refusal in topology.refused:
        print(refusal.format(), file=sys.stderr)
    console = _to_stderr if args.debug else None
    report = run_report(topology, seed=args.seed, options=options, console=console)
    render = render_html if args.report == "html" else RENDERERS[args.report]
    sys.stdout.write(render(report))
    return 0 if report.ok else 1


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)
