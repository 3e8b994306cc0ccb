"""strongSwan's charon logs, read into the timelines `diagnose` judges for IOS.

The shapes read: charon's file log (``Dec  4 22:23:52 09[IKE] ...``, with milliseconds and
``<conn|uid>`` when so configured), syslog and journal lines (``host charon[PID]: 09[IKE]
...``, ISO timestamps too), ``swanctl --log`` (``09[IKE] ...``) and ``swanctl --initiate``
output (``[IKE] ...``), at any log level. An IKE SA is a timeline: its exchanges come from
charon's message summaries (``parsed IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]``), and
what charon says it decided (proposals, traffic selectors, keys, peer configs, NAT,
retransmits, DPD, rekeys, deletes) fills in the rest with the cause ids of IOS logs. Lines
of levels 3 and 4 (raw packets, keys) are looked at for the IKE SPIs only; nothing else of
them reaches a report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pyike.explain import swan
from pyike.explain.aliases import charon_notify_name, charon_transform
from pyike.explain.lines import Skipped
from pyike.explain.model import Evidence, Failure, Message, Proposal, StateStep, Step, Timeline
from pyike.explain.timeline import attach_message

_LINE = re.compile(
    r"^\s*(?:(?P<stamp>" + swan.STAMP + r")\s+)?"
    r"(?:(?:(?P<host>[\w.\-]+)\s+)?(?:charon(?:-systemd|-nm)?|ipsec|strongswan)(?:\[\d+\])?:\s+)?"
    r"(?P<body>(?P<thread>\d{1,3})?\[(?P<group>[A-Z]{3})\]\s"
    r"(?:<(?:(?P<conn>[^|>]*)\|)?(?P<uid>\d+)>\s)?(?P<msg>.*))$"
)
NOT_CHARON = "not a charon log line"


@dataclass(frozen=True)
class CharonRecord(swan.LogRecord):
    thread: str
    uid: str  # the IKE SA's unique id when the line carries `<conn|uid>`
    conn: str  # and its connection's name


def parse_line(number: int, text: str, source: str) -> CharonRecord | None:
    match = _LINE.match(text)
    if match is None:
        return None
    return CharonRecord(
        line=number,
        stamp=swan.stamp_of(match.group("stamp")) if match.group("stamp") else None,
        host=match.group("host") or "",
        msg=match.group("msg").strip(),
        evidence=Evidence(source, number, number, match.group("body").strip()),
        thread=match.group("thread") or "",
        uid=match.group("uid") or "",
        conn=match.group("conn") or "",
    )


def is_charon_log(text: str) -> bool:
    """Whether most lines of ``text`` are charon's (a few other lines are tolerated)."""
    return swan.mostly_lines_of(text, _LINE)


def _proposals(listing: str) -> list[Proposal]:
    """`IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, IKE:...` as proposals."""
    out = []
    for number, item in enumerate(listing.split(","), start=1):
        protocol, _, names = item.strip().partition(":")
        transforms = [name for name in names.split("/") if name]
        types = [int(found[0]) if (found := charon_transform(n)) else 0 for n in transforms]
        out.append(Proposal(protocol, number, transforms, types))
    return out


def _address(host: str, port: str) -> str:
    return f"{host}:{port}"


_Handler = Callable[["CharonReader", CharonRecord, re.Match[str]], None]


@dataclass
class CharonReader(swan.LogReader[CharonRecord]):
    """One charon log's records, in order, into timelines."""

    dialect = "strongswan"

    by_uid: dict[str, Timeline] = field(default_factory=dict)
    current: Timeline | None = None
    initiating: tuple[str, CharonRecord] | None = None  # `initiating IKE_SA x[n]`, not placed
    successor: Timeline | None = None  # a rekeyed IKE SA, current once the old one is gone
    selecting: bool = False  # between `received proposals` and the verdict on them
    offer: list[Proposal] = field(default_factory=list)  # our proposals, for the next request
    spi_rule: tuple[str, int] | None = None  # (thread, 0 or 1): an IKE SPI's bytes follow
    spis: list[str] = field(default_factory=lambda: ["", ""])

    # -- timelines -----------------------------------------------------------------------------

    def _new(self, record: CharonRecord, role: str, name: str = "") -> Timeline:
        timeline = self.new_timeline(record.host, role)
        if name:
            timeline.sa_ids.append(name)
        timeline.touch_line(record.line, record.stamp)
        self.timelines.append(timeline)
        if record.uid:
            self.by_uid[_uid_of(name) or record.uid] = timeline
        self.current = timeline
        return timeline

    def _of(self, record: CharonRecord) -> Timeline | None:
        """The line's IKE SA: by its `<conn|uid>`, else the one the last lines were about."""
        timeline = self.by_uid.get(record.uid) if record.uid else self.current
        if timeline is not None:
            timeline.touch_line(record.line, record.stamp)
            self.current = timeline
            if record.conn and not timeline.sa_ids:
                timeline.sa_ids.append(f"{record.conn}[{record.uid}]")
        return timeline

    # -- entry ---------------------------------------------------------------------------------

    def feed(self, record: CharonRecord) -> None:
        if not self._spi_bytes(record):
            self.handle(record, _RULES)

    # -- handlers ------------------------------------------------------------------------------

    def message(self, record: CharonRecord, match: re.Match[str]) -> None:
        exchange, request = match.group("exchange"), match.group("rr") == "request"
        sent = match.group("verb") == "generating"
        timeline = self._message_timeline(record, exchange, request, sent)
        if timeline is None:
            return
        tokens = match.group("payloads").split()
        message = Message(
            exchange,
            int(match.group("mid")),
            not request,
            "sent" if sent else "received",
            record.evidence,
            stamp=record.stamp,
        )
        for token in tokens:
            notify = swan.notify_token(token)
            if notify is not None:
                name = charon_notify_name(notify)
                message.notifies.append(name)
                message.notify_evidence[name] = record.evidence
            else:
                message.payloads.append(_PAYLOADS.get(token, token))
        if sent and request and self.offer:
            message.proposals, self.offer = self.offer, []
        self._apply_spis(timeline)
        attach_message(timeline, message)

    def _message_timeline(
        self, record: CharonRecord, exchange: str, request: bool, sent: bool
    ) -> Timeline | None:
        if exchange == "IKE_SA_INIT" and request and sent:
            name = self.initiating[0] if self.initiating else ""
            timeline = self._new(
                self.initiating[1] if self.initiating else record, "initiator", name
            )
            self.initiating = None
            timeline.touch_line(record.line, record.stamp)
            return timeline
        if exchange == "IKE_SA_INIT" and request and not sent:
            return self._new(record, "responder")
        self.initiating = None  # an IKE SA rekey: its new SA is named when it is done
        return self._of(record)

    def initiate(self, record: CharonRecord, match: re.Match[str]) -> None:
        self.initiating = (f"{match.group('name')}[{match.group('n')}]", record)

    def peer_initiates(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is not None:
            timeline.role = "responder"

    def packet(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        ours = match.group("verb") == "sending"
        a = _address(match.group("a"), match.group("ap"))
        b = _address(match.group("b"), match.group("bp"))
        local, remote = (a, b) if ours else (b, a)
        if not timeline.local:
            timeline.local, timeline.remote = local, remote

    def established(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        name = f"{match.group('name')}[{match.group('n')}]"
        if name not in timeline.sa_ids:
            timeline.sa_ids.append(name)
        if record.uid == "" and match.group("n"):
            self.by_uid.setdefault(match.group("n"), timeline)
        timeline.established(record.evidence)
        timeline.local_id, timeline.peer_id = match.group("lid"), match.group("rid")

    def rekeyed(self, record: CharonRecord, match: re.Match[str]) -> None:
        old = self._of(record)
        name = f"{match.group('name')}[{match.group('n')}]"
        role = "initiator"
        if old is not None:
            rekey = next(
                (ex for ex in reversed(old.exchanges) if ex.type == "CREATE_CHILD_SA"), None
            )
            if rekey is not None:
                rekey.purpose = "ike_rekey"
                role = "initiator" if rekey.role == "requester" else "responder"
        timeline = self.new_timeline(record.host, role)
        timeline.sa_ids.append(name)
        timeline.ike_up = record.evidence
        timeline.local_id, timeline.peer_id = match.group("lid"), match.group("rid")
        if old is not None:
            timeline.local, timeline.remote = old.local, old.remote
        timeline.touch_line(record.line, record.stamp)
        self.timelines.append(timeline)
        self.by_uid[match.group("n")] = timeline
        self.successor = timeline

    def child_up(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is not None:
            timeline.child_up = timeline.child_up or record.evidence
            for spi in (match.group("spi_i"), match.group("spi_o")):
                if spi not in timeline.child_spis:  # a rekey logs inbound and outbound
                    timeline.child_spis.append(spi)

    def received_proposals(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        timeline.received_policies = swan.with_evidence(
            _proposals(match.group("list")), record.evidence
        )
        timeline.expected_policies = []
        self.selecting = True

    def configured_proposals(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        proposals = swan.with_evidence(_proposals(match.group("list")), record.evidence)
        if self.selecting and timeline is not None:
            timeline.expected_policies = proposals
        else:
            self.offer = proposals

    def selected(self, record: CharonRecord, match: re.Match[str]) -> None:
        self.selecting = False

    def notify_error(self, record: CharonRecord, match: re.Match[str]) -> None:
        """`received AUTHENTICATION_FAILED notify error`: the line that says what it meant."""
        timeline = self._of(record)
        if timeline is None:
            return
        name = match.group("name")
        for exchange in reversed(timeline.exchanges):
            for message in (exchange.response, exchange.request):
                if message is not None and name in message.notifies:
                    message.notify_evidence[name] = record.evidence
                    return

    def retransmit(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        timeline.retransmits.append(record.evidence)
        msg_id = int(match.group("mid"))
        for exchange in reversed(timeline.exchanges):
            if exchange.role == "requester" and exchange.msg_id == msg_id:
                exchange.retransmits += 1
                break

    def gave_up(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        timeline.retransmit_exhausted = record.evidence
        for exchange in reversed(timeline.exchanges):
            if exchange.role == "requester" and exchange.response is None:
                exchange.result = "no_response"
                break

    def dpd(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is not None:
            timeline.dpd.append(record.evidence)

    def delete(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is None:
            return
        what = "delete_received" if match.group("verb") == "received" else "delete"
        sa = "ike" if match.group("what") == "IKE_SA" else "child"
        timeline.deletes.append(Step(record.evidence, what, sa))

    def deleted(self, record: CharonRecord, match: re.Match[str]) -> None:
        """`IKE_SA deleted`: the lines after it are the rekeyed IKE SA's, if there is one."""
        if self.successor is not None and not record.uid:
            self.current, self.successor = self.successor, None

    def state(self, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = self._of(record)
        if timeline is not None:
            timeline.states.append(StateStep(match.group("new"), "", record.evidence))

    # -- IKE SPIs (levels 3 and 4) ---------------------------------------------------------------

    def _spi_bytes(self, record: CharonRecord) -> bool:
        rule = re.match(r"(?:generating|parsing) rule (?P<n>[01]) IKE_SPI$", record.msg)
        if rule is not None:
            self.spi_rule = (record.thread, int(rule.group("n")))
            return True
        if self.spi_rule is None or record.thread != self.spi_rule[0]:
            return False
        dump = re.match(r"0: (?P<hex>(?:[0-9A-F]{2} ){7}[0-9A-F]{2})\b", record.msg)
        if dump is None:
            return re.match(r"=> 8 bytes", record.msg) is not None
        self.spis[self.spi_rule[1]] = dump.group("hex").replace(" ", "")
        self.spi_rule = None
        if record.uid and record.uid in self.by_uid:
            self._apply_spis(self.by_uid[record.uid])
        return True

    def _apply_spis(self, timeline: Timeline) -> None:
        spi_i, spi_r = self.spis
        if spi_i and not timeline.spi_i:
            timeline.spi_i = spi_i
        if timeline.spi_i == spi_i and spi_r.strip("0") and not timeline.spi_r:
            timeline.spi_r = spi_r


def _failure(cause: str) -> _Handler:
    """A handler that records a failure of ``cause``, with the line's detail."""

    def handle(reader: CharonReader, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = reader._of(record)
        if timeline is not None:
            detail = match.groupdict().get("detail") or ""
            timeline.failures.append(Failure(cause, record.evidence, detail))
        reader.selecting = False

    return handle


def _step(what: str) -> _Handler:
    """A handler that adds a step of kind ``what`` (and what it implies) to the timeline."""

    def handle(reader: CharonReader, record: CharonRecord, match: re.Match[str]) -> None:
        timeline = reader._of(record)
        if timeline is None:
            return
        detail = match.groupdict().get("detail") or ""
        timeline.steps.append(Step(record.evidence, what, detail))
        if what == "nat_detected":
            timeline.nat, timeline.nat_evidence = "detected", record.evidence
        elif what == "identity_peer":
            timeline.peer_id = detail
        elif what == "profile":
            timeline.profile = detail
        elif what == "admin_clear":
            timeline.admin_clear = timeline.admin_clear or record.evidence

    return handle


def _uid_of(name: str) -> str:
    match = re.search(r"\[(\d+)\]$", name)
    return match.group(1) if match else ""


# Payloads in charon's message summaries, as the IOS timeline names them.
_PAYLOADS = {"No": "N", "V": "VID", "D": "DELETE", "CPRQ": "CFG", "CPRP": "CFG"}
_SA = r"(?P<name>[^\s\[]+)\[(?P<n>\d+)\]"
_ENDS = r"(?P<l>[^\s\[]+)\[(?P<lid>[^\]]*)\]\.\.\.(?P<r>[^\s\[]+)\[(?P<rid>[^\]]*)\]"


_R = CharonReader
_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    swan.rule(
        r"^(?P<verb>generating|parsed) (?P<exchange>[A-Z_]+) (?P<rr>request|response) "
        r"(?P<mid>\d+) \[\s*(?P<payloads>.*?)\s*\]$",
        _R.message,
    ),
    swan.rule(rf"^initiating IKE_SA {_SA} to ", _R.initiate),
    swan.rule(r"^\S+ is initiating an IKE_SA$", _R.peer_initiates),
    swan.rule(
        r"^(?P<verb>sending|received) packet: from (?P<a>[^\s\[]+)\[(?P<ap>\d+)\] to "
        r"(?P<b>[^\s\[]+)\[(?P<bp>\d+)\]",
        _R.packet,
    ),
    swan.rule(rf"^IKE_SA {_SA} established between {_ENDS}", _R.established),
    swan.rule(rf"^IKE_SA {_SA} rekeyed between {_ENDS}", _R.rekeyed),
    swan.rule(
        r"^(?:inbound |outbound )?CHILD_SA \S+\{\d+\} established with SPIs "
        r"(?P<spi_i>[0-9a-f]+)_i (?P<spi_o>[0-9a-f]+)_o",
        _R.child_up,
    ),
    swan.rule(r"^received proposals: (?P<list>.+)$", _R.received_proposals),
    swan.rule(r"^configured proposals: (?P<list>.+)$", _R.configured_proposals),
    swan.rule(r"^selected proposal: ", _R.selected),
    swan.rule(
        r"^(?:received proposals unacceptable|no acceptable proposal found)",
        _failure("no_matching_policy"),
    ),
    swan.rule(
        r"^tried \d+ shared keys? for '[^']*' - '[^']*', but MAC mismatched",
        _failure("psk_mismatch"),
    ),
    swan.rule(r"^no shared key found for '[^']*' - '[^']*'", _failure("key_not_found")),
    swan.rule(r"^no matching peer config found", _failure("identity_mismatch")),
    swan.rule(r"^no IKE config found for .*", _failure("peer_not_configured")),
    swan.rule(
        r"^(?:traffic selectors (?P<detail>.+?) unacceptable"
        r"|no acceptable traffic selectors found)",
        _failure("ts_mismatch"),
    ),
    swan.rule(
        r"^(?:constraint check failed|no trusted \S+ public key found|no issuer certificate "
        r"found|certificate .* (?:expired|not valid|revoked))",
        _failure("certificate_error"),
    ),
    swan.rule(r"^authentication of '[^']*' with .* failed", _failure("auth_failed")),
    swan.rule(r"^received (?P<name>[A-Z_]+) notify(?: error|, no CHILD_SA built)", _R.notify_error),
    swan.rule(
        r"^looking for peer configs matching \S+?\[[^\]]*\]\.\.\.\S+?\[(?P<detail>[^\]]*)\]",
        _step("identity_peer"),
    ),
    swan.rule(r"^selected peer config '(?P<detail>[^']*)'", _step("peer_config")),
    swan.rule(r"^(?P<detail>(?:local|remote) host is behind NAT)", _step("nat_detected")),
    swan.rule(r"^faking NAT situation to enforce UDP encapsulation", _step("nat_forced")),
    swan.rule(r"^vici terminate (?P<detail>(?:IKE|CHILD)_SA '[^']*')", _step("admin_clear")),
    swan.rule(r"^retransmit \d+ of request with message ID (?P<mid>\d+)", _R.retransmit),
    swan.rule(r"^giving up after \d+ retransmits", _R.gave_up),
    swan.rule(r"^sending DPD request", _R.dpd),
    swan.rule(
        r"^(?P<verb>sending|received) DELETE for (?P<what>IKE_SA|ESP CHILD_SA|AH CHILD_SA)",
        _R.delete,
    ),
    swan.rule(r"^IKE_SA deleted$", _R.deleted),
    swan.rule(rf"^IKE_SA {_SA} state change: (?P<old>\w+) => (?P<new>\w+)", _R.state),
)


def read_charon(text: str, source: str) -> tuple[list[Timeline], list[Skipped], int, int]:
    """Timelines of a charon log, the lines not read, and (records, records interpreted)."""
    return swan.read_log(text, CharonReader(source), parse_line, NOT_CHARON)
