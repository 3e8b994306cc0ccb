"""From log texts to a report: read, recognise, rebuild timelines, diagnose."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pyike.explain.charon import is_charon_log, read_charon
from pyike.explain.diagnose import Finding, Verdict, both_ends, diagnose_timeline, overall
from pyike.explain.events import Event
from pyike.explain.lines import ReadResult, RecordKind, Skipped, read_lines
from pyike.explain.model import Timeline
from pyike.explain.pairing import Pairing, pair_logs
from pyike.explain.pluto import is_pluto_log, read_pluto
from pyike.explain.recognise import recognise
from pyike.explain.routers import split_routers
from pyike.explain.timeline import TimelineBuilder

_SKIP_REASONS = {
    RecordKind.CLI: "CLI prompt or command",
    RecordKind.SYSLOG: "syslog message (not IKEv2 debug)",
    RecordKind.OTHER_DEBUG: "other debug category",
}


@dataclass
class SourceSummary:
    name: str
    lines: int
    records: int
    interpreted: int
    routers: list[str] = field(default_factory=list)  # hostnames of a multi-router stream
    kind: str = "ios"  # "ios" (IOS, IOS-XE, ASA debug), "strongswan" (charon) or "libreswan"


@dataclass
class Report:
    sources: list[SourceSummary]
    timelines: list[Timeline]
    findings: list[Finding]
    verdict: Verdict
    skipped: list[Skipped] = field(default_factory=list)
    pairing: Pairing = field(default_factory=Pairing)  # IKE SAs seen in two logs

    def narrowed(self, keep: Callable[[Timeline], bool]) -> Report:
        """The report on the IKE SAs `keep` selects alone, with a verdict of their own: one
        tunnel among the many a router's log shows (`pyike lab --report`)."""
        chosen = [
            (timeline, finding)
            for timeline, finding in zip(self.timelines, self.findings, strict=True)
            if keep(timeline)
        ]
        timelines = [timeline for timeline, _ in chosen]
        findings = [finding for _, finding in chosen]
        logs = {timeline.source for timeline in timelines}
        order = [source.name for source in self.sources if source.name in logs]
        verdict, pairing = _judge(timelines, findings, order)
        return Report(self.sources, timelines, findings, verdict, self.skipped, pairing)


def explain_texts(texts: Sequence[tuple[str, str]]) -> Report:
    """Explain one or more logs, given as (name, text) pairs; several logs are merged by SPI.

    A text holding several routers' output behind hostname prefixes is one log per router."""
    events: list[Event] = []
    skipped: list[Skipped] = []
    sources: list[SourceSummary] = []
    swan: list[Timeline] = []
    for name, text in texts:
        reader = _SWAN_READERS.get(_swan_kind(text))
        if reader is not None:
            timelines, unread, records, interpreted = reader(text, name)
            swan.extend(timelines)
            skipped.extend(unread)
            lines = len(text.splitlines())
            sources.append(SourceSummary(name, lines, records, interpreted, kind=_swan_kind(text)))
            continue
        stream = split_routers(text)
        summary = SourceSummary(name, stream.total_lines, 0, 0, stream.routers)
        skipped.extend(Skipped(name, *item) for item in stream.set_aside)
        for log in stream.logs:
            read = read_lines(log.lines, name, log.router)
            summary.records += len(read.records)
            summary.interpreted += _recognise(read, events, skipped)
        sources.append(summary)
    order = [name for name, _ in texts]
    timelines = sorted(
        TimelineBuilder().build(events) + swan, key=lambda tl: order.index(tl.source)
    )
    findings = [diagnose_timeline(timeline) for timeline in timelines]
    verdict, pairing = _judge(timelines, findings, order)
    skipped.sort(key=lambda item: (item.source, item.line))
    return Report(sources, timelines, findings, verdict, skipped, pairing)


def _judge(
    timelines: list[Timeline], findings: list[Finding], order: list[str]
) -> tuple[Verdict, Pairing]:
    """The verdict on these timelines, from both ends where the logs (in `order`) pair."""
    pairing = pair_logs(timelines, order)
    return both_ends(overall(timelines, findings), timelines, findings, pairing), pairing


_SwanReader = Callable[[str, str], tuple[list[Timeline], list[Skipped], int, int]]
_SWAN_READERS: dict[str, _SwanReader] = {"strongswan": read_charon, "libreswan": read_pluto}


def _swan_kind(text: str) -> str:
    """ "strongswan" or "libreswan" for a Linux daemon's log, "ios" for router debug."""
    if is_charon_log(text):
        return "strongswan"
    return "libreswan" if is_pluto_log(text) else "ios"


def _recognise(read: ReadResult, events: list[Event], skipped: list[Skipped]) -> int:
    """Add the events of ``read``'s records and its unused lines; the records interpreted."""
    interpreted = 0
    for record in read.records:
        found = recognise(record)
        events.extend(found)
        if found:
            interpreted += 1
        elif record.kind in _SKIP_REASONS:
            skipped.append(
                Skipped(record.source, record.line, record.text, _SKIP_REASONS[record.kind])
            )
    skipped.extend(read.skipped)
    return interpreted
