"""Static routes: `ip route` and `ipv6 route`."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Interface

from pyike.config.build import Builder, Rejected
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import IPNetwork, Route
from pyike.config.modes import GLOBAL
from pyike.config.params import IFACE, interface_arg

# IOS takes the options in any order and prints them in this one.
_TAIL = (
    "[<distance:INT(1,255)>] "
    "[{name <rname:WORD>|permanent|track <track:INT(1,1000)>|tag <tag:INT(1,4294967295)>}+]"
)


def _extra(m: Match) -> tuple[str, ...]:
    extra = []
    if m.get("rname") is not None:
        extra.append(f"name {m.get('rname')}")
    if m.has("permanent"):
        extra.append("permanent")
    if m.get("track") is not None:
        extra.append(f"track {m.get('track')}")
    if m.get("tag") is not None:
        extra.append(f"tag {m.get('tag')}")
    return tuple(extra)


def _same(r: Route, route: Route, negate: bool) -> bool:
    if (r.vrf, r.prefix) != (route.vrf, route.prefix):
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
        interface=interface_arg(m),
        distance=m.get("distance"),
        extra=_extra(m),
        source=b.source(),
        vrf=m.get("vrf"),
        global_next_hop=m.has("global"),
    )
    b.routes[:] = [r for r in b.routes if not _same(r, route, negate)]
    if not negate:
        b.routes.append(route)


# `ip route vrf NAME ...` puts the route in a VRF's table; `global` resolves its next hop in
# the global table (a front-door VRF's way out).
_VRF = "[vrf <vrf:WORD>]"
_GLOBAL = "[global]"


@GLOBAL.command(
    f"ip route {_VRF} <prefix:IPV4> <mask:MASK> $ "
    f"{{<nh:IPV4>|{IFACE} [<nh:IPV4>]}} {_GLOBAL} {_TAIL}"
)
def _ip_route(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv4Address = m.get("prefix")
    mask: IPv4Address = m.get("mask")
    network = IPv4Network(f"{prefix}/{mask}", strict=False)
    if network.network_address != prefix:
        raise Rejected("%Inconsistent address and mask")
    _store(b, m, network, str(mask), negate)


@GLOBAL.command(f"ipv6 route {_VRF} <prefix:IPV6PFX> $ {{<nh:IPV6>|{IFACE} [<nh:IPV6>]}} {_TAIL}")
def _ipv6_route(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv6Interface = m.get("prefix")
    if prefix.ip != prefix.network.network_address:
        raise Rejected("%Inconsistent address and mask")
    _store(b, m, prefix.network, None, negate)
