"""`show ip sla statistics [N]` and `show track [N] [brief]`, on a lab router and on `pyike run`
alike, from what the track objects record of their operations' probes
(pyike.host.track_objects)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from pyike.host.track_objects import TrackObjects
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token
from pyike.show.tracking import (
    ip_sla_statistics,
    not_configured_sla,
    not_configured_track,
    show_track,
    show_track_brief,
)

SLA_NUMBERS = (1, 2147483647)  # IOS's ranges
TRACK_NUMBERS = (1, 1000)


def register_tracking_commands(
    tree: CommandTree,
    tracking: Callable[[], TrackObjects | None],
    now: Callable[[], float],
    epoch: datetime,
) -> None:
    """`tracking()` gives the track objects in force (None before any); `now()` and `epoch`
    are the clock their records are on and its zero as a UTC wall-clock."""

    def statistics(args: Sequence[Token]) -> ExecJob:
        objects = tracking()
        if len(args) > 1:
            raise InvalidInput(args[1].start)
        slas = objects.config.slas if objects is not None else {}
        if args:
            number = _number(args[0], SLA_NUMBERS)
            if number not in slas:
                return TextResult(not_configured_sla(number))
            slas = {number: slas[number]}
        stats = objects.stats if objects is not None else {}
        return TextResult(ip_sla_statistics(slas, stats, epoch))

    def track(args: Sequence[Token]) -> ExecJob:
        objects = tracking()
        only: int | None = None
        if args and args[0].text.isdigit():
            only, args = _number(args[0], TRACK_NUMBERS), args[1:]
        brief = bool(args) and "brief".startswith(args[0].text.lower())
        if len(args) > int(brief):
            raise InvalidInput(args[int(brief)].start)
        tracks = objects.config.tracks if objects is not None else {}
        if only is not None and only not in tracks:
            return TextResult(not_configured_track(only))
        views = objects.views(only) if objects is not None else []
        return TextResult((show_track_brief if brief else show_track)(views, now()))

    tree.register("show ip sla statistics", statistics, takes_args=True)
    tree.register("show track", track, takes_args=True)


def _number(token: Token, bounds: tuple[int, int]) -> int:
    """A number within IOS's range for it; anything else is invalid input at its start."""
    low, high = bounds
    if not token.text.isdigit() or not low <= int(token.text) <= high:
        raise InvalidInput(token.start)
    return int(token.text)


__all__ = ["register_tracking_commands"]
