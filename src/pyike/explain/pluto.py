"""Libreswan's pluto logs (syslog or journal: ``host pluto[PID]: "conn" #1: ...``, or the
bare lines of ``pluto --stderrlog``) read into the timelines `diagnose` judges for IOS.

pluto names each negotiation by a serial: an IKE SA (``#1``) and its Child SAs (``#2``). One
timeline per IKE SA; a Child SA's lines (`... established Child SA using #1`, `No IKEv2
connection found with compatible Traffic Selectors`) go to the IKE SA of the same connection.
The connection's own proposals come from its `... SA proposals (connection add):` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pyike.codec.registry import TransformType
from pyike.explain import swan
from pyike.explain.aliases import notify_name, pluto_transform
from pyike.explain.lines import Skipped
from pyike.explain.model import Evidence, Failure, Message, Proposal, StateStep, Step, Timeline
from pyike.explain.timeline import attach_message

_LINE = re.compile(
    r"^\s*(?:(?P<stamp>" + swan.STAMP + r"):?\s+)?(?:(?P<host>[\w.\-]+)\s+)?pluto(?:\[\d+\])?:\s"
    r"(?P<body>.*)$"
)
_SUBJECT = re.compile(
    r'^"(?P<conn>[^"]+)"(?:\[\d+\])?(?: [0-9A-Fa-f.:]+)?(?: #(?P<serial>\d+))?:\s?(?P<msg>.*)$'
)
NOT_PLUTO = "not a pluto log line"


@dataclass(frozen=True)
class PlutoRecord(swan.LogRecord):
    conn: str
    serial: str


def parse_line(number: int, text: str, source: str) -> PlutoRecord | None:
    match = _LINE.match(text)
    body = match.group("body") if match else text.strip()
    if match is None and not body.startswith('"'):
        return None
    subject = _SUBJECT.match(body)
    conn = subject.group("conn") if subject else ""
    serial = (subject.group("serial") or "") if subject else ""
    msg = subject.group("msg") if subject else body
    return PlutoRecord(
        line=number,
        stamp=swan.stamp_of(match.group("stamp")) if match and match.group("stamp") else None,
        host=(match.group("host") or "") if match else "",
        msg=msg.strip(),
        evidence=Evidence(source, number, number, body.strip()),
        conn=conn,
        serial=serial,
    )


def is_pluto_log(text: str) -> bool:
    """Whether most lines of ``text`` are pluto's (a few other lines are tolerated)."""
    return swan.mostly_lines_of(text, _LINE)


# pluto's proposals: `1:IKE=AES_CBC_256-HMAC_SHA2_256-HMAC_SHA2_256_128-MODP2048` (its own,
# by position) and `1:IKE:ENCR=AES_CBC_256;PRF=...;INTEG=...;DH=MODP2048` (received).
_POSITIONS = {
    "IKE": (TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.DH),
    "ESP": (TransformType.ENCR, TransformType.INTEG, TransformType.DH, TransformType.ESN),
}
_KEYS = {"ENCR": TransformType.ENCR, "PRF": TransformType.PRF, "INTEG": TransformType.INTEG}
_KEYS |= {"DH": TransformType.DH, "ESN": TransformType.ESN}


def _proposal(protocol: str, number: int, named: list[tuple[TransformType, str]]) -> Proposal:
    kept = [(kind, name) for kind, name in named if name and name != "NONE"]
    found = [pluto_transform(name, kind) for kind, name in kept]
    return Proposal(
        protocol,
        number,
        [name for _, name in kept],
        [int(hit[0]) if hit else int(kind) for hit, (kind, _) in zip(found, kept, strict=True)],
    )


def local_proposal(text: str) -> Proposal | None:
    match = re.match(r"(?P<n>\d+):(?P<proto>IKE|ESP|AH)=(?P<names>\S+)$", text)
    if match is None:
        return None
    names = match.group("names").split("-")
    kinds = _POSITIONS.get(match.group("proto"), ())
    named = list(zip(kinds, names, strict=False))  # ESP lists no PRF: fewer names than kinds
    return _proposal(match.group("proto"), int(match.group("n")), named)


def remote_proposals(text: str) -> list[Proposal]:
    out = []
    for item in re.finditer(r"(?P<n>\d+):(?P<proto>IKE|ESP|AH):(?P<list>\S+)", text):
        named = []
        for pair in item.group("list").split(";"):
            key, _, values = pair.partition("=")
            for value in values.split(","):
                named.append((_KEYS.get(key, TransformType.ENCR), re.sub(r"\[.*\]$", "", value)))
        out.append(_proposal(item.group("proto"), int(item.group("n")), named))
    return out


_Handler = Callable[["PlutoReader", PlutoRecord, re.Match[str]], None]
_CHILD_LINE = re.compile(r"Child SA|CHILD SA|Traffic Selectors|IPsec SA|using #\d+")


@dataclass
class PlutoReader(swan.LogReader[PlutoRecord]):
    dialect = "libreswan"

    by_serial: dict[str, Timeline] = field(default_factory=dict)
    latest: dict[str, Timeline] = field(default_factory=dict)  # connection -> its last IKE SA
    proposals: dict[str, list[Proposal]] = field(default_factory=dict)  # connection's own
    listing: str = ""  # the kind of proposals being listed (`IKE SA proposals ...:`)

    def _of(self, record: PlutoRecord) -> Timeline | None:
        if not record.serial:
            return None
        timeline = self.by_serial.get(record.serial)
        if timeline is None:
            child = _CHILD_LINE.search(record.msg) is not None
            timeline = self.latest.get(record.conn) if child else None
            if timeline is None:
                timeline = self._new(record)
            self.by_serial[record.serial] = timeline
        timeline.touch_line(record.line, record.stamp)
        return timeline

    def _new(self, record: PlutoRecord) -> Timeline:
        role = "initiator" if record.msg.startswith("initiating") else "responder"
        timeline = self.new_timeline(record.host, role)
        timeline.sa_ids.append(f'"{record.conn}" #{record.serial}')
        self.timelines.append(timeline)
        self.latest[record.conn] = timeline
        return timeline

    def feed(self, record: PlutoRecord) -> None:
        if not record.serial:
            self._connection_line(record)
            return
        if self._of(record) is not None:
            self.handle(record, _RULES)

    def _connection_line(self, record: PlutoRecord) -> None:
        listing = re.match(r"(?P<what>IKE|Child) SA proposals \(connection add\):", record.msg)
        if listing is not None:
            self.listing = listing.group("what")
            self.proposals.setdefault(record.conn, [])
            if self.listing == "IKE":
                self.proposals[record.conn] = []
            return
        proposal = local_proposal(record.msg) if self.listing else None
        if proposal is not None and record.conn:
            self.proposals.setdefault(record.conn, []).append(proposal)
            self.interpreted += 1
        else:
            self.listing = ""

    # -- handlers ------------------------------------------------------------------------------

    def message(
        self,
        record: PlutoRecord,
        exchange: str,
        msg_id: int | None,
        *,
        sent: bool = False,
        response: bool = False,
        notifies: Sequence[str] = (),
        payloads: Sequence[str] = (),
    ) -> None:
        """A message pluto says it sent or processed, into its IKE SA's exchanges."""
        direction = "sent" if sent else "received"
        message = Message(exchange, msg_id, response, direction, record.evidence)
        message.stamp = record.stamp
        for name in notifies:
            message.notifies.append(name)
            message.notify_evidence[name] = record.evidence
        message.payloads.extend(payloads)
        attach_message(self.by_serial[record.serial], message)


def _sent_request(exchange: str, msg_id: int) -> _Handler:
    def handle(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
        reader.message(record, exchange, msg_id, sent=True)
        timeline = reader.by_serial[record.serial]
        if match.groupdict().get("to") and not timeline.remote:
            timeline.remote = match.group("to")

    return handle


def _sent_init_reply(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    reader.message(record, "IKE_SA_INIT", 0, sent=True, response=True)


def _decrypted(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    payloads, notifies = [], []
    for token in match.group("payloads").split(","):
        notify = swan.notify_token(token.strip())
        if notify is not None:
            notifies.append(notify_name(notify))
        elif token.strip():
            payloads.append(token.strip())
    reader.message(
        record,
        match.group("exchange"),
        None,
        response=match.group("rr") == "response",
        payloads=payloads,
        notifies=notifies,
    )


def _responding(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    name = notify_name(match.group("name"))
    exchange, msg_id = match.group("exchange"), int(match.group("mid"))
    reader.message(record, exchange, msg_id, sent=True, response=True, notifies=[name])


def _rejected(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    exchange = match.group("exchange") or match.group("init") or "IKE_AUTH"
    exchange = "IKE_AUTH" if exchange == "IKE SA authentication" else exchange
    reader.message(
        record, exchange, None, response=True, notifies=[notify_name(match.group("name"))]
    )


def _failure(cause: str) -> _Handler:
    def handle(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
        timeline = reader.by_serial[record.serial]
        timeline.failures.append(
            Failure(cause, record.evidence, match.groupdict().get("detail") or "")
        )

    return handle


def _no_proposal(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.received_policies = swan.with_evidence(
        remote_proposals(match.group("list")), record.evidence
    )
    protocol = timeline.received_policies[0].protocol if timeline.received_policies else "IKE"
    timeline.expected_policies = [
        p for p in reader.proposals.get(record.conn, []) if p.protocol == protocol
    ]
    timeline.failures.append(Failure("no_matching_policy", record.evidence))


def _established(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.established(record.evidence)
    timeline.role = "initiator" if match.group("role") == "initiator" else "responder"
    timeline.peer_id = match.group("peer")


def _child_up(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.child_up = timeline.child_up or record.evidence


def _retransmit(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.retransmits.append(record.evidence)
    for exchange in reversed(timeline.exchanges):
        if exchange.role == "requester" and exchange.response is None:
            exchange.retransmits += 1
            break


def _gave_up(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.retransmit_exhausted = record.evidence


def _state(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.states.append(StateStep(match.group("state"), "", record.evidence))
    if match.group("verb") == "deleting":
        timeline.deletes.append(Step(record.evidence, "delete", "ike"))


def _dpd(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    reader.by_serial[record.serial].dpd.append(record.evidence)


def _nat(reader: PlutoReader, record: PlutoRecord, match: re.Match[str]) -> None:
    timeline = reader.by_serial[record.serial]
    timeline.nat, timeline.nat_evidence = "detected", record.evidence
    timeline.steps.append(Step(record.evidence, "nat_detected", record.msg))


_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    swan.rule(r"^sent IKE_SA_INIT request to (?P<to>\S+)", _sent_request("IKE_SA_INIT", 0)),
    swan.rule(r"^sent IKE_AUTH request", _sent_request("IKE_AUTH", 1)),
    swan.rule(r"^sent IKE_SA_INIT reply", _sent_init_reply),
    swan.rule(
        r"^processing decrypted (?P<exchange>[A-Z_]+) (?P<rr>request|response): "
        r"SK\{(?P<payloads>[^}]*)\}",
        _decrypted,
    ),
    swan.rule(
        r"^responding to (?P<exchange>[A-Z_]+) message \(ID (?P<mid>\d+)\) from \S+ with "
        r"(?:un)?encrypted notification (?P<name>[A-Z_0-9]+)",
        _responding,
    ),
    swan.rule(
        r"^(?:(?P<exchange>IKE SA authentication|[A-Z_]+) (?:request|response) rejected(?: "
        r"Child SA)? (?:by peer: |with )|dropping unexpected (?P<init>IKE_SA_INIT) message "
        r"containing )(?P<name>[A-Z_]{6,})",
        _rejected,
    ),
    swan.rule(r"^authentication failed: computed hash does not match", _failure("psk_mismatch")),
    swan.rule(r"^Peer ID '(?P<detail>[^']*)' mismatched", _failure("identity_mismatch")),
    swan.rule(r"^no local proposal matches remote proposals (?P<list>.+)$", _no_proposal),
    swan.rule(
        r"^No IKEv2 connection found with compatible Traffic Selectors", _failure("ts_mismatch")
    ),
    swan.rule(
        r"^(?P<role>initiator|responder) established IKE SA; authenticated peer using "
        r"\S+ and \S+ '(?P<peer>[^']*)'",
        _established,
    ),
    swan.rule(r"^(?:initiator|responder) established Child SA", _child_up),
    swan.rule(r"^STATE_\w+: retransmission; will wait", _retransmit),
    swan.rule(r"^STATE_\w+: \d+ second timeout exceeded after \d+ retransmits", _gave_up),
    swan.rule(r"^(?P<verb>deleting) state \((?P<state>STATE_\w+)\)", _state),
    swan.rule(r"^encountered fatal error in (?P<verb>state) (?P<state>STATE_\w+)", _state),
    swan.rule(r"liveness", _dpd),
    swan.rule(r"NAT-Traversal: .*behind NAT|NAT detected", _nat),
)


def read_pluto(text: str, source: str) -> tuple[list[Timeline], list[Skipped], int, int]:
    """Timelines of a pluto log, the lines not read, and (records, records interpreted)."""
    return swan.read_log(text, PlutoReader(source), parse_line, NOT_PLUTO)
