"""What the recognisers find in a debug line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pyike.explain.lines import Record


class Kind(StrEnum):
    SM_TRACE = "sm_trace"  # spi_i, spi_r, role, msg_id, state, event
    PACKET_ADDRESSES = "packet_addresses"  # direction, local, remote
    PACKET_SPIS = "packet_spis"  # spi_i, spi_r, msg_id
    PACKET_EXCHANGE = "packet_exchange"  # exchange, response
    PACKET_HEADER = "packet_header"  # exchange, flags, msg_id, response
    PACKET_SUMMARY = "packet_summary"  # direction, exchange, local, remote, spi_i, spi_r, msg_id
    PAYLOAD_LIST = "payload_list"  # payloads
    BUILDING = "building"  # a message is being built for sending
    NOTIFY = "notify"  # name, how (construct, parse, listed)
    PROPOSAL = "proposal"  # protocol, number
    TRANSFORM = "transform"  # type, name
    PROPOSAL_SUMMARY = "proposal_summary"  # protocol, transforms (space separated)
    POLICY_LIST = "policy_list"  # which (received, expected)
    TS_PAYLOAD = "ts_payload"  # which (TSi, TSr)
    TS_RANGE = "ts_range"  # start, end
    TS_PORTS = "ts_ports"  # start, end
    IDENTITY = "identity"  # whose (local, peer), value, id_type
    AUTH_METHOD = "auth_method"  # whose (local, peer, payload), method
    PROFILE = "profile"  # name
    KEY_LOOKUP = "key_lookup"  # what
    NAT = "nat"  # detected (yes/no), detail
    ESTABLISHED = "established"  # what (ike, child), detail
    FAILURE = "failure"  # cause; map, seq when a crypto map entry is named
    RETRANSMIT = "retransmit"  # detail
    RETRANSMIT_EXHAUSTED = "retransmit_exhausted"
    DELETE = "delete"  # what (ike, child), reason, direction
    DPD = "dpd"  # detail
    ADMIN_CLEAR = "admin_clear"  # command
    REKEY = "rekey"  # what (ike, child)
    PROXY_MATCH = "proxy_match"  # map, seq: the crypto map entry whose ACL the selectors matched


@dataclass(frozen=True)
class Event:
    kind: Kind
    record: Record
    fields: Mapping[str, str] = field(default_factory=dict)
    sa_id: str | None = None  # "(SA ID = n)" or the ASA "(n)" prefix
    session_id: str | None = None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    @property
    def source(self) -> str:
        return self.record.source
