"""The provider between sites, when no configuration describes it.

Real sites reach each other through their providers: each router routes (by default, or to
its IKE peers) to a next hop on its outside subnet, and its tunnels run to the other sites'
public addresses. Configurations brought to the lab carry the sites, never the provider's
routers. When those routes of at least two routers name next hops that no router of the lab
has (nor a NAT box), on two or more subnets, the lab adds one router, `ISP`, with each of
those next hops on its subnet (IPv4 and IPv6 alike): it joins the subnets and routes between
them, as the provider would, and routes each site's IKE address that is off those subnets (a
loopback as tunnel source) to the site. A lab that says how its routers meet (an ISP
configuration of its own, a shared subnet) gets nothing added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv6Interface

from pyike.config import load
from pyike.config.model import Config, Interface
from pyike.config.query import child_sa_policies
from pyike.ike.events import IPAddress
from pyike.node.interfaces import InterfaceKind, kind_of
from pyike.topology.model import Topology

NAME = "ISP"
_ADDED = "<added by the lab: {}>"  # the added router's configuration "file": it has none

_Address = IPv4Interface | IPv6Interface
Segment = str  # as the lab joins interfaces: the IPv4 subnet, or an IPv6-only one's IPv6 subnet


@dataclass
class _Port:
    """The provider's interface on one segment: the next hop of each family routed to."""

    hops: dict[int, _Address] = field(default_factory=dict)  # by IP version
    routers: set[str] = field(default_factory=set)


def add_upstream(topology: Topology) -> None:
    """Adds the provider's router to `topology` when its routers need one (see the module
    docstring), with a note saying so; its configuration text in `topology.added`."""
    owned = _owned(topology)
    ports: dict[Segment, _Port] = {}
    joined: dict[str, Config] = {}
    for config in topology.configs:
        for segment, hop in _outside_hops(config):
            if hop.ip in owned:
                continue
            port = ports.setdefault(segment, _Port())
            if port.hops.setdefault(hop.version, hop) == hop:
                port.routers.add(config.hostname)
                joined[config.hostname] = config
    if len(ports) < 2 or len(joined) < 2:
        return
    name = _free_name(topology)
    text = _text(name, ports, joined)
    topology.configs.append(load(text, _ADDED.format(name)).raise_for_errors())
    topology.added[name] = text
    hops = ", ".join(
        f"{hop.ip} ({', '.join(sorted(port.routers))})"
        for port in ports.values()
        for hop in port.hops.values()
    )
    topology.notes.append(
        f"{name}: added by the lab as the provider between the sites, with the next hops their "
        f"routes name and no router here has: {hops}"
    )


def _text(name: str, ports: dict[Segment, _Port], joined: dict[str, Config]) -> str:
    lines = [f"hostname {name}"]
    if any(6 in port.hops for port in ports.values()):
        lines.append("ipv6 unicast-routing")  # IOS forwards IPv6 only with it
    for i, port in enumerate(ports.values()):
        lines.append(f"interface GigabitEthernet0/{i}")
        for hop in port.hops.values():
            if isinstance(hop, IPv4Interface):
                lines.append(f" ip address {hop.ip} {hop.netmask}")
            else:
                lines.append(f" ipv6 address {hop}")
    for config in joined.values():
        for address, via in _behind(config, ports):
            if address.version == 4:
                lines.append(f"ip route {address} 255.255.255.255 {via}")
            else:
                lines.append(f"ipv6 route {address}/128 {via}")
    return "\n".join(lines) + "\n"


def is_added(config: Config) -> bool:
    """Whether the lab added this router (it has no configuration file)."""
    return config.file == _ADDED.format(config.hostname)


def _addresses(iface: Interface) -> list[_Address]:
    v4: list[_Address] = [IPv4Interface(f"{a}/{m}") for a, m in iface.addresses]
    return v4 + [IPv6Interface(a) for a in iface.ipv6_addresses]


def _segment(iface: Interface) -> Segment | None:
    """The segment the lab puts a physical interface on (its IPv4 subnet first)."""
    addresses = _addresses(iface)
    return str(addresses[0].network) if addresses else None


def _owned(topology: Topology) -> set[IPAddress]:
    """Every address a router of the lab or a NAT box answers for."""
    owned: set[IPAddress] = {
        a.ip for c in topology.configs for i in c.interfaces.values() for a in _addresses(i)
    }
    for nat in topology.nats:
        owned |= {nat.inside.ip, nat.outside.ip}
    return owned


def _physical(config: Config) -> list[Interface]:
    virtual = (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL)
    return [
        iface
        for iface in config.interfaces.values()
        if kind_of(iface.name) not in virtual and not iface.is_tunnel
    ]


def _outside_hops(config: Config) -> list[tuple[Segment, _Address]]:
    """(segment, next hop with its subnet's length) of each static route through a physical
    interface's subnet toward the Internet: a default route, or one to an IKE peer (a route to
    a LAN behind a router the lab lacks is not the provider's)."""
    peers = [peer for policy in child_sa_policies(config) for peer in policy.peers]
    found = []
    for route in config.routes:
        hop = route.next_hop
        if hop is None:
            continue
        if route.prefix.prefixlen and not any(p in route.prefix for p in peers):
            continue
        for iface in _physical(config):
            subnet = next((a.network for a in _addresses(iface) if hop in a.network), None)
            segment = _segment(iface)
            if subnet is None or segment is None or subnet.prefixlen == subnet.max_prefixlen:
                continue
            ends = (subnet.network_address, subnet.broadcast_address)
            if subnet.version == 6 or subnet.prefixlen == 31 or hop not in ends:
                found.append((segment, _interface(hop, subnet.prefixlen)))
            break
    return found


def _interface(address: IPAddress, length: int) -> _Address:
    if isinstance(address, IPv4Address):
        return IPv4Interface(f"{address}/{length}")
    return IPv6Interface(f"{address}/{length}")


def _behind(config: Config, ports: dict[Segment, _Port]) -> list[tuple[IPAddress, IPAddress]]:
    """(address, via) for each address a site's IKE runs from off the provider's subnets (a
    loopback as tunnel source, a crypto map's local address): the provider routes it to the
    site's own address of that family on a segment they share, as a provider routes a
    customer's block."""
    subnets = [hop.network for port in ports.values() for hop in port.hops.values()]
    mine = [a for iface in _physical(config) for a in _addresses(iface)]
    found = []
    for local in sorted(
        {p.local for p in child_sa_policies(config) if p.local is not None}, key=str
    ):
        if any(local in s for s in subnets if s.version == local.version):
            continue
        via = next(
            (a.ip for a in mine if a.version == local.version and a.network in subnets), None
        )
        if via is not None:
            found.append((local, via))
    return found


def _free_name(topology: Topology) -> str:
    taken = set(topology.hostnames)
    return next(
        candidate
        for candidate in (NAME, *(f"{NAME}{n}" for n in range(2, len(taken) + 3)))
        if candidate not in taken
    )
