"""The security association database: the ESP SAs the IKE engine has agreed on, per tunnel.

Shared by the lab's routers and the real gateway. It applies the engine's child SA events
(`pyike.ike.events`) and answers the data plane's two questions: which SA protects a packet
leaving through a tunnel, and which SA opens a packet that arrived with a given SPI. It
notes when each SA last carried a packet each way, for the engine's dead peer detection.

Rekeys are make-before-break (RFC 7296 section 2.8): the new inbound SA is installed as soon
as it exists; the initiator of the rekey sends on the new SA at once, the responder only
once traffic arrives on it or the old SA goes away. A replaced SA (one deleted while
another of its tunnel's stays) keeps opening packets for `REPLACED_INBOUND_GRACE` seconds
after its delete: what the peer sent on it just before may still be queued behind the
DELETE (IKE and ESP arrive on different sockets), and strongSwan keeps its rekeyed inbound
SAs for the same 5 s (`charon.delete_rekeyed_delay`). A tunnel whose sending SA goes while
another of its SAs stays (a duplicate IKE SA deleted with its Child SA) sends on the one
that stays.
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
REPLACED_INBOUND_GRACE = 5.0  # seconds a replaced SA still opens packets after its delete
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_TUNNEL, _TRANSPORT = EspMode.TUNNEL, EspMode.TRANSPORT


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
    # The tunnel (or crypto map entry) it was installed for: a tunnel-less SA's name is made
    # from its peer's address, which a NAT may remap later (info.remote).
    tunnel: str = ""

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
    # installed, oldest first, with the replaced ones still opening packets (their counts
    # are the flow's until they go)
    children: list[InstalledChild] = field(default_factory=list)
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
    child SAs were installed, became the one sending, or were removed (`retained`: those of
    the removed that still open packets until `expire` after the grace)."""

    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    installed: tuple[InstalledChild, ...] = ()
    sending: tuple[InstalledChild, ...] = ()
    removed: tuple[InstalledChild, ...] = ()
    retained: tuple[InstalledChild, ...] = ()


_UNCHANGED = SadChange()  # most events change nothing here (frozen, so one serves them all)


class SecurityAssociationDatabase:
    def __init__(self, random_bytes: RandomBytes, tunnels: Iterable[str] = ()) -> None:
        self.random_bytes = random_bytes
        self.tunnels: dict[str, TunnelSas] = {name: TunnelSas(name) for name in tunnels}
        self.children: dict[int, InstalledChild] = {}  # by inbound SPI
        # replaced SAs still opening packets, by inbound SPI, with when they go
        self.retained: dict[int, tuple[InstalledChild, float]] = {}
        self.installs = 0
        self._conn_ids = 16  # the seed's first pair is 17/18

    def tunnel(self, name: str) -> TunnelSas:
        state = self.tunnels.get(name)
        if state is None:  # not setdefault: a TunnelSas is three objects to make
            state = self.tunnels[name] = TunnelSas(name)
        return state

    # -- engine events ----------------------------------------------------------------------

    def apply(self, event: object, now: float) -> SadChange:
        if self.retained:
            self.expire(now)
        if isinstance(event, ChildSaInstalled):
            return self._install(event, now)
        if isinstance(event, ChildSaDeleted):
            return self._remove(event, now)
        if isinstance(event, ChildSaMoved):
            child = self.children.get(int.from_bytes(event.spi_in, "big"))
            if child is not None:
                child.info = replace(child.info, ike_sa_id=event.to_sa_id)
        return _UNCHANGED

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
            mode=_TRANSPORT if info.mode == "transport" else _TUNNEL,
            esn=info.esn,
            replay_window=DEFAULT_WINDOW if info.replay_window is None else info.replay_window,
        )
        self._conn_ids += 2
        state = self.tunnel(_tunnel_name(info))
        child = InstalledChild(
            info,
            transform,
            inbound,
            outbound,
            now,
            conn_id_in=self._conn_ids,
            conn_id_out=self._conn_ids - 1,
            tunnel=state.name,
        )
        self.children[child.spi_in] = child
        self.installs += 1
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

    def _remove(self, event: ChildSaDeleted, now: float) -> SadChange:
        child = self.children.pop(int.from_bytes(event.spi_in, "big"), None)
        if child is None:
            return _UNCHANGED
        state = self._state_of(child)
        if state is None:
            return SadChange(removed=(child,))
        sending: tuple[InstalledChild, ...] = ()
        if state.pending is child:
            state.pending = None
        if state.current is child:
            state.current = state.pending or self._newest_installed(state)
            state.pending = None
            if state.current is None:
                return self._down(state, child)
            sending = (state.current,)
        # replaced: it still opens what the peer sent on it before the delete
        self.retained[child.spi_in] = (child, now + REPLACED_INBOUND_GRACE)
        return SadChange(sending=sending, removed=(child,), retained=(child,))

    def _down(self, state: TunnelSas, child: InstalledChild) -> SadChange:
        """`child` was the last SA `state` sent with: the replaced ones go with it."""
        for spi, (kept, _) in list(self.retained.items()):
            if any(c is kept for c in state.children):
                self._forget(spi)
        _retire(state, child)
        return SadChange(down=(state.name,), removed=(child,))

    def _state_of(self, child: InstalledChild) -> TunnelSas | None:
        """The tunnel `child` still belongs to: looked up by name, not searched for among
        every tunnel's SAs (a hub holds thousands)."""
        state = self.tunnels.get(child.tunnel)
        if state is not None and any(c is child for c in state.children):
            return state
        return None

    def expire(self, now: float) -> None:
        """Forgets the replaced SAs whose grace has ended by `now`."""
        for spi, (_, until) in list(self.retained.items()):
            if until <= now:
                self._forget(spi)

    def _forget(self, spi: int) -> None:
        child, _ = self.retained.pop(spi)
        state = self._state_of(child)
        if state is not None:
            _retire(state, child)

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
        child = self.children.get(spi)
        if child is None and self.retained:
            kept = self.retained.get(spi)
            return None if kept is None else kept[0]
        return child

    def note_inbound(self, child: InstalledChild, now: float) -> bool:
        """A packet opened with `child` at `now`: the peer is alive, and a responder-side
        rekey may now send on it. True when that made `child` the SA its tunnel sends with."""
        child.last_received = now
        state = self.tunnels.get(child.tunnel)
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


def _retire(state: TunnelSas, child: InstalledChild) -> None:
    """`child` leaves `state`: its counts stay with the tunnel, not the SA (with its keys)."""
    state.children = [c for c in state.children if c is not child]
    _add_counts(state.retired_in, child.inbound.counters)
    _add_counts(state.retired_out, child.outbound.counters)


def _tunnel_name(info: ChildSaInfo) -> str:
    """The tunnel (or crypto map entry) a child SA belongs to; a peer's own without one."""
    return info.tunnel or f"peer {info.remote.address}"


_Counts = TypeVar("_Counts", InboundCounters, OutboundCounters)


def _add_counts(total: _Counts, more: _Counts) -> None:
    for counter in fields(total):
        setattr(total, counter.name, getattr(total, counter.name) + getattr(more, counter.name))
