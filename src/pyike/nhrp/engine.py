"""NHRP on one multipoint GRE tunnel interface, sans-IO.

The host owns the clock, the GRE tunnel, the routing table and crypto. It calls:

- `start(now)` once the tunnel is up: registrations to every NHS go out;
- `receive(now, packet, nbma)` for every GRE packet of protocol type 0x2001 that arrived
  from `nbma` on the tunnel;
- `resolve(now, next_hop)` for every data packet about to leave the tunnel toward an overlay
  next hop: the NBMA to send it to (the NHS's while a resolution is under way: phase 2);
- `redirect(now, packet, nbma)` when a data packet that came in from `nbma` on the tunnel
  is forwarded back out of it (phase 3, with `ip nhrp redirect`);
- `clear(now)` for `clear ip nhrp`;
- `on_timer(now)` at `next_deadline()`.

Each returns the actions to carry out, in order (`pyike.nhrp.actions`). `entries()` and
`nhs_status(now)` are what `show ip nhrp` and `show dmvpn` read, `traffic(now)` what `show ip
nhrp traffic` reads.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from pyike.nhrp import debug
from pyike.nhrp.actions import Action, Forwarding, Routing
from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType
from pyike.nhrp.codec import (
    AUTH_CLEARTEXT,
    AuthenticationExtension,
    ErrorCode,
    ExtensionType,
    IPAddress,
    NhrpDecodeError,
    Packet,
    PacketType,
    UnknownExtension,
    decode,
)
from pyike.nhrp.config import NhrpConfig
from pyike.nhrp.core import Counters
from pyike.nhrp.nhc import ClientSide
from pyike.nhrp.nhs import Incoming, ServerSide


@dataclass(frozen=True)
class NhsStatus:
    """An NHS as `show ip nhrp nhs detail` and `show dmvpn detail` show it."""

    address: IPAddress
    nbma: IPAddress
    responding: bool
    requests: int
    failures: int
    replies: int
    replied_at: float | None
    up_since: float | None

    @property
    def letters(self) -> str:
        """IOS's status: E (expecting replies), R (responding)."""
        return ("R" if self.responding else "") + "E"


@dataclass(frozen=True)
class NhrpTraffic:
    """A tunnel's NHRP packets as `show ip nhrp traffic` counts them."""

    max_send: int
    max_send_interval: int
    usage: int  # percent of the quota used in the last interval
    sent: Mapping[PacketType, int]
    received: Mapping[PacketType, int]
    redirects_suppressed: int


class NhrpEngine(ClientSide, ServerSide):
    def __init__(self, config: NhrpConfig, routing: Routing, now: float) -> None:
        super().__init__(config, routing, now)
        self._init_client(now)
        self._init_server()

    # --- inputs ---------------------------------------------------------------------------

    def start(self, now: float) -> list[Action]:
        """The tunnel came up: register with every NHS."""
        self.now = now
        for registration in self.registrations:
            registration.next_send = now
        return self.on_timer(now)

    def receive(self, now: float, data: bytes, nbma: IPAddress) -> list[Action]:
        self.now = now
        try:
            packet = decode(data)
        except NhrpDecodeError as error:
            self.counters.malformed += 1
            self._debug(f"NHRP: Dropped malformed packet from {nbma}: {error}", debug.ERROR)
            return self._take()
        self.counters.received[packet.type] += 1
        self._emit(debug.receive(self.config.interface, packet, data))
        incoming = Incoming(packet, data, nbma)
        if self._acceptable(incoming):
            self._dispatch(now, incoming)
        return self._take()

    def resolve(self, now: float, next_hop: IPAddress) -> Forwarding:
        """The NBMA address for a data packet to `next_hop` on this tunnel."""
        self.now = now
        entry = self.cache.host(next_hop)
        if entry is not None and entry.type is not EntryType.INCOMPLETE and entry.nbma:
            self._mark_used(next_hop)
            return Forwarding(entry.nbma, self._take())
        if entry is not None:
            entry.cache_hits += 1
        elif not self._start_resolution(now, next_hop, shortcut=False):
            return Forwarding(None, self._take())
        return Forwarding(self._nhs_nbma(now), self._take())

    def redirect(self, now: float, data: bytes, nbma: IPAddress) -> list[Action]:
        self.now = now
        self._redirect(now, data, nbma)
        return self._take()

    def clear(self, now: float) -> list[Action]:
        """`clear ip nhrp`: every entry but the static ones goes; requesters of our local
        prefixes are told to purge them."""
        self.now = now
        for entry in list(self.cache):
            if entry.type is EntryType.STATIC:
                continue
            if EntryFlag.LOCAL in entry.flags:
                self._purge_requesters(entry)
            self._drop(entry)
        self.resolutions.clear()
        return self._take()

    def next_deadline(self) -> float | None:
        times = [t for t in (self.cache.next_expiry(), self._client_deadline()) if t is not None]
        return min(times, default=None)

    def on_timer(self, now: float) -> list[Action]:
        self.now = now
        for entry in self.cache.expired(now):
            self._drop(entry)
        self._client_timers(now)
        return self._take()

    # --- what show commands read ------------------------------------------------------------

    def entries(self) -> list[CacheEntry]:
        return list(self.cache)

    def nhs_status(self, now: float) -> list[NhsStatus]:
        return [
            NhsStatus(
                r.server.address,
                r.nbma,
                r.responding(now, self.config.holdtime),
                r.requests,
                r.failures,
                r.replies,
                r.replied_at,
                r.up_since,
            )
            for r in self.registrations
        ]

    def traffic(self, now: float) -> NhrpTraffic:
        counters = self.counters
        return NhrpTraffic(
            self.quota.count,
            self.quota.seconds,
            self.quota.usage(now),
            dict(counters.sent),
            dict(counters.received),
            counters.redirects_suppressed,
        )

    def clear_counters(self) -> None:
        """`clear ip nhrp counters`: the traffic counts start again (the quota does not)."""
        self.counters = Counters()

    def multicast_nbmas(self) -> list[IPAddress]:
        """Where multicast (routing protocol hellos) is replicated: `ip nhrp map multicast`
        and `nhs ... multicast` NBMAs, then clients registered under `map multicast dynamic`."""
        nbmas = self.config.static_multicast()
        if self.config.multicast_dynamic:
            nbmas += [e.nbma for e in self.cache if EntryFlag.REGISTERED in e.flags and e.nbma]
        return list(dict.fromkeys(nbmas))

    # --- internals --------------------------------------------------------------------------

    def _acceptable(self, incoming: Incoming) -> bool:
        packet = incoming.packet
        if packet.src_protocol.version != self.own.version:
            self._debug(f"NHRP: Dropped packet for another address family from {incoming.nbma}")
            return False
        if not self._authenticated(packet):
            self.counters.authentication_failures += 1  # IOS drops these silently
            return False
        if any(isinstance(e, UnknownExtension) and e.compulsory for e in packet.extensions):
            self._error(incoming, ErrorCode.UNRECOGNIZED_EXTENSION)
            return False
        return True

    def _authenticated(self, packet: Packet) -> bool:
        secret = self.config.secret
        if secret is None:
            return True
        extension = packet.extension(ExtensionType.AUTHENTICATION)
        return (
            isinstance(extension, AuthenticationExtension)
            and extension.auth_type == AUTH_CLEARTEXT
            and hmac.compare_digest(extension.secret, secret)
        )

    def _dispatch(self, now: float, incoming: Incoming) -> None:
        packet = incoming.packet
        kind = packet.type
        if kind is PacketType.REGISTRATION_REQUEST:
            self._registration_request(now, incoming)
        elif kind is PacketType.REGISTRATION_REPLY:
            self._registration_reply(now, packet)
        elif kind is PacketType.RESOLUTION_REQUEST:
            self._resolution_request(now, incoming)
        elif kind is PacketType.RESOLUTION_REPLY:
            self._resolution_reply(now, packet, incoming.nbma)
        elif kind is PacketType.PURGE_REQUEST:
            self._purge_request(now, packet, incoming.nbma)
        elif kind is PacketType.TRAFFIC_INDICATION:
            self._traffic_indication(now, packet)
        elif kind is PacketType.ERROR_INDICATION:
            self._debug(
                f"NHRP: Error Indication from {packet.src_protocol}: "
                f"{debug.code_text(packet.error_code, debug.ERROR_CODES)}",
                debug.ERROR,
            )

    def _mark_used(self, next_hop: IPAddress) -> None:
        for entry in self.cache:
            if entry.next_hop == next_hop and entry.type is not EntryType.INCOMPLETE:
                entry.flags.add(EntryFlag.USED)
                entry.refreshing = False
