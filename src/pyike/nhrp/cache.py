"""The NHRP cache of one tunnel interface: overlay prefixes bound to NBMA addresses, as `show
ip nhrp` lists them.

An entry maps a target (10.0.0.2/32, or a shortcut's 192.168.3.0/24) via an overlay next hop
to the NBMA address that next hop is reached at. Its type is static (`ip nhrp map`, `ip nhrp
nhs ... nbma`), dynamic (learned) or incomplete (a resolution under way, also a negative
answer); its flags are IOS's. Times are the caller's clock: an entry never reads one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import ip_network

from pyike.nhrp.codec import IPAddress, IPNetwork


class EntryType(enum.Enum):
    STATIC = "static"
    DYNAMIC = "dynamic"
    INCOMPLETE = "incomplete"


class EntryFlag(enum.Enum):
    """`show ip nhrp`'s flags, declared in the order IOS prints them."""

    ROUTER = "router"  # the entry is for a router (the resolution's Q bit)
    IMPLICIT = "implicit"  # learned from the source of a request we answered or forwarded
    AUTHORITATIVE = "authoritative"
    UNIQUE = "unique"  # registered with the U bit: no other NBMA may take it over
    LOCAL = "local"  # a prefix of ours that we told a requester about
    NAT = "nat"  # the client registered from behind a NAT
    REGISTERED = "registered"  # created by a Registration Request
    NEGATIVE = "negative"  # an incomplete entry: no answer (yet)
    USED = "used"  # data was forwarded with it since it was created or refreshed
    NHOP = "nhop"  # the entry is a next hop's own address
    RIB = "rib"  # an NHRP route ("H" in `show ip route`) is installed for it
    NHO = "nho"  # a next-hop override ("%" in `show ip route`) is installed for it


FLAG_ORDER = tuple(EntryFlag)
DEFAULT_PREFERENCE = 255  # what `show ip nhrp detail` shows for every entry IOS makes


@dataclass(frozen=True)
class Requester:
    """Who asked about a local entry, for `show ip nhrp detail` and for purging them."""

    protocol: IPAddress
    nbma: IPAddress
    request_id: int


@dataclass
class CacheEntry:
    target: IPNetwork
    next_hop: IPAddress
    nbma: IPAddress | None
    type: EntryType
    created: float
    expires: float | None  # None: never
    flags: set[EntryFlag] = field(default_factory=set)
    requesters: list[Requester] = field(default_factory=list)
    claimed_nbma: IPAddress | None = None  # what a client behind a NAT said its NBMA was
    preference: int = DEFAULT_PREFERENCE
    cache_hits: int = 0
    refreshing: bool = False  # a Resolution Request renewing it is out

    @property
    def routed(self) -> bool:
        """An NHRP route or next-hop override stands for this entry."""
        return bool(self.flags & {EntryFlag.RIB, EntryFlag.NHO})

    def flag_names(self) -> list[str]:
        return [flag.value for flag in FLAG_ORDER if flag in self.flags]

    def expired(self, now: float) -> bool:
        return self.expires is not None and now >= self.expires


def host_network(address: IPAddress) -> IPNetwork:
    return ip_network(address)


class NhrpCache:
    """Entries by target prefix."""

    def __init__(self) -> None:
        self._entries: dict[IPNetwork, CacheEntry] = {}

    def __iter__(self) -> Iterator[CacheEntry]:
        return iter(sorted(self._entries.values(), key=_display_order))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, target: IPNetwork) -> CacheEntry | None:
        return self._entries.get(target)

    def host(self, address: IPAddress) -> CacheEntry | None:
        return self._entries.get(host_network(address))

    def covering(self, address: IPAddress) -> CacheEntry | None:
        """The longest complete entry whose target holds `address`."""
        matches = [
            e
            for e in self._entries.values()
            if address in e.target and e.type is not EntryType.INCOMPLETE
        ]
        return max(matches, key=lambda e: e.target.prefixlen, default=None)

    def put(self, entry: CacheEntry) -> None:
        self._entries[entry.target] = entry

    def remove(self, target: IPNetwork) -> CacheEntry | None:
        return self._entries.pop(target, None)

    def with_nbma(self, nbma: IPAddress) -> list[CacheEntry]:
        return [e for e in self if e.nbma == nbma]

    def expired(self, now: float) -> list[CacheEntry]:
        return [e for e in self if e.expired(now)]

    def next_expiry(self) -> float | None:
        times = [e.expires for e in self._entries.values() if e.expires is not None]
        return min(times, default=None)


def _display_order(entry: CacheEntry) -> tuple[int, int, int]:
    target = entry.target
    return (target.version, int(target.network_address), target.prefixlen)
