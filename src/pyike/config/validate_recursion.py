"""Recursive routing, a check of `pyike.config.validate`: a tunnel whose destination is routed
into the tunnel itself. IOS brings such a tunnel up, finds its own packets coming back into it
and shuts it for a while (`%TUN-5-RECURDOWN: Tunnel0 temporarily disabled due to recursive
routing`), again and again; it never stays up.

Only what the configuration says is judged: connected subnets and static routes of the
tunnel's front-door VRF, longest prefix first, a connected subnet before a static route of the
same length and a lower administrative distance first. A route a dynamic routing protocol
would add cannot be seen here, and a static route wins over it anyway (distance 1).
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, ip_address

from pyike.config.diagnostics import Severity
from pyike.config.model import Config, Interface, Route
from pyike.config.validate_vrf import Add

_STATIC_DISTANCE = 1


def check_recursion(cfg: Config, add: Add) -> None:
    for tunnel in cfg.interfaces.values():
        destination = _address(tunnel.tunnel_destination)
        if destination is None or tunnel.shutdown:
            continue
        route = _best_route(cfg, tunnel.tunnel_vrf, destination)
        if route is not None and _into(tunnel, route):
            add(
                Severity.WARNING,
                route.source,
                f"ip route {route.prefix}: routes {tunnel.name}'s destination {destination} "
                f"into {tunnel.name} itself (recursive routing): IOS disables the tunnel again "
                f"and again (%TUN-5-RECURDOWN), so it cannot stay up",
                tunnel.name,
            )


def _address(text: str | None) -> IPv4Address | None:
    try:
        address = ip_address(text or "")
    except ValueError:
        return None
    return address if isinstance(address, IPv4Address) else None


def _best_route(cfg: Config, vrf: str | None, destination: IPv4Address) -> Route | None:
    """The static route IOS would use for `destination`, or None when a connected subnet (or
    nothing the configuration shows) carries it."""
    connected = max(
        (
            network.prefixlen
            for iface in cfg.interfaces.values()
            if iface.vrf == vrf and not iface.name.startswith("Tunnel")
            for network in _networks(iface)
            if destination in network
        ),
        default=-1,
    )
    routes = [
        r
        for r in cfg.routes
        if r.vrf == vrf and r.prefix.version == 4 and destination in r.prefix
        and r.prefix.prefixlen > connected
    ]  # fmt: skip
    if not routes:
        return None
    return max(routes, key=lambda r: (r.prefix.prefixlen, -(r.distance or _STATIC_DISTANCE)))


def _networks(iface: Interface) -> list[IPv4Network]:
    return [IPv4Network(f"{address}/{mask}", strict=False) for address, mask in iface.addresses]


def _into(tunnel: Interface, route: Route) -> bool:
    if route.interface is not None:
        return route.interface == tunnel.name
    hop = route.next_hop
    return hop is not None and any(hop in network for network in _networks(tunnel))
