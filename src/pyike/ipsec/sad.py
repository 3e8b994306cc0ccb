"""The security association database: the ESP SAs the IKE engine has agreed on, per tunnel.

Shared by the lab's routers and the real gateway. It applies the engine's child SA events
(`pyike.ike.events`) and answers the data plane's two questions: which SA protects a packet
leaving through a tunnel, and which SA opens a packet that arrived with a given SPI. It
notes when each SA last carried a packet each way, for the engine's dead peer detection.

Rekeys are make-before-break (RFC 7296 section 2.8): the new inbound SA is installed as soon
as it exists; the initiator of the rekey sends on the new SA at once, the responder only
once traffic arrives on it or the old SA goes away; an old inbound SA keeps accepting
packets until it is deleted. A tunnel whose sending SA goes while another of its SAs stays
(a duplicate IKE SA deleted with its Child SA) sends on the one that stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from math import inf
from typing import TypeVar

from pyike.ike.events import ChildSaDeleted, ChildSaInfo, ChildSaInstalled, ChildSaMoved
from pyike.ipsec.replay import DEFAULT_WINDOW
from pyike.ipsec.sa import (
    EspMode,
    InboundCounters,
    InboundEspSa,
    OutboundCounters,
    OutboundEspSa,
    child_sa_pair,
)
from pyike.ipsec.transforms import EspTransform, esp_transform

RandomBytes = Callable[[int], bytes]


@dataclass
class InstalledChild:
    """One child SA as the data plane holds it."""

    info: ChildSaInfo
    transform: EspTransform
    inbound: InboundEspSa
    outbound: OutboundEspSa
    installed_at: float
    conn_id_in: int = 0  # IOS numbers each SA's crypto engine connection
    conn_id_out: int = 0
    reported_bytes: int = 0  # usage last reported to the engine (kilobyte lifetimes)
    # decrypted, but not what its tunnel carries (not GRE, a GRE key not the tunnel's)
    unframed: int = 0
    # When a packet last wanted to leave through it and when an authentic one last arrived
    # on it (-inf: never): the engine's DPD asks (`last_traffic`).
    last_sent: float = -inf
    last_received: float = -inf

    @property
    def spi_in(self) -> int:
        return int.from_bytes(self.info.spi_in, "big")

    @property
    def spi_out(self) -> int:
        return int.from_bytes(self.info.spi_out, "big")

    @property
    def bytes_used(self) -> int:
        return self.inbound.counters.bytes + self.outbound.counters.bytes


@dataclass
class TunnelSas:
    """What one tunnel (or crypto map entry) sends with, and the SA waiting to take over."""

    name: str
    current: InstalledChild | None = None
    pending: InstalledChild | None = None  # responder side of a rekey: not sending yet
    children: list[InstalledChild] = field(default_factory=list)  # installed, oldest first
    # the counts of the SAs it no longer has: IOS keeps a flow's counters across rekeys
    retired_in: InboundCounters = field(default_factory=InboundCounters)
    retired_out: OutboundCounters = field(default_factory=OutboundCounters)
    dropped_no_sa: int = 0  # IOS #pkts no sa (send)
    invalid_identity: int = 0  # decrypted outside the SA's selectors: #pkts invalid identity
    # ESP from the tunnel's peer that no SA could open: an SPI none has (#pkts invalid sa
    # (rcv)), or too short for the ESP header (#pkts invalid len (rcv))
    invalid_sa: int = 0
    invalid_len: int = 0

    @property
    def live(self) -> list[InstalledChild]:
        return [c for c in (self.current, self.pending) if c is not None]


@dataclass(frozen=True)
class SadChange:
    """Which tunnels gained their first SA (`up`) or lost their last one (`down`), and which
    child SAs were installed, became the one sending, or were removed."""

    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    installed: tuple[InstalledChild, ...] = ()
    sending: tuple[InstalledChild, ...] = ()
    removed: tuple[InstalledChild, ...] = ()


class SecurityAssociationDatabase:
    def __init__(self, random_bytes: RandomBytes, tunnels: Iterable[str] = ()) -> None:
        self.random_bytes = random_bytes
        self.tunnels: dict[str, TunnelSas] = {name: TunnelSas(name) for name in tunnels}
        self.children: dict[int, InstalledChild] = {}  # by inbound SPI
        self.installs = 0
        self._conn_ids = 16  # the seed's first pair is 17/18

    def tunnel(self, name: str) -> TunnelSas:
        return self.tunnels.setdefault(name, TunnelSas(name))

    # -- engine events ----------------------------------------------------------------------

    def apply(self, event: object, now: float) -> SadChange:
        if isinstance(event, ChildSaInstalled):
            return self._install(event, now)
        if isinstance(event, ChildSaDeleted):
            return self._remove(event)
        if isinstance(event, ChildSaMoved):
            child = self.children.get(int.from_bytes(event.spi_in, "big"))
            if child is not None:
                child.info = replace(child.info, ike_sa_id=event.to_sa_id)
        return SadChange()

    def _install(self, event: ChildSaInstalled, now: float) -> SadChange:
        info = event.child
        transform = esp_transform(info.encr, info.encr_key_bits, info.integ)
        inbound, outbound = child_sa_pair(
            transform,
            info.keys,
            initiator=info.initiator,
            spi_in=int.from_bytes(info.spi_in, "big"),
            spi_out=int.from_bytes(info.spi_out, "big"),
            random_bytes=self.random_bytes,
            mode=EspMode.TRANSPORT if info.mode == "transport" else EspMode.TUNNEL,
            esn=info.esn,
            replay_window=DEFAULT_WINDOW if info.replay_window is None else info.replay_window,
        )
        self._conn_ids += 2
        child = InstalledChild(
            info,
            transform,
            inbound,
            outbound,
            now,
            conn_id_in=self._conn_ids,
            conn_id_out=self._conn_ids - 1,
        )
        self.children[child.spi_in] = child
        self.installs += 1
        state = self.tunnel(info.tunnel or f"peer {info.remote.address}")
        state.children.append(child)
        was_down = state.current is None
        rekey_responder = event.rekey_of is not None and not info.initiator
        sending: tuple[InstalledChild, ...] = ()
        if state.current is None or not rekey_responder:
            # A pending SA from the peer's crossing rekey stays: a collision may keep it.
            state.current = child
            sending = (child,)
        else:
            state.pending = child
        return SadChange(up=(state.name,) if was_down else (), installed=(child,), sending=sending)

    def _remove(self, event: ChildSaDeleted) -> SadChange:
        child = self.children.pop(int.from_bytes(event.spi_in, "big"), None)
        if child is None:
            return SadChange()
        down: list[str] = []
        sending: list[InstalledChild] = []
        for state in self.tunnels.values():
            kept = [c for c in state.children if c is not child]
            if len(kept) < len(state.children):  # its counts stay, not the SA (with its keys)
                state.children = kept
                _add_counts(state.retired_in, child.inbound.counters)
                _add_counts(state.retired_out, child.outbound.counters)
            if state.pending is child:
                state.pending = None
            if state.current is child:
                state.current = state.pending or self._newest_installed(state)
                state.pending = None
                if state.current is None:
                    down.append(state.name)
                else:
                    sending.append(state.current)
        return SadChange(down=tuple(down), sending=tuple(sending), removed=(child,))

    def _newest_installed(self, state: TunnelSas) -> InstalledChild | None:
        """The tunnel's most recent SA still installed: when two IKE SAs with one peer each
        brought a Child SA for the tunnel (both peers initiated at once), the one sent on may
        go with the redundant IKE SA while the other stays."""
        for child in reversed(state.children):
            if self.children.get(child.spi_in) is child:
                return child
        return None

    # -- data plane -------------------------------------------------------------------------

    def outbound(self, tunnel: str, now: float) -> InstalledChild | None:
        """The SA to send with through `tunnel`, noted as sending at `now`; None counts a drop
        for lack of an SA."""
        state = self.tunnels.get(tunnel)
        if state is None:
            return None
        current = state.current
        if current is None:
            state.dropped_no_sa += 1
        else:
            current.last_sent = now
        return current

    def inbound(self, spi: int) -> InstalledChild | None:
        return self.children.get(spi)

    def note_inbound(self, child: InstalledChild, now: float) -> bool:
        """A packet opened with `child` at `now`: the peer is alive, and a responder-side
        rekey may now send on it. True when that made `child` the SA its tunnel sends with."""
        child.last_received = now
        state = self.tunnels.get(child.info.tunnel or f"peer {child.info.remote.address}")
        if state is not None and state.pending is child:
            state.current, state.pending = child, None
            return True
        return False

    def last_traffic(self, spi_in: bytes) -> tuple[float, float] | None:
        """(last packet sent, last authentic packet received) on the child SA with inbound
        SPI `spi_in`, -inf for never; None when it is not installed. The engine's
        `TrafficSource`."""
        child = self.children.get(int.from_bytes(spi_in, "big"))
        return None if child is None else (child.last_sent, child.last_received)


_Counts = TypeVar("_Counts", InboundCounters, OutboundCounters)


def _add_counts(total: _Counts, more: _Counts) -> None:
    for counter in fields(total):
        setattr(total, counter.name, getattr(total, counter.name) + getattr(more, counter.name))
