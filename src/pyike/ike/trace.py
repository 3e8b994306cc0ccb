"""Structured trace records: what `debug crypto ikev2` would print, before any formatting.

The lab turns these into IOS debug lines; tests assert on them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from pyike.codec import IkeHeader, Message, Payload, decode_message
from pyike.ike.events import Endpoint
from pyike.ike.states import Event, State

if TYPE_CHECKING:
    from pyike.ike.context import Context


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


@dataclass  # not frozen: some 28 per IKE SA and side while `debug crypto ikev2` is on
class SmTrace:
    """One `SM Trace->` line: the machine was in ``state`` when it processed ``event``."""

    now: float
    sa_id: int
    spi_i: bytes
    spi_r: bytes
    initiator: bool
    message_id: int
    state: State
    event: Event


@dataclass  # not frozen: some 15 per IKE SA and side while debugging (see pyike.ike.events)
class InfoTrace:
    """An informational line ("Generate skeyid", "NAT not found", ...). ``sa_id`` is None for
    lines IOS prints without an SA prefix."""

    now: float
    sa_id: int | None
    text: str


@dataclass  # not frozen: four per IKE SA (see pyike.ike.events)
class PacketTrace:
    """A message sent or received. ``inner`` holds the decrypted payloads of an SK message
    (None for a clear one or one that could not be opened). ``message`` is decoded from
    ``wire`` when first read if it was traced as octets alone: a protected message this side
    sent, whose outer payloads only a packet debug reads (the show counters read ``header``
    and ``inner``)."""

    now: float
    sa_id: int | None
    direction: Direction
    local: Endpoint
    remote: Endpoint
    header: IkeHeader
    inner: tuple[Payload, ...] | None
    decoded: Message | None = field(default=None, repr=False, compare=False)
    wire: bytes = field(default=b"", repr=False)

    @property
    def message(self) -> Message:
        if self.decoded is None:
            self.decoded = decode_message(self.wire, self.header)
        return self.decoded


@dataclass(frozen=True)
class ErrorTrace:
    """What `debug crypto ikev2 error` shows: a message dropped or an exchange failed."""

    now: float
    sa_id: int | None
    text: str


@dataclass(frozen=True)
class PkiTrace:
    """What `debug crypto pki validation` (``topic`` "validation") or `transactions` shows
    of a peer's certificate chain being checked: the text after "CRYPTO_PKI: "."""

    now: float
    topic: str
    text: str


TraceRecord = SmTrace | InfoTrace | PacketTrace | ErrorTrace | PkiTrace

TraceKind = type[SmTrace] | type[InfoTrace] | type[PacketTrace] | type[ErrorTrace] | type[PkiTrace]
ALL_TRACE_KINDS: frozenset[TraceKind] = frozenset(
    {SmTrace, InfoTrace, PacketTrace, ErrorTrace, PkiTrace}
)


class SmTracing:
    """A state machine's owner as `fsm.SmSink`: an IKE SA, or an exchange's tracer carrying
    the identity IOS prints on its `SM Trace->` lines (the SA's id and SPIs, the role, the
    message id)."""

    ctx: Context
    sa_id: int
    spi_i: bytes
    spi_r: bytes
    initiator: bool
    trace_msg_id: int

    @property
    def tracing(self) -> bool:
        return self.ctx.trace_sm

    def touch(self) -> None:
        self.ctx.touched.add(self.sa_id)

    def record(self, state: State, event: Event) -> None:
        self.ctx.record_sm(
            self.sa_id, self.spi_i, self.spi_r, self.initiator, self.trace_msg_id, state, event
        )
