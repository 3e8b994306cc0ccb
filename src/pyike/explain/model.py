"""The rebuilt negotiation: messages, exchanges and one timeline per IKE SA and router."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyike.explain.lines import Record, Stamp


@dataclass(frozen=True)
class Evidence:
    """A quoted log line: where it is and what it says (IOS's English after normalisation)."""

    source: str
    line: int
    end_line: int
    text: str
    router: str = ""  # the hostname prefix in a stream of several routers' output

    @classmethod
    def of(cls, record: Record) -> Evidence:
        return cls(record.source, record.line, record.end_line, record.text, record.router)


@dataclass
class Proposal:
    protocol: str
    number: int
    transforms: list[str] = field(default_factory=list)  # IOS spellings, in order
    types: list[int] = field(default_factory=list)  # transform type per entry, 0 when unknown
    evidence: Evidence | None = None  # for the "Received/Expected Policies" listings


@dataclass
class Message:
    exchange: str
    msg_id: int | None
    response: bool | None
    direction: str  # "sent", "received" or "" when the log does not say
    evidence: Evidence
    payloads: list[str] = field(default_factory=list)
    notifies: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    ts_i: list[str] = field(default_factory=list)
    ts_r: list[str] = field(default_factory=list)
    local: str = ""
    remote: str = ""
    stamp: Stamp | None = None
    notify_evidence: dict[str, Evidence] = field(default_factory=dict)


@dataclass
class Step:
    """A line of the timeline worth telling: what happened, in plain words."""

    evidence: Evidence
    what: str  # an id for the explanation catalogue, e.g. "nat_not_found"
    detail: str = ""


@dataclass
class Exchange:
    type: str
    msg_id: int | None
    role: str  # "requester", "responder" or ""
    evidence: Evidence
    purpose: str = ""  # initial, ike_rekey, child_create, child_rekey, delete, dpd, info
    request: Message | None = None
    response: Message | None = None
    retransmits: int = 0
    result: str = "in_progress"  # ok, failed, no_response, in_progress
    stamp: Stamp | None = None


@dataclass
class StateStep:
    state: str
    event: str
    evidence: Evidence


@dataclass
class Failure:
    cause: str
    evidence: Evidence
    detail: str = ""


@dataclass
class Timeline:
    """One IKE SA as one router saw it."""

    router: str
    source: str
    spi_i: str
    hostname: str = ""  # the router's hostname prefix, when the file interleaves routers
    dialect: str = "ios"  # "ios" (IOS, IOS-XE, ASA) or "strongswan" (charon)
    spi_r: str = ""
    role: str = ""  # initiator, responder
    sa_ids: list[str] = field(default_factory=list)
    session_id: str = ""
    local: str = ""
    remote: str = ""
    exchanges: list[Exchange] = field(default_factory=list)
    states: list[StateStep] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    retransmits: list[Evidence] = field(default_factory=list)
    retransmit_exhausted: Evidence | None = None
    received_policies: list[Proposal] = field(default_factory=list)
    expected_policies: list[Proposal] = field(default_factory=list)
    expected_listing: Evidence | None = None  # the "Expected Policies:" line, listing or not
    proxy_match: Evidence | None = None  # an ASA's "PROXY MATCH on crypto map ..."
    nat: str = ""  # "", "none", "detected"
    nat_evidence: Evidence | None = None
    profile: str = ""
    local_id: str = ""
    peer_id: str = ""
    peer_auth: str = ""
    local_auth: str = ""
    ike_up: Evidence | None = None
    child_up: Evidence | None = None
    deletes: list[Step] = field(default_factory=list)
    admin_clear: Evidence | None = None
    dpd: list[Evidence] = field(default_factory=list)
    child_spis: list[str] = field(default_factory=list)  # ESP SPIs, lower-case hex, when shown
    first_line: int = 0
    last_line: int = 0
    first_stamp: Stamp | None = None

    def touch(self, record: Record) -> None:
        self.touch_line(record.line, record.stamp, record.end_line)

    def touch_line(self, line: int, stamp: Stamp | None, end_line: int = 0) -> None:
        if not self.first_line:
            self.first_line = line
            self.first_stamp = stamp
        self.last_line = max(self.last_line, end_line or line)

    def established(self, evidence: Evidence) -> None:
        """The IKE SA is up (the first line that says so is kept): its IKE_AUTH completed."""
        self.ike_up = self.ike_up or evidence
        for exchange in self.exchanges:
            if exchange.type == "IKE_AUTH" and exchange.result == "in_progress":
                exchange.result = "ok"

    def exchange(self, kind: str, msg_id: int | None) -> Exchange | None:
        for item in reversed(self.exchanges):
            if item.type == kind and (msg_id is None or item.msg_id in (None, msg_id)):
                return item
        return None
