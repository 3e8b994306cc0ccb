"""Counters for `show crypto ikev2 stats [exchange]`, kept from the engine's own output.

Every message the engine sends or receives passes through its trace as a PacketTrace; this
counts them the way IOS does: per exchange (a CREATE_CHILD_SA that rekeys the IKE SA, one
that creates a child SA and one that rekeys a child SA are told apart, and an empty
INFORMATIONAL is a DPD), per notify, per configuration attribute; plus the IKE SAs started
and accepted in each direction and the cookie challenges. What sends nothing, a request
refused for the in-negotiation limit, the verdict on a returned cookie and the datagrams
dropped unprocessed (IOS's `packets dropped at dispatch`), comes from the engine's events
(`note`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pyike import ios_names
from pyike.codec.configuration import CpPayload
from pyike.codec.message import Payload
from pyike.codec.payloads import KePayload, NotifyPayload
from pyike.codec.registry import ExchangeType, NotifyType, ProtocolId, name_of
from pyike.codec.sa import SaPayload
from pyike.ike.events import CookieChecked, InitRequestRefused, MessageDropped
from pyike.ike.trace import Direction, PacketTrace, TraceRecord
from pyike.show.views import Ikev2ExchangeStats, Ikev2Stats, MessageCounts

_Key = tuple[str, bool, bool]  # (name, sent, response)
_T = TypeVar("_T")
_FIRST_STATUS = 16384  # notify types below are errors (RFC 7296 section 3.10.1)
# Read for every message counted, as module globals: an enum member read from its class, or
# its name, costs more than the count itself.
_SENT = Direction.SENT
_CREATE_CHILD_SA = ExchangeType.CREATE_CHILD_SA
_INFORMATIONAL = ExchangeType.INFORMATIONAL
_COOKIE = NotifyType.COOKIE
_EXCHANGE_NAMES = {member.value: member.name for member in ExchangeType}


def _exchange_name(record: PacketTrace, dpd_requests: set[tuple[int | None, int, bool]]) -> str:
    header = record.header
    exchange = header.exchange_type
    if exchange == _CREATE_CHILD_SA:
        payloads = _payloads(record)
        sa = next((p for p in payloads if isinstance(p, SaPayload)), None)
        if sa is not None and sa.proposals and sa.proposals[0].protocol == ProtocolId.IKE:
            return "CREATE_CHILD_SA_IKE_REKEY"
        rekey = any(
            isinstance(p, NotifyPayload) and p.notify_type == NotifyType.REKEY_SA for p in payloads
        )
        if rekey:
            return "CREATE_CHILD_SA_IPSEC_REKEY"
        return "CREATE_CHILD_SA_IPSEC" if sa is not None else "CREATE_CHILD_SA"
    if exchange == _INFORMATIONAL and not _payloads(record):
        # An empty request is a liveness check; an empty response is a DPD only when it
        # answers one (an empty answer to a delete is a plain INFORMATIONAL).
        sent = record.direction is _SENT
        if not header.response:
            dpd_requests.add((record.sa_id, header.message_id, sent))
            return "DPD"
        if (record.sa_id, header.message_id, not sent) in dpd_requests:
            dpd_requests.discard((record.sa_id, header.message_id, not sent))
            return "DPD"
    return _EXCHANGE_NAMES.get(exchange) or name_of(ExchangeType, exchange)


def _payloads(record: PacketTrace) -> Sequence[Payload]:
    return record.inner if record.inner is not None else record.message.payloads


@dataclass
class Ikev2Counters:
    exchanges: Counter[_Key] = field(default_factory=Counter)
    # by number: named only when shown (a name lookup per payload costs more than the count)
    notifies: Counter[tuple[int, bool, bool]] = field(default_factory=Counter)
    config_attributes: Counter[tuple[int, bool]] = field(default_factory=Counter)
    outgoing_sas: int = 0
    incoming_sas: int = 0
    outgoing_accepted: int = 0
    incoming_accepted: int = 0
    cookie_challenged: int = 0
    cookie_accepted: int = 0
    cookie_rejected: int = 0
    refused_sa_limit: int = 0
    dropped: int = 0  # datagrams the engine dropped unprocessed (MessageDropped)
    other: Counter[str] = field(default_factory=Counter)
    _dpd_requests: set[tuple[int | None, int, bool]] = field(default_factory=set, repr=False)

    def count(self, records: Iterable[TraceRecord]) -> None:
        for record in records:
            if isinstance(record, PacketTrace):
                self._count_packet(record)

    def note(self, event: object) -> None:
        """Counts an engine event; the events that count nothing are ignored."""
        if isinstance(event, MessageDropped):
            self.dropped += 1
        elif isinstance(event, InitRequestRefused):
            self.refused_sa_limit += 1
        elif isinstance(event, CookieChecked):
            if event.valid:
                self.cookie_accepted += 1
            else:
                self.cookie_rejected += 1

    def _count_packet(self, record: PacketTrace) -> None:
        sent = record.direction is _SENT
        response = record.header.response
        name = _exchange_name(record, self._dpd_requests)
        self.exchanges[(name, sent, response)] += 1
        if name == "IKE_SA_INIT" and not response:
            if sent:
                self.outgoing_sas += 1
            else:
                self.incoming_sas += 1
        payloads = _payloads(record)
        if name == "IKE_SA_INIT" and response and any(isinstance(p, KePayload) for p in payloads):
            if sent:
                self.incoming_accepted += 1
            else:
                self.outgoing_accepted += 1
        for payload in payloads:
            if isinstance(payload, NotifyPayload):
                self.notifies[(payload.notify_type, sent, response)] += 1
                if payload.notify_type == _COOKIE and sent:
                    self.cookie_challenged += 1
            elif isinstance(payload, CpPayload):
                for attribute in payload.attributes:
                    self.config_attributes[(attribute.type, sent)] += 1

    # -- views -------------------------------------------------------------------------------

    def stats_view(
        self,
        active_in: int,
        active_out: int,
        negotiating_in: int,
        negotiating_out: int,
        *,
        max_in_negotiation: tuple[int, int],
    ) -> Ikev2Stats:
        """`show crypto ikev2 stats`; the SA counts now up and in negotiation come from the
        caller, which knows the live SAs, and so do the in-negotiation limits (incoming,
        outgoing) of the configuration in force."""
        return Ikev2Stats(
            incoming_sas=active_in + negotiating_in,
            incoming_active=active_in,
            incoming_negotiating=negotiating_in,
            outgoing_sas=active_out + negotiating_out,
            outgoing_active=active_out,
            outgoing_negotiating=negotiating_out,
            incoming_requests=self.incoming_sas,
            incoming_accepted=self.incoming_accepted,
            incoming_rejected=self.incoming_sas - self.incoming_accepted,
            outgoing_requests=self.outgoing_sas,
            outgoing_accepted=self.outgoing_accepted,
            outgoing_rejected=self.outgoing_sas - self.outgoing_accepted,
            rejected_requests=self.refused_sa_limit,
            rejected_sa_limit=self.refused_sa_limit,
            dropped_at_dispatch=self.dropped,
            cookie_challenged=self.cookie_challenged,
            cookie_accepted=self.cookie_accepted,
            cookie_rejected=self.cookie_rejected,
            max_in_negotiation_in=max_in_negotiation[0],
            max_in_negotiation_out=max_in_negotiation[1],
        )

    def exchange_view(self) -> Ikev2ExchangeStats:
        def counts(counter: Counter[tuple[_T, bool, bool]], key: _T) -> MessageCounts:
            return MessageCounts(
                tx_request=counter[(key, True, False)],
                tx_response=counter[(key, True, True)],
                rx_request=counter[(key, False, False)],
                rx_response=counter[(key, False, True)],
            )

        exchange_names = dict.fromkeys(name for name, _, _ in self.exchanges)
        notify_types = dict.fromkeys(kind for kind, _, _ in self.notifies)
        attributes = dict.fromkeys(kind for kind, _ in self.config_attributes)
        name = ios_names.notify_name
        return Ikev2ExchangeStats(
            exchanges={n: counts(self.exchanges, n) for n in exchange_names},
            error_notifies={
                name(t): counts(self.notifies, t) for t in notify_types if t < _FIRST_STATUS
            },
            other_notifies={
                name(t): counts(self.notifies, t) for t in notify_types if t >= _FIRST_STATUS
            },
            config_payloads={
                ios_names.cfg_attribute_name(t): (
                    self.config_attributes[(t, True)],
                    self.config_attributes[(t, False)],
                )
                for t in attributes
            },
        )
