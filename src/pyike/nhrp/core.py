"""What both halves of the engine share: the tunnel's configuration, routing and cache, the
actions produced so far, and the ways to send a packet and to add or drop a cache entry."""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyike.nhrp import debug
from pyike.nhrp.actions import (
    Action,
    Debug,
    DebugKind,
    InstallRoute,
    NeedCryptoSa,
    ReleaseCryptoSa,
    RemoveRoute,
    Routing,
    SendNhrp,
    Syslog,
)
from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType, NhrpCache, host_network
from pyike.nhrp.codec import (
    AuthenticationExtension,
    Cie,
    CieCode,
    CieExtension,
    Extension,
    ExtensionType,
    IPAddress,
    Packet,
    PacketType,
    encode,
)
from pyike.nhrp.config import NhrpConfig


@dataclass
class Counters:
    """The packets sent and received by type (`show ip nhrp traffic`), and what the engine
    refused or held back."""

    sent: Counter[PacketType] = field(default_factory=Counter)
    received: Counter[PacketType] = field(default_factory=Counter)
    malformed: int = 0
    authentication_failures: int = 0
    redirects_suppressed: int = 0
    over_quota: int = 0  # not sent: the tunnel's `ip nhrp max-send` quota was used up


class SendQuota:
    """`ip nhrp max-send COUNT every SECONDS`: at most COUNT NHRP packets, generated or
    forwarded, leave the tunnel in any SECONDS; the times of the last COUNT sent."""

    def __init__(self, count: int, seconds: int) -> None:
        self.count = count
        self.seconds = seconds
        self._times: deque[float] = deque(maxlen=count)

    def _forget(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.seconds:
            self._times.popleft()

    def take(self, now: float) -> bool:
        """Whether one more packet may be sent now (counted if so)."""
        self._forget(now)
        if len(self._times) >= self.count:
            return False
        self._times.append(now)
        return True

    def usage(self, now: float) -> int:
        """The share of the quota used in the last SECONDS, in percent (IOS's "Usage")."""
        self._forget(now)
        return len(self._times) * 100 // self.count


class NhrpCore:
    def __init__(self, config: NhrpConfig, routing: Routing, now: float) -> None:
        self.config = config
        self.routing = routing
        self.cache = NhrpCache()
        self.counters = Counters()
        self.quota = SendQuota(config.max_send, config.max_send_interval)
        self.now = now  # the time of the call being handled: every entry point sets it
        self._out: list[Action] = []
        self._crypto: set[IPAddress] = set()
        self._request_ids = itertools.count(1)
        for overlay, nbma in config.static_maps():
            self.cache.put(
                CacheEntry(host_network(overlay), overlay, nbma, EntryType.STATIC, now, None)
            )

    @property
    def own(self) -> IPAddress:
        return self.config.own

    @property
    def host_length(self) -> int:
        return self.own.max_prefixlen

    def _take(self) -> list[Action]:
        actions, self._out = self._out, []
        return actions

    def _emit(self, actions: Iterable[Action]) -> None:
        self._out.extend(actions)

    def _next_request_id(self) -> int:
        return next(self._request_ids)

    # --- packets out --------------------------------------------------------------------

    def _send(self, packet: Packet, nbma: IPAddress, verb: str = "Send") -> None:
        if not self.quota.take(self.now):
            self.counters.over_quota += 1
            self._debug(
                f"NHRP: {self.config.interface}: max-send quota of {self.quota.count} packets"
                f" in {self.quota.seconds} seconds used up, {packet.type.ios_name} to {nbma}"
                " not sent (pyike)",
                debug.ERROR,
            )
            return
        wire = encode(packet)
        self._need_crypto(nbma)
        self._emit(
            debug.send(
                verb,
                self.config.interface,
                packet,
                wire,
                self.own,
                nbma,
                self.config.gre_overhead(),
            )
        )
        self._emit([SendNhrp(nbma, wire)])
        self.counters.sent[packet.type] += 1

    def _need_crypto(self, nbma: IPAddress) -> None:
        if self.config.protected and nbma not in self._crypto:
            self._crypto.add(nbma)
            self._emit([NeedCryptoSa(nbma)])

    def _release_crypto_if_unused(self, nbma: IPAddress | None) -> None:
        if nbma is None or nbma not in self._crypto or self._nbma_in_use(nbma):
            return
        self._crypto.discard(nbma)
        self._emit([ReleaseCryptoSa(nbma)])

    def _nbma_in_use(self, nbma: IPAddress) -> bool:
        return bool(self.cache.with_nbma(nbma)) or nbma in dict(self.config.static_maps()).values()

    def _own_cie(self, prefix_length: int | None = None) -> Cie:
        """A CIE naming this router: its NBMA and overlay addresses, MTU and hold time."""
        return Cie(
            CieCode.SUCCESS,
            self.host_length if prefix_length is None else prefix_length,
            self.config.mtu,
            self.config.holdtime,
            self.config.nbma,
            self.own,
        )

    def _extensions(
        self,
        *,
        responder: tuple[Cie, ...] = (),
        forward: tuple[Cie, ...] = (),
        reverse: tuple[Cie, ...] = (),
        nat: tuple[Cie, ...] | None = None,
    ) -> tuple[Extension, ...]:
        """The extensions IOS puts on its requests and replies, authentication last but NAT."""
        extensions: list[Extension] = [
            CieExtension(ExtensionType.RESPONDER_ADDRESS, responder),
            CieExtension(ExtensionType.FORWARD_TRANSIT_NHS, forward),
            CieExtension(ExtensionType.REVERSE_TRANSIT_NHS, reverse),
        ]
        if self.config.secret is not None:
            extensions.append(AuthenticationExtension(self.config.secret))
        if nat is not None:
            extensions.append(CieExtension(ExtensionType.NAT_ADDRESS, nat, compulsory=False))
        return tuple(extensions)

    def _authentication(self) -> tuple[Extension, ...]:
        """The extensions of an indication: the authentication alone."""
        secret = self.config.secret
        return () if secret is None else (AuthenticationExtension(secret),)

    def _syslog(self, text: str) -> None:
        self._emit([Syslog(text)])

    def _debug(self, text: str, kinds: frozenset[DebugKind] = debug.GENERAL) -> None:
        self._emit([Debug(text, kinds)])

    # --- the cache ------------------------------------------------------------------------

    def _store(self, entry: CacheEntry) -> None:
        """Add or replace an entry, telling `debug nhrp cache` which."""
        old = self.cache.get(entry.target)
        self.cache.put(entry)
        interface = self.config.interface
        verb = "add" if old is None else "update"
        self._emit(debug.cache_change(interface, verb, entry.target, entry.next_hop, entry.nbma))
        if entry.nbma is not None and entry.type is EntryType.DYNAMIC:
            self._need_crypto(entry.nbma)
        if old is not None and old.nbma != entry.nbma:
            self._release_crypto_if_unused(old.nbma)

    def _drop(self, entry: CacheEntry) -> None:
        """Remove an entry with its route, and the crypto SA no entry needs any more."""
        if self.cache.remove(entry.target) is None:
            return
        self._emit(
            debug.cache_change(
                self.config.interface, "delete", entry.target, entry.next_hop, entry.nbma
            )
        )
        self._unroute(entry)
        self._release_crypto_if_unused(entry.nbma)

    def _route(self, entry: CacheEntry) -> None:
        """Install the shortcut for `entry`: an NHRP route, or a next-hop override when the
        routing table already holds a route for exactly that prefix."""
        if entry.nbma is None or entry.routed:
            return
        existing = self.routing.lookup(entry.target.network_address)
        override = existing is not None and existing.prefix == entry.target and not existing.nhrp
        entry.flags.add(EntryFlag.NHO if override else EntryFlag.RIB)
        self._emit([InstallRoute(entry.target, entry.next_hop, entry.nbma, override)])

    def _unroute(self, entry: CacheEntry) -> None:
        if entry.routed:
            override = EntryFlag.NHO in entry.flags
            entry.flags -= {EntryFlag.RIB, EntryFlag.NHO}
            self._emit([RemoveRoute(entry.target, entry.next_hop, override)])
