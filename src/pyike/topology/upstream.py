"""The provider between sites, when no configuration describes it.

Real sites reach each other through their providers: each router routes (usually by default)
to a next hop on its outside subnet, and its tunnels run to the other sites' public addresses.
Configurations brought to the lab carry the sites, never the provider's routers. When the
routes of at least two routers name next hops that no router of the lab has (nor a NAT box),
on two or more subnets, the lab adds one router, `ISP`, with each of those next hops on its
subnet: it joins the subnets and routes between them, as the provider would, and routes each
site's IKE address that is off those subnets (a loopback as tunnel source) to the site. A lab
that says how its routers meet (an ISP configuration of its own, a shared subnet) gets
nothing added. IPv6 next hops are not looked at: an IPv6 site still needs its provider's
configuration.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from pyike.config import load
from pyike.config.model import Config
from pyike.config.query import child_sa_policies
from pyike.node.interfaces import InterfaceKind, kind_of
from pyike.topology.model import Topology

NAME = "ISP"
_ADDED = "<added by the lab: {}>"  # the added router's configuration "file": it has none


def add_upstream(topology: Topology) -> None:
    """Adds the provider's router to `topology` when its routers need one (see the module
    docstring), with a note saying so; its configuration text in `topology.added`."""
    owned = _owned(topology)
    needed: dict[IPv4Network, tuple[IPv4Address, set[str]]] = {}
    joined: dict[str, Config] = {}
    for config in topology.configs:
        for subnet, hop in _outside_hops(config):
            if hop in owned:
                continue
            first, routers = needed.setdefault(subnet, (hop, set()))
            if first == hop:
                routers.add(config.hostname)
                joined[config.hostname] = config
    if len(needed) < 2 or len(joined) < 2:
        return
    name = _free_name(topology)
    text = f"hostname {name}\n" + "".join(
        f"interface GigabitEthernet0/{i}\n ip address {hop} {subnet.netmask}\n"
        for i, (subnet, (hop, _)) in enumerate(sorted(needed.items()))
    )
    text += "".join(
        f"ip route {address} 255.255.255.255 {via}\n"
        for config in joined.values()
        for address, via in _behind(config, set(needed))
    )
    config = load(text, _ADDED.format(name)).raise_for_errors()
    topology.configs.append(config)
    topology.added[name] = text
    hops = ", ".join(
        f"{hop} ({', '.join(sorted(routers))})" for hop, routers in sorted(needed.values())
    )
    topology.notes.append(
        f"{name}: added by the lab as the provider between the sites, with the next hops their "
        f"routes name and no router here has: {hops}"
    )


def _behind(config: Config, subnets: set[IPv4Network]) -> list[tuple[IPv4Address, IPv4Address]]:
    """(address, via) for each address a site's IKE runs from off the provider's subnets (a
    loopback as tunnel source, a crypto map's local address): the provider routes it to the
    site's own address on its subnet, as a provider routes a customer's block."""
    mine = [
        IPv4Interface(f"{address}/{mask}")
        for iface in config.interfaces.values()
        for address, mask in iface.addresses
    ]
    via = next((a.ip for a in mine if a.network in subnets), None)
    if via is None:
        return []
    locals_ = {p.local for p in child_sa_policies(config) if isinstance(p.local, IPv4Address)}
    return [(a, via) for a in sorted(locals_) if not any(a in s for s in subnets)]


def is_added(config: Config) -> bool:
    """Whether the lab added this router (it has no configuration file)."""
    return config.file == _ADDED.format(config.hostname)


def _owned(topology: Topology) -> set[IPv4Address]:
    """Every IPv4 address a router of the lab or a NAT box answers for."""
    owned = {a for c in topology.configs for i in c.interfaces.values() for a, _ in i.addresses}
    for nat in topology.nats:
        owned |= {nat.inside.ip, nat.outside.ip}
    return owned


def _outside_hops(config: Config) -> list[tuple[IPv4Network, IPv4Address]]:
    """(subnet, next hop) of each static route through a physical interface's subnet."""
    subnets = [
        IPv4Interface(f"{address}/{mask}").network
        for iface in config.interfaces.values()
        if kind_of(iface.name) not in (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL)
        and not iface.is_tunnel
        for address, mask in iface.addresses
    ]
    found = []
    for route in config.routes:
        hop = route.next_hop
        if not isinstance(hop, IPv4Address):
            continue
        subnet = next((s for s in subnets if hop in s and s.prefixlen < 32), None)
        ends = (subnet.network_address, subnet.broadcast_address) if subnet else ()
        if subnet is not None and (subnet.prefixlen == 31 or hop not in ends):
            found.append((subnet, hop))
    return found


def _free_name(topology: Topology) -> str:
    taken = set(topology.hostnames)
    return next(
        candidate
        for candidate in (NAME, *(f"{NAME}{n}" for n in range(2, len(taken) + 3)))
        if candidate not in taken
    )
