"""The `pyike` command: one sub-command per face of the toolkit."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pyike import __version__

# The module that registers each sub-command. Each face is imported only when its command is
# the one being run (with no command, or --help, all of them are), so `pyike run` does not pay
# for the lab, the decoder or the explainer at start-up.
_FACES = {
    "config": "pyike.config.cli",
    "decode": "pyike.decode.cli",
    "explain": "pyike.explain.cli",
    "lab": "pyike.lab.cli",
    "pki": "pyike.pki.cli",
    "run": "pyike.net.cli",
    "exec": "pyike.net.cli",
    "cli": "pyike.net.cli",
}


def _version_text() -> str:
    # imported here for start-up speed: only --version asks which DH backend is in use
    from pyike.crypto.dh import backend_name

    return f"pyike {__version__} (finite-field DH backend: {backend_name()})"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or only `command`'s face when it names one."""
    parser = argparse.ArgumentParser(
        prog="pyike",
        description="IKEv2/IPsec toolkit with a Cisco IOS personality.",
    )
    parser.add_argument("--version", action="store_true", help="print version and crypto backend")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    face = _FACES.get(command or "")
    modules = [face] if face is not None else list(dict.fromkeys(_FACES.values()))
    for name in modules:
        importlib.import_module(name).add_parser(sub)
    return parser


def _chosen_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the (sub-)sub-command `args` chose, whose usage fits a mistake in it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                return _chosen_parser(chosen, args)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(arguments[0] if arguments else None)
    args, unknown = parser.parse_known_args(arguments)
    if unknown:
        _chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
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
