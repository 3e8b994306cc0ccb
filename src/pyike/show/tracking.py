"""`show ip sla statistics [N]` and `show track [N] [brief]`, in IOS 15's format, from what
pyike.host.track_objects records of each IP SLA operation's probes and each track's changes.
Times are the recording clock's seconds; `epoch` is that clock's zero as a UTC wall-clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyike import ios_names
from pyike.config.tracking_model import IpSla, Track

# IOS's operation return codes (those pyike's icmp-echo operations end with)
OK = "OK"
TIMEOUT = "Timeout"
NO_CONNECTION = "No connection"
UNKNOWN = "Unknown"


@dataclass
class OperationStats:
    """An IP SLA operation's latest probe and its counts."""

    rtt_ms: int | None = None  # the latest probe's round trip; None unless it was answered
    started: float | None = None  # when the latest probe was sent
    return_code: str = UNKNOWN
    successes: int = 0
    failures: int = 0


@dataclass
class TrackHistory:
    changes: int = 0
    last_change: float | None = None


def not_configured_sla(number: int) -> str:
    return f"%No IP SLAs operation {number} configured\n"


def not_configured_track(number: int) -> str:
    return f"%Track {number} is not configured\n"


def ip_sla_statistics(
    slas: Mapping[int, IpSla], stats: Mapping[int, OperationStats], epoch: datetime
) -> str:
    blocks = [
        "\n".join(_operation(slas[number], stats.get(number, OperationStats()), epoch))
        for number in sorted(slas)
    ]
    return "\n\n".join(["IPSLAs Latest Operation Statistics", *blocks]) + "\n"


def _operation(sla: IpSla, stats: OperationStats, epoch: datetime) -> list[str]:
    rtt = "NoConnection/Busy/Timeout" if stats.rtt_ms is None else f"{stats.rtt_ms} milliseconds"
    started = UNKNOWN if stats.started is None else _wall_clock(epoch, stats.started)
    return [
        f"IPSLA operation id: {sla.number}",
        f"        Latest RTT: {rtt}",
        f"Latest operation start time: {started}",
        f"Latest operation return code: {stats.return_code}",
        f"Number of successes: {stats.successes}",
        f"Number of failures: {stats.failures}",
        # scheduled operations run until unconfigured: pyike does not end them at `life`
        f"Operation time to live: {'Forever' if sla.scheduled else '0'}",
    ]


def _wall_clock(epoch: datetime, seconds: float) -> str:
    """ "10:51:33 UTC Sat Dec 5 2026"."""
    moment = epoch + timedelta(seconds=seconds)
    return f"{moment:%H:%M:%S} UTC {moment:%a %b} {moment.day} {moment.year}"


@dataclass(frozen=True)
class TrackView:
    track: Track
    up: bool
    history: TrackHistory
    operation: OperationStats | None  # its IP SLA operation's, for `track N ip sla M`


def show_track(views: list[TrackView], now: float) -> str:
    lines: list[str] = []
    for view in views:
        lines += _track(view, now)
    return "\n".join(lines) + "\n" if lines else ""


def _track(view: TrackView, now: float) -> list[str]:
    track = view.track
    if track.sla is None:
        what, kind = f"{track.typed} (not run by pyike)", "State"
    else:
        what, kind = f"IP SLA {track.sla} {track.kind}", track.kind.capitalize()
    lines = [
        f"Track {track.number}",
        f"  {what}",
        f"  {kind} is {_state(view.up)}",
        f"    {_changes(view.history, now)}",
    ]
    delays = [f"{d} {s} secs" for d, s in (("up", track.delay_up), ("down", track.delay_down)) if s]
    if delays:
        lines.append("  Delay " + ", ".join(delays))
    if view.operation is not None:
        lines.append(f"  Latest operation return code: {view.operation.return_code}")
        if view.operation.rtt_ms is not None:
            lines.append(f"  Latest RTT (millisecs) {view.operation.rtt_ms}")
    return lines


def _changes(history: TrackHistory, now: float) -> str:
    count = f"{history.changes} change{'' if history.changes == 1 else 's'}"
    if history.last_change is None:
        return f"{count}, last change never"
    return f"{count}, last change {ios_names.uptime(int(now - history.last_change))}"


def _state(up: bool) -> str:
    return "Up" if up else "Down"


def show_track_brief(views: list[TrackView], now: float) -> str:
    lines = [_brief_row("Track", "Type", "Instance", "Parameter", "State", "Last Change")]
    for view in views:
        track = view.track
        last = view.history.last_change
        since = "never" if last is None else ios_names.uptime(int(now - last))
        if track.sla is None:  # as typed: `interface Ethernet0/0 line-protocol`, ...
            kind, instance, *rest = [*track.typed.split(), "", ""]
            parameter = " ".join(rest).strip()
        else:
            kind, instance, parameter = "ip sla", str(track.sla), track.kind
        lines.append(
            _brief_row(str(track.number), kind, instance, parameter, _state(view.up), since)
        )
    return "\n".join(lines) + "\n"


def _brief_row(*cells: str) -> str:
    number, kind, instance, parameter, state, since = cells
    return f"{number:<6}{kind:<12}{instance:<27}{parameter:<17}{state:<6}{since}"


__all__ = [
    "NO_CONNECTION",
    "OK",
    "TIMEOUT",
    "OperationStats",
    "TrackHistory",
    "TrackView",
    "ip_sla_statistics",
    "not_configured_sla",
    "not_configured_track",
    "show_track",
    "show_track_brief",
]
