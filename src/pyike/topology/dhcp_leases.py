"""Leases for the `ip address dhcp` interfaces of a lab's routers, from the provider the lab
adds between the sites (pyike.topology.upstream).

A branch router that takes its outside address by DHCP has no address in its configuration,
so nothing tells the lab where it sits. The lab plays the provider's DHCP server: each such
Ethernet interface (not shut down, not already addressed) leases the second address of a /24
of its own from RFC 6598's shared address space, as providers hand out, with the first as the
gateway, and gets the default route DHCP installs (distance 254, in the interface's VRF). The
provider's router then joins that subnet as it joins the sites' outside subnets. When the
lab adds no provider (one site alone, or sites that already meet), the leases are taken back
and the notes say why. The running configuration keeps `ip address dhcp`, never the lease.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from pyike.config.model import Config, Route
from pyike.node.interfaces import InterfaceKind, kind_of
from pyike.topology.model import Topology

LEASE_POOL = IPv4Network("100.64.0.0/10")  # RFC 6598: shared address space
LEASE_PREFIX = 24
DHCP_ROUTE_DISTANCE = 254  # IOS installs the default route a DHCP server gives with it
_DEFAULT = IPv4Network("0.0.0.0/0")


@dataclass(frozen=True)
class Lease:
    host: str
    interface: str
    address: IPv4Interface
    gateway: IPv4Address


def lease(topology: Topology) -> list[Lease]:
    """Gives each router's DHCP interfaces their lease in `topology` (its configurations are
    replaced); the leases, for `settle` to keep or take back."""
    subnets = _free_subnets(topology)
    leases = []
    for index, config in enumerate(topology.configs):
        interfaces = dict(config.interfaces)
        routes = list(config.routes)
        for name, iface in config.interfaces.items():
            if iface.address_dhcp is None or iface.addresses or iface.shutdown:
                continue
            if kind_of(name) is not InterfaceKind.ETHERNET:
                continue
            subnet = next(subnets)
            address = IPv4Interface(f"{subnet[2]}/{LEASE_PREFIX}")
            interfaces[name] = replace(iface, addresses=((address.ip, address.netmask),))
            routes.append(
                Route(
                    _DEFAULT,
                    "0.0.0.0",
                    next_hop=subnet[1],
                    distance=DHCP_ROUTE_DISTANCE,
                    vrf=iface.vrf,
                )
            )
            leases.append(Lease(config.hostname, name, address, subnet[1]))
        if len(routes) > len(config.routes):
            topology.configs[index] = replace(config, interfaces=interfaces, routes=tuple(routes))
    return leases


def settle(topology: Topology, leases: list[Lease], before: list[Config]) -> None:
    """Keeps the leases whose gateway the added provider holds, with a note each; takes the
    others back (the router's configuration as it was), saying why."""
    held = {
        IPv4Interface(f"{a}/{m}").ip
        for name in topology.added
        for config in topology.configs
        if config.hostname == name
        for iface in config.interfaces.values()
        for a, m in iface.addresses
    }
    originals = {config.hostname: config for config in before}
    for item in leases:
        where = f"{item.host}: {item.interface} ('ip address dhcp')"
        if item.gateway in held:
            topology.notes.append(
                f"{where} leases {item.address.with_prefixlen} from the provider the lab adds,"
                f" with a default route via {item.gateway}"
            )
            continue
        index = next(i for i, c in enumerate(topology.configs) if c.hostname == item.host)
        topology.configs[index] = originals[item.host]
        topology.notes.append(
            f"{where} has no lease: the lab leases addresses from the provider it adds between"
            " sites, and these sites need none"
        )


def _free_subnets(topology: Topology) -> Iterator[IPv4Network]:
    taken = [
        IPv4Interface(f"{a}/{m}").network
        for config in topology.configs
        for iface in config.interfaces.values()
        for a, m in iface.addresses
    ]
    for subnet in LEASE_POOL.subnets(new_prefix=LEASE_PREFIX):
        if not any(subnet.overlaps(other) for other in taken):
            yield subnet
