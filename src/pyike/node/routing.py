"""The routing tables (IPv4, and IPv6 alike): connected, local and static routes,
longest-prefix match.

Built the way IOS builds its RIB: a connected (C) and a local (L, /32 or /128) route for
each address of an interface whose line protocol is up; a static route when its interface is
up or its next hop resolves recursively through routes already installed; for each prefix only
the routes with the lowest administrative distance are kept (equal ones share the load).
One table per VRF: the caller gives each the addresses and `ip route vrf` statements of that
VRF; a route whose next hop is `global` resolves it in the global table instead.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Interface,
    IPv6Network,
    ip_network,
)

from pyike.config.model import Route

IPNetwork = IPv4Network | IPv6Network
IPInterface = IPv4Interface | IPv6Interface
STATIC_DISTANCE = 1
CONNECTED_DISTANCE = 0
_MAX_RECURSION = 8


class RouteCode(enum.Enum):
    CONNECTED = "C"
    LOCAL = "L"
    STATIC = "S"
    NHRP = "H"


@dataclass(frozen=True)
class Path:
    interface: str  # the egress interface once resolved
    gateway: int | None  # the next hop to send to; None: the destination is on the link
    via: int | None = None  # the next hop as configured (shown as "via A")
    configured_interface: str | None = None  # the interface named in `ip route`

    @property
    def via_address(self) -> IPv4Address | None:
        return None if self.via is None else IPv4Address(self.via)


@dataclass(frozen=True)
class RouteEntry:
    prefix: IPNetwork
    code: RouteCode
    distance: int
    metric: int
    paths: tuple[Path, ...]
    since: float | None = None  # when a route a protocol installed came (its age is shown)
    override: int | None = None  # NHRP's next hop in place of the paths' (`%`)

    @property
    def is_default(self) -> bool:
        return self.prefix.prefixlen == 0

    @property
    def directly_connected(self) -> bool:
        return all(p.via is None for p in self.paths)

    def path_for(self, src: int, dst: int) -> Path:
        path = self.paths[0] if len(self.paths) == 1 else self.paths[(src ^ dst) % len(self.paths)]
        if self.override is not None:
            return Path(path.interface, self.override, path.via, path.configured_interface)
        return path


class RoutingTable:
    def __init__(self, entries: Iterable[RouteEntry] = (), bits: int = 32) -> None:
        self.bits = bits  # 32: IPv4, 128: IPv6
        self._by_length: dict[int, dict[int, RouteEntry]] = {}
        for entry in entries:
            self._by_length.setdefault(entry.prefix.prefixlen, {})[
                int(entry.prefix.network_address)
            ] = entry
        self._lengths = sorted(self._by_length, reverse=True)

    def __iter__(self) -> Iterator[RouteEntry]:
        entries = (e for table in self._by_length.values() for e in table.values())
        return iter(
            sorted(entries, key=lambda e: (int(e.prefix.network_address), e.prefix.prefixlen))
        )

    def __len__(self) -> int:
        return sum(len(t) for t in self._by_length.values())

    def put(self, entry: RouteEntry) -> None:
        length = entry.prefix.prefixlen
        if length not in self._by_length:
            self._by_length[length] = {}
            self._lengths = sorted(self._by_length, reverse=True)
        self._by_length[length][int(entry.prefix.network_address)] = entry

    def remove(self, prefix: IPNetwork) -> None:
        by_address = self._by_length.get(prefix.prefixlen)
        if by_address is None or by_address.pop(int(prefix.network_address), None) is None:
            return
        if not by_address:
            del self._by_length[prefix.prefixlen]
            self._lengths = sorted(self._by_length, reverse=True)

    def lookup(self, dst: int) -> RouteEntry | None:
        """The longest-prefix match for `dst`."""
        for length in self._lengths:
            full = (1 << self.bits) - 1
            mask = (full << (self.bits - length)) & full
            entry = self._by_length[length].get(dst & mask)
            if entry is not None:
                return entry
        return None

    def exact(self, prefix: IPNetwork) -> RouteEntry | None:
        return self._by_length.get(prefix.prefixlen, {}).get(int(prefix.network_address))

    @property
    def default_route(self) -> RouteEntry | None:
        return self.exact(IPv4Network("0.0.0.0/0") if self.bits == 32 else IPv6Network("::/0"))


def bits(version: int) -> int:
    """The address length of an IP version."""
    return 32 if version == 4 else 128


class Rib:
    """The RIB (`table`) of one address family from the up interfaces' addresses and the
    `ip route` / `ipv6 route` statements (those of the other family are ignored; `global_table`
    resolves the next hops marked `global`, a VRF's routes only), kept up to date as interfaces
    come and go at the cost of what changed: the routes of that interface (connected, local,
    statics naming it), then the statics given by next hop only, which resolve through the
    whole table."""

    def __init__(
        self,
        connected: Iterable[tuple[str, IPInterface]],
        statics: Iterable[Route],
        interface_up: Callable[[str], bool],
        version: int = 4,
        global_table: RoutingTable | None = None,
    ) -> None:
        self.version = version
        self.table = RoutingTable(bits=bits(version))
        self._interface_up = interface_up
        self._global = global_table
        self._candidates: dict[IPNetwork, list[RouteEntry]] = {}
        self._owned: dict[str, list[RouteEntry]] = {}  # the routes each interface brings
        self._named: dict[str, list[Route]] = {}  # statics that name their interface
        self._by_next_hop: list[Route] = []  # statics to resolve through the table
        self._resolved: list[RouteEntry] = []
        # Equal-cost paths are listed in configuration order: each static's place in it.
        self._order: dict[Route, int] = {}
        self._rank: dict[RouteEntry, int] = {}  # connected routes come first (-1)
        self._overrides: dict[IPNetwork, int] = {}  # `override`
        for route in statics:
            if route.prefix.version != version:
                continue
            self._order.setdefault(route, len(self._order))
            if route.interface is not None:
                self._named.setdefault(route.interface, []).append(route)
            else:
                self._by_next_hop.append(route)
        touched: set[IPNetwork] = set()
        for name, address in connected:
            touched |= self._add(name, _connected_entries(name, address, version))
        for name in self._named:
            touched |= self._add(name, self._named_entries(name))
        self._settle(touched)
        self._resolve_next_hops()

    def interface_changed(self, name: str, addresses: Iterable[IPInterface]) -> None:
        """`name`'s line protocol changed (`interface_up` says how it is now); `addresses`
        are its addresses of this family."""
        touched = self._drop(name)
        if self._interface_up(name):
            for address in addresses:
                touched |= self._add(name, _connected_entries(name, address, self.version))
            touched |= self._add(name, self._named_entries(name))
        self._settle(touched)
        self._resolve_next_hops()

    def add_route(self, owner: str, entry: RouteEntry) -> None:
        """A route a protocol (NHRP) installs out interface `owner`; it goes with `owner`'s
        line protocol, or with `remove_route`."""
        self._settle(self._add(owner, [entry]))
        self._resolve_next_hops()

    def remove_route(self, owner: str, prefix: IPNetwork, code: RouteCode) -> None:
        gone = [e for e in self._owned.get(owner, []) if e.prefix == prefix and e.code is code]
        for entry in gone:
            self._owned[owner].remove(entry)
        self._settle(self._discard(gone))
        self._resolve_next_hops()

    def override(self, prefix: IPNetwork, next_hop: int | None) -> None:
        """Send what `prefix`'s route carries to `next_hop` instead of its own next hop (an
        NHRP shortcut for a route the table already has); None ends the override."""
        if next_hop is None:
            self._overrides.pop(prefix, None)
        else:
            self._overrides[prefix] = next_hop
        self._settle({prefix})

    def _named_entries(self, name: str) -> list[RouteEntry]:
        return self._static_entries(self._named.get(name, ()))

    def _static_entries(self, routes: Iterable[Route]) -> list[RouteEntry]:
        entries = []
        for route in routes:
            resolver = self._global if route.global_next_hop and self._global else self.table
            entry = _static_entry(route, resolver, self._interface_up)
            if entry is not None:
                self._rank[entry] = self._order[route]
                entries.append(entry)
        return entries

    def _add(self, name: str, entries: list[RouteEntry]) -> set[IPNetwork]:
        self._owned.setdefault(name, []).extend(entries)
        for entry in entries:
            self._candidates.setdefault(entry.prefix, []).append(entry)
        return {e.prefix for e in entries}

    def _drop(self, name: str) -> set[IPNetwork]:
        return self._discard(self._owned.pop(name, []))

    def _discard(self, entries: list[RouteEntry]) -> set[IPNetwork]:
        for entry in entries:
            self._candidates[entry.prefix].remove(entry)
        return {e.prefix for e in entries}

    def _settle(self, prefixes: set[IPNetwork]) -> None:
        for prefix in prefixes:
            entries = self._candidates.get(prefix)
            if entries:
                ordered = sorted(entries, key=lambda e: self._rank.get(e, -1))
                chosen = _chosen(prefix, ordered)
                override = self._overrides.get(prefix)
                self.table.put(chosen if override is None else replace(chosen, override=override))
            else:
                self._candidates.pop(prefix, None)
                self.table.remove(prefix)

    def _resolve_next_hops(self) -> None:
        """Statics given by next hop, resolved until nothing changes (a next hop may resolve
        through another such route)."""
        if not self._by_next_hop:
            return
        for _ in range(_MAX_RECURSION):
            resolved = self._static_entries(self._by_next_hop)
            if resolved == self._resolved:
                return
            touched = self._discard(self._resolved)
            self._resolved = resolved
            for entry in resolved:
                self._candidates.setdefault(entry.prefix, []).append(entry)
            self._settle(touched | {e.prefix for e in resolved})


def _connected_entries(name: str, address: IPInterface, version: int) -> list[RouteEntry]:
    if address.version != version:
        return []
    host = ip_network(f"{address.ip}/{bits(version)}")
    return [
        RouteEntry(address.network, RouteCode.CONNECTED, 0, 0, (Path(name, None),)),
        RouteEntry(host, RouteCode.LOCAL, 0, 0, (Path(name, None),)),
    ]


def _static_entry(
    route: Route, table: RoutingTable, interface_up: Callable[[str], bool]
) -> RouteEntry | None:
    distance = route.distance if route.distance is not None else STATIC_DISTANCE
    via = int(route.next_hop) if route.next_hop is not None else None
    if route.interface is not None:
        if not interface_up(route.interface):
            return None
        path = Path(route.interface, via, via, route.interface)
        return RouteEntry(route.prefix, RouteCode.STATIC, distance, 0, (path,))
    if via is None:
        return None
    resolved = _resolve(via, route.prefix, table)
    if resolved is None:
        return None
    return RouteEntry(
        route.prefix, RouteCode.STATIC, distance, 0, (Path(resolved[0], resolved[1], via),)
    )


def _resolve(via: int, prefix: IPNetwork, table: RoutingTable) -> tuple[str, int] | None:
    """(egress interface, gateway) for a recursive next hop; a route never resolves through
    itself, and resolution may pass through other static routes."""
    target = via
    for _ in range(_MAX_RECURSION):
        entry = table.lookup(target)
        if entry is None or entry.prefix == prefix:
            return None
        path = entry.paths[0]
        if path.gateway is None:
            return path.interface, target
        if entry.code is RouteCode.STATIC and path.via is not None and path.configured_interface:
            return path.interface, path.gateway
        target = path.gateway
    return None


def _chosen(prefix: IPNetwork, entries: list[RouteEntry]) -> RouteEntry:
    """The routes with the lowest distance, their paths shared (equal-cost load sharing)."""
    best = min(e.distance for e in entries)
    chosen = [e for e in entries if e.distance == best]
    first = chosen[0]
    paths = tuple(dict.fromkeys(p for e in chosen if e.code is first.code for p in e.paths))
    return RouteEntry(prefix, first.code, best, first.metric, paths, first.since)
