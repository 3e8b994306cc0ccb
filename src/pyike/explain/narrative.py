"""Sentences shared by the renderers: one per exchange, the verdict, skipped-line ranges."""

from __future__ import annotations

from collections.abc import Iterable

from pyike.explain.catalogue import (
    CAUSE_TEXTS,
    DIALECT_EXCHANGE_CONFIG,
    DIALECT_FIXES,
    EXCHANGE_TEXTS,
    NEEDS,
    OUTCOME_TEXTS,
    STEP_TEXTS,
    Text,
)
from pyike.explain.diagnose import Verdict, end_label
from pyike.explain.lines import Skipped
from pyike.explain.model import Evidence, Exchange, Message, Timeline
from pyike.explain.report import Report

LANGS = ("en", "ko")


def languages(lang: str) -> tuple[str, ...]:
    """English always; Korean as well when asked for (the seed's readers read Korean)."""
    return ("en", "ko") if lang == "ko" else ("en",)


def quote(evidence: Evidence) -> str:
    """A log line as the reports quote it: where it is (file, line, router) and its text."""
    where = f"{evidence.source}:{evidence.line}"
    if evidence.end_line != evidence.line:
        where += f"-{evidence.end_line}"
    if evidence.router:
        where += f" ({evidence.router})"
    return f"{where}  {evidence.text}"


def spi_pair(timeline: Timeline) -> str:
    """The IKE SA's SPIs, or the log's own name for it when it shows no SPIs (charon's
    `pyike[1]` below level 3)."""
    if not timeline.spi_i and timeline.sa_ids and timeline.dialect != "ios":
        return timeline.sa_ids[0]
    return f"{timeline.spi_i or '?'}/{timeline.spi_r or '?'}"


def _proposals(message: Message) -> str:
    return "; ".join(
        " ".join(proposal.transforms) for proposal in message.proposals if proposal.transforms
    )


def message_summary(message: Message | None) -> str:
    if message is None:
        return "not in the log"
    parts = [message.direction or "seen"]
    proposals = _proposals(message)
    if proposals:
        parts.append(f"proposals [{proposals}]")
    if message.notifies:
        parts.append("notifies " + ", ".join(message.notifies))
    if message.ts_i or message.ts_r:
        parts.append(f"TSi {', '.join(message.ts_i) or '-'} TSr {', '.join(message.ts_r) or '-'}")
    return "; ".join(parts)


def exchange_key(exchange: Exchange) -> str:
    if exchange.type == "CREATE_CHILD_SA":
        return exchange.purpose if exchange.purpose in EXCHANGE_TEXTS else "child_create"
    if exchange.type == "INFORMATIONAL" and exchange.purpose in ("delete", "dpd"):
        return exchange.purpose
    return exchange.type


def exchange_title(exchange: Exchange) -> str:
    purpose = {
        "ike_rekey": " (IKE SA rekey)",
        "child_rekey": " (child SA rekey)",
        "delete": " (delete)",
        "dpd": " (DPD)",
    }.get(exchange.purpose, "")
    msg = f"msg {exchange.msg_id}" if exchange.msg_id is not None else "msg ?"
    who = {"requester": "we request", "responder": "peer requests"}.get(exchange.role, "")
    return f"{exchange.type}{purpose}, {msg}" + (f", {who}" if who else "")


def exchange_result(exchange: Exchange) -> str:
    text = {
        "ok": "completed",
        "failed": "failed",
        "no_response": "no response",
        "in_progress": "not completed in the log",
    }[exchange.result]
    if exchange.retransmits:
        text += f", {exchange.retransmits} retransmission(s)"
    return text


def exchange_meaning(exchange: Exchange, lang: str, dialect: str = "ios") -> tuple[str, str]:
    """What the exchange does, and the configuration it comes from in ``dialect``'s terms."""
    key = exchange_key(exchange)
    text, config = EXCHANGE_TEXTS.get(key, EXCHANGE_TEXTS["INFORMATIONAL"])
    if dialect in DIALECT_EXCHANGE_CONFIG:
        config = DIALECT_EXCHANGE_CONFIG[dialect].get(key, "")
    return text.get(lang), config


def role_word(timeline: Timeline) -> str:
    return timeline.role or "role unknown"


def outcome_title(outcome: str, cause: str, lang: str) -> str:
    """The outcome in words, and the cause when it says more than the outcome does."""
    words = OUTCOME_TEXTS[outcome].get(lang)
    return words if cause == outcome else f"{words} — {cause}"


def verdict_title(verdict: Verdict, lang: str) -> str:
    return outcome_title(verdict.outcome, verdict.cause, lang)


def router_label(timeline: Timeline) -> str:
    """The router whose log this is, by hostname when the log names it, and its role."""
    anonymous = {"strongswan": "strongSwan", "libreswan": "Libreswan"}.get(
        timeline.dialect, "this router"
    )
    name = timeline.hostname or anonymous
    return f"{name} ({timeline.role})" if timeline.role else name


def peer_label(timeline: Timeline) -> str:
    """The peer by address, else by identity; many logs print neither in their packets, but
    the key lookup names the address (`Getting preshared key from address 10.0.0.2`)."""
    lookups = [step.detail for step in timeline.steps if step.what == "key_lookup"]
    looked_up = next((d.split()[1] for d in lookups if d.startswith("address ")), "")
    who = timeline.remote or looked_up or timeline.peer_id
    return f"peer {who}" if who else "peer (address not in the log)"


def verdict_sentences(verdict: Verdict, lang: str) -> list[str]:
    cause = CAUSE_TEXTS[verdict.cause]
    out = [cause.title.get(lang)]
    if verdict.differing:
        label = "Transform types that differ: " if lang == "en" else "다른 변환 유형: "
        out.append(label + ", ".join(verdict.differing))
    if verdict.detail and lang == "en":
        out.append(verdict.detail)
    if verdict.side == "both":
        out.append(
            "Decided from both ends' logs: the cause from the end that decided, what the other "
            "end saw beside it."
            if lang == "en"
            else "양쪽 로그로 판단했습니다: 결정한 쪽의 원인과 다른 쪽이 본 것을 함께 보입니다."
        )
    if verdict.side == "peer":
        out.append(
            "Decided from the peer's notify: this log shows the effect, "
            "the peer's log shows the reason."
            if lang == "en"
            else "피어의 notify로 판단했습니다: 이 로그는 결과를, 피어의 로그는 원인을 보여 줍니다."
        )
    return out


def fixes(verdict: Verdict, lang: str) -> list[str]:
    """What to change, in the configuration language of the log that decided."""
    out = [item.get(lang) for item in _fixes_in(verdict.dialect, verdict.cause)]
    if verdict.peer_dialect and verdict.peer_dialect != verdict.dialect:
        there = "On the other end" if lang == "en" else "반대편"
        out += [
            f"{there} ({verdict.peer}): {item.get(lang)}"
            for item in _fixes_in(verdict.peer_dialect, verdict.cause)
        ]
    return out


def _fixes_in(dialect: str, cause: str) -> tuple[Text, ...]:
    return DIALECT_FIXES.get(dialect, {}).get(cause, CAUSE_TEXTS[cause].fix)


# What an IOS log lacks that a charon log shows at a higher level.
_SWAN_NEEDS = {"internal": "swan_debug", "packet": "swan_debug", "notify": "swan_debug"}


def needs(verdict: Verdict, lang: str) -> list[str]:
    ids = verdict.needs
    if verdict.dialect == "strongswan":
        ids = list(dict.fromkeys(_SWAN_NEEDS.get(item, item) for item in ids))
    elif verdict.dialect == "libreswan":
        ids = [item for item in ids if item not in _SWAN_NEEDS]
    return [NEEDS[item].get(lang) for item in ids if item in NEEDS]


def step_sentence(what: str, lang: str) -> str:
    text = STEP_TEXTS.get(what)
    return text.get(lang) if text else what


def states_path(timeline: Timeline) -> str:
    path: list[str] = []
    for step in timeline.states:
        if not path or path[-1] != step.state:
            path.append(step.state)
    return " → ".join(path)


def line_ranges(numbers: Iterable[int]) -> str:
    ordered = sorted(set(numbers))
    if not ordered:
        return ""
    ranges: list[str] = []
    start = previous = ordered[0]
    for number in ordered[1:]:
        if number == previous + 1:
            previous = number
            continue
        ranges.append(f"{start}-{previous}" if start != previous else str(start))
        start = previous = number
    ranges.append(f"{start}-{previous}" if start != previous else str(start))
    return ", ".join(ranges)


def skipped_summary(skipped: list[Skipped]) -> list[tuple[str, str, str]]:
    """(source, reason, line ranges) for every group of skipped lines."""
    groups: dict[tuple[str, str], list[int]] = {}
    for item in skipped:
        groups.setdefault((item.source, item.reason), []).append(item.line)
    return [
        (source, reason, line_ranges(lines)) for (source, reason), lines in sorted(groups.items())
    ]


def offset_text(seconds: float) -> str:
    return f"{seconds:+.3f} s"


def pairing_sentences(report: Report) -> list[str]:
    """Which IKE SAs of two logs are one, how they were matched, the logs' clock offset; or
    that the logs are not of one exchange."""
    out = []
    for pair in report.pairing.pairs:
        matched = f"{len(pair.exchanges)} exchange(s) in common"
        line = (
            f"Both ends: {end_label(pair.first)} and {end_label(pair.second)} are one IKE SA "
            f"(matched by {pair.how}, {matched})"
        )
        if pair.offset is not None:
            line += (
                f"; clock offset: {pair.second.source} reads {offset_text(pair.offset)} "
                f"against {pair.first.source}"
            )
        out.append(line)
    if report.verdict.note:
        out.append(report.verdict.note)
    return out
