"""Join routers by subnet: every Ethernet-like interface sharing a connected subnet with
another lands on the same segment, so every interface address is reachable."""

from __future__ import annotations

from collections.abc import Iterable

from pyike.node.interfaces import InterfaceKind
from pyike.node.router import Router
from pyike.sim.network import DEFAULT_DELAY, Network, Segment


def wire_by_subnet(
    network: Network, routers: Iterable[Router], delay: float = DEFAULT_DELAY
) -> dict[str, Segment]:
    """Create (or reuse) one segment per subnet, named after the subnet, and attach every
    physical interface with an address to the segment of its primary subnet."""
    made: dict[str, Segment] = {}
    for router in routers:
        for iface in router.interfaces.values():
            if iface.kind in (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL):
                continue
            if iface.primary is None:
                continue
            name = str(iface.primary.network)
            segment = network.segments.get(name) or network.segment(
                name, iface.primary.network, delay
            )
            made[name] = segment
            router.attach(iface.name, segment)
    return made
