"""`terminal length N` and `terminal width N`, which scripts send first. pyike pages and
wraps nothing: every output comes whole, as IOS's after `terminal length 0`. An SSH session
(pyike.host.ios_cli) keeps the values it is given; the lab's routers and `pyike exec` take
the commands, check them as IOS does, and change nothing."""

from __future__ import annotations

from collections.abc import Sequence

from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token

LIMITS = {"length": (0, 512), "width": (0, 512)}


def terminal_value(args: Sequence[Token], what: str) -> int:
    """The number `terminal length|width N` sets; IOS's invalid input for anything else."""
    if len(args) != 1 or not args[0].text.isdigit():
        raise InvalidInput(args[1].start if len(args) > 1 else 0)
    low, high = LIMITS[what]
    value = int(args[0].text)
    if not low <= value <= high:
        raise InvalidInput(args[0].start)
    return value


def register(tree: CommandTree) -> None:
    for what in LIMITS:

        def handler(args: Sequence[Token], what: str = what) -> ExecJob:
            terminal_value(args, what)
            return TextResult("")

        tree.register(f"terminal {what}", handler, takes_args=True)
