"""Multipoint GRE tunnels (`tunnel mode gre multipoint`) with NHRP on them: DMVPN on a
router. One `MultipointTunnel` per such tunnel whose NHRP runs (`pyike.config.query.
nhrp_configs`; also a point-to-point GRE tunnel registering with its hub) holds the tunnel's
NHRP engines (`pyike.nhrp`), one per overlay family (`ip nhrp`, `ipv6 nhrp`: NHRP packets
tell theirs by their protocol type), and carries out what they ask:

- NHRP packets leave in GRE (protocol type 0x2001) from the tunnel source to a peer's NBMA
  address; on a protected tunnel inside the SA with that peer (the router's
  `MultipointHandler`), held until that SA is up;
- a data packet routed into the tunnel goes to the NBMA address NHRP resolves for its next
  hop; one that came in on the tunnel and goes back out of it is redirected (phase 3);
- NHRP routes: `H` routes and next-hop overrides (`%`) in the tunnel's routing table;
- the SA with a peer is asked for as NHRP needs it, and released when no family's NHRP
  needs it any longer;
- `debug nhrp` lines and the messages IOS logs.

The router moves the GRE packets (`Router.multipoint_send`, `Router._multipoint_in`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from ipaddress import ip_address
from typing import TYPE_CHECKING

from pyike.nhrp.actions import (
    Action,
    Debug,
    DebugKind,
    InstallRoute,
    NeedCryptoSa,
    ReleaseCryptoSa,
    RemoveRoute,
    Route,
    SendNhrp,
    Syslog,
)
from pyike.nhrp.codec import PROTOCOL_IPV6, IPAddress, IPNetwork
from pyike.nhrp.config import NhrpConfig
from pyike.nhrp.engine import NhrpEngine
from pyike.node.hooks import Cancellable
from pyike.node.routing import Path, RouteCode, RouteEntry

if TYPE_CHECKING:
    from pyike.node.router import Router

NHRP_PROTOCOL_TYPE = 0x2001  # GRE's protocol type for NHRP, as IOS sends it
NHRP_DISTANCE = 250  # IOS's administrative distance of NHRP routes
NHRP_METRIC = 255
PENDING_LIMIT = 16  # NHRP packets held for a peer while its SA comes up


class TunnelRouting:
    """The routing table as NHRP asks it (`pyike.nhrp.actions.Routing`): the table of the
    tunnel's VRF."""

    def __init__(self, router: Router, tunnel: str) -> None:
        self.router = router
        self.tunnel = tunnel

    def lookup(self, destination: IPAddress) -> Route | None:
        """The route to `destination`; for one of the router's own addresses its subnet's
        (what a resolution for it is answered with), not the local /32."""
        vrf = self.router.interface(self.tunnel).vrf
        table = self.router.table_for(destination, vrf)
        entry = table.lookup(int(destination))
        if entry is not None and entry.code is RouteCode.LOCAL:
            iface = self.router.interface(entry.paths[0].interface)
            held = iface.addresses if destination.version == 4 else iface.addresses6
            subnet = next((a.network for a in held if a.ip == destination), None)
            entry = table.exact(subnet) if subnet is not None else entry
        if entry is None:
            return None
        path = entry.paths[0]
        next_hop = None if path.via is None else ip_address(path.via)
        nhrp = entry.code is RouteCode.NHRP
        return Route(entry.prefix, next_hop, path.interface == self.tunnel, nhrp)


class MultipointTunnel:
    def __init__(self, router: Router, configs: Sequence[NhrpConfig]) -> None:
        self.router = router
        self.name = configs[0].interface
        routing = TunnelRouting(router, self.name)
        self.engines: dict[int, NhrpEngine] = {
            c.own.version: NhrpEngine(c, routing, router.clock.now) for c in configs
        }
        self.debugging: set[DebugKind] = set()
        self._wanted: dict[IPAddress, set[int]] = {}  # the families needing each peer's SA
        self.routes: dict[IPNetwork, RouteEntry] = {}  # the NHRP routes installed
        self.overrides: dict[IPNetwork, int] = {}  # next-hop overrides: prefix -> next hop
        self.arrival: IPAddress | None = None  # the NBMA the packet being forwarded came from
        self._pending: dict[IPAddress, deque[bytes]] = {}
        self._timer: Cancellable | None = None
        self._timer_at: float | None = None

    @property
    def engine(self) -> NhrpEngine:
        """The IPv4 overlay's engine, else the IPv6 one's."""
        return self.engines.get(4) or self.engines[6]

    @property
    def config(self) -> NhrpConfig:
        """What the families share: the tunnel key, protection, the NBMA address."""
        return self.engine.config

    @property
    def _now(self) -> float:
        return self.router.clock.now

    # -- inputs --------------------------------------------------------------------------

    def start(self) -> None:
        """The tunnel is up: register with the NHSes."""
        for version, engine in self.engines.items():
            self._carry_out(engine.start(self._now), version)

    def receive(self, packet: bytes, nbma: IPAddress) -> None:
        """An NHRP packet that came in GRE from `nbma`, for the engine of its protocol type
        (RFC 2332 ar$pro.type; another family's is dropped, as by a router without it)."""
        version = 6 if packet[2:4] == PROTOCOL_IPV6.to_bytes(2, "big") else 4
        engine = self.engines.get(version)
        if engine is not None:
            self._carry_out(engine.receive(self._now, packet, nbma), version)

    def forward(self, packet: bytes, next_hop: IPAddress, hairpin: bool) -> IPAddress | None:
        """The NBMA address a data packet for overlay `next_hop` goes to (None: drop it);
        `hairpin`: it came in on this tunnel, so its sender is told of a better path."""
        now = self._now
        version = next_hop.version
        engine = self.engines.get(version)
        if engine is None:
            return None
        if hairpin and self.arrival is not None:
            self._carry_out(engine.redirect(now, packet, self.arrival), version)
        forwarding = engine.resolve(now, next_hop)
        self._carry_out(forwarding.actions, version)
        return forwarding.nbma

    def peer_up(self, nbma: IPAddress) -> None:
        """The SA with `nbma` came up: what waited for it goes."""
        for packet in self._pending.pop(nbma, ()):
            self.router.multipoint_send(self.name, nbma, NHRP_PROTOCOL_TYPE, packet)

    def clear(self, version: int = 4) -> None:
        """`clear ip nhrp` (`version` 6: `clear ipv6 nhrp`)."""
        engine = self.engines.get(version)
        if engine is not None:
            self._carry_out(engine.clear(self._now), version)

    # -- the engines' actions ------------------------------------------------------------

    def _carry_out(self, actions: list[Action], version: int) -> None:
        for action in actions:
            self._do(action, version)
        self._rearm()

    def _do(self, action: Action, version: int) -> None:
        router = self.router
        if isinstance(action, SendNhrp):
            self._send(action.nbma, action.packet)
        elif isinstance(action, NeedCryptoSa | ReleaseCryptoSa):
            self._want(action.nbma, version, isinstance(action, NeedCryptoSa))
        elif isinstance(action, InstallRoute):
            self._install(action)
        elif isinstance(action, RemoveRoute):
            self._remove(action)
        elif isinstance(action, Syslog) or (
            isinstance(action, Debug) and action.kinds & self.debugging
        ):
            router.log_line(action.text)

    def _want(self, nbma: IPAddress, version: int, wanted: bool) -> None:
        """A family's NHRP needs the SA with `nbma`, or no longer does: asked for with the
        first family, released with the last."""
        families = self._wanted.setdefault(nbma, set())
        if wanted:
            families.add(version)
        else:
            families.discard(version)
            if families:
                return
            del self._wanted[nbma]
            self._pending.pop(nbma, None)
        self.router.multipoint_want(self.name, nbma, wanted)

    def _send(self, nbma: IPAddress, packet: bytes) -> None:
        if self.config.protected and not self.router.multipoint_ready(self.name, nbma):
            queue = self._pending.setdefault(nbma, deque(maxlen=PENDING_LIMIT))
            queue.append(packet)
            self.router.multipoint_want(self.name, nbma, True)  # again, if the SA went away
            return
        self.router.multipoint_send(self.name, nbma, NHRP_PROTOCOL_TYPE, packet)

    def _install(self, action: InstallRoute) -> None:
        hop = int(action.next_hop)
        if action.override:
            self.overrides[action.prefix] = hop
        else:
            directly = action.prefix.prefixlen == action.prefix.max_prefixlen and (
                action.prefix.network_address == action.next_hop
            )
            path = Path(self.name, None) if directly else Path(self.name, hop, hop, self.name)
            self.routes[action.prefix] = RouteEntry(
                action.prefix, RouteCode.NHRP, NHRP_DISTANCE, NHRP_METRIC, (path,), self._now
            )
        self.router.multipoint_routes_changed(self, action.prefix)

    def _remove(self, action: RemoveRoute) -> None:
        if action.override:
            self.overrides.pop(action.prefix, None)
        else:
            self.routes.pop(action.prefix, None)
        self.router.multipoint_routes_changed(self, action.prefix)

    def _rearm(self) -> None:
        deadlines = [d for e in self.engines.values() if (d := e.next_deadline()) is not None]
        deadline = min(deadlines, default=None)
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = None
        if deadline is not None:
            self._timer = self.router.clock.call_later(deadline - self._now, self._fire)

    def _fire(self) -> None:
        self._timer = self._timer_at = None
        for version, engine in self.engines.items():
            self._carry_out(engine.on_timer(self._now), version)


__all__ = ["NHRP_PROTOCOL_TYPE", "MultipointTunnel", "TunnelRouting"]
