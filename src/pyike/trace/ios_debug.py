"""The engine's trace records as `debug crypto ikev2` prints them.

One record becomes one debug message: a first line with IOS's timestamp ("*Nov 11
19:30:34.811: ") and the "IKEv2:" prefix, then continuation lines without either, as a
packet dump continues on the console. The layout follows the seed document (IOS 15.1):
outgoing messages list the payloads they are built from ("Construct Notify Payload: ...")
before the dump, incoming ones name each vendor ID and notify as they are parsed.

Which records print depends on what is being debugged, as on a router:
`debug crypto ikev2` (the basic lines), `... packet` (packet dumps), `... internal` (the
state machine and internal steps), `... error` (errors only).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Address, IPv6Address

from pyike import ios_names
from pyike.codec.message import Payload
from pyike.codec.payloads import NotifyPayload, SkfPayload, SkPayload, VendorPayload
from pyike.ike.trace import (
    Direction,
    ErrorTrace,
    InfoTrace,
    PacketTrace,
    PkiTrace,
    SmTrace,
    TraceKind,
    TraceRecord,
)
from pyike.ike.vendor import vendor_name
from pyike.trace.packet_dump import header_line, payload_lines


class Debug(enum.Flag):
    """What `debug crypto ikev2 [packet|internal|error]` switched on."""

    NONE = 0
    BASIC = enum.auto()
    PACKET = enum.auto()
    INTERNAL = enum.auto()
    ERROR = enum.auto()
    ALL = BASIC | PACKET | INTERNAL | ERROR
    # `debug crypto pki validation|transactions` (not part of `debug crypto ikev2`)
    PKI_VALIDATION = enum.auto()
    PKI_TRANSACTIONS = enum.auto()


_PKI_TOPICS = {"validation": Debug.PKI_VALIDATION, "transactions": Debug.PKI_TRANSACTIONS}


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Informational lines that belong to `debug crypto ikev2` itself rather than to `internal`.
_BASIC_PREFIXES = (
    "New ikev2 sa request",
    "% Getting preshared key",
    "Verification of peer's authentication data",
    "Choosing IKE profile",
    "IKEv2 profile",
    "Sending cookie",
    "Valid cookie",
    "Peer address changed",
)


def ios_timestamp(moment: datetime) -> str:
    """ "*Nov 11 19:30:34.811: ": IOS pads a one-digit day with a space."""
    millis = moment.microsecond // 1000
    return (
        f"*{_MONTHS[moment.month - 1]} {moment.day:>2} "
        f"{moment.hour:02}:{moment.minute:02}:{moment.second:02}.{millis:03}: "
    )


def _sa_prefix(sa_id: int | None) -> str:
    return "IKEv2:" if sa_id is None else f"IKEv2:(SA ID = {sa_id}):"


def sm_trace_line(record: SmTrace) -> str:
    role = "I" if record.initiator else "R"
    return (
        f"SM Trace-> SA: I_SPI={record.spi_i.hex().upper()} R_SPI={record.spi_r.hex().upper()} "
        f"({role}) MsgID = {record.message_id:08X} CurState: {record.state} Event: {record.event}"
    )


def _payload_label(payload: Payload) -> tuple[str, str] | None:
    """("Vendor Specific", name) or ("Notify", name) for the payloads IOS names as it goes."""
    if isinstance(payload, VendorPayload):
        return "Vendor Specific", vendor_name(payload)
    if isinstance(payload, NotifyPayload):
        return "Notify", ios_names.notify_name(payload.notify_type)
    return None


@dataclass(frozen=True)
class DebugMessage:
    """One debug message: its first line carries the timestamp, the rest continue it."""

    first: str
    more: tuple[str, ...] = ()

    def lines(self, stamp: str) -> list[str]:
        return [stamp + self.first, *self.more]


_PEERS_REMEMBERED = 4096  # SAs whose peer conditional debugging keeps at once


class DebugFormatter:
    """Turns trace records into IOS debug messages. `epoch` is the wall-clock time of the
    engine's time zero (virtual in the lab, real in the gateway)."""

    def __init__(self, epoch: datetime, enabled: Debug = Debug.ALL) -> None:
        self.epoch = epoch
        self._enabled = enabled
        # Called whenever `enabled` changes (`debug ...`, `undebug all`).
        self.on_change: Callable[[], None] | None = None
        # `debug crypto condition peer ipv4|ipv6 A`: while any is set, only the records of
        # the SAs with those peers print (PKI's are not IKE's: they always do). `peer_of`
        # says an SA's peer while the engine holds the SA; what it said is kept for the
        # records that follow the SA's deletion.
        self.peers: set[IPv4Address | IPv6Address] = set()
        self.peer_of: Callable[[int], IPv4Address | IPv6Address | None] = lambda sa_id: None
        self._peer_seen: dict[int, IPv4Address | IPv6Address] = {}

    @property
    def enabled(self) -> Debug:
        return self._enabled

    @enabled.setter
    def enabled(self, value: Debug) -> None:
        self._enabled = value
        if self.on_change is not None:
            self.on_change()

    def record_kinds(self) -> frozenset[TraceKind]:
        """The trace records that can print now: what an engine feeding only this formatter
        needs to make (see `messages`)."""
        enabled = self._enabled
        kinds: set[TraceKind] = set()
        if Debug.INTERNAL in enabled:
            kinds.add(SmTrace)
        if enabled & (Debug.BASIC | Debug.INTERNAL):
            kinds.add(InfoTrace)
        if enabled & (Debug.ERROR | Debug.BASIC | Debug.INTERNAL):
            kinds.add(ErrorTrace)
        if Debug.PACKET in enabled:
            kinds.add(PacketTrace)
        if enabled & (Debug.PKI_VALIDATION | Debug.PKI_TRANSACTIONS):
            kinds.add(PkiTrace)
        return frozenset(kinds)

    def stamp(self, now: float) -> str:
        return ios_timestamp(self.epoch + timedelta(seconds=now))

    def lines(self, records: Iterable[TraceRecord]) -> list[str]:
        out: list[str] = []
        if not self.enabled:
            return out  # nothing is being debugged: not even a timestamp is worth formatting
        conditioned = bool(self.peers)
        for record in records:
            if conditioned and not self._about_a_peer(record):
                continue
            messages = self.messages(record)
            if messages:
                stamp = self.stamp(record.now)
                for message in messages:
                    out.extend(message.lines(stamp))
        return out

    def set_peers(self, peers: set[IPv4Address | IPv6Address]) -> None:
        """The peers `debug crypto condition` names now (none: every SA's records print)."""
        self.peers = peers
        self._peer_seen.clear()

    def _about_a_peer(self, record: TraceRecord) -> bool:
        """Whether a record is about an SA with a peer of the condition (or is PKI's)."""
        if isinstance(record, PkiTrace):
            return True
        if isinstance(record, PacketTrace):
            return record.remote.address in self.peers
        if record.sa_id is None:
            return False  # IOS's "unmatched" context: not shown under a condition
        peer = self._peer_seen.get(record.sa_id)
        if peer is None:
            peer = self.peer_of(record.sa_id)
            if peer is None:
                return False
            if len(self._peer_seen) >= _PEERS_REMEMBERED:  # a condition left on for weeks
                self._peer_seen.clear()
            self._peer_seen[record.sa_id] = peer
        return peer in self.peers

    def messages(self, record: TraceRecord) -> list[DebugMessage]:
        if isinstance(record, SmTrace):
            if Debug.INTERNAL not in self.enabled:
                return []
            return [DebugMessage(_sa_prefix(record.sa_id) + sm_trace_line(record))]
        if isinstance(record, InfoTrace):
            basic = record.text.lstrip("(0123456789) ").startswith(_BASIC_PREFIXES)
            if not (self.enabled & (Debug.BASIC | Debug.INTERNAL if basic else Debug.INTERNAL)):
                return []
            return [DebugMessage(_sa_prefix(record.sa_id) + record.text)]
        if isinstance(record, ErrorTrace):
            if not self.enabled & (Debug.ERROR | Debug.BASIC | Debug.INTERNAL):
                return []
            prefix = (
                "IKEv2-ERROR:" if record.sa_id is None else f"IKEv2-ERROR:(SA ID = {record.sa_id}):"
            )
            return [DebugMessage(prefix + record.text)]
        if isinstance(record, PkiTrace):
            if _PKI_TOPICS[record.topic] not in self.enabled:
                return []
            return [DebugMessage("CRYPTO_PKI: " + record.text)]
        if Debug.PACKET not in self.enabled:
            return []
        if record.direction is Direction.SENT:
            return self._sent(record)
        return self._received(record)

    def _sent(self, record: PacketTrace) -> list[DebugMessage]:
        message = record.message
        inner = list(record.inner or ())
        shown = inner if inner else [p for p in message.payloads if not _encrypted(p)]
        out = [
            DebugMessage(f"IKEv2:Construct {kind} Payload: {name}")
            for kind, name in filter(None, map(_payload_label, shown))
        ]
        if inner:
            # IOS dumps the clear payloads it built, then the protected message it sends.
            built = [line for line in payload_lines(inner) if not line.startswith(_ATTRIBUTE)]
            out.append(DebugMessage("Payload contents: ", tuple(built)))
        out.append(
            DebugMessage(
                _sa_prefix(record.sa_id) + header_line(message.header),
                ("Payload contents: ", *payload_lines(message.payloads)),
            )
        )
        return out

    def _received(self, record: PacketTrace) -> list[DebugMessage]:
        message = record.message
        payloads = list(record.inner) if record.inner is not None else list(message.payloads)
        blocks: list[DebugMessage] = []
        current: list[str] = ["Payload contents: "]
        head = _sa_prefix(record.sa_id) + header_line(message.header)
        lines = payload_lines(payloads)
        starts = [
            i for i, line in enumerate(lines) if line.startswith(" ") and not line.startswith("  ")
        ]
        for index, payload in enumerate(payloads):
            block = lines[starts[index] : starts[index + 1] if index + 1 < len(starts) else None]
            label = _payload_label(payload)
            attributes = [line for line in block if line.startswith(_ATTRIBUTE)]
            if attributes:  # each its own message, and the next payload starts one too
                current.extend(line for line in block if not line.startswith(_ATTRIBUTE))
                blocks.append(DebugMessage(head, tuple(current)))
                blocks += [DebugMessage(line.strip()) for line in attributes]
                head, current = "", []
                continue
            if label is None and head:
                current.extend(block)
                continue
            if head:
                blocks.append(DebugMessage(head, tuple(current)))
            head = f"IKEv2:Parse {label[0]} Payload: {label[1]}" if label else block[0]
            current = list(block if label else block[1:])
        if head:
            blocks.append(DebugMessage(head, tuple(current)))
        return blocks


# A CFG payload's attributes: IOS 15 prints none when it sends (the seed's Router1) and each
# as a debug message of its own when it parses (Router2).
_ATTRIBUTE = "    attrib type:"


def _encrypted(payload: Payload) -> bool:
    return isinstance(payload, SkPayload | SkfPayload)
