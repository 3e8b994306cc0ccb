"""``pyike explain FILE...``: read IKEv2 logs (IOS, IOS-XE, ASA, charon, pluto) and say what
went wrong."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pyike.explain.render_html import render_html
from pyike.explain.render_json import render_json
from pyike.explain.render_text import render_text
from pyike.explain.report import explain_texts
from pyike.textfile import NotTextFile, binary_offset

_MAX_BYTES = 64 * 1024 * 1024


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain IKEv2 logs: IOS/IOS-XE/ASA debug, strongSwan's charon, Libreswan's pluto",
        description=(
            "Rebuild the IKEv2 exchanges from `debug crypto ikev2` output (IOS, IOS-XE, ASA), "
            "strongSwan's charon log or Libreswan's pluto log, say in plain words what "
            "happened and, when the tunnel did not come up, why and what to change. With a "
            "log from each end, the same IKE SA is paired across them (by SPIs, or by message "
            "IDs and times) and judged from both views; a stream of several routers' lines "
            "behind 'HOSTNAME: ' (pyike lab) is split per router; '-' reads stdin."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="debug log file, or - for stdin")
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json", "html"),
        default="text",
        help="output format",
    )
    parser.add_argument(
        "--lang", choices=("en", "ko"), default="en", help="add Korean explanations"
    )
    parser.set_defaults(handler=run)


def _read(path: str) -> tuple[str, str]:
    if path == "-":
        name, data = "stdin", sys.stdin.buffer.read(_MAX_BYTES)
    else:
        with open(path, "rb") as handle:
            name, data = path, handle.read(_MAX_BYTES)
    offset = binary_offset(data)
    if offset is not None:
        raise NotTextFile(name, offset)
    return name, data.decode("utf-8", errors="replace")


def run(args: argparse.Namespace) -> int:
    texts: list[tuple[str, str]] = []
    for path in args.files:
        try:
            texts.append(_read(path))
        except OSError as error:
            print(f"% Cannot read {path}: {error.strerror or error}", file=sys.stderr)
            return 1
    report = explain_texts(texts)
    if args.format == "json":
        output = render_json(report, args.lang)
    elif args.format == "html":
        output = render_html(report, args.lang)
    else:
        output = render_text(report, args.lang, markdown=args.format == "markdown")
    sys.stdout.write(output)
    return 0
