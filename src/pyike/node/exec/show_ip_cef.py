"""`show ip cef [vrf NAME] [ADDRESS [MASK]]`: the forwarding table IOS derives from the
routing table, in IOS 15's layout.

    Prefix               Next Hop             Interface
    0.0.0.0/0            203.0.113.1          Ethernet0/0
    0.0.0.0/8            drop
    10.0.0.0/30          attached             Tunnel0
    10.0.0.1/32          receive              Tunnel0

Every route gives an entry: a connected subnet is `attached` to its interface, with its
network, own and broadcast addresses as `receive` entries; a route with a next hop names the
resolved next hop and the egress interface (an NHRP next-hop override's, when there is one),
one line per equal-cost path; a route out an interface with no next hop is `attached`.
Beside them, the entries IOS's CEF always holds: the special networks it drops, the
addresses it receives, and 0.0.0.0/0 as `no route` while no default route takes its place.
Each neighbour ARP has resolved (`show ip arp`) has a /32 `attached` entry of its own.

With an address, the entry it matches (longest prefix): its prefix, then `nexthop A IF`,
`attached to IF`, `receive for IF`, `drop` or `no route`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from pyike.node.routing import RouteCode, RouteEntry, RoutingTable

HEADER = "Prefix               Next Hop             Interface"

# (prefix, what CEF does with it) for the entries of every IPv4 table, whatever its routes
_SPECIAL = (
    ("0.0.0.0/0", "no route"),  # until a default route takes its place
    ("0.0.0.0/8", "drop"),
    ("0.0.0.0/32", "receive"),
    ("127.0.0.0/8", "drop"),
    ("224.0.0.0/4", "drop"),
    ("224.0.0.0/24", "receive"),
    ("240.0.0.0/4", "drop"),
    ("255.255.255.255/32", "receive"),
)


@dataclass(frozen=True)
class CefEntry:
    prefix: IPv4Network
    hops: tuple[tuple[str, str | None], ...]  # (next hop or attached/receive/drop, interface)


def _route_entries(entry: RouteEntry) -> list[CefEntry]:
    assert isinstance(entry.prefix, IPv4Network)
    prefix = entry.prefix
    interface = entry.paths[0].interface
    if entry.code is RouteCode.LOCAL or (
        entry.code is RouteCode.CONNECTED and prefix.prefixlen == 32
    ):
        return [CefEntry(prefix, (("receive", interface),))]
    if entry.code is RouteCode.CONNECTED:
        entries = [CefEntry(prefix, (("attached", interface),))]
        if prefix.prefixlen < 31:  # /31 and /32 have no network or broadcast address
            for address in (prefix.network_address, prefix.broadcast_address):
                entries.append(CefEntry(IPv4Network(address), (("receive", interface),)))
        return entries
    hops = []
    for path in entry.paths:
        gateway = entry.override if entry.override is not None else path.gateway
        hop = "attached" if gateway is None else str(IPv4Address(gateway))
        hops.append((hop, path.interface))
    return [CefEntry(prefix, tuple(dict.fromkeys(hops)))]


def cef_entries(table: RoutingTable, neighbours: Iterable[tuple[int, str]] = ()) -> list[CefEntry]:
    """The table's forwarding entries in IOS's order: by address, then by prefix length;
    `neighbours`: the (address, interface) pairs ARP resolved on the table's interfaces."""
    by_prefix: dict[IPv4Network, CefEntry] = {}
    for route in table:
        for entry in _route_entries(route):
            by_prefix.setdefault(entry.prefix, entry)
    for address, interface in neighbours:
        host = IPv4Network(address)
        by_prefix.setdefault(host, CefEntry(host, (("attached", interface),)))
    for prefix, action in _SPECIAL:
        by_prefix.setdefault(IPv4Network(prefix), CefEntry(IPv4Network(prefix), ((action, None),)))
    return sorted(
        by_prefix.values(), key=lambda e: (int(e.prefix.network_address), e.prefix.prefixlen)
    )


def render(entries: Iterable[CefEntry]) -> str:
    lines = [HEADER]
    for entry in entries:
        for n, (hop, interface) in enumerate(entry.hops):
            prefix = str(entry.prefix) if n == 0 else ""
            lines.append(f"{prefix:<20} {hop:<20} {interface or ''}".rstrip())
    return "\n".join(lines) + "\n"


def lookup(entries: Iterable[CefEntry], address: IPv4Address) -> CefEntry:
    """The entry CEF forwards `address` by: the longest prefix holding it (0.0.0.0/0, a
    default route or `no route`, holds every address)."""
    return max((e for e in entries if address in e.prefix), key=lambda e: e.prefix.prefixlen)


def render_entry(entry: CefEntry) -> str:
    lines = [str(entry.prefix)]
    for hop, interface in entry.hops:
        if hop == "attached":
            lines.append(f"  attached to {interface}")
        elif hop in ("receive", "drop", "no route"):
            lines.append(f"  {hop}" + (f" for {interface}" if interface else ""))
        else:
            lines.append(f"  nexthop {hop} {interface}")
    return "\n".join(lines) + "\n"
