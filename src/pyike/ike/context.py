"""What every part of the engine shares: the clock reading of the current input, the injected
randomness, the policy, the SA tables and the output queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pyike.codec import Message, Payload
from pyike.ike.cookie import CookieJar
from pyike.ike.events import Datagram, Endpoint, EngineEvent
from pyike.ike.policy import EngineSettings, Policy
from pyike.ike.states import Event, State
from pyike.ike.trace import (
    Direction,
    ErrorTrace,
    InfoTrace,
    PacketTrace,
    SmTrace,
    TraceKind,
    TraceRecord,
)

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa


class TrafficSource(Protocol):
    """The ESP layer, asked by dead peer detection when Child SAs last carried traffic."""

    def last_traffic(self, spi_in: bytes) -> tuple[float, float] | None:
        """(last packet sent, last authentic packet received) on the Child SA with inbound
        SPI ``spi_in``, -inf for never; None when the ESP layer does not hold it."""
        ...


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
        # Ids of the SAs the current input added, removed or produced output for: only their
        # deadlines can have changed (see IkeEngine.next_deadline).
        self.touched: set[int] = set()
        self.sas: dict[int, IkeSa] = {}
        self.by_spi: dict[bytes, IkeSa] = {}
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
        self.touched.add(sa.sa_id)

    def remove(self, sa: IkeSa) -> None:
        self.touched.add(sa.sa_id)
        if sa.rekeyed_to is not None:  # it may have taken over sa's Child SAs just now
            self.touched.add(sa.rekeyed_to.sa_id)
        self.sas.pop(sa.sa_id, None)
        for spi in [s for s, v in self.by_spi.items() if v is sa]:
            del self.by_spi[spi]

    def sas_with_peer(self, remote: Endpoint) -> list[IkeSa]:
        return [sa for sa in self.sas.values() if sa.remote.address == remote.address]

    def half_open_count(self) -> int:
        return sum(1 for sa in self.sas.values() if sa.half_open)

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
        )
        return frozenset(kind for kind, wanted in kinds if wanted)

    @trace_kinds.setter
    def trace_kinds(self, kinds: frozenset[TraceKind]) -> None:
        self.trace_sm = SmTrace in kinds
        self.trace_info = InfoTrace in kinds
        self.trace_errors = ErrorTrace in kinds
        self.trace_packets = PacketTrace in kinds

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

    def packet(
        self,
        sa_id: int | None,
        direction: Direction,
        local: Endpoint,
        remote: Endpoint,
        message: Message,
        inner: list[Payload] | None,
    ) -> None:
        if sa_id is not None:
            self.touched.add(sa_id)
        if not self.trace_packets:
            return
        self.trace.append(
            PacketTrace(
                self.now,
                sa_id,
                direction,
                local,
                remote,
                message,
                None if inner is None else tuple(inner),
            )
        )

    def send(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self.datagrams.append(Datagram(local, remote, data))
