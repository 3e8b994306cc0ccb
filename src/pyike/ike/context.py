"""What every part of the engine shares: the clock reading of the current input, the injected
randomness, the policy, the SA tables and the output queues."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Protocol

from pyike.codec import Message, Payload, decode_header
from pyike.ike.cookie import CookieJar
from pyike.ike.events import Datagram, Endpoint, EngineEvent
from pyike.ike.ike_sa import WATCHABLE, IkeSa
from pyike.ike.policy import EngineSettings, Identity, Policy
from pyike.ike.sa_index import SaIndex
from pyike.ike.states import Event, State
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


class TrafficSource(Protocol):
    """The ESP layer, asked by dead peer detection when Child SAs last carried traffic."""

    def last_traffic(self, spi_in: bytes) -> tuple[float, float] | None:
        """(last packet sent, last authentic packet received) on the Child SA with inbound
        SPI ``spi_in``, -inf for never; None when the ESP layer does not hold it."""
        ...


# The indexes key addresses by their text (Endpoint.host, made once per endpoint): equal
# exactly when the addresses are, and a str keeps its hash, which an ipaddress recomputes.


def _peer_key(sa: IkeSa) -> str:
    return sa.remote.host


def _session_key(sa: IkeSa) -> tuple[str, str, Identity | None, Identity | None]:
    """Two SAs with the same key are one session (collisions.find_duplicate)."""
    return (sa.remote.host, sa.local.host, sa.local_id, sa.remote_id)


def _init_request_key(sa: IkeSa) -> tuple[str, bytes] | None:
    """A responder SA by what a retransmitted IKE_SA_INIT request shows of it."""
    return None if sa.initiator else (sa.remote.host, sa.spi_i)


def _attempt_key(sa: IkeSa) -> tuple[str, str] | None:
    """An SA this side initiated that is not up yet (collisions.waiting_attempts), by the
    addresses it runs between. Those that are up leave the index, so that the attempts with
    a peer cost what they are, not what all the SAs with it are."""
    if sa.initiator and sa.established_at is None and not sa.closed:
        return (sa.remote.host, sa.local.host)
    return None


def _successor_key(sa: IkeSa) -> int | None:
    return None if sa.rekeyed_to is None else sa.rekeyed_to.sa_id


def _half_open_key(sa: IkeSa) -> bool | None:
    return True if sa.half_open else None


# What each index reads of an SA (one set of each for all engines: a hub holds many).
_REMOTE = frozenset({"remote"})
_ADDRESSES = frozenset({"remote", "local"})
_SESSION = frozenset({"remote", "local", "local_id", "remote_id"})
_SUCCESSOR = frozenset({"rekeyed_to"})
_HALF_OPEN = frozenset({"established_at", "closed"})
_ATTEMPT = _ADDRESSES | _HALF_OPEN
INDEX_INPUTS = _REMOTE | _ADDRESSES | _SESSION | _SUCCESSOR | _HALF_OPEN


@functools.cache
def _watched(deadline_inputs: frozenset[str]) -> frozenset[str]:
    """The IkeSa attributes whose setting is reported (ike_sa.Watched)."""
    watched = deadline_inputs | INDEX_INPUTS
    if not watched <= WATCHABLE:
        raise ValueError(f"IkeSa cannot watch {', '.join(sorted(watched - WATCHABLE))}")
    return watched


class Context:
    def __init__(
        self,
        policy: Policy,
        random_bytes: Callable[[int], bytes],
        traffic: TrafficSource | None = None,
        deadline_inputs: frozenset[str] = frozenset(),
    ) -> None:
        self.policy = policy
        self.random_bytes = random_bytes
        self.traffic = traffic
        # The IkeSa attributes its deadlines depend on (timers.DEADLINES): setting one marks
        # the SA touched, whichever input's work sets it.
        self.deadline_inputs = deadline_inputs
        self.now = 0.0
        self.datagrams: list[Datagram] = []
        self.events: list[EngineEvent] = []
        self.trace: list[TraceRecord] = []
        # Which kinds of trace record are made at all (see IkeEngine.trace_kinds).
        self.trace_sm = self.trace_info = self.trace_errors = self.trace_packets = True
        self.trace_pki = True
        # Ids of the SAs the current input added, removed or produced output for: only their
        # deadlines can have changed (see IkeEngine.next_deadline).
        self.touched: set[int] = set()
        self.sas: dict[int, IkeSa] = {}
        self.by_spi: dict[bytes, IkeSa] = {}
        self._spi_of: dict[int, bytes] = {}
        # Each SA's place in the table, in the order SAs joined it (that of `sas`).
        self.position: dict[int, int] = {}
        self._positions = itertools.count()
        self.last_position = -1
        # The ways the engine looks for an SA's peers, each kept current (ike_sa.Watched).
        self.by_peer = SaIndex(_REMOTE, _peer_key)
        self.by_session = SaIndex(_SESSION, _session_key)
        self.by_init_request = SaIndex(_REMOTE, _init_request_key)
        self.attempts = SaIndex(_ATTEMPT, _attempt_key)
        self.by_successor = SaIndex(_SUCCESSOR, _successor_key)
        self.half_open = SaIndex(_HALF_OPEN, _half_open_key)
        self._indexes = (
            self.by_peer,
            self.by_session,
            self.by_init_request,
            self.attempts,
            self.by_successor,
            self.half_open,
        )
        self.index_inputs = INDEX_INPUTS
        self.watched_attributes = _watched(deadline_inputs)
        self.retransmissions = 0  # requests sent again, for the gateway's metrics
        self.cookies = CookieJar(random_bytes, policy.settings.cookie_secret_lifetime)
        self._next_sa_id = 1

    @property
    def settings(self) -> EngineSettings:
        """Asked afresh each time: a reloaded configuration applies from its next use."""
        return self.policy.settings

    # --- SA table -----------------------------------------------------------------------

    def new_sa_id(self) -> int:
        sa_id = self._next_sa_id
        self._next_sa_id += 1
        return sa_id

    def new_spi(self, size: int) -> bytes:
        """A fresh SPI: never all-zero, never one of ours already in use."""
        while True:
            spi = self.random_bytes(size)
            if any(spi) and spi not in self.by_spi:
                return spi

    def add(self, sa: IkeSa, own_spi: bytes) -> None:
        self.sas[sa.sa_id] = sa
        self.by_spi[own_spi] = sa
        self._spi_of[sa.sa_id] = own_spi
        position = self.position[sa.sa_id] = self.last_position = next(self._positions)
        for index in self._indexes:
            index.add(sa, position)
        self.touched.add(sa.sa_id)

    def remove(self, sa: IkeSa) -> None:
        self.touched.add(sa.sa_id)
        if sa.rekeyed_to is not None:  # it may have taken over sa's Child SAs just now
            self.touched.add(sa.rekeyed_to.sa_id)
        if self.sas.pop(sa.sa_id, None) is None:
            return
        spi = self._spi_of.pop(sa.sa_id)
        del self.position[sa.sa_id]
        if self.by_spi.get(spi) is sa:
            del self.by_spi[spi]
        for index in self._indexes:
            index.discard(sa)

    def reindex(self, sa: IkeSa, attribute: str) -> None:
        """``sa`` has a new value of ``attribute``, one the indexes group by."""
        if sa.sa_id in self.sas:
            for index in self._indexes:
                if attribute in index.inputs:
                    index.update(sa)

    def sas_with_peer(self, remote: Endpoint) -> list[IkeSa]:
        return self.by_peer.get(remote.host)

    def half_open_count(self) -> int:
        return self.half_open.count(True)

    # --- output -------------------------------------------------------------------------

    def emit(self, event: EngineEvent) -> None:
        self.events.append(event)

    @property
    def trace_kinds(self) -> frozenset[TraceKind]:
        kinds = (
            (SmTrace, self.trace_sm),
            (InfoTrace, self.trace_info),
            (ErrorTrace, self.trace_errors),
            (PacketTrace, self.trace_packets),
            (PkiTrace, self.trace_pki),
        )
        return frozenset(kind for kind, wanted in kinds if wanted)

    @trace_kinds.setter
    def trace_kinds(self, kinds: frozenset[TraceKind]) -> None:
        self.trace_sm = SmTrace in kinds
        self.trace_info = InfoTrace in kinds
        self.trace_errors = ErrorTrace in kinds
        self.trace_packets = PacketTrace in kinds
        self.trace_pki = PkiTrace in kinds

    def record_sm(
        self,
        sa_id: int,
        spi_i: bytes,
        spi_r: bytes,
        initiator: bool,
        message_id: int,
        state: State,
        event: Event,
    ) -> None:
        """An `SM Trace->` line: the machine of SA ``sa_id`` processes ``event`` in
        ``state``."""
        self.touched.add(sa_id)
        if self.trace_sm:
            self.trace.append(
                SmTrace(self.now, sa_id, spi_i, spi_r, initiator, message_id, state, event)
            )

    def info(self, sa_id: int | None, text: str) -> None:
        if sa_id is not None:
            self.touched.add(sa_id)
        if self.trace_info:
            self.trace.append(InfoTrace(self.now, sa_id, text))

    def error(self, sa_id: int | None, text: str) -> None:
        if sa_id is not None:
            self.touched.add(sa_id)
        if self.trace_errors:
            self.trace.append(ErrorTrace(self.now, sa_id, text))

    def pki(self, topic: str, text: str) -> None:
        """A `debug crypto pki validation|transactions` line."""
        if self.trace_pki:
            self.trace.append(PkiTrace(self.now, topic, text))

    def packet(
        self,
        sa_id: int | None,
        direction: Direction,
        local: Endpoint,
        remote: Endpoint,
        message: Message,
        inner: list[Payload] | None,
    ) -> None:
        self._packet(sa_id, direction, local, remote, inner, message=message)

    def sealed_packet(
        self, sa_id: int, local: Endpoint, remote: Endpoint, data: bytes, inner: list[Payload]
    ) -> None:
        """A protected message sent: traced as its header and octets, decoded only if a
        packet debug reads it (PacketTrace.message)."""
        self._packet(sa_id, Direction.SENT, local, remote, inner, wire=data)

    def _packet(
        self,
        sa_id: int | None,
        direction: Direction,
        local: Endpoint,
        remote: Endpoint,
        inner: list[Payload] | None,
        *,
        message: Message | None = None,
        wire: bytes = b"",
    ) -> None:
        if sa_id is not None:
            self.touched.add(sa_id)
        if not self.trace_packets:
            return
        header = decode_header(wire) if message is None else message.header
        inner_payloads = None if inner is None else tuple(inner)
        self.trace.append(
            PacketTrace(
                self.now, sa_id, direction, local, remote, header, inner_payloads, message, wire
            )
        )

    def send(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self.datagrams.append(Datagram(local, remote, data))
