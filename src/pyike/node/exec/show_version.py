"""`show version`: what runs (pyike, not Cisco IOS, said plainly), since when, and from which
configuration, with IOS's uptime line (`Router1 uptime is 1 hour, 5 minutes`)."""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from pyike import __version__
from pyike.crypto.dh import backend_name
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token
from pyike.node.exec.show_clock import clock_line

_UNITS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60))


def uptime_words(seconds: float) -> str:
    """IOS's long form: `2 weeks, 1 day, 3 hours, 1 minute`; `0 minutes` at first."""
    left = max(int(seconds), 0)
    words = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count:
            words.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return ", ".join(words) or "0 minutes"


def register(
    tree: CommandTree,
    hostname: Callable[[], str],
    now: Callable[[], float],
    epoch: datetime,
    *,
    authoritative: bool,
    started: float = 0.0,
    config_file: str | None = None,
) -> None:
    """`now()` seconds after `epoch` is the time; the router started at `now()` == `started`."""

    def show(args: Sequence[Token]) -> ExecJob:
        if args:
            raise InvalidInput(args[0].start)
        lines = [
            f"pyike Software, Version {__version__}: IKEv2 and IPsec with a Cisco IOS"
            " personality (not Cisco IOS)",
            f"Python {platform.python_version()}; finite-field DH: {backend_name()}",
            "",
            f"{hostname()} uptime is {uptime_words(now() - started)}",
            f"System started at {clock_line(epoch + timedelta(seconds=started), authoritative)}",
        ]
        if config_file is not None:
            lines.append(f'System configuration file is "{config_file}"')
        lines.append(f"Time now {clock_line(epoch + timedelta(seconds=now()), authoritative)}")
        return TextResult("\n".join(lines) + "\n")

    tree.register("show version", show, takes_args=True)
