"""The JSON report of ``pyike explain --format json``: a stable, documented schema.

Schema ``pyike-explain/2`` (keys are always present; lists may be empty). Version 2 added
"pairs", the verdict's "peer" and "note", side "both", source "kind" and IKE SA "dialect"::

    {
      "schema": "pyike-explain/2",
      "verdict": {
        "outcome": "success" | "failure" | "partial" | "unknown",
        "cause": one of CAUSES (success, psk_mismatch, auth_method_mismatch,
                 ike_proposal_mismatch, child_proposal_mismatch, ts_mismatch, no_response,
                 invalid_ke, identity_mismatch, key_not_found, certificate_error,
                 peer_not_configured, peer_rejected_child, local_config_error, nat_t_problem,
                 dpd_timeout, admin_clear, no_negotiation, unknown),
        "summary": str,                 # English; "summary_ko" is added with --lang ko
        "detail": str,                  # specifics, e.g. the proposals of both sides
        "differing_transforms": [str],  # "encryption", "PRF", "integrity", "DH group", "ESN"
        "evidence": [{"source": str, "line": int, "end_line": int, "text": str,
                      "router": str}],  # router: the line's hostname prefix, or ""
        "fix": [str],                   # what to change in the configuration
        "needs": [str],                 # what else would decide it (another log, a debug)
        "side": "local" | "peer" | "both" | "",  # whose view decided the cause ("both": two
                                        # logs of one IKE SA, the cause from the end that decided)
        "router": str,                  # the router the cause was seen on
        "peer": str,                    # with both ends: the other end (its log and role)
        "note": str,                    # e.g. that two logs are not of the same exchange
        "also": [{"router": str, "cause": str}]   # other findings in the same input
      },
      "sources": [{"name": str, "lines": int, "records": int, "interpreted": int,
                   "routers": [str],    # the hostname prefixes of a multi-router stream
                   "kind": "ios" | "strongswan" | "libreswan"}],
      "ike_sas": [{
        "router": str,                  # the hostname, else the file (and role)
        "source": str, "role": "initiator" | "responder" | "",
        "dialect": "ios" | "strongswan" | "libreswan",
        # sa_ids: IOS's SA IDs, or the log's name for the SA (charon `pyike[1]`, pluto `"c" #1`)
        "spi_i": str, "spi_r": str, "sa_ids": [str], "session_id": str,
        "local": str, "remote": str,
        "outcome": str, "cause": str, "detail": str,
        "ike_up_line": int | null, "child_up_line": int | null,
        "nat": "none" | "detected" | "",
        "profile": str, "local_id": str, "peer_id": str,
        "states": [{"state": str, "event": str, "line": int}],
        "exchanges": [{
          "type": "IKE_SA_INIT" | "IKE_AUTH" | "CREATE_CHILD_SA" | "INFORMATIONAL" | str,
          "purpose": "initial" | "ike_rekey" | "child_rekey" | "child_create" | "delete"
                     | "dpd" | "info" | "",
          "msg_id": int | null, "role": "requester" | "responder" | "",
          "result": "ok" | "failed" | "no_response" | "in_progress",
          "retransmits": int, "line": int,
          "explanation": str, "config": str,
          "request": message | null, "response": message | null
        }],
        "steps": [{"what": str, "detail": str, "line": int, "text": str}]
      }],
      "skipped": [{"source": str, "line": int, "reason": str}],
      "pairs": [{                       # one IKE SA seen in two logs (both ends of a tunnel)
        "first": int, "second": int,    # indexes into ike_sas
        "matched_by": "SPIs" | "messages",
        "exchanges": [[int, int]],      # indexes into each one's exchanges: the same exchange
        "clock_offset": float | null    # seconds the second log's clock reads ahead of the first's
      }]
    }

    message = {"direction": "sent" | "received" | "", "line": int,
               "notifies": [str], "payloads": [str],
               "proposals": [{"protocol": str, "transforms": [str]}],
               "ts_i": [str], "ts_r": [str]}

Notify names are IANA names (IOS's "ESP_TFC_NO_SUPPORT" becomes ESP_TFC_PADDING_NOT_SUPPORTED);
transforms keep IOS's spelling, as its `debug crypto ikev2` output prints them.
"""

from __future__ import annotations

import json
from typing import Any

from pyike.explain import narrative
from pyike.explain.catalogue import CAUSE_TEXTS
from pyike.explain.model import Evidence, Message
from pyike.explain.pairing import Pair
from pyike.explain.report import Report

SCHEMA = "pyike-explain/2"


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "source": evidence.source,
        "line": evidence.line,
        "end_line": evidence.end_line,
        "text": evidence.text,
        "router": evidence.router,
    }


def _message(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    return {
        "direction": message.direction,
        "line": message.evidence.line,
        "notifies": list(message.notifies),
        "payloads": list(message.payloads),
        "proposals": [
            {"protocol": proposal.protocol, "transforms": list(proposal.transforms)}
            for proposal in message.proposals
        ],
        "ts_i": list(message.ts_i),
        "ts_r": list(message.ts_r),
    }


def to_dict(report: Report, lang: str = "en") -> dict[str, Any]:
    verdict = report.verdict
    summary: dict[str, Any] = {
        "outcome": verdict.outcome,
        "cause": verdict.cause,
        "summary": CAUSE_TEXTS[verdict.cause].title.en,
        "detail": verdict.detail,
        "differing_transforms": list(verdict.differing),
        "evidence": [_evidence(item) for item in verdict.evidence],
        "fix": narrative.fixes(verdict, "en"),
        "needs": narrative.needs(verdict, "en"),
        "side": verdict.side,
        "router": verdict.router,
        "peer": verdict.peer,
        "note": verdict.note,
        "also": [{"router": router, "cause": cause} for router, cause in verdict.also],
    }
    if lang == "ko":
        summary["summary_ko"] = CAUSE_TEXTS[verdict.cause].title.ko
        summary["fix_ko"] = narrative.fixes(verdict, "ko")
        summary["needs_ko"] = narrative.needs(verdict, "ko")
    ike_sas = []
    for timeline, finding in zip(report.timelines, report.findings, strict=True):
        exchanges = []
        for exchange in timeline.exchanges:
            meaning, config = narrative.exchange_meaning(exchange, "en", timeline.dialect)
            item: dict[str, Any] = {
                "type": exchange.type,
                "purpose": exchange.purpose,
                "msg_id": exchange.msg_id,
                "role": exchange.role,
                "result": exchange.result,
                "retransmits": exchange.retransmits,
                "line": exchange.evidence.line,
                "explanation": meaning,
                "config": config,
                "request": _message(exchange.request),
                "response": _message(exchange.response),
            }
            if lang == "ko":
                korean = narrative.exchange_meaning(exchange, "ko", timeline.dialect)
                item["explanation_ko"] = korean[0]
            exchanges.append(item)
        ike_sas.append(
            {
                "router": timeline.router,
                "source": timeline.source,
                "role": timeline.role,
                "dialect": timeline.dialect,
                "spi_i": timeline.spi_i,
                "spi_r": timeline.spi_r,
                "sa_ids": list(timeline.sa_ids),
                "session_id": timeline.session_id,
                "local": timeline.local,
                "remote": timeline.remote,
                "outcome": finding.outcome,
                "cause": finding.cause,
                "detail": finding.detail,
                "ike_up_line": timeline.ike_up.line if timeline.ike_up else None,
                "child_up_line": timeline.child_up.line if timeline.child_up else None,
                "nat": timeline.nat,
                "profile": timeline.profile,
                "local_id": timeline.local_id,
                "peer_id": timeline.peer_id,
                "states": [
                    {"state": step.state, "event": step.event, "line": step.evidence.line}
                    for step in timeline.states
                ],
                "exchanges": exchanges,
                "steps": [
                    {
                        "what": step.what,
                        "detail": step.detail,
                        "line": step.evidence.line,
                        "text": step.evidence.text,
                    }
                    for step in timeline.steps
                ],
            }
        )
    return {
        "schema": SCHEMA,
        "verdict": summary,
        "sources": [
            {
                "name": source.name,
                "lines": source.lines,
                "records": source.records,
                "interpreted": source.interpreted,
                "routers": list(source.routers),
                "kind": source.kind,
            }
            for source in report.sources
        ],
        "ike_sas": ike_sas,
        "skipped": [
            {"source": item.source, "line": item.line, "reason": item.reason}
            for item in report.skipped
        ],
        "pairs": [_pair(report, pair) for pair in report.pairing.pairs],
    }


def _pair(report: Report, pair: Pair) -> dict[str, Any]:
    def index(items: list[Any], item: object) -> int:
        return next(number for number, each in enumerate(items) if each is item)

    return {
        "first": index(report.timelines, pair.first),
        "second": index(report.timelines, pair.second),
        "matched_by": pair.how,
        "exchanges": [
            [index(pair.first.exchanges, ours), index(pair.second.exchanges, theirs)]
            for ours, theirs in pair.exchanges
        ],
        "clock_offset": pair.offset,
    }


def render_json(report: Report, lang: str = "en") -> str:
    return json.dumps(to_dict(report, lang), indent=2, ensure_ascii=False) + "\n"
