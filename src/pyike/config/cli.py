"""`pyike config check|show|explain`: the configuration language from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from pyike.config import LoadResult, load_file
from pyike.config.explain import explain
from pyike.config.model import Config
from pyike.config.writer import render


def _load(path: str) -> LoadResult | None:
    try:
        return load_file(path)
    except OSError as exc:
        print(f"{path}: {exc.strerror or exc}", file=sys.stderr)
        return None


def _print_findings(result: LoadResult, stream: Any) -> None:
    for d in result.diagnostics:
        print(d.format(), file=stream)


def _summary(path: str, result: LoadResult) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    verdict = "usable" if result.ok else "not usable"
    if result.ok and result.blocked:
        verdict += f", but {', '.join(result.blocked)} cannot come up"
    return f"{path}: {errors} error(s), {warnings} warning(s): {verdict}"


def not_modelled_table(config: Config) -> list[str]:
    """The commands kept without being modelled, by mode and command: how many, and the line
    of the first (`config check --verbose`)."""
    rows: dict[tuple[str, str], list[int]] = {}
    for entry in config.not_modelled:
        rows.setdefault((entry.mode, entry.command), []).append(entry.line)
    if not rows:
        return []
    modes = max(len(mode) for mode, _ in rows)
    commands = max(len(command) for _, command in rows)
    head = f"  {'mode':<{modes}}  {'command':<{commands}}  count  first line"
    lines = [f"{config.file}: not modelled, kept as written:", head]
    for (mode, command), numbers in sorted(rows.items(), key=lambda row: row[1][0]):
        lines.append(f"  {mode:<{modes}}  {command:<{commands}}  {len(numbers):>5}  {numbers[0]}")
    return lines


def _check(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        result = _load(path)
        if result is None:
            status = 1
            continue
        _print_findings(result, sys.stdout)
        if args.verbose:
            print("\n".join(not_modelled_table(result.config)))
        print(_summary(path, result))
        if not result.ok or result.blocked:
            status = 1
    return status


def _print(path: str, text: Callable[[Config], str]) -> int:
    """Print `text` of the file's configuration, and its findings on stderr when it has errors."""
    result = _load(path)
    if result is None:
        return 1
    if not result.ok:
        _print_findings(result, sys.stderr)
        print(_summary(path, result), file=sys.stderr)
    sys.stdout.write(text(result.config))
    return 0 if result.ok else 1


def _show(args: argparse.Namespace) -> int:
    return _print(args.file, lambda cfg: render(cfg, args.section, show_keys=args.show_keys))


def _explain(args: argparse.Namespace) -> int:
    return _print(args.file, explain)


def add_parser(subparsers: Any) -> None:
    config = subparsers.add_parser(
        "config", help="check, print and explain IOS router configurations"
    )
    sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    config.set_defaults(handler=lambda _args: (config.print_help(), 2)[1])

    check = sub.add_parser("check", help="parse and validate; exit 1 on errors")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "-v", "--verbose", action="store_true", help="list the commands kept but not modelled"
    )
    check.set_defaults(handler=_check)

    show = sub.add_parser("show", help="print the running-config as IOS would")
    show.add_argument("file", metavar="FILE")
    show.add_argument("section", nargs="?", metavar="SECTION", help="like '| section REGEX'")
    show.add_argument("--show-keys", action="store_true", help="print pre-shared keys in clear")
    show.set_defaults(handler=_show)

    explain_cmd = sub.add_parser("explain", help="say what will be negotiated with whom")
    explain_cmd.add_argument("file", metavar="FILE")
    explain_cmd.set_defaults(handler=_explain)
