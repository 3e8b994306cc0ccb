"""The `pyike` command: one sub-command per face of the toolkit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pyike import __version__


def _version_text() -> str:
    from pyike.crypto.dh import backend_name

    return f"pyike {__version__} (finite-field DH backend: {backend_name()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyike",
        description="IKEv2/IPsec toolkit with a Cisco IOS personality.",
    )
    parser.add_argument("--version", action="store_true", help="print version and crypto backend")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Each face registers its own sub-command.
    from pyike.config import cli as config_cli
    from pyike.decode import cli as decode_cli
    from pyike.explain import cli as explain_cli
    from pyike.lab import cli as lab_cli
    from pyike.net import cli as net_cli

    for face in (config_cli, decode_cli, explain_cli, lab_cli, net_cli):
        face.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(_version_text())
        return 0
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
