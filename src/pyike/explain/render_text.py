"""Plain text for a terminal, and Markdown; both tell the same story in the same order."""

from __future__ import annotations

from pyike.explain import narrative
from pyike.explain.report import Report


def render_text(report: Report, lang: str = "en", markdown: bool = False) -> str:
    out: list[str] = []
    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
    code = "    "
    langs = narrative.languages(lang)
    total = sum(source.lines for source in report.sources)
    routers = [router for source in report.sources for router in source.routers]
    files = f"{len(report.sources)} file(s)" + (
        f" (routers {', '.join(routers)})" if routers else ""
    )
    out.append(
        f"{h1}pyike explain: {files}, {total} lines, "
        f"{len(report.timelines)} IKE SA timeline(s), {len(report.skipped)} line(s) skipped"
    )
    out.append("")
    verdict = report.verdict
    out.append(f"{h2}Verdict: {narrative.verdict_title(verdict, 'en')}")
    for each in langs:
        for sentence in narrative.verdict_sentences(verdict, each):
            out.append(f"{bullet}{sentence}" if markdown else f"  {sentence}")
    if verdict.router:
        out.append(
            f"  Seen in: {verdict.router}" + (f" and {verdict.peer}" if verdict.peer else "")
        )
    for sentence in narrative.pairing_sentences(report):
        out.append(f"{bullet}{sentence}" if markdown else f"  {sentence}")
    if verdict.evidence:
        out.append("  Decisive lines:" if not markdown else "\nDecisive lines:\n")
        for evidence in verdict.evidence:
            out.append(f"{code}{narrative.quote(evidence)}")
    for each in langs:
        items = narrative.fixes(verdict, each)
        if items:
            out.append("  What to change:" if each == "en" else "  변경할 구성:")
            out.extend(f"{bullet}{item}" for item in items)
    for each in langs:
        items = narrative.needs(verdict, each)
        if items:
            out.append(
                "  To decide, also collect:" if each == "en" else "  판단에 필요한 추가 자료:"
            )
            out.extend(f"{bullet}{item}" for item in items)
    if verdict.also:
        out.append(
            "  Other findings: " + "; ".join(f"{router}: {cause}" for router, cause in verdict.also)
        )
    for timeline, finding in zip(report.timelines, report.findings, strict=True):
        out.append("")
        role = narrative.role_word(timeline)
        # A single file showing both roles names its routers after the role already.
        on = timeline.router if f"({role})" in timeline.router else f"{timeline.router} ({role})"
        title = narrative.outcome_title(finding.outcome, finding.cause, "en")
        out.append(f"{h2}IKE SA {narrative.spi_pair(timeline)} on {on}: {title}")
        if timeline.local or timeline.remote:
            out.append(f"  local {timeline.local or '?'}  remote {timeline.remote or '?'}")
        for exchange in timeline.exchanges:
            out.append(
                f"{bullet}line {exchange.evidence.line}: {narrative.exchange_title(exchange)}: "
                f"{narrative.exchange_result(exchange)}"
            )
            out.append(f"      request: {narrative.message_summary(exchange.request)}")
            out.append(f"      response: {narrative.message_summary(exchange.response)}")
            for each in langs:
                meaning, config = narrative.exchange_meaning(exchange, each, timeline.dialect)
                out.append(f"      {meaning}")
            if config:
                out.append(f"      config: {config}")
        for step in timeline.steps:
            detail = f" ({step.detail})" if step.detail else ""
            for each in langs:
                sentence = narrative.step_sentence(step.what, each)
                out.append(f"{bullet}line {step.evidence.line}: {sentence}{detail}")
        path = narrative.states_path(timeline)
        if path:
            out.append(f"  state machine: {path}")
        if finding.detail:
            out.append(f"  {finding.detail}")
    if report.skipped:
        out.append("")
        out.append(f"{h2}Skipped lines")
        for source, reason, ranges in narrative.skipped_summary(report.skipped):
            out.append(f"{bullet}{source}: {reason}: lines {ranges}")
    return "\n".join(out) + "\n"
