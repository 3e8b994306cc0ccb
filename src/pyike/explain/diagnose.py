"""Decide, for each timeline and for the whole log, whether the tunnel came up and why not.

Each rule looks for the lines that decide a cause and keeps them as evidence; rules run from
the most specific cause (a key mismatch named by the router itself) to the most generic one
(nothing came back). When a log only shows one side, or its debug level hides the reason,
the finding says which other log or debug command would decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyike.codec.registry import TransformType
from pyike.explain.aliases import TRANSFORM_TYPE_WORDS, key_length, transform
from pyike.explain.catalogue import CAUSE_TEXTS
from pyike.explain.model import Evidence, Exchange, Failure, Message, Proposal, Timeline
from pyike.explain.pairing import Pairing
from pyike.explain.timeline import ERROR_NOTIFIES

# Every cause, most specific first: when several timelines fail, the verdict names the most
# telling one. Marked True: a router's own failure line names it (the others are inferred).
_CAUSES: tuple[tuple[str, bool], ...] = (
    ("eap_failure", True),
    ("aaa_authorization_failed", True),
    ("psk_mismatch", True),
    ("auth_method_mismatch", True),
    ("certificate_expired", True),
    ("certificate_revoked", True),
    ("certificate_no_crl", True),
    ("certificate_untrusted", True),
    ("certificate_identity_mismatch", True),
    ("certificate_error", True),
    ("identity_mismatch", True),
    ("key_not_found", True),
    ("peer_not_configured", True),
    ("ike_proposal_mismatch", False),
    ("invalid_ke", False),
    ("child_proposal_mismatch", False),
    ("ts_mismatch", True),
    ("address_pool_exhausted", True),
    ("peer_rejected_child", False),
    ("local_config_error", True),
    ("nat_t_problem", False),
    ("dpd_timeout", False),
    ("no_response", False),
    ("admin_clear", False),
    ("no_negotiation", False),
    ("unknown", False),
    ("success", False),
)
PRIORITY = tuple(cause for cause, _ in _CAUSES)
_DIRECT_CAUSES = tuple(cause for cause, direct in _CAUSES if direct)


@dataclass
class Finding:
    outcome: str  # success, failure, partial, unknown
    cause: str
    evidence: list[Evidence] = field(default_factory=list)
    detail: str = ""  # one line of specifics: which transform differs, which notify
    needs: list[str] = field(default_factory=list)  # ids of catalogue.NEEDS
    side: str = ""  # whose view decided it: "local", "peer"
    differing: list[str] = field(default_factory=list)  # transform types that differ


def _first(failures: list[Failure], cause: str) -> Failure | None:
    return next((failure for failure in failures if failure.cause == cause), None)


def _error_notify(timeline: Timeline, direction: str) -> tuple[Exchange, Message, str] | None:
    recovered = _recovered_invalid_ke(timeline) is not None
    for exchange in timeline.exchanges:
        for message in (exchange.response, exchange.request):
            if message is None or message.direction != direction:
                continue
            for name in message.notifies:
                if name in _ERROR_NAMES and not (recovered and name == "INVALID_KE_PAYLOAD"):
                    return exchange, message, name
    return None


def _received_error(timeline: Timeline) -> tuple[Exchange, Message, str] | None:
    return _error_notify(timeline, "received")


def _sent_error(timeline: Timeline) -> tuple[Exchange, Message, str] | None:
    return _error_notify(timeline, "sent")


def _recovered_invalid_ke(timeline: Timeline) -> Evidence | None:
    """The INVALID_KE_PAYLOAD line of an IKE_SA_INIT the initiator retried in the requested
    group, when the IKE SA then came up."""
    if timeline.ike_up is None:
        return None
    for exchange in timeline.exchanges:
        if exchange.type != "IKE_SA_INIT":
            continue
        for message in (exchange.response, exchange.request):
            if message is not None and "INVALID_KE_PAYLOAD" in message.notifies:
                return _notify_line(message, "INVALID_KE_PAYLOAD")
    return None


# The error notifies that say why a negotiation failed: all but those about a message itself
# (its SPIs, ID, version or a critical payload it could not read).
_ERROR_NAMES = ERROR_NOTIFIES - {
    "INVALID_SPI",
    "INVALID_IKE_SPI",
    "INVALID_MESSAGE_ID",
    "UNSUPPORTED_CRITICAL_PAYLOAD",
    "INVALID_MAJOR_VERSION",
}


def _transform_sets(proposals: list[Proposal]) -> dict[TransformType, set[tuple[int, int]]]:
    sets: dict[TransformType, set[tuple[int, int]]] = {}
    for proposal in proposals:
        names = proposal.transforms
        is_esp = proposal.protocol.upper() == "ESP"
        positional = (
            [TransformType.ENCR, TransformType.INTEG, TransformType.ESN]
            if is_esp
            else [
                TransformType.ENCR,
                TransformType.PRF,
                TransformType.INTEG,
                TransformType.DH,
            ]
        )
        position = 0
        for index, token in enumerate(names):
            hint = proposal.types[index] if index < len(proposal.types) else 0
            if not hint:
                if token.upper().startswith(("DH_GROUP", "GROUP")):
                    hint = TransformType.DH
                elif "ESN" in token.upper():
                    hint = TransformType.ESN
                else:
                    while position < len(positional) and positional[position] in (
                        TransformType.DH,
                        TransformType.ESN,
                    ):
                        position += 1
                    if position < len(positional):
                        hint = positional[position]
                        position += 1
            found = transform(token, hint or None)
            if found is None:
                continue
            kind, value = found
            if kind is TransformType.PRF and hint == TransformType.INTEG:
                kind = TransformType.INTEG
            sets.setdefault(TransformType(hint) if hint else kind, set()).add(
                (value, key_length(token))
            )
    return sets


def _overlap(left: set[tuple[int, int]], right: set[tuple[int, int]]) -> bool:
    # A spelling without a key length (the cipher's bare IOS name) matches any length of it.
    return any(
        value == other and (length == other_length or not length or not other_length)
        for value, length in left
        for other, other_length in right
    )


def differing_transforms(received: list[Proposal], expected: list[Proposal]) -> list[str]:
    """Transform types for which no received value is among the expected ones."""
    offered = _transform_sets(received)
    wanted = _transform_sets(expected)
    differing = []
    for kind in (
        TransformType.ENCR,
        TransformType.PRF,
        TransformType.INTEG,
        TransformType.DH,
        TransformType.ESN,
    ):
        if kind in offered and kind in wanted and not _overlap(offered[kind], wanted[kind]):
            differing.append(TRANSFORM_TYPE_WORDS[kind])
    return differing


def _proposal_text(proposals: list[Proposal]) -> str:
    return "; ".join(" ".join(proposal.transforms) for proposal in proposals)


def diagnose_timeline(timeline: Timeline) -> Finding:
    failures = timeline.failures

    direct = next((cause for cause in _DIRECT_CAUSES if _first(failures, cause)), None)
    if direct is not None:
        named = [failure for failure in failures if failure.cause == direct]
        evidence = [failure.evidence for failure in named][:3]
        detail = _direct_detail(timeline, direct, named)
        if direct == "peer_not_configured" and timeline.nat == "detected" and timeline.nat_evidence:
            evidence.append(timeline.nat_evidence)
        sent = _sent_error(timeline)
        if sent is not None:
            evidence.append(_notify_line(sent[1], sent[2]))
        return Finding(_failed_outcome(timeline, direct), direct, evidence, detail, side="local")

    policy_failure = _first(failures, "no_matching_policy")
    if policy_failure is not None:
        esp = any(proposal.protocol.upper() == "ESP" for proposal in timeline.received_policies)
        in_auth = _state_at(timeline, policy_failure.evidence.line).startswith(
            ("R_VERIFY_AUTH", "R_BLD_AUTH", "CHILD")
        )
        cause = "child_proposal_mismatch" if esp or in_auth else "ike_proposal_mismatch"
        differing = differing_transforms(timeline.received_policies, timeline.expected_policies)
        detail = ""
        if cause == "child_proposal_mismatch" and _no_crypto_map_entry(timeline):
            # Nothing to compare the transforms with: no entry's ACL matched the selectors.
            cause, differing = "ts_mismatch", []
            detail = _selectors_detail(timeline, "no crypto map entry matched them") + (
                " (no PROXY MATCH line, no expected policies)"
            )
        elif timeline.received_policies or timeline.expected_policies:
            detail = (
                f"peer offered: {_proposal_text(timeline.received_policies) or '?'}; "
                f"this router accepts: {_proposal_text(timeline.expected_policies) or '?'}"
            )
        evidence = [policy_failure.evidence]
        for listing in (timeline.received_policies, timeline.expected_policies):
            evidence.extend(p.evidence for p in listing[:1] if p.evidence is not None)
        sent = _sent_error(timeline)
        if sent is not None:
            evidence.append(_notify_line(sent[1], sent[2]))
        return Finding(
            _failed_outcome(timeline, cause),
            cause,
            list(dict.fromkeys(evidence)),  # pluto names the proposals in its failure line
            detail,
            side="local",
            differing=differing,
        )

    received = _received_error(timeline)
    if received is not None:
        exchange, message, name = received
        return _from_peer_notify(timeline, exchange, message, name)

    sent = _sent_error(timeline)
    if sent is not None:
        exchange, message, name = sent
        finding = _from_peer_notify(timeline, exchange, message, name)
        finding.side = "local"
        finding.needs = []
        if name == "AUTHENTICATION_FAILED":  # why this router sent the notify
            why = [failure.evidence for failure in failures if failure.cause == "auth_failed"]
            finding.evidence[:0] = why[:2]
        return finding

    auth = _first(failures, "auth_failed")
    if auth is not None:
        cause = (
            "certificate_error"
            if timeline.peer_auth.upper() in ("RSA", "ECDSA", "RSA-SIG")
            else "psk_mismatch"
        )
        return Finding(_failed_outcome(timeline, cause), cause, [auth.evidence], side="local")

    no_answer = _no_response(timeline)
    if no_answer is not None:
        return no_answer

    if timeline.admin_clear is not None and timeline.ike_up is not None:
        return Finding("failure", "admin_clear", [timeline.admin_clear])

    refused = _child_refused_silently(timeline)
    if refused is not None:
        return refused

    if timeline.ike_up is not None:
        evidence = [timeline.ike_up] + ([timeline.child_up] if timeline.child_up else [])
        invalid_ke = _recovered_invalid_ke(timeline)
        if invalid_ke is not None:
            detail = "INVALID_KE_PAYLOAD, then a retry in the requested DH group succeeded"
            return Finding("success", "invalid_ke", [invalid_ke, *evidence], detail)
        return Finding("success", "success", evidence)

    rekeyed = [
        exchange
        for exchange in timeline.exchanges
        if exchange.type == "CREATE_CHILD_SA" and exchange.result == "ok"
    ]
    if rekeyed:
        done = next(
            (step.evidence for step in timeline.states if step.event == "EV_ACTIVATE_NEW_SA"),
            rekeyed[0].evidence,
        )
        return Finding("success", "success", [done], detail="rekey")

    failed = _first(failures, "exchange_failed")
    finding = Finding("unknown", "unknown", [failed.evidence] if failed else [])
    finding.needs = ["internal", "peer_log"] if failed else ["peer_log"]
    return finding


def _direct_detail(timeline: Timeline, cause: str, named: list[Failure]) -> str:
    """Specifics of a cause the router named: the crypto map entry, the selectors, the NAT."""
    said = next((failure.detail for failure in named if failure.detail), "")
    entry = said if said.startswith("crypto map ") else ""
    if cause == "ts_mismatch" and entry:
        return _selectors_detail(timeline, f"searched: the ACL of {entry} (`match address`)")
    if cause == "ts_mismatch" and said:
        return f"traffic selectors proposed and refused: {said}"
    if cause == "peer_not_configured" and entry:
        detail = f"{entry} has no `set peer` for this peer"
        if timeline.nat == "detected":
            source = timeline.remote.rsplit(":", 1)[0] if timeline.remote else "?"
            detail += (
                f"; NAT detected: the peer (identity {timeline.peer_id or '?'}) is seen at "
                f"{source}, its translated address, not at the address the crypto map names"
            )
        return detail
    return ""


def _selectors_detail(timeline: Timeline, searched: str) -> str:
    """The proxy identities (traffic selectors) the peer proposed, and what was searched."""
    request = next(
        (
            exchange.request
            for exchange in timeline.exchanges
            if exchange.request is not None
            and exchange.request.direction == "received"
            and (exchange.request.ts_i or exchange.request.ts_r)
        ),
        None,
    )
    if request is None:
        return f"proxy identities received: not in the log; {searched}"
    return (
        f"proxy identities received: TSi {_ranges(request.ts_i)}, TSr {_ranges(request.ts_r)}; "
        f"{searched}"
    )


def _ranges(selectors: list[str]) -> str:
    """Traffic selector ranges as people write them: a single address without its range."""
    out = []
    for item in selectors:
        start, _, end = item.partition("-")
        out.append(start if start == end else item)
    return ", ".join(out) or "-"


def _no_crypto_map_entry(timeline: Timeline) -> bool:
    """An ASA refused a child SA with nothing to compare it with: it listed no expected
    policies and printed no PROXY MATCH, so no crypto map entry's ACL matched."""
    return (
        timeline.expected_listing is not None
        and not timeline.expected_policies
        and timeline.proxy_match is None
    )


def _child_refused_silently(timeline: Timeline) -> Finding | None:
    """An initiator whose IKE_AUTH brought the IKE SA up without its child SA (the peer's
    notify is not printed at this debug level), after which the IKE SA was deleted."""
    if timeline.ike_up is None or timeline.child_up is not None:
        return None
    auth = next(
        (ex for ex in timeline.exchanges if ex.type == "IKE_AUTH" and ex.role == "requester"),
        None,
    )
    if auth is None or (auth.response is not None and "SA" in auth.response.payloads):
        return None
    deleted = next((step for step in timeline.deletes if step.detail != "child"), None)
    if deleted is None:
        return None
    response = auth.response.evidence if auth.response is not None else auth.evidence
    return Finding(
        _failed_outcome(timeline, "peer_rejected_child"),
        "peer_rejected_child",
        [response, timeline.ike_up, deleted.evidence],
        "the IKE SA came up in IKE_AUTH but no child SA did, and the IKE SA was deleted; the "
        "peer's IKE_AUTH response carried the reason in a notify that this log does not print",
        ["notify", "peer_log"],
        side="local",
    )


def _state_at(timeline: Timeline, line: int) -> str:
    state = ""
    for step in timeline.states:
        if step.evidence.line <= line:
            state = step.state
    return state


def _failed_outcome(timeline: Timeline, cause: str) -> str:
    if (
        cause
        in (
            "child_proposal_mismatch",
            "ts_mismatch",
            "address_pool_exhausted",
            "peer_rejected_child",
            "peer_not_configured",
        )
        and timeline.ike_up
    ):
        return "partial"
    return "failure"


def _notify_line(message: Message, name: str) -> Evidence:
    return message.notify_evidence.get(name, message.evidence)


def _from_peer_notify(
    timeline: Timeline, exchange: Exchange, message: Message, name: str
) -> Finding:
    evidence = [_notify_line(message, name)]
    if name == "AUTHENTICATION_FAILED":
        cause = (
            "certificate_error"
            if timeline.local_auth.upper().startswith(("RSA", "ECDSA"))
            else "psk_mismatch"
        )
        return Finding("failure", cause, evidence, f"peer sent {name}", ["peer_log"], side="peer")
    if name == "NO_PROPOSAL_CHOSEN":
        cause = (
            "ike_proposal_mismatch" if exchange.type == "IKE_SA_INIT" else "child_proposal_mismatch"
        )
        detail = f"{name} in the {exchange.type} response"
        offered = list(exchange.request.proposals) if exchange.request else []
        if offered:
            detail += f"; offered: {_proposal_text(offered)}"
        if exchange.request is not None and "USE_TRANSPORT_MODE" in exchange.request.notifies:
            detail += "; the request asked for transport mode (USE_TRANSPORT_MODE)"
        return Finding(
            _failed_outcome(timeline, cause), cause, evidence, detail, ["peer_log"], side="peer"
        )
    if name == "TS_UNACCEPTABLE":
        return Finding(
            _failed_outcome(timeline, "ts_mismatch"),
            "ts_mismatch",
            evidence,
            name,
            ["peer_log"],
            side="peer",
        )
    if name == "INTERNAL_ADDRESS_FAILURE":
        cause = "address_pool_exhausted"
        return Finding(
            _failed_outcome(timeline, cause), cause, evidence, name, ["peer_log"], side="peer"
        )
    if name == "INVALID_KE_PAYLOAD":
        return Finding("failure", "invalid_ke", evidence, name, [], side="peer")
    if name == "UNEXPECTED_NAT_DETECTED":
        return Finding("failure", "nat_t_problem", evidence, name, ["peer_log"], side="peer")
    return Finding(
        _failed_outcome(timeline, "peer_rejected_child") if timeline.ike_up else "failure",
        "peer_rejected_child",
        evidence,
        name,
        ["peer_log"],
        side="peer",
    )


def _no_response(timeline: Timeline) -> Finding | None:
    timeout = _first(timeline.failures, "auth_timeout")
    if timeout is not None:
        # The responder waited for IKE_AUTH in vain: the initiator's message never arrived.
        cause = "nat_t_problem" if timeline.nat == "detected" else "no_response"
        return Finding(
            "failure",
            cause,
            [timeout.evidence],
            "IKE_AUTH never arrived",
            ["peer_log", "capture"],
            side="local",
        )
    unanswered = [
        exchange
        for exchange in timeline.exchanges
        if exchange.role == "requester"
        and exchange.response is None
        and exchange.result in ("in_progress", "no_response")
        and exchange.retransmits
    ]
    if not unanswered and not timeline.retransmit_exhausted:
        return None
    exchange = (
        unanswered[-1] if unanswered else timeline.exchanges[-1] if timeline.exchanges else None
    )
    evidence = list(timeline.retransmits[-3:])
    if timeline.retransmit_exhausted is not None:
        evidence.append(timeline.retransmit_exhausted)
    if exchange is not None and exchange.request is not None:
        evidence.insert(0, exchange.request.evidence)
    kind = exchange.type if exchange else ""
    count = exchange.retransmits if exchange else len(timeline.retransmits)
    detail = f"{kind} request retransmitted {count} times without a response"
    if timeline.retransmit_exhausted is not None:
        detail += "; retransmissions exhausted"
    if timeline.ike_up is not None and (kind == "INFORMATIONAL" or timeline.dpd):
        return Finding("failure", "dpd_timeout", evidence, detail, ["peer_log"], side="local")
    if timeline.nat == "detected" and kind in ("IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL"):
        return Finding(
            "failure", "nat_t_problem", evidence, detail, ["peer_log", "capture"], side="local"
        )
    return Finding(
        "failure", "no_response", evidence, detail, ["peer_log", "capture"], side="local"
    )


@dataclass
class Verdict:
    outcome: str
    cause: str
    evidence: list[Evidence]
    detail: str = ""
    needs: list[str] = field(default_factory=list)
    side: str = ""
    router: str = ""
    differing: list[str] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)  # (router, cause) of other findings
    dialect: str = "ios"  # the deciding log's: "ios", "strongswan" or "libreswan"
    timeline: Timeline | None = field(default=None, repr=False)  # the one that decided
    peer_dialect: str = ""  # with both ends' logs: the other end's dialect
    peer: str = ""  # and the other end (its log and role)
    note: str = ""  # what the two logs say of each other, when they are not of one IKE SA


def overall(timelines: list[Timeline], findings: list[Finding]) -> Verdict:
    """One verdict for the whole input: the final state of each router, the telling cause."""
    if not timelines:
        return Verdict("unknown", "no_negotiation", [], needs=["internal", "packet"])
    pairs = list(zip(timelines, findings, strict=True))
    last_by_router: dict[str, tuple[Timeline, Finding]] = {}
    for timeline, finding in pairs:
        # The latest *initial* negotiation decides a router's final state; a rekey timeline
        # only counts when there is nothing else.
        current = last_by_router.get(timeline.router)
        if current is None or (
            (finding.detail != "rekey" or current[1].outcome != "success")
            and timeline.first_line >= current[0].first_line
        ):
            last_by_router[timeline.router] = (timeline, finding)
    finals = [finding for _, finding in last_by_router.values()]
    failing = [(tl, f) for tl, f in pairs if f.cause not in ("success",)]
    if all(finding.outcome == "success" for finding in finals):
        evidence = [item for finding in finals for item in finding.evidence]
        # A success can have a story worth telling (an INVALID_KE retry): keep its cause.
        notable = next((finding for finding in finals if finding.cause != "success"), None)
        cause = notable.cause if notable else "success"
        verdict = Verdict("success", cause, evidence, notable.detail if notable else "")
        verdict.dialect = timelines[0].dialect
        verdict.also = [(tl.router, f.cause) for tl, f in failing if f.cause != cause]
        return verdict
    failing.sort(key=lambda pair: (PRIORITY.index(pair[1].cause), -pair[0].first_line))
    timeline, finding = failing[0]
    if any(f.outcome == "partial" for f in finals) or any(f.outcome == "success" for f in finals):
        outcome = "partial"
    elif all(f.outcome == "unknown" for f in finals):
        outcome = "unknown"
    else:
        outcome = "failure"
    if finding.cause == "unknown":
        outcome = "unknown"
    verdict = Verdict(
        outcome,
        finding.cause,
        list(finding.evidence),
        finding.detail,
        list(finding.needs),
        finding.side,
        timeline.router,
        list(finding.differing),
        dialect=timeline.dialect,
        timeline=timeline,
    )
    verdict.also = [(tl.router, f.cause) for tl, f in failing[1:] if f.cause != finding.cause]
    return verdict


def end_label(timeline: Timeline) -> str:
    """One end of a tunnel in a report of both: its hostname, else its log, and its role."""
    name = timeline.hostname or timeline.source
    return f"{name} ({timeline.role})" if timeline.role else name


def both_ends(
    verdict: Verdict, timelines: list[Timeline], findings: list[Finding], pairing: Pairing
) -> Verdict:
    """The verdict seen from both ends, when the deciding IKE SA is in both logs: the cause
    from the end that decided it (a responder's own reason beats the notify the other end
    received), the lines of both, and each end's side of it."""
    if not pairing.pairs and pairing.unpaired:
        first, second = pairing.unpaired[0]
        verdict.note = (
            f"{first} and {second} are not logs of the same exchange: no IKE SA in one has "
            "the SPIs, or the exchanges at the same times, of one in the other"
        )
        return verdict
    found = pairing.partner(verdict.timeline) if verdict.timeline is not None else None
    if found is None:
        return verdict
    _, other = found
    mine = findings[_index(timelines, verdict.timeline)]
    theirs = findings[_index(timelines, other)]
    ours_decides = not (mine.side == "peer" and theirs.side == "local" and _named(theirs))
    reason, effect = (mine, theirs) if ours_decides else (theirs, mine)
    deciding = verdict.timeline if ours_decides else other
    seeing = other if ours_decides else verdict.timeline
    assert deciding is not None and seeing is not None
    evidence = list(reason.evidence)
    evidence += [line for line in effect.evidence if line not in evidence][:2]
    return Verdict(
        reason.outcome if reason.outcome != "unknown" else verdict.outcome,
        reason.cause,
        evidence,
        f"{end_label(deciding)}: {_said(reason)}; {end_label(seeing)}: {_said(effect)}",
        [need for need in reason.needs if need != "peer_log"],
        "both",
        deciding.router,
        list(reason.differing or effect.differing),
        verdict.also,
        deciding.dialect,
        deciding,
        seeing.dialect,
        end_label(seeing),
    )


def _index(timelines: list[Timeline], timeline: Timeline | None) -> int:
    return next(index for index, item in enumerate(timelines) if item is timeline)


def _named(finding: Finding) -> bool:
    return finding.cause not in ("unknown", "success")


def _said(finding: Finding) -> str:
    """What one end's log says, in a line."""
    return finding.detail or CAUSE_TEXTS[finding.cause].title.en.split(":")[0].lower()
