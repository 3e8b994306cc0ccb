"""`show ip route` in IOS 15's layout: the codes legend, the gateway of last resort, and the
routes grouped under their classful networks."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network

from pyike import ios_names
from pyike.node.routing import RouteCode, RouteEntry, RoutingTable

LEGEND = """\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override
"""
TOP = 6  # width of the code column for routes outside a subnetted group
NESTED = 9  # ... and inside one


def classful(address: IPv4Address) -> IPv4Network:
    first = int(address) >> 24
    length = 8 if first < 128 else 16 if first < 192 else 24
    return IPv4Network(f"{address}/{length}", strict=False)


def gateway_line(table: RoutingTable) -> str:
    default = table.default_route
    if default is None:
        return "Gateway of last resort is not set"
    via = default.paths[0].via_address
    return f"Gateway of last resort is {via or '0.0.0.0'} to network 0.0.0.0"


def _code(entry: RouteEntry, indent: int) -> str:
    """The code column: `S*` for a static default, `D   %` for an NHRP next-hop override."""
    code = entry.code.value + ("*" if entry.is_default and entry.code is RouteCode.STATIC else "")
    if entry.override is not None:
        code = f"{code:<4}%"
    return f"{code:<{indent}}" if len(code) < indent else code + " "


def _route_text(
    entry: RouteEntry, prefix_text: str, indent: int, now: float | None = None
) -> list[str]:
    age = ""  # the age of a route a protocol installed
    if entry.since is not None and now is not None:
        age = f", {ios_names.uptime(int(now - entry.since))}"
    lines = []
    for n, path in enumerate(entry.paths):
        if path.via is None:
            body = f"is directly connected{age}, {path.interface}"
        else:
            body = f"[{entry.distance}/{entry.metric}] via {path.via_address}"
            if path.configured_interface:
                body += f"{age}, {path.configured_interface}"
        if n == 0:
            lines.append(f"{_code(entry, indent)}{prefix_text} {body}")
        else:
            lines.append(" " * (indent + len(prefix_text) + 1) + body)
    return lines


def render(
    table: RoutingTable, entries: Iterable[RouteEntry] | None = None, now: float | None = None
) -> str:
    """`show ip route` of `table` (or of the `entries` chosen from it); `now` gives the
    age of the routes a protocol installed."""
    chosen = list(table if entries is None else entries)
    out = [LEGEND, "\n", gateway_line(table) + "\n", "\n"]
    groups: dict[IPv4Network, list[RouteEntry]] = {}
    top: list[RouteEntry] = []
    for entry in chosen:
        assert isinstance(entry.prefix, IPv4Network)  # `show ip route` is the IPv4 table
        major = classful(entry.prefix.network_address)
        if entry.prefix.prefixlen < major.prefixlen:
            top.append(entry)
        else:
            groups.setdefault(major, []).append(entry)
    items: list[tuple[int, int, list[str]]] = []
    for entry in top:
        lines = _route_text(entry, str(entry.prefix), TOP, now)
        items.append((int(entry.prefix.network_address), entry.prefix.prefixlen, lines))
    for major, members in groups.items():
        items.append((int(major.network_address), major.prefixlen, _group(major, members, now)))
    for _addr, _len, lines in sorted(items, key=lambda t: (t[0], t[1])):
        out.extend(line + "\n" for line in lines)
    return "".join(out)


def _group(major: IPv4Network, members: list[RouteEntry], now: float | None) -> list[str]:
    members.sort(key=lambda e: (int(e.prefix.network_address), e.prefix.prefixlen))
    if len(members) == 1 and members[0].prefix == major:
        return _route_text(members[0], str(major), TOP, now)
    masks = {e.prefix.prefixlen for e in members}
    n = len(members)
    if len(masks) == 1:
        length = masks.pop()
        header = f"{'':<{TOP}}{major.network_address}/{length} is subnetted, {n} subnets"
        lines = [header]
        for e in members:
            lines += _route_text(e, str(e.prefix.network_address), NESTED, now)
        return lines
    header = f"{'':<{TOP}}{major} is variably subnetted, {n} subnets, {len(masks)} masks"
    lines = [header]
    for e in members:
        lines += _route_text(e, str(e.prefix), NESTED, now)
    return lines


# `Known via "..."`: the protocol that installed a route, by its code
_KNOWN_VIA = {
    RouteCode.CONNECTED: "connected",
    RouteCode.LOCAL: "connected",
    RouteCode.STATIC: "static",
    RouteCode.NHRP: "nhrp",
}


def entry_detail(entry: RouteEntry) -> str:
    """`show ip route ADDRESS`: one route, its source and its next hops."""
    prefix = entry.prefix
    supernet = prefix.prefixlen < classful(IPv4Address(int(prefix.network_address))).prefixlen
    known = f'"{_KNOWN_VIA[entry.code]}", distance {entry.distance}, metric {entry.metric}'
    if entry.code is RouteCode.CONNECTED:
        known += " (connected, via interface)"
    elif entry.code is RouteCode.LOCAL or entry.directly_connected:
        known += " (connected)"
    if entry.is_default:
        known += ", candidate default path"
    lines = [
        f"Routing entry for {prefix}{', supernet' if supernet else ''}",
        f"  Known via {known}",
        "  Routing Descriptor Blocks:",
    ]
    for n, path in enumerate(entry.paths):
        mark = "* " if n == 0 else "  "
        if path.via is None:
            lines.append(f"  {mark}directly connected, via {path.interface}")
        else:
            through = f", via {path.configured_interface}" if path.configured_interface else ""
            lines.append(f"  {mark}{path.via_address}{through}")
        lines.append(f"      Route metric is {entry.metric}, traffic share count is 1")
    return "\n".join(lines) + "\n"
