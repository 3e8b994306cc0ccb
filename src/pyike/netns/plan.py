"""How a lab topology is laid onto Linux network namespaces, before anything is created.

One namespace per router; each physical interface becomes a veth end named after it
(`GigabitEthernet0/0` -> `Gi0_0`), joined to the other interfaces on its subnet: two ends
form one veth pair, more than two meet on a bridge in a switch namespace of their own.
Loopback addresses go on `lo`. A `nat` directive becomes a namespace that forwards and
masquerades what leaves its outside interface (iptables). The config's static routes that do
not lead into a tunnel are the namespace's own (the gateway installs the tunnel routes). A
router's routing processes (`router bgp|ospf|eigrp`) are translated for FRRouting, with each
interface named by the device that plays it (a router that runs EIGRP gets a veth end for
each loopback: eigrpd runs on one address of a device). A virtual template is no tunnel of its
own: its clones (`Virtual-AccessK`, TUN device `vaK`) appear as peers call in, and FRR's zebra
learns them from the kernel then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Interface, IPv6Interface, ip_interface
from pathlib import Path

from pyike.config.model import Config, Interface
from pyike.config.query import template_number
from pyike.frr.translate import LOOPBACK_DEVICE, FrrSetup, routing_protocols, translate
from pyike.net.binding import ipv6_interfaces, tun_name, tunnel_family_problem
from pyike.net.policy_steering import SteeringError, plan_steering
from pyike.topology import Topology

IFNAMSIZ = 15


class NetnsPlanError(ValueError):
    """The topology cannot be run in network namespaces; the message says why."""


@dataclass(frozen=True)
class Port:
    """One end on a subnet: a router interface or a NAT box side."""

    namespace: str
    device: str
    addresses: tuple[str, ...]  # "10.0.0.1/24"
    owner: str  # for messages: "Router1 Ethernet0/0"


@dataclass(frozen=True)
class Link:
    subnet: str
    ports: tuple[Port, ...]
    switch: str | None = None  # the namespace of the bridge, for more than two ports
    delay: float | None = None  # seconds, each way (`delay` directive)


@dataclass(frozen=True)
class StaticRoute:
    prefix: str
    via: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class LoopbackDevice:
    """A loopback played by a device of its own (a veth end), not `lo`: FRR's eigrpd runs
    on one address of each device, so a router that runs EIGRP gets one device for each
    loopback. `device` is at most IFNAMSIZ - 1 long: its peer end is `device` + `p`."""

    interface: str
    device: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class RouterPlan:
    host: str
    namespace: str
    config: Config
    binds: tuple[tuple[str, str], ...]  # (config interface, device)
    loopbacks: tuple[str, ...]
    routes: tuple[StaticRoute, ...]
    tunnels: tuple[str, ...]  # protected tunnel interfaces, expected UP-ACTIVE
    crypto_maps: tuple[str, ...] = ()  # interfaces with a crypto map, UP-ACTIVE once pinged
    frr: FrrSetup | None = None  # its routing processes, as FRR runs them
    templates: tuple[str, ...] = ()  # protected virtual templates, cloned as peers call in
    loopback_devices: tuple[LoopbackDevice, ...] = ()  # loopbacks not on `lo`

    @property
    def loopback_addresses(self) -> tuple[str, ...]:
        """Every loopback's addresses, on `lo` or on a device of its own."""
        return (*self.loopbacks, *(a for d in self.loopback_devices for a in d.addresses))

    @property
    def pathspace(self) -> str:
        """Where its FRR keeps its files and sockets (`-N`), unique as the namespace is."""
        return self.namespace

    @property
    def config_path(self) -> Path:
        return Path(self.config.file)


@dataclass(frozen=True)
class NatPlan:
    name: str
    namespace: str
    outside: str  # the device that masquerades
    gateway: str | None


@dataclass(frozen=True)
class NetnsPlan:
    routers: tuple[RouterPlan, ...]
    links: tuple[Link, ...]
    nats: tuple[NatPlan, ...] = ()

    @property
    def namespaces(self) -> list[str]:
        switches = [link.switch for link in self.links if link.switch is not None]
        return [
            *(r.namespace for r in self.routers),
            *(n.namespace for n in self.nats),
            *switches,
        ]

    def router(self, host: str) -> RouterPlan:
        return next(r for r in self.routers if r.host == host)


def device_name(interface: str, taken: Iterable[str] = ()) -> str:
    """`GigabitEthernet0/0` -> `Gi0_0`: the IOS short form, within IFNAMSIZ and unique."""
    letters = "".join(c for c in interface if c.isalpha())
    rest = interface[len(letters) :] if interface.startswith(letters) else ""
    base = (letters[:2] + rest.replace("/", "_").replace(":", "_"))[:IFNAMSIZ]
    used = set(taken)
    name, n = base, 1
    while name in used or name == "lo":
        suffix = f"x{n}"
        name, n = base[: IFNAMSIZ - len(suffix)] + suffix, n + 1
    return name


def plan_topology(topology: Topology, tag: str) -> NetnsPlan:
    """The namespaces, links and routes for `topology`; `tag` makes the namespace names
    unique (e.g. the process id)."""
    _refuse_unsupported(topology.configs)
    members: dict[str, list[Port]] = {}
    routers: list[RouterPlan] = []
    for config in topology.configs:
        namespace = f"pyike-{tag}-{config.hostname}"
        binds: list[tuple[str, str]] = []
        loopbacks: list[str] = []
        own_devices: list[LoopbackDevice] = []
        eigrp = "router eigrp" in routing_protocols(config)
        for iface in config.interfaces.values():
            if iface.is_tunnel or iface.shutdown:
                continue
            addresses = _addresses(iface)
            if iface.name.lower().startswith("loopback") and eigrp:
                taken = [d for _, d in binds] + [d.device for d in own_devices]
                device = device_name(iface.name, taken)[: IFNAMSIZ - 1]
                own_devices.append(LoopbackDevice(iface.name, device, tuple(map(str, addresses))))
                continue
            if iface.name.lower().startswith("loopback"):
                loopbacks += [str(a) for a in addresses]
                continue
            if not addresses:
                continue
            device = device_name(iface.name, (d for _, d in binds))
            binds.append((iface.name, device))
            port = Port(namespace, device, tuple(str(a) for a in addresses), _owner(config, iface))
            members.setdefault(str(addresses[0].network), []).append(port)
        protected = [
            i.name
            for i in config.interfaces.values()
            if i.is_tunnel and i.tunnel_protection is not None and not i.shutdown
        ]
        tunnels = tuple(name for name in protected if template_number(name) is None)
        routers.append(
            RouterPlan(
                config.hostname,
                namespace,
                config,
                tuple(binds),
                tuple(loopbacks),
                _static_routes(config, dict(binds)),
                tunnels,
                tuple(
                    i.name
                    for i in config.interfaces.values()
                    if i.crypto_map is not None and not i.shutdown
                ),
                translate(config, _devices(config, binds, tunnels, own_devices)),
                tuple(name for name in protected if name not in tunnels),
                tuple(own_devices),
            )
        )
    nats: list[NatPlan] = []
    for hint in topology.nats:
        namespace = f"pyike-{tag}-nat-{hint.name}"
        for side, address in (("inside", hint.inside), ("outside", hint.outside)):
            port = Port(namespace, side, (str(address),), f"nat {hint.name} {side}")
            members.setdefault(str(address.network), []).append(port)
        nats.append(
            NatPlan(hint.name, namespace, "outside", str(hint.gateway) if hint.gateway else None)
        )
    delays = {d.subnet: d.seconds for d in topology.delays}
    for subnet in delays:
        if subnet not in members:
            raise NetnsPlanError(f"% delay: no interface is on {subnet}")
    links = tuple(
        Link(
            subnet,
            tuple(ports),
            f"pyike-{tag}-sw{index}" if len(ports) > 2 else None,
            delays.get(subnet),
        )
        for index, (subnet, ports) in enumerate(members.items())
    )
    return NetnsPlan(tuple(routers), links, tuple(nats))


def _refuse_unsupported(configs: Iterable[Config]) -> None:
    """What `pyike run` cannot play: tunnels mixing IPv4 and IPv6, crypto map ACLs the
    kernel's policy routing cannot match."""
    for config in configs:
        try:
            plan_steering(config, (), ())
        except SteeringError as error:
            raise NetnsPlanError(
                f"% {config.hostname} {error.args[0].removeprefix('% ')}; "
                "run this topology without --netns"
            ) from None
        for iface in config.interfaces.values():
            if iface.is_tunnel and iface.tunnel_protection and not iface.shutdown:
                problem = tunnel_family_problem(config, iface)
                if problem is not None:
                    raise NetnsPlanError(
                        f"% {config.hostname} {problem}; run this topology without --netns"
                    )


def _addresses(iface: Interface) -> list[IPv4Interface | IPv6Interface]:
    out: list[IPv4Interface | IPv6Interface] = [
        IPv4Interface(f"{address}/{mask}") for address, mask in iface.addresses
    ]
    out.extend(ipv6_interfaces(iface))
    return out


def _devices(
    config: Config,
    binds: Iterable[tuple[str, str]],
    tunnels: Iterable[str],
    own_devices: Iterable[LoopbackDevice],
) -> dict[str, str]:
    """The device that plays each interface in the namespace: its veth end, its TUN device,
    `lo` for every loopback without a device of its own."""
    devices = dict(binds)
    devices.update((name, tun_name(name)) for name in tunnels)
    devices.update(
        (i.name, LOOPBACK_DEVICE)
        for i in config.interfaces.values()
        if i.name.lower().startswith("loopback") and not i.shutdown
    )
    devices.update((d.interface, d.device) for d in own_devices)
    return devices


def _owner(config: Config, iface: Interface) -> str:
    return f"{config.hostname} {iface.name}"


def _static_routes(config: Config, device_of: dict[str, str]) -> tuple[StaticRoute, ...]:
    """The routes not into a tunnel (those are the gateway's), as the namespace holds them."""
    tunnel_nets = [
        ip_interface(f"{a}/{m}").network
        for i in config.interfaces.values()
        if i.is_tunnel
        for a, m in i.addresses
    ]
    routes: list[StaticRoute] = []
    for route in config.routes:
        if route.interface is not None:
            if route.interface in device_of:
                hop = str(route.next_hop) if route.next_hop is not None else None
                routes.append(StaticRoute(str(route.prefix), hop, device_of[route.interface]))
            continue
        if route.next_hop is None or any(route.next_hop in net for net in tunnel_nets):
            continue
        routes.append(StaticRoute(str(route.prefix), str(route.next_hop)))
    return tuple(routes)
