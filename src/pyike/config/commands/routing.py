"""Static routes: `ip route` and `ipv6 route`."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Interface

from pyike.config.build import Builder, Rejected
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import IPNetwork, Route
from pyike.config.modes import GLOBAL

_TAIL = "[<distance:INT(1,255)>] [name <rname:WORD>] [permanent] [tag <tag:INT(1,4294967295)>]"


def _extra(m: Match) -> tuple[str, ...]:
    extra = []
    if m.get("rname") is not None:
        extra.append(f"name {m.get('rname')}")
    if m.has("permanent"):
        extra.append("permanent")
    if m.get("tag") is not None:
        extra.append(f"tag {m.get('tag')}")
    return tuple(extra)


def _same(r: Route, route: Route, negate: bool) -> bool:
    if r.prefix != route.prefix:
        return False
    if not negate:
        return (r.next_hop, r.interface) == (route.next_hop, route.interface)
    return (route.next_hop is None or r.next_hop == route.next_hop) and (
        route.interface is None or r.interface == route.interface
    )


def _store(b: Builder, m: Match, prefix: IPNetwork, mask_text: str | None, negate: bool) -> None:
    """Add the route, replacing one to the same prefix through the same next hop and
    interface; `no` removes the routes it matches."""
    route = Route(
        prefix,
        mask_text,
        next_hop=m.get("nh"),
        interface=m.get("ifname"),
        distance=m.get("distance"),
        extra=_extra(m),
        source=b.source(),
    )
    b.routes[:] = [r for r in b.routes if not _same(r, route, negate)]
    if not negate:
        b.routes.append(route)


@GLOBAL.command(
    f"ip route <prefix:IPV4> <mask:MASK> $ {{<nh:IPV4>|<ifname:IFNAME> [<nh:IPV4>]}} {_TAIL}"
)
def _ip_route(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv4Address = m.get("prefix")
    mask: IPv4Address = m.get("mask")
    network = IPv4Network(f"{prefix}/{mask}", strict=False)
    if network.network_address != prefix:
        raise Rejected("%Inconsistent address and mask")
    _store(b, m, network, str(mask), negate)


@GLOBAL.command(f"ipv6 route <prefix:IPV6PFX> $ {{<nh:IPV6>|<ifname:IFNAME> [<nh:IPV6>]}} {_TAIL}")
def _ipv6_route(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv6Interface = m.get("prefix")
    if prefix.ip != prefix.network.network_address:
        raise Rejected("%Inconsistent address and mask")
    _store(b, m, prefix.network, None, negate)
