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
from dataclasses import dataclass
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

    @property
    def is_default(self) -> bool:
        return self.prefix.prefixlen == 0

    @property
    def directly_connected(self) -> bool:
        return all(p.via is None for p in self.paths)

    def path_for(self, src: int, dst: int) -> Path:
        if len(self.paths) == 1:
            return self.paths[0]
        return self.paths[(src ^ dst) % len(self.paths)]


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


def build(
    connected: Iterable[tuple[str, IPInterface]],
    statics: Iterable[Route],
    interface_up: Callable[[str], bool],
    version: int = 4,
    global_table: RoutingTable | None = None,
) -> RoutingTable:
    """The RIB of one address family for the given up-interface addresses and `ip route` /
    `ipv6 route` statements (those of the other family are ignored); `global_table` resolves
    the next hops marked `global` (a VRF's routes only)."""
    candidates: dict[IPNetwork, list[RouteEntry]] = {}
    for name, address in connected:
        if address.version != version:
            continue
        candidates.setdefault(address.network, []).append(
            RouteEntry(address.network, RouteCode.CONNECTED, 0, 0, (Path(name, None),))
        )
        host = ip_network(f"{address.ip}/{bits(version)}")
        candidates.setdefault(host, []).append(
            RouteEntry(host, RouteCode.LOCAL, 0, 0, (Path(name, None),))
        )
    table = RoutingTable(_best(candidates), bits(version))
    pending = [r for r in statics if r.prefix.version == version]
    for _ in range(_MAX_RECURSION):
        installed: dict[IPNetwork, list[RouteEntry]] = {}
        for route in pending:
            resolver = global_table if route.global_next_hop and global_table else table
            entry = _static_entry(route, resolver, interface_up)
            if entry is not None:
                installed.setdefault(entry.prefix, []).append(entry)
        merged = {k: list(v) for k, v in candidates.items()}
        for prefix, entries in installed.items():
            merged.setdefault(prefix, []).extend(entries)
        new_table = RoutingTable(_best(merged), bits(version))
        if list(new_table) == list(table):
            break
        table = new_table
    return table


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


def _best(candidates: dict[IPNetwork, list[RouteEntry]]) -> Iterator[RouteEntry]:
    for prefix, entries in candidates.items():
        best = min(e.distance for e in entries)
        chosen = [e for e in entries if e.distance == best]
        first = chosen[0]
        paths = tuple(p for e in chosen if e.code is first.code for p in e.paths)
        unique = tuple(dict.fromkeys(paths))
        yield RouteEntry(prefix, first.code, best, first.metric, unique)
