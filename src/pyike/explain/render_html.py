"""A self-contained HTML page: the verdict, a sequence diagram per IKE SA, the annotated lines.

No scripts, no external resources: the page can be attached to a ticket and opened offline.
"""

from __future__ import annotations

from html import escape

from pyike.explain import narrative
from pyike.explain.model import Exchange, Timeline
from pyike.explain.report import Report

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
        body.append(f"<p>Seen in: {escape(verdict.router)}</p>")
    if verdict.evidence:
        quoted = "\n".join(narrative.quote(item) for item in verdict.evidence)
        body.append(f"<pre>{escape(quoted)}</pre>")
    for each in langs:
        for items in (narrative.fixes(verdict, each), narrative.needs(verdict, each)):
            if items:
                entries = "".join(f"<li>{escape(item)}</li>" for item in items)
                body.append(f'<ul class="{each}">{entries}</ul>')
    body.append("</div>")
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
                f"{escape(narrative.exchange_meaning(exchange, each)[0])}</span>"
                for each in langs
            )
            config = narrative.exchange_meaning(exchange, "en")[1]
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
