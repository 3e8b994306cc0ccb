"""`show clock [detail]`: the lab's routers tell their virtual time from the lab's epoch, with
IOS's `*` (no time source set the clock); the gateway tells the host's time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token

NO_TIME_SOURCE = "No time source"


def clock_line(moment: datetime, authoritative: bool) -> str:
    """`*10:16:04.567 UTC Wed Nov 11 2020` (IOS pads neither the day nor the hour's `*`)."""
    millis = moment.microsecond // 1000
    return (
        f"{'' if authoritative else '*'}{moment:%H:%M:%S}.{millis:03} UTC"
        f" {moment:%a %b} {moment.day} {moment.year}"
    )


def register(
    tree: CommandTree, now: Callable[[], float], epoch: datetime, source: str | None
) -> None:
    """`now()` seconds after `epoch` (UTC) is the time; `source` names what set the clock
    (`detail`), None when nothing did (the lab)."""

    def show(args: Sequence[Token]) -> ExecJob:
        if args and (len(args) > 1 or not "detail".startswith(args[0].text.lower())):
            raise InvalidInput(args[-1].start if len(args) > 1 else args[0].start)
        moment = epoch + timedelta(seconds=now())
        lines = [clock_line(moment, source is not None)]
        if args:
            lines.append(NO_TIME_SOURCE if source is None else f"Time source is {source}")
        return TextResult("\n".join(lines) + "\n")

    tree.register("show clock", show, takes_args=True)
