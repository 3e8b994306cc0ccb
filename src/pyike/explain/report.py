"""From log texts to a report: read, recognise, rebuild timelines, diagnose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyike.explain.diagnose import Finding, Verdict, diagnose_timeline, overall
from pyike.explain.events import Event
from pyike.explain.lines import ReadResult, RecordKind, Skipped, read_log
from pyike.explain.model import Timeline
from pyike.explain.recognise import recognise
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


@dataclass
class Report:
    sources: list[SourceSummary]
    timelines: list[Timeline]
    findings: list[Finding]
    verdict: Verdict
    skipped: list[Skipped] = field(default_factory=list)


def explain_texts(texts: Sequence[tuple[str, str]]) -> Report:
    """Explain one or more logs, given as (name, text) pairs; several logs are merged by SPI."""
    reads: list[ReadResult] = [read_log(text, name) for name, text in texts]
    events: list[Event] = []
    skipped: list[Skipped] = []
    sources: list[SourceSummary] = []
    for read in reads:
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
        sources.append(SourceSummary(read.source, read.total_lines, len(read.records), interpreted))
    timelines = TimelineBuilder().build(events)
    findings = [diagnose_timeline(timeline) for timeline in timelines]
    verdict = overall(timelines, findings)
    skipped.sort(key=lambda item: (item.source, item.line))
    return Report(sources, timelines, findings, verdict, skipped)
