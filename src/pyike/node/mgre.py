"""Multipoint GRE tunnels (`tunnel mode gre multipoint`) with NHRP on them: DMVPN on a
router. One `MultipointTunnel` per such tunnel whose NHRP runs (`pyike.config.query.
nhrp_config`) holds the tunnel's NHRP engine (`pyike.nhrp`) and carries out what it asks:

- NHRP packets leave in GRE (protocol type 0x2001) from the tunnel source to a peer's NBMA
  address; on a protected tunnel inside the SA with that peer (the router's
  `MultipointHandler`), held until that SA is up;
- a data packet routed into the tunnel goes to the NBMA address NHRP resolves for its next
  hop; one that came in on the tunnel and goes back out of it is redirected (phase 3);
- NHRP routes: `H` routes and next-hop overrides (`%`) in the tunnel's routing table;
- the SA with a peer is asked for as NHRP needs it, and released when it no longer does;
- `debug nhrp` lines and the messages IOS logs.

The router moves the GRE packets (`Router.multipoint_send`, `Router._multipoint_in`).
"""

from __future__ import annotations

from collections import deque
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
from pyike.nhrp.codec import IPAddress, IPNetwork
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
            subnet = next((a.network for a in iface.addresses if a.ip == destination), None)
            entry = table.exact(subnet) if subnet is not None else entry
        if entry is None:
            return None
        path = entry.paths[0]
        next_hop = None if path.via is None else ip_address(path.via)
        nhrp = entry.code is RouteCode.NHRP
        return Route(entry.prefix, next_hop, path.interface == self.tunnel, nhrp)


class MultipointTunnel:
    def __init__(self, router: Router, config: NhrpConfig) -> None:
        self.router = router
        self.name = config.interface
        self.engine = NhrpEngine(config, TunnelRouting(router, self.name), router.clock.now)
        self.debugging: set[DebugKind] = set()
        self.routes: dict[IPNetwork, RouteEntry] = {}  # the NHRP routes installed
        self.overrides: dict[IPNetwork, int] = {}  # next-hop overrides: prefix -> next hop
        self.arrival: IPAddress | None = None  # the NBMA the packet being forwarded came from
        self._pending: dict[IPAddress, deque[bytes]] = {}
        self._timer: Cancellable | None = None
        self._timer_at: float | None = None

    @property
    def config(self) -> NhrpConfig:
        return self.engine.config

    @property
    def _now(self) -> float:
        return self.router.clock.now

    # -- inputs --------------------------------------------------------------------------

    def start(self) -> None:
        """The tunnel is up: register with the NHSes."""
        self._carry_out(self.engine.start(self._now))

    def receive(self, packet: bytes, nbma: IPAddress) -> None:
        """An NHRP packet that came in GRE from `nbma`."""
        self._carry_out(self.engine.receive(self._now, packet, nbma))

    def forward(self, packet: bytes, next_hop: IPAddress, hairpin: bool) -> IPAddress | None:
        """The NBMA address a data packet for overlay `next_hop` goes to (None: drop it);
        `hairpin`: it came in on this tunnel, so its sender is told of a better path."""
        now = self._now
        if hairpin and self.arrival is not None:
            self._carry_out(self.engine.redirect(now, packet, self.arrival))
        forwarding = self.engine.resolve(now, next_hop)
        self._carry_out(forwarding.actions)
        return forwarding.nbma

    def peer_up(self, nbma: IPAddress) -> None:
        """The SA with `nbma` came up: what waited for it goes."""
        for packet in self._pending.pop(nbma, ()):
            self.router.multipoint_send(self.name, nbma, NHRP_PROTOCOL_TYPE, packet)

    def clear(self) -> None:
        """`clear ip nhrp`."""
        self._carry_out(self.engine.clear(self._now))

    # -- the engine's actions ------------------------------------------------------------

    def _carry_out(self, actions: list[Action]) -> None:
        for action in actions:
            self._do(action)
        self._rearm()

    def _do(self, action: Action) -> None:
        router = self.router
        if isinstance(action, SendNhrp):
            self._send(action.nbma, action.packet)
        elif isinstance(action, NeedCryptoSa | ReleaseCryptoSa):
            wanted = isinstance(action, NeedCryptoSa)
            if not wanted:
                self._pending.pop(action.nbma, None)
            router.multipoint_want(self.name, action.nbma, wanted)
        elif isinstance(action, InstallRoute):
            self._install(action)
        elif isinstance(action, RemoveRoute):
            self._remove(action)
        elif isinstance(action, Syslog) or (
            isinstance(action, Debug) and action.kinds & self.debugging
        ):
            router.log_line(action.text)

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
        deadline = self.engine.next_deadline()
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
        self._carry_out(self.engine.on_timer(self._now))


__all__ = ["NHRP_PROTOCOL_TYPE", "MultipointTunnel", "TunnelRouting"]
