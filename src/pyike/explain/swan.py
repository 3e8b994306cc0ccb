"""What the two Linux daemons' log readers share (strongSwan's charon in charon.py, Libreswan's
pluto in pluto.py): their timestamps, telling their logs apart, the walk over a log's lines,
and a reader that hands each line to the first handler whose pattern it matches."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Self, TypeVar

from pyike.explain.lines import MONTHS, Skipped, Stamp
from pyike.explain.model import Evidence, Proposal, Timeline
from pyike.explain.timeline import finalise_timeline

# Syslog's `Dec  4 22:23:52[.123]` or ISO's `2026-12-04T22:23:52.5+01:00`.
STAMP = (
    r"(?P<mon>" + "|".join(MONTHS) + r")\s+(?P<day>\d{1,2})\s+(?P<time>\d{1,2}:\d{2}:\d{2})"
    r"(?:\.(?P<frac>\d{1,6}))?"
    r"|(?P<year>\d{4})-(?P<month>\d{2})-(?P<iday>\d{2})[T ](?P<itime>\d{2}:\d{2}:\d{2})"
    r"(?:[.,](?P<ifrac>\d{1,9}))?(?:Z|[+-]\d{2}:?\d{2})?"
)
_STAMP = re.compile(STAMP)
_NOTIFY = re.compile(r"N\((?P<name>[^)]+)\)")


def stamp_of(text: str) -> Stamp | None:
    """A syslog (`Dec  4 22:31:22[.123]`) or ISO (`2026-12-04T22:31:22.5`) timestamp."""
    match = _STAMP.match(text.strip())
    if match is None:
        return None
    if match.group("mon"):
        clock, frac = match.group("time"), match.group("frac")
        month, day, year = MONTHS.index(match.group("mon")) + 1, int(match.group("day")), 0
    else:
        clock, frac = match.group("itime"), match.group("ifrac")
        month, day = int(match.group("month")), int(match.group("iday"))
        year = int(match.group("year"))
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    total = hours * 3600 + minutes * 60 + seconds + (float(f"0.{frac}") if frac else 0.0)
    return Stamp(month, day, total, year, text.strip())


def mostly_lines_of(text: str, line: re.Pattern[str]) -> bool:
    """Whether most lines of ``text`` match ``line`` (a few other lines are tolerated)."""
    content = [entry for entry in text.splitlines()[:400] if entry.strip() and entry[:1] != "#"]
    matching = sum(1 for entry in content if line.match(entry))
    return bool(content) and 2 * matching >= len(content)


def notify_token(token: str) -> str | None:
    """The name in a message summary's `N(NAME)`, as the daemon spells it."""
    match = _NOTIFY.fullmatch(token)
    return match.group("name") if match else None


def with_evidence(proposals: list[Proposal], evidence: Evidence) -> list[Proposal]:
    for proposal in proposals:
        proposal.evidence = evidence
    return proposals


@dataclass(frozen=True)
class LogRecord:
    """One line of a daemon's log: where, when, on which host, and its message."""

    line: int
    stamp: Stamp | None
    host: str
    msg: str
    evidence: Evidence


_Record = TypeVar("_Record", bound=LogRecord)
_Handler = TypeVar("_Handler")


def rule(pattern: str, handler: _Handler) -> tuple[re.Pattern[str], _Handler]:
    """One row of a reader's table: the message pattern and what handles a line matching it."""
    return re.compile(pattern), handler


@dataclass
class LogReader(Generic[_Record]):
    """One log's records, in order, into timelines."""

    dialect: ClassVar[str]

    source: str
    timelines: list[Timeline] = field(default_factory=list)
    interpreted: int = 0  # the records a handler took

    def feed(self, record: _Record) -> None:
        raise NotImplementedError

    def finish(self) -> list[Timeline]:
        for timeline in self.timelines:
            finalise_timeline(timeline)
        return self.timelines

    def handle(
        self,
        record: _Record,
        rules: Sequence[tuple[re.Pattern[str], Callable[[Self, _Record, re.Match[str]], None]]],
    ) -> None:
        """The first rule whose pattern the record's message matches handles it."""
        for pattern, handler in rules:
            match = pattern.search(record.msg)
            if match is not None:
                self.interpreted += 1
                handler(self, record, match)
                return

    def new_timeline(self, host: str, role: str) -> Timeline:
        """A timeline of this log's, not yet among `timelines`."""
        return Timeline(
            router=self.source,
            source=self.source,
            spi_i="",
            hostname=host,
            dialect=self.dialect,
            role=role,
        )


def read_log(
    text: str,
    reader: LogReader[_Record],
    parse: Callable[[int, str, str], _Record | None],
    not_ours: str,
) -> tuple[list[Timeline], list[Skipped], int, int]:
    """Timelines of a log, the lines not read (`not_ours` says why for a line `parse` refuses),
    and (records, records interpreted)."""
    source = reader.source
    skipped: list[Skipped] = []
    records = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            skipped.append(Skipped(source, number, line.strip(), "comment"))
            continue
        record = parse(number, line, source)
        if record is None:
            skipped.append(Skipped(source, number, line.strip(), not_ours))
            continue
        records += 1
        reader.feed(record)
    return reader.finish(), skipped, records, reader.interpreted
