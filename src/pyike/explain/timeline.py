"""Rebuild one timeline per IKE SA and router from the recognised events.

A timeline is keyed by the router that logged it and the initiator SPI (the responder SPI is
still zero in the first messages). One file is one router, unless its lines carry hostname
prefixes (`pyike lab`'s output, split by ``routers``: each hostname is a router) or the same
IKE SA shows up in it with both roles: then the file holds both routers' output (a TAC note
laid out in columns, as the project's seed document is) and each role is its own router.
Several files are merged by SPI: an IKE SA seen in two files gets two timelines that share
the SPIs.

Lines that carry no SPI (packet dumps of old IOS, notes) are attached through the
``(SA ID = n)`` prefix to the SPI that SA id was last seen with in the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyike.explain.aliases import notify_name, split_transforms
from pyike.explain.events import Event, Kind
from pyike.explain.model import (
    Evidence,
    Exchange,
    Failure,
    Message,
    Proposal,
    StateStep,
    Step,
    Timeline,
)

_ZERO_SPI = frozenset({"0" * 16, ""})

_SM_EXCHANGE_PREFIXES: tuple[tuple[str, str, str], ...] = (
    # (state prefix, exchange, our role in that exchange)
    ("CHILD_I_", "CREATE_CHILD_SA", "requester"),
    ("CHILD_R_", "CREATE_CHILD_SA", "responder"),
    ("INFO_I", "INFORMATIONAL", "requester"),
    ("INFO_R", "INFORMATIONAL", "responder"),
    ("I_BLD_INIT", "IKE_SA_INIT", "requester"),
    ("I_WAIT_INIT", "IKE_SA_INIT", "requester"),
    ("I_PROC_INIT", "IKE_SA_INIT", "requester"),
    ("R_INIT", "IKE_SA_INIT", "responder"),
    ("R_BLD_INIT", "IKE_SA_INIT", "responder"),
    ("I_BLD_AUTH", "IKE_AUTH", "requester"),
    ("I_WAIT_AUTH", "IKE_AUTH", "requester"),
    ("I_PROC_AUTH", "IKE_AUTH", "requester"),
    ("R_WAIT_AUTH", "IKE_AUTH", "responder"),
    ("R_VERIFY_AUTH", "IKE_AUTH", "responder"),
    ("R_BLD_AUTH", "IKE_AUTH", "responder"),
    # EAP's further IKE_AUTH rounds (pyike's own state names, ike/eap_auth.py)
    ("I_WAIT_EAP", "IKE_AUTH", "requester"),
    ("I_PROC_EAP", "IKE_AUTH", "requester"),
    ("R_BLD_EAP", "IKE_AUTH", "responder"),
    ("R_WAIT_EAP", "IKE_AUTH", "responder"),
)

ERROR_NOTIFIES = frozenset(
    {
        "AUTHENTICATION_FAILED",
        "NO_PROPOSAL_CHOSEN",
        "TS_UNACCEPTABLE",
        "INVALID_KE_PAYLOAD",
        "INVALID_SYNTAX",
        "INVALID_SPI",
        "INTERNAL_ADDRESS_FAILURE",
        "FAILED_CP_REQUIRED",
        "SINGLE_PAIR_REQUIRED",
        "NO_ADDITIONAL_SAS",
        "CHILD_SA_NOT_FOUND",
        "TEMPORARY_FAILURE",
        "AUTHORIZATION_FAILED",
        "UNEXPECTED_NAT_DETECTED",
        "INVALID_IKE_SPI",
        "INVALID_MESSAGE_ID",
        "UNSUPPORTED_CRITICAL_PAYLOAD",
        "INVALID_MAJOR_VERSION",
    }
)


def sm_exchange(state: str, event: str, role: str) -> tuple[str, str] | None:
    """The exchange an SM trace line belongs to and our part in it, when the state tells."""
    if event == "EV_INIT_SA":
        return "IKE_SA_INIT", "requester"
    if event == "EV_RECV_INIT" and state == "IDLE":
        return "IKE_SA_INIT", "responder"
    if state == "INIT_DONE":
        return "IKE_SA_INIT", "requester" if role == "I" else "responder"
    if state == "AUTH_DONE" or (state == "READY" and event in ("EV_I_OK", "EV_R_OK")):
        return "IKE_AUTH", "requester" if role == "I" else "responder"
    if state == "READY" and event == "EV_RECV_CREATE_CHILD":
        return "CREATE_CHILD_SA", "responder"
    if state == "READY" and event == "EV_RECV_INFO_REQ":
        return "INFORMATIONAL", "responder"
    for prefix, exchange, part in _SM_EXCHANGE_PREFIXES:
        if state.startswith(prefix):
            return exchange, part
    return None


@dataclass
class _SourceContext:
    source: str  # the file
    hostname: str  # the router's prefix when the file interleaves several routers, else ""
    multi_router: bool
    sa_spi: dict[str, str] = field(default_factory=dict)  # SA id -> initiator SPI
    sa_role: dict[str, str] = field(default_factory=dict)  # SA id -> last SM role seen
    last: Timeline | None = None
    packet: Message | None = None  # the message whose header lines are still arriving
    packet_spi: str = ""
    announced: bool = False  # the packet was announced by a Sending/Received line
    content: Message | None = None  # where dump lines go
    outbound: Message | None = None  # a message being built, before its header is printed
    ts_target: str = ""
    policy_target: str = ""
    orphans: list[Event] = field(default_factory=list)

    @property
    def name(self) -> str:
        """What the router is called in the report: its hostname, else its file."""
        return self.hostname or self.source


class TimelineBuilder:
    def __init__(self) -> None:
        self.timelines: dict[tuple[str, str], Timeline] = {}
        self._contexts: dict[tuple[str, str], _SourceContext] = {}  # by (source, hostname)
        # Messages whose router is unknown (old-style dumps in a two-router file), with the SA
        # id and SPI they were logged with; resolved once every SA id's SPI is known.
        self.shared: list[tuple[_SourceContext, Message, str, str]] = []

    # -- entry point ---------------------------------------------------------------------------

    def build(self, events: list[Event]) -> list[Timeline]:
        roles: dict[tuple[str, str, str], set[str]] = {}
        for event in events:
            # Only the handshake's states (I_..., R_...) tell the router's role: a child SA
            # rekey started by the IKE SA's responder is traced with the other role letter.
            if event.kind is Kind.SM_TRACE and event.get("state").startswith(("I_", "R_")):
                sa_key = (event.source, event.record.router, event.get("spi_i"))
                roles.setdefault(sa_key, set()).add(event.get("role"))
        multi = {(source, host) for (source, host, _), seen in roles.items() if len(seen) > 1}
        for event in events:
            key = (event.source, event.record.router)
            if key not in self._contexts:
                self._contexts[key] = _SourceContext(
                    event.source, event.record.router, key in multi
                )
            self._feed(self._contexts[key], event)
        for context in self._contexts.values():
            self._flush_packet(context)
            if context.orphans and context.last is None:
                # Lines about an SA whose SPIs the log never shows (a low debug level).
                first = context.orphans[0]
                context.last = self._new_timeline(context, context.name, "")
                context.last.touch(first.record)
                self.timelines[(context.name, "")] = context.last
            if context.orphans and context.last is not None:
                for orphan in context.orphans:
                    context.last.touch(orphan.record)
                    self._apply(context, context.last, orphan)
                context.orphans.clear()
        self._share_messages()
        for timeline in self.timelines.values():
            finalise_timeline(timeline)
        logs = list(self._contexts)
        return sorted(
            self.timelines.values(),
            key=lambda tl: (
                tl.source,
                logs.index((tl.source, tl.hostname)),
                tl.first_line,
                tl.router,
            ),
        )

    # -- timelines -----------------------------------------------------------------------------

    @staticmethod
    def _router(context: _SourceContext, role: str) -> str:
        if context.multi_router and role:
            return f"{context.name} ({'initiator' if role == 'I' else 'responder'})"
        return context.name

    @staticmethod
    def _new_timeline(context: _SourceContext, router: str, spi_i: str) -> Timeline:
        return Timeline(
            router=router, source=context.source, spi_i=spi_i, hostname=context.hostname
        )

    def _timeline(self, context: _SourceContext, event: Event, spi_i: str, role: str) -> Timeline:
        router = self._router(context, role)
        key = (router, spi_i)
        timeline = self.timelines.get(key)
        if timeline is None:
            timeline = self._new_timeline(context, router, spi_i)
            if role:
                timeline.role = "initiator" if role == "I" else "responder"
            self.timelines[key] = timeline
            for orphan in context.orphans:
                self._apply(context, timeline, orphan)
            context.orphans.clear()
        if event.sa_id and event.sa_id not in timeline.sa_ids:
            timeline.sa_ids.append(event.sa_id)
        if event.session_id:
            timeline.session_id = event.session_id
        if event.sa_id:
            context.sa_spi[event.sa_id] = spi_i
        context.last = timeline
        timeline.touch(event.record)
        return timeline

    def _timeline_for(self, context: _SourceContext, event: Event) -> Timeline | None:
        if event.sa_id and event.sa_id in context.sa_spi:
            spi_i = context.sa_spi[event.sa_id]
            role = context.sa_role.get(event.sa_id, "")
            timeline = self.timelines.get((self._router(context, role), spi_i))
            if timeline is not None:
                context.last = timeline
                timeline.touch(event.record)
                return timeline
        if context.last is not None:
            context.last.touch(event.record)
        return context.last

    # -- events --------------------------------------------------------------------------------

    def _feed(self, context: _SourceContext, event: Event) -> None:
        kind = event.kind
        if kind is Kind.SM_TRACE:
            self._flush_packet(context)
            self._sm_trace(context, event)
        elif kind is Kind.PACKET_ADDRESSES:
            self._flush_packet(context)
            context.packet = self._message(context, event, "", None, None, event.get("direction"))
            context.packet.local = event.get("local")
            context.packet.remote = event.get("remote")
            context.content = context.packet
            context.announced = True
        elif kind is Kind.PACKET_SPIS:
            if context.packet is None:
                context.packet = self._message(context, event, "", None, None, "")
            context.packet.msg_id = int(event.get("msg_id"))
            context.packet_spi = event.get("spi_i")
            self._learn_spi_r(context, event.get("spi_i"), event.get("spi_r"))
        elif kind is Kind.PACKET_EXCHANGE:
            if context.packet is None:
                context.packet = self._message(context, event, "", None, None, "")
            context.packet.exchange = event.get("exchange")
            context.packet.response = event.get("response") == "yes"
            context.content = context.packet
        elif kind is Kind.PACKET_HEADER:
            self._header(context, event)
        elif kind is Kind.PACKET_SUMMARY:
            self._flush_packet(context)
            message = self._message(
                context,
                event,
                event.get("exchange"),
                int(event.get("msg_id")),
                None,
                event.get("direction"),
            )
            message.local = event.get("local")
            message.remote = event.get("remote")
            context.packet = message
            context.packet_spi = event.get("spi_i")
            self._learn_spi_r(context, event.get("spi_i"), event.get("spi_r"))
            self._flush_packet(context)
        elif kind is Kind.BUILDING:
            if context.outbound is None:
                context.outbound = self._message(context, event, "", None, None, "sent")
            context.content = context.outbound
        elif kind in (
            Kind.NOTIFY,
            Kind.PROPOSAL,
            Kind.TRANSFORM,
            Kind.PAYLOAD_LIST,
            Kind.TS_PAYLOAD,
            Kind.TS_RANGE,
            Kind.TS_PORTS,
        ) or (kind is Kind.AUTH_METHOD and event.get("whose") == "payload"):
            self._content(context, event)
        elif kind is Kind.POLICY_LIST:
            context.policy_target = event.get("which")
            self._to_timeline(context, event)
        elif kind is Kind.PROPOSAL_SUMMARY and not context.policy_target:
            self._content(context, event)
        else:
            if kind is Kind.PROPOSAL_SUMMARY:
                event = Event(
                    kind,
                    event.record,
                    {**event.fields, "policy": context.policy_target},
                    event.sa_id,
                    event.session_id,
                )
            elif kind is not Kind.FAILURE:
                context.policy_target = ""
            self._flush_packet(context)
            self._to_timeline(context, event)

    def _to_timeline(self, context: _SourceContext, event: Event) -> None:
        """Apply ``event`` to the timeline it belongs to, or keep it until one is known."""
        timeline = self._timeline_for(context, event)
        if timeline is None:
            context.orphans.append(event)
        else:
            self._apply(context, timeline, event)

    def _message(
        self,
        context: _SourceContext,
        event: Event,
        exchange: str,
        msg_id: int | None,
        response: bool | None,
        direction: str,
    ) -> Message:
        del context
        return Message(
            exchange=exchange,
            msg_id=msg_id,
            response=response,
            direction=direction,
            evidence=Evidence.of(event.record),
            stamp=event.record.stamp,
        )

    def _learn_spi_r(self, context: _SourceContext, spi_i: str, spi_r: str) -> None:
        if spi_r in _ZERO_SPI:
            return
        for (_, key_spi), timeline in self.timelines.items():
            if key_spi == spi_i and not timeline.spi_r:
                timeline.spi_r = spi_r
        del context

    def _sm_trace(self, context: _SourceContext, event: Event) -> None:
        role = event.get("role")
        spi_i = event.get("spi_i")
        if event.sa_id:
            context.sa_role[event.sa_id] = role
        timeline = self._timeline(context, event, spi_i, role)
        if event.get("spi_r") not in _ZERO_SPI:
            timeline.spi_r = event.get("spi_r")
        if not timeline.role:
            timeline.role = "initiator" if role == "I" else "responder"
        state, sm_event = event.get("state"), event.get("event")
        evidence = Evidence.of(event.record)
        timeline.states.append(StateStep(state, sm_event, evidence))
        msg_id = int(event.get("msg_id"))
        found = sm_exchange(state, sm_event, role)
        exchange: Exchange | None = None
        if found is not None:
            exchange = self._exchange(timeline, found[0], msg_id, found[1], evidence)
        self._sm_meaning(context, timeline, exchange, state, sm_event, evidence)

    def _exchange(
        self, timeline: Timeline, kind: str, msg_id: int | None, role: str, evidence: Evidence
    ) -> Exchange:
        if kind == "IKE_AUTH" and msg_id == 0:
            msg_id = None  # IOS prints the old message id while it builds IKE_AUTH
        elif role == "requester" and any(
            ex.msg_id == msg_id and ex.type != kind and ex.role == "requester"
            for ex in timeline.exchanges
        ):
            msg_id = None  # and ASA the previous exchange's while it builds an INFORMATIONAL
        current = timeline.exchanges[-1] if timeline.exchanges else None
        if current is not None and current.type == kind and current.msg_id in (msg_id, None):
            if current.msg_id is None:
                current.msg_id = msg_id
            if not current.role:
                current.role = role
            return current
        existing = timeline.exchange(kind, msg_id)
        if existing is not None and existing.msg_id == msg_id:
            return existing
        purpose = {
            "IKE_SA_INIT": "initial",
            "IKE_AUTH": "initial",
            "CREATE_CHILD_SA": "child_create",
            "INFORMATIONAL": "info",
        }.get(kind, "")
        exchange = Exchange(kind, msg_id, role, evidence, purpose=purpose)
        timeline.exchanges.append(exchange)
        return exchange

    def _sm_meaning(
        self,
        context: _SourceContext,
        timeline: Timeline,
        exchange: Exchange | None,
        state: str,
        event: str,
        evidence: Evidence,
    ) -> None:
        del context
        if event in ("EV_I_OK", "EV_R_OK"):
            timeline.ike_up = timeline.ike_up or evidence
            if exchange is not None:
                exchange.result = "ok"
        elif event in ("EV_OK_RECD_LOAD_IPSEC", "EV_GEN_LOAD_IPSEC"):
            timeline.child_up = timeline.child_up or evidence
        elif exchange is not None and (
            (event == "EV_RECV_INIT" and state == "I_WAIT_INIT")
            or (event == "EV_DONE" and state == "INIT_DONE")
            or event == "EV_ACTIVATE_NEW_SA"
        ):
            exchange.result = "ok"
        elif event in ("EV_REKEY_IKESA", "EV_CHK_IKE_REKEY") or state == "CHILD_R_IKE":
            if exchange is not None:
                exchange.purpose = "ike_rekey"
        elif event == "EV_RE_XMT":
            timeline.retransmits.append(evidence)
            pending = self._pending_exchange(timeline)
            if pending is not None:
                pending.retransmits += 1
        elif event == "EV_RE_XMT_EXCEED":
            timeline.retransmit_exhausted = evidence
            pending = self._pending_exchange(timeline)
            if pending is not None:
                pending.result = "no_response"
        elif event == "EV_AUTH_FAIL":
            timeline.failures.append(Failure("auth_failed", evidence))
        elif event == "EV_CERT_FAIL":
            timeline.failures.append(Failure("certificate_error", evidence))
        elif event == "EV_NO_PROP_CHOSEN":
            timeline.failures.append(Failure("no_matching_policy", evidence))
        elif event == "EV_FAIL" and exchange is not None:
            exchange.result = "failed"
        elif event == "EV_RECV_DEL":
            timeline.deletes.append(Step(evidence, "delete_received"))

    @staticmethod
    def _pending_exchange(timeline: Timeline) -> Exchange | None:
        for exchange in reversed(timeline.exchanges):
            if exchange.role == "requester" and exchange.result == "in_progress":
                return exchange
        return timeline.exchanges[-1] if timeline.exchanges else None

    # -- packets -------------------------------------------------------------------------------

    def _header(self, context: _SourceContext, event: Event) -> None:
        exchange = event.get("exchange")
        msg_id = int(event.get("msg_id"))
        response = event.get("response") == "yes"
        packet = context.packet
        if (
            packet is not None
            and context.announced
            and packet.exchange in ("", exchange)
            and packet.msg_id in (None, msg_id)
        ):
            # ASA and IOS-XE print the header again after the Sending/Received line.
            packet.exchange, packet.msg_id, packet.response = exchange, msg_id, response
            context.content = packet
            context.announced = False
            return
        self._flush_packet(context)
        outbound = context.outbound
        message = self._message(context, event, exchange, msg_id, response, "")
        if outbound is not None:
            message.direction = "sent"
            self._merge_content(message, outbound)
            context.outbound = None
        context.packet = message
        context.content = message

    @staticmethod
    def _merge_content(target: Message, extra: Message) -> None:
        target.notifies.extend(name for name in extra.notifies if name not in target.notifies)
        for name, evidence in extra.notify_evidence.items():
            target.notify_evidence.setdefault(name, evidence)
        target.payloads.extend(extra.payloads)
        known = [(proposal.protocol, proposal.transforms) for proposal in target.proposals]
        target.proposals.extend(
            proposal
            for proposal in extra.proposals
            if (proposal.protocol, proposal.transforms) not in known
        )
        target.ts_i.extend(extra.ts_i)
        target.ts_r.extend(extra.ts_r)

    def _content(self, context: _SourceContext, event: Event) -> None:
        kind = event.kind
        if kind is Kind.NOTIFY and event.get("how") == "Construct":
            if context.outbound is None:
                context.outbound = self._message(context, event, "", None, None, "sent")
            target: Message | None = context.outbound
            context.content = context.outbound
        elif kind is Kind.NOTIFY and event.get("how") == "Parse":
            target = context.packet or context.content
            if target is not None and not target.direction:
                target.direction = "received"
        else:
            target = context.content
        if target is None:
            return
        if kind is Kind.NOTIFY:
            name = notify_name(event.get("name"))
            if name not in target.notifies:
                target.notifies.append(name)
            target.notify_evidence.setdefault(name, Evidence.of(event.record))
        elif kind is Kind.PROPOSAL:
            target.proposals.append(Proposal(event.get("protocol"), int(event.get("number"))))
        elif kind is Kind.TRANSFORM:
            if not target.proposals:
                target.proposals.append(Proposal("", 1))
            target.proposals[-1].transforms.append(event.get("name"))
            target.proposals[-1].types.append(int(event.get("type")))
        elif kind is Kind.PROPOSAL_SUMMARY:
            names = split_transforms(event.get("transforms"))
            target.proposals.append(
                Proposal(
                    event.get("protocol") or "IKE",
                    int(event.get("number")),
                    names,
                    [0] * len(names),
                )
            )
        elif kind is Kind.PAYLOAD_LIST:
            target.payloads.extend(event.get("payloads").split())
        elif kind is Kind.TS_PAYLOAD:
            context.ts_target = event.get("which")
        elif kind is Kind.TS_RANGE:
            value = f"{event.get('start')}-{event.get('end')}"
            (target.ts_r if context.ts_target == "TSr" else target.ts_i).append(value)
        elif kind is Kind.TS_PORTS:
            ports = (event.get("start"), event.get("end"))
            if ports != ("0", "65535"):
                listing = target.ts_r if context.ts_target == "TSr" else target.ts_i
                listing.append(f"ports {ports[0]}-{ports[1]}")

    def _flush_packet(self, context: _SourceContext) -> None:
        message = context.packet
        if message is None:
            return
        context.packet = None
        context.announced = False
        if not message.exchange:
            return
        spi_i = context.packet_spi
        context.packet_spi = ""
        if message.direction == "sent" and context.outbound is not None:
            self._merge_content(message, context.outbound)
            context.outbound = None
        sa_id = self._sa_of(message)
        if sa_id and spi_i:
            context.sa_spi[sa_id] = spi_i
        if not spi_i:
            spi_i = context.sa_spi.get(sa_id or "", "")
            if sa_id is None and context.last is not None:
                spi_i = context.last.spi_i
        role = self._role_of(message)
        if context.multi_router and not role:
            self.shared.append((context, message, sa_id or "", spi_i))
            return
        if not spi_i:
            if context.last is None:
                return
            timeline = context.last
        else:
            sm_role = role or (context.sa_role.get(sa_id or "", "") if context.multi_router else "")
            router = self._router(context, sm_role)
            timeline = self.timelines.get((router, spi_i)) or self._new_from_packet(
                context, message, router, spi_i, role
            )
        attach_message(timeline, message)

    @staticmethod
    def _sa_of(message: Message) -> str | None:
        match = re.search(
            r"\(\s*(?:SESSION ID = \d+,\s*)?SA\s+ID\s*=\s*(\d+)\)|^\((\d+)\):",
            message.evidence.text,
        )
        if match is None:
            match = re.search(r"IKEv2[-A-Z0-9]*:\s*\((\d+)\):", message.evidence.text)
            return match.group(1) if match else None
        return match.group(1) or match.group(2)

    @staticmethod
    def _role_of(message: Message) -> str:
        """Our original role for the IKE SA, from the first two exchanges' direction."""
        if message.exchange not in ("IKE_SA_INIT", "IKE_AUTH") or not message.direction:
            return ""
        sent = message.direction == "sent"
        return "I" if sent != bool(message.response) else "R"

    def _new_from_packet(
        self, context: _SourceContext, message: Message, router: str, spi_i: str, role: str
    ) -> Timeline:
        timeline = self._new_timeline(context, router, spi_i)
        if role:
            timeline.role = "initiator" if role == "I" else "responder"
        self.timelines[(router, spi_i)] = timeline
        for orphan in context.orphans:
            self._apply(context, timeline, orphan)
        context.orphans.clear()
        context.last = timeline
        timeline.first_line = message.evidence.line
        timeline.first_stamp = message.stamp
        return timeline

    @staticmethod
    def _purpose(message: Message) -> str:
        if message.exchange in ("IKE_SA_INIT", "IKE_AUTH"):
            return "initial"
        if message.exchange == "CREATE_CHILD_SA":
            if "REKEY_SA" in message.notifies:
                return "child_rekey"
            return "child_create"
        if message.exchange == "INFORMATIONAL":
            if "DELETE" in message.payloads:
                return "delete"
            return "info"
        return ""

    @staticmethod
    def _notify_effects(timeline: Timeline, exchange: Exchange, message: Message) -> None:
        errors = [name for name in message.notifies if name in ERROR_NOTIFIES]
        if errors and message.response:
            exchange.result = "failed"
        del timeline

    def _share_messages(self) -> None:
        for context, message, sa_id, known_spi in self.shared:
            spi_i = known_spi or context.sa_spi.get(sa_id, "")
            owners = [
                tl
                for tl in self.timelines.values()
                if (tl.source, tl.hostname, tl.spi_i) == (context.source, context.hostname, spi_i)
            ]
            for timeline in owners:
                exchange = timeline.exchange(message.exchange, message.msg_id)
                if exchange is None:
                    continue
                slot = "response" if message.response else "request"
                previous = getattr(exchange, slot)
                if previous is None:
                    copy = Message(
                        message.exchange,
                        message.msg_id,
                        message.response,
                        "",
                        message.evidence,
                        list(message.payloads),
                        list(message.notifies),
                        list(message.proposals),
                        list(message.ts_i),
                        list(message.ts_r),
                        stamp=message.stamp,
                    )
                    copy.direction = self._direction_for(timeline, exchange, message)
                    setattr(exchange, slot, copy)
                else:
                    self._merge_content(previous, message)

    @staticmethod
    def _direction_for(timeline: Timeline, exchange: Exchange, message: Message) -> str:
        if not exchange.role:
            return ""
        requester = exchange.role == "requester"
        sent = requester != bool(message.response)
        del timeline
        return "sent" if sent else "received"

    # -- everything else -----------------------------------------------------------------------

    def _apply(self, context: _SourceContext, timeline: Timeline, event: Event) -> None:
        kind = event.kind
        evidence = Evidence.of(event.record)
        if kind is Kind.PROPOSAL_SUMMARY and event.get("policy"):
            names = split_transforms(event.get("transforms"))
            proposal = Proposal(
                event.get("protocol") or "IKE",
                int(event.get("number")),
                names,
                [0] * len(names),
                evidence,
            )
            target = (
                timeline.received_policies
                if event.get("policy") == "Received"
                else timeline.expected_policies
            )
            target.append(proposal)
            return
        if kind is Kind.FAILURE:
            timeline.failures.append(Failure(event.get("cause"), evidence, _map_entry(event)))
        elif kind is Kind.POLICY_LIST:
            if event.get("which") == "Expected":
                timeline.expected_listing = timeline.expected_listing or evidence
        elif kind is Kind.PROXY_MATCH:
            timeline.proxy_match = timeline.proxy_match or evidence
            timeline.steps.append(Step(evidence, "proxy_match", _map_entry(event)))
        elif kind is Kind.NAT:
            detected = event.get("detected") == "yes"
            if detected or not timeline.nat:
                timeline.nat = "detected" if detected else "none"
                timeline.nat_evidence = evidence
            timeline.steps.append(
                Step(evidence, "nat_detected" if detected else "nat_not_found", event.get("detail"))
            )
        elif kind is Kind.ESTABLISHED:
            if event.get("what") == "child":
                timeline.child_up = timeline.child_up or evidence
            else:
                timeline.established(evidence)
                if event.get("peer"):
                    timeline.peer_id = timeline.peer_id or event.get("peer").strip()
                    timeline.local_id = timeline.local_id or event.get("local").strip()
        elif kind is Kind.RETRANSMIT:
            timeline.retransmits.append(evidence)
            pending = self._pending_exchange(timeline)
            if pending is not None:
                pending.retransmits += 1
        elif kind is Kind.RETRANSMIT_EXHAUSTED:
            timeline.retransmit_exhausted = evidence
        elif kind is Kind.DELETE:
            timeline.deletes.append(
                Step(evidence, "delete", event.get("reason") or event.get("what"))
            )
        elif kind is Kind.DPD:
            timeline.dpd.append(evidence)
        elif kind is Kind.ADMIN_CLEAR:
            timeline.admin_clear = timeline.admin_clear or evidence
            timeline.steps.append(Step(evidence, "admin_clear", event.get("command")))
        elif kind is Kind.PROFILE:
            timeline.profile = event.get("name")
            timeline.steps.append(Step(evidence, "profile", event.get("name")))
        elif kind is Kind.KEY_LOOKUP:
            timeline.steps.append(Step(evidence, "key_lookup", event.get("what")))
        elif kind is Kind.IDENTITY:
            if event.get("whose") == "local":
                timeline.local_id = event.get("value")
            else:
                timeline.peer_id = event.get("value")
            timeline.steps.append(
                Step(evidence, f"identity_{event.get('whose')}", event.get("value"))
            )
        elif kind is Kind.AUTH_METHOD:
            if event.get("whose") == "peer":
                timeline.peer_auth = event.get("method")
            elif event.get("whose") == "local":
                timeline.local_auth = event.get("method")
        elif kind is Kind.REKEY:
            for exchange in reversed(timeline.exchanges):
                if exchange.type == "CREATE_CHILD_SA":
                    exchange.purpose = "ike_rekey" if event.get("what") == "ike" else "child_rekey"
                    break


def finalise_timeline(timeline: Timeline) -> None:
    """What a whole timeline tells about its exchanges: unanswered requests, errors, DPD."""
    for exchange in timeline.exchanges:
        if exchange.retransmits and exchange.response is None and exchange.result == "in_progress":
            exchange.result = "no_response"
        errors = [
            name
            for message in (exchange.request, exchange.response)
            if message is not None
            for name in message.notifies
            if name in ERROR_NOTIFIES
        ]
        if errors and exchange.result in ("ok", "in_progress"):
            exchange.result = "failed"
        if exchange.type != "INFORMATIONAL":
            continue
        payloads = [
            name
            for message in (exchange.request, exchange.response)
            if message is not None
            for name in message.payloads
        ]
        if "DELETE" in payloads:
            exchange.purpose = "delete"
        elif (
            exchange.request is not None
            and not exchange.request.notifies
            and set(exchange.request.payloads) <= {"ENCR"}
        ):
            exchange.purpose = "dpd" if timeline.dpd else exchange.purpose


def attach_message(timeline: Timeline, message: Message) -> None:
    """Put a message into its exchange of ``timeline`` (a new exchange when it starts one)."""
    timeline.last_line = max(timeline.last_line, message.evidence.end_line)
    if message.local and not timeline.local:
        timeline.local, timeline.remote = message.local, message.remote
    role = TimelineBuilder._role_of(message)
    if role and not timeline.role:
        timeline.role = "initiator" if role == "I" else "responder"
    requester = (message.direction == "sent" and not message.response) or (
        message.direction == "received" and bool(message.response)
    )
    part = "requester" if requester else "responder" if message.direction else ""
    exchange = timeline.exchange(message.exchange, message.msg_id)
    if exchange is None or (exchange.msg_id is not None and exchange.msg_id != message.msg_id):
        exchange = Exchange(message.exchange, message.msg_id, part, message.evidence)
        exchange.purpose = TimelineBuilder._purpose(message)
        exchange.stamp = message.stamp
        timeline.exchanges.append(exchange)
    if exchange.msg_id is None:
        exchange.msg_id = message.msg_id
    if not exchange.role:
        exchange.role = part
    slot = "response" if message.response else "request"
    previous = getattr(exchange, slot)
    if previous is None:
        setattr(exchange, slot, message)
    else:
        TimelineBuilder._merge_content(previous, message)
        if not previous.direction:
            previous.direction = message.direction
    if message.response and exchange.result == "in_progress":
        exchange.result = "ok"
    TimelineBuilder._notify_effects(timeline, exchange, message)
    if message.exchange == "INFORMATIONAL" and exchange.purpose in ("", "info"):
        exchange.purpose = TimelineBuilder._purpose(message)


def _map_entry(event: Event) -> str:
    """The crypto map entry an event names ("crypto map VPN_MAP seq 1"), or ""."""
    if not event.get("map"):
        return ""
    return f"crypto map {event.get('map')} seq {event.get('seq')}"
