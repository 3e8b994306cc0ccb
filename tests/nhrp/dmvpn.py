"""A DMVPN in memory: routers with an NHRP engine, a routing table and a LAN each, joined by
an NBMA network that carries NHRP packets and data packets on a shared clock.

Crypto is instantaneous: a `NeedCryptoSa` makes the SA "up" at once, a `ReleaseCryptoSa`
takes it down, so the tests can see which spoke-to-spoke SAs NHRP asked for."""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, ip_address, ip_network

from pyike.nhrp.actions import (
    Action,
    Debug,
    InstallRoute,
    NeedCryptoSa,
    ReleaseCryptoSa,
    RemoveRoute,
    Route,
    SendNhrp,
    Syslog,
)
from pyike.nhrp.config import NhrpConfig, NhsServer
from pyike.nhrp.engine import NhrpEngine

HUB_NBMA = ip_address("192.0.2.1")
TUNNEL = ip_network("10.0.0.0/24")
SUMMARY = ip_network("192.168.0.0/16")


class RoutingTable:
    """Longest match over configured routes and the NHRP routes the engine installs."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = list(routes)
        self.overrides: dict[IPv4Network, IPv4Address] = {}

    def lookup(self, destination: object) -> Route | None:
        matches = [r for r in self.routes if destination in r.prefix]
        best = max(matches, key=lambda r: (r.prefix.prefixlen, r.nhrp), default=None)
        if best is not None and best.prefix in self.overrides:
            return Route(best.prefix, self.overrides[best.prefix], True)
        return best

    def apply(self, action: InstallRoute | RemoveRoute) -> None:
        if isinstance(action, InstallRoute) and action.override:
            self.overrides[action.prefix] = action.next_hop
        elif isinstance(action, InstallRoute):
            self.routes.append(Route(action.prefix, action.next_hop, True, nhrp=True))
        elif action.override:
            del self.overrides[action.prefix]
        else:
            self.routes = [r for r in self.routes if not (r.nhrp and r.prefix == action.prefix)]

    def nhrp_routes(self) -> dict[str, str]:
        """ "H" and "%" routes as `show ip route` would mark them: prefix -> next hop."""
        routes = {str(r.prefix): f"H via {r.next_hop}" for r in self.routes if r.nhrp}
        routes |= {str(p): f"% via {hop}" for p, hop in self.overrides.items()}
        return routes


@dataclass
class Router:
    name: str
    config: NhrpConfig
    lan: IPv4Network
    table: RoutingTable
    engine: NhrpEngine = field(init=False)
    debug: list[str] = field(default_factory=list)
    syslog: list[str] = field(default_factory=list)
    sas: set[object] = field(default_factory=set)
    sa_history: list[tuple[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = NhrpEngine(self.config, self.table, 0.0)

    @property
    def nbma(self) -> object:
        return self.config.nbma


def ip_packet(source: str, destination: str, payload: bytes = b"ping") -> bytes:
    """A minimal IPv4 packet (checksum left zero: nothing here checks it)."""
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(payload),
        0,
        0,
        64,
        1,
        0,
        ip_address(source).packed,
        ip_address(destination).packed,
    )
    return header + payload


class Dmvpn:
    def __init__(self, routers: list[Router]) -> None:
        self.now = 0.0
        self.routers = {r.name: r for r in routers}
        self.by_nbma = {r.config.nbma: r for r in routers}
        self.wire: deque[tuple[object, object, bytes]] = deque()
        self.nhrp_sent: list[tuple[str, str, bytes, float]] = []  # from, to, packet, when

    def __getitem__(self, name: str) -> Router:
        return self.routers[name]

    def start(self) -> None:
        for router in self.routers.values():
            self.apply(router, router.engine.start(self.now))
        self.deliver()

    def apply(self, router: Router, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, SendNhrp):
                self.wire.append((router.config.nbma, action.nbma, action.packet))
            elif isinstance(action, NeedCryptoSa):
                router.sas.add(action.nbma)
                router.sa_history.append(("up", action.nbma))
            elif isinstance(action, ReleaseCryptoSa):
                router.sas.discard(action.nbma)
                router.sa_history.append(("down", action.nbma))
            elif isinstance(action, InstallRoute | RemoveRoute):
                router.table.apply(action)
            elif isinstance(action, Debug):
                router.debug.append(action.text)
            elif isinstance(action, Syslog):
                router.syslog.append(action.text)

    def deliver(self) -> None:
        while self.wire:
            source, destination, packet = self.wire.popleft()
            target = self.by_nbma.get(destination)
            sender = self.by_nbma[source]
            self.nhrp_sent.append((sender.name, target.name if target else "?", packet, self.now))
            if target is not None:
                self.apply(target, target.engine.receive(self.now, packet, source))

    def run_until(self, until: float) -> None:
        """Fire every engine timer due up to `until`, in time order."""
        while True:
            due = [
                (deadline, r)
                for r in self.routers.values()
                if (deadline := r.engine.next_deadline()) is not None and deadline <= until
            ]
            if not due:
                break
            deadline, router = min(due, key=lambda pair: pair[0])
            self.now = max(self.now, deadline)
            self.apply(router, router.engine.on_timer(self.now))
            self.deliver()
        self.now = until

    def send_data(self, sender: str, source: str, destination: str) -> list[str]:
        """Route a data packet from `sender` hop by hop; the routers it crossed."""
        packet = ip_packet(source, destination)
        router, came_from, path = self[sender], None, [sender]
        while ip_address(destination) not in router.lan:
            route = router.table.lookup(ip_address(destination))
            assert route is not None and route.via_tunnel, f"{router.name}: no tunnel route"
            if came_from is not None:
                self.apply(router, router.engine.redirect(self.now, packet, came_from))
            next_hop = route.next_hop or ip_address(destination)
            forwarding = router.engine.resolve(self.now, next_hop)
            self.apply(router, forwarding.actions)
            self.deliver()
            assert forwarding.nbma is not None, f"{router.name}: no NBMA for {next_hop}"
            came_from, router = router.config.nbma, self.by_nbma[forwarding.nbma]
            path.append(router.name)
        return path


def spoke_config(number: int, nbma: str, **settings: object) -> NhrpConfig:
    base: dict[str, object] = dict(
        interface="Tunnel0",
        address=IPv4Interface(f"10.0.0.{number}/24"),
        nbma=ip_address(nbma),
        network_id=1,
        nhs=(NhsServer(ip_address("10.0.0.1"), HUB_NBMA, multicast=True),),
        authentication="cisco123",
        shortcut=True,
    )
    return NhrpConfig(**(base | settings))  # type: ignore[arg-type]


def hub_config(**settings: object) -> NhrpConfig:
    base: dict[str, object] = dict(
        interface="Tunnel0",
        address=IPv4Interface("10.0.0.1/24"),
        nbma=HUB_NBMA,
        network_id=1,
        multicast_dynamic=True,
        authentication="cisco123",
        redirect=True,
    )
    return NhrpConfig(**(base | settings))  # type: ignore[arg-type]


def _connected(lan: IPv4Network) -> list[Route]:
    return [Route(TUNNEL, None, True), Route(lan, None, False)]


def phase3(hub: dict[str, object] | None = None, **spoke: object) -> Dmvpn:
    """A hub and two spokes; spokes route the other LANs by a summary via the hub."""
    lans = {n: ip_network(f"192.168.{n}.0/24") for n in (1, 2, 3)}
    hub_routes = _connected(lans[1]) + [
        Route(lans[n], ip_address(f"10.0.0.{n}"), True) for n in (2, 3)
    ]
    routers = [Router("Hub", hub_config(**(hub or {})), lans[1], RoutingTable(hub_routes))]
    for number, nbma in ((2, "198.51.100.2"), (3, "203.0.113.3")):
        table = RoutingTable(
            [*_connected(lans[number]), Route(SUMMARY, ip_address("10.0.0.1"), True)]
        )
        config = spoke_config(number, nbma, **spoke)
        routers.append(Router(f"Spoke{number}", config, lans[number], table))
    return Dmvpn(routers)


def phase2(hub: dict[str, object] | None = None, **spoke: object) -> Dmvpn:
    """Spokes route each other's LAN via the other spoke's tunnel address (no shortcut, no
    redirect)."""
    dmvpn = phase3(hub={"redirect": False} | (hub or {}), shortcut=False, **spoke)
    for number, other in ((2, 3), (3, 2)):
        table = dmvpn[f"Spoke{number}"].table
        table.routes.append(
            Route(ip_network(f"192.168.{other}.0/24"), ip_address(f"10.0.0.{other}"), True)
        )
    return dmvpn
