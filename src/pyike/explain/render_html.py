"""A self-contained HTML page: the verdict, a sequence diagram per IKE SA, the annotated lines.

No scripts, no external resources: the page can be attached to a ticket and opened offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from pyike.explain import narrative
from pyike.explain.diagnose import end_label
from pyike.explain.model import Evidence, Exchange, Timeline
from pyike.explain.pairing import Pair
from pyike.explain.report import Report
from pyike.explain.timeline import ERROR_NOTIFIES

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
.verdict{border-left:6px solid #888;padding:.5em 1em;background:#f6f6f6}
.success{border-color:#2a8a2a}.failure{border-color:#c0392b}.partial{border-color:#d68910}
.unknown{border-color:#888}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#fafafa;padding:.5em;overflow-x:auto}
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}
.ko{color:#555}
svg text{font-family:ui-monospace,monospace;font-size:12px}
"""

_ROW = 46


def _sequence_diagram(timeline: Timeline) -> str:
    width = 640
    left, right = 110, width - 110
    height = 60 + _ROW * max(1, 2 * len(timeline.exchanges))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="sequence diagram">',
        '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z"/></marker></defs>',
        f'<text x="{left}" y="18" text-anchor="middle">'
        f"{escape(narrative.router_label(timeline))}</text>",
        f'<text x="{right}" y="18" text-anchor="middle">'
        f"{escape(narrative.peer_label(timeline))}</text>",
        f'<line x1="{left}" y1="26" x2="{left}" y2="{height}" stroke="#999"/>',
        f'<line x1="{right}" y1="26" x2="{right}" y2="{height}" stroke="#999"/>',
    ]
    y = 50
    for exchange in timeline.exchanges:
        for is_response in (False, True):
            parts.append(_arrow(exchange, is_response, left, right, y))
            y += _ROW
    parts.append("</svg>")
    return "".join(parts)


def _arrow(exchange: Exchange, is_response: bool, left: int, right: int, y: int) -> str:
    ours = (exchange.role != "responder") != is_response
    start, end = (left, right) if ours else (right, left)
    message = exchange.response if is_response else exchange.request
    label = f"{exchange.type} {'response' if is_response else 'request'}"
    if message is not None and message.notifies:
        errors = [
            name
            for name in message.notifies
            if not name.startswith(("NAT_", "SET_", "ESP_TFC", "NON_FIRST", "INITIAL", "HTTP_"))
        ]
        if errors:
            label += " " + ",".join(errors)
    dashed = ""
    if is_response and message is None:
        dashed = ' stroke-dasharray="5,4"'
        label += " (not seen)" if exchange.result != "ok" else ""
    if not is_response and exchange.retransmits:
        label += f" ×{exchange.retransmits + 1}"
    line = f"line {message.evidence.line}" if message is not None else ""
    middle = (left + right) // 2
    return (
        f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="#333" '
        f'marker-end="url(#a)"{dashed}/>'
        f'<text x="{middle}" y="{y - 6}" text-anchor="middle">{escape(label)}</text>'
        f'<text x="{middle}" y="{y + 14}" text-anchor="middle" fill="#777">{escape(line)}</text>'
    )


# The two-sided diagram: a column of log lines beside each end's lifeline.
_BOTH_WIDTH, _TEXT_WIDTH, _CHARS = 1100, 330, 44


@dataclass
class _Row:
    """One message as both ends logged it: who sent it, and each end's lines beside it."""

    label: str
    first_sends: bool
    lines: tuple[list[Evidence], list[Evidence]] = field(default_factory=lambda: ([], []))
    decisive: tuple[list[Evidence], list[Evidence]] = field(default_factory=lambda: ([], []))


def _rows(pair: Pair) -> list[_Row]:
    theirs = dict((id(ours), other) for ours, other in pair.exchanges)
    rows = []
    for exchange in pair.first.exchanges:
        other = theirs.get(id(exchange))
        role = exchange.role or ("responder" if other and other.role == "requester" else "")
        for is_response in (False, True):
            first_sends = (role != "responder") != is_response
            row = _Row(_message_label(exchange, is_response), first_sends)
            for side, ex in enumerate((exchange, other)):
                message = None if ex is None else (ex.response if is_response else ex.request)
                if message is not None:
                    row.lines[side].append(message.evidence)
            rows.append(row)
    return rows


def _message_label(exchange: Exchange, is_response: bool) -> str:
    message = exchange.response if is_response else exchange.request
    label = f"{exchange.type} {'response' if is_response else 'request'}"
    errors = [n for n in (message.notifies if message else []) if n in ERROR_NOTIFIES]
    return label + (" " + ",".join(errors) if errors else "")


def _attach_decisive(rows: list[_Row], pair: Pair, evidence: list[Evidence]) -> None:
    """Each decisive line beside the last message its end had logged by then."""
    if not rows:
        return
    for side, timeline in enumerate((pair.first, pair.second)):
        for line in (item for item in evidence if item.source == timeline.source):
            placed = [
                index
                for index, row in enumerate(rows)
                for seen in row.lines[side]
                if seen.line <= line.line
            ]
            rows[max(placed) if placed else 0].decisive[side].append(line)


def _side_text(x: int, y: int, anchor: str, lines: list[Evidence], decisive: bool) -> str:
    out = []
    for offset, line in enumerate(lines):
        text = f"{line.line}: {line.text}"
        short = text if len(text) <= _CHARS else text[: _CHARS - 1] + "…"
        colour = ' fill="#c0392b" font-weight="bold"' if decisive else ' fill="#555"'
        out.append(
            f'<text x="{x}" y="{y + 14 * offset}" text-anchor="{anchor}"{colour} '
            f'class="{"decisive" if decisive else "line"}"><title>{escape(text)}</title>'
            f"{escape(short)}</text>"
        )
    return "".join(out)


def _both_ends_diagram(report: Report, pair: Pair) -> str:
    rows = _rows(pair)
    _attach_decisive(rows, pair, report.verdict.evidence)
    left, right = _TEXT_WIDTH + 20, _BOTH_WIDTH - _TEXT_WIDTH - 20
    heights = [_ROW + 14 * max(len(r.decisive[0]), len(r.decisive[1])) for r in rows]
    height = 70 + sum(heights)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_BOTH_WIDTH}" height="{height}" '
        'role="img" aria-label="sequence diagram of both ends" class="both-ends">',
        '<defs><marker id="b" markerWidth="8" markerHeight="8" refX="8" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>',
    ]
    for x, timeline in ((left, pair.first), (right, pair.second)):
        parts.append(
            f'<text x="{x}" y="18" text-anchor="middle" class="end">'
            f"{escape(end_label(timeline))}</text>"
            f'<line x1="{x}" y1="26" x2="{x}" y2="{height}" stroke="#999"/>'
        )
    y = 56
    for row, row_height in zip(rows, heights, strict=True):
        start, end = (left, right) if row.first_sends else (right, left)
        parts.append(
            f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="#333" '
            f'marker-end="url(#b)"/><text x="{(left + right) // 2}" y="{y - 6}" '
            f'text-anchor="middle" class="message">{escape(row.label)}</text>'
        )
        for side, (x, anchor) in enumerate(((left - 10, "end"), (right + 10, "start"))):
            plain = [line for line in row.lines[side][:1] if line not in row.decisive[side]]
            parts.append(_side_text(x, y - 2, anchor, plain, False))
            parts.append(_side_text(x, y + 12, anchor, row.decisive[side], True))
        y += row_height
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report, lang: str = "en") -> str:
    langs = narrative.languages(lang)
    verdict = report.verdict
    body: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{"ko" if lang == "ko" else "en"}"><head><meta charset="utf-8">',
        "<title>pyike explain</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>pyike explain</h1>",
        f'<div class="verdict {escape(verdict.outcome)}">',
        f"<p><strong>{escape(narrative.verdict_title(verdict, 'en'))}</strong></p>",
    ]
    for each in langs:
        for sentence in narrative.verdict_sentences(verdict, each):
            body.append(f'<p class="{each}">{escape(sentence)}</p>')
    if verdict.router:
        also = f" and {verdict.peer}" if verdict.peer else ""
        body.append(f"<p>Seen in: {escape(verdict.router + also)}</p>")
    if verdict.evidence:
        quoted = "\n".join(narrative.quote(item) for item in verdict.evidence)
        body.append(f"<pre>{escape(quoted)}</pre>")
    for each in langs:
        for items in (narrative.fixes(verdict, each), narrative.needs(verdict, each)):
            if items:
                entries = "".join(f"<li>{escape(item)}</li>" for item in items)
                body.append(f'<ul class="{each}">{entries}</ul>')
    for sentence in narrative.pairing_sentences(report):
        body.append(f'<p class="pairing">{escape(sentence)}</p>')
    body.append("</div>")
    for pair in report.pairing.pairs:
        body.append(
            f"<h2>Both ends: {escape(end_label(pair.first))} and "
            f"{escape(end_label(pair.second))}</h2>"
        )
        body.append(_both_ends_diagram(report, pair))
    for timeline, finding in zip(report.timelines, report.findings, strict=True):
        body.append(
            f"<h2>IKE SA {escape(narrative.spi_pair(timeline))} on {escape(timeline.router)}: "
            f"{escape(narrative.outcome_title(finding.outcome, finding.cause, 'en'))}</h2>"
        )
        body.append(_sequence_diagram(timeline))
        body.append("<table><tr><th>line</th><th>exchange</th><th>what happened</th></tr>")
        for exchange in timeline.exchanges:
            meanings = " ".join(
                f'<span class="{each}">'
                f"{escape(narrative.exchange_meaning(exchange, each, timeline.dialect)[0])}</span>"
                for each in langs
            )
            config = narrative.exchange_meaning(exchange, "en", timeline.dialect)[1]
            body.append(
                f"<tr><td>{exchange.evidence.line}</td><td>{escape(narrative.exchange_title(exchange))}"
                f"<br>{escape(narrative.exchange_result(exchange))}</td><td>{meanings}"
                + (f"<br><code>{escape(config)}</code>" if config else "")
                + "</td></tr>"
            )
        for step in timeline.steps:
            body.append(
                f"<tr><td>{step.evidence.line}</td><td><code>{escape(step.evidence.text)}</code></td>"
                f"<td>{escape(narrative.step_sentence(step.what, langs[-1]))}</td></tr>"
            )
        body.append("</table>")
        path = narrative.states_path(timeline)
        if path:
            body.append(f"<p>State machine: <code>{escape(path)}</code></p>")
    if report.skipped:
        body.append("<h2>Skipped lines</h2><ul>")
        for source, reason, ranges in narrative.skipped_summary(report.skipped):
            body.append(f"<li>{escape(source)}: {escape(reason)}: lines {escape(ranges)}</li>")
        body.append("</ul>")
    body.append("</body></html>")
    return "\n".join(body) + "\n"
