"""Join routers by subnet: every Ethernet-like interface sharing a connected subnet with
another lands on the same segment, so every interface address is reachable.

VRFs may reuse a subnet on one router (IOS allows overlapping addresses in different VRFs), so
two interfaces of the same router never share a segment: the second gets a segment of its own,
named after the subnet and its VRF, which the interfaces of other routers in a VRF of the same
name join.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Network

from pyike.node.interfaces import InterfaceKind, RouterInterface
from pyike.node.router import Router
from pyike.sim.network import DEFAULT_DELAY, Network, Segment


@dataclass
class _Subnet:
    """The segments of one subnet, with the routers and VRFs attached to each."""

    segments: list[Segment] = field(default_factory=list)
    routers: list[set[str]] = field(default_factory=list)
    vrfs: list[set[str | None]] = field(default_factory=list)

    def pick(self, router: str, vrf: str | None) -> int | None:
        """The segment this router's interface in `vrf` joins: one the router is not on yet,
        one with the same VRF first; None when it needs a new one."""
        free = [n for n, routers in enumerate(self.routers) if router not in routers]
        same = [n for n in free if vrf in self.vrfs[n]]
        chosen = same or free
        return chosen[0] if chosen else None


def wire_by_subnet(
    network: Network, routers: Iterable[Router], delay: float = DEFAULT_DELAY
) -> dict[str, Segment]:
    """Create (or reuse) the segments of each subnet, named after the subnet, and attach every
    physical interface with an address to one of its primary subnet."""
    made: dict[str, Segment] = {}
    subnets: dict[IPv4Network, _Subnet] = {}
    for router in routers:
        for iface in router.interfaces.values():
            if iface.kind in (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL):
                continue
            if iface.primary is None:
                continue
            prefix = iface.primary.network
            subnet = subnets.setdefault(prefix, _Subnet())
            index = subnet.pick(router.hostname, iface.vrf)
            if index is None:
                segment = _new_segment(
                    network, prefix, iface, first=not subnet.segments, delay=delay
                )
                subnet.segments.append(segment)
                subnet.routers.append(set())
                subnet.vrfs.append(set())
                index = len(subnet.segments) - 1
            segment = subnet.segments[index]
            subnet.routers[index].add(router.hostname)
            subnet.vrfs[index].add(iface.vrf)
            made[segment.name] = segment
            router.attach(iface.name, segment)
    return made


def _new_segment(
    network: Network, prefix: IPv4Network, iface: RouterInterface, first: bool, delay: float
) -> Segment:
    name = str(prefix) if first else f"{prefix} vrf {iface.vrf or 'global'}"
    existing = network.segments.get(name)
    if existing is not None:
        return existing
    return network.segment(name, prefix, delay)
