"""The FlexVPN client (`crypto ikev2 client flexvpn NAME`): which hub a tunnel with `tunnel
destination dynamic` (`client connect TunnelN`) connects to, chosen as IOS chooses.

- Peers are preferred in the order of their numbers (`peer 1` first). A peer is *possible*
  while its track object is in the state its `peer N ADDRESS track T [up|down]` asks for (up
  by default); a peer without one is always possible. A peer named by FQDN is never possible
  here: the lab has no DNS to resolve it.
- The client connects to the first possible peer; when the active peer fails (dead peer
  detection declares it dead, the IKE negotiation with it fails, its SA is cleared) or stops
  being possible, it selects the next possible peer after it in the list, wrapping round.
- With `peer reactivate`, a peer preferred to the active one that becomes possible again
  takes over: the client leaves the active peer and connects to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyike.config.flexvpn_model import FlexClient, FlexClientPeer

Possible = Callable[[FlexClientPeer], bool]


@dataclass
class ClientTunnel:
    """One `client connect` tunnel of a FlexVPN client and the peer it is aimed at."""

    client: FlexClient
    tunnel: str
    active: FlexClientPeer | None = None
    tried: bool = False  # an IKE SA with the active peer was started since it was chosen

    def first(self, possible: Possible) -> FlexClientPeer | None:
        """The peer to connect to: the most preferred possible one."""
        return next((p for p in self.client.peers if _usable(p, possible)), None)

    def after(self, failed: FlexClientPeer, possible: Possible) -> FlexClientPeer | None:
        """The peer to try when `failed` fails: the next possible one after it in the list,
        wrapping round (`failed` itself last, when it is the only one)."""
        peers = list(self.client.peers)
        start = next((i for i, p in enumerate(peers) if p.priority == failed.priority), -1)
        ordered = peers[start + 1 :] + peers[: start + 1]
        return next((p for p in ordered if _usable(p, possible)), None)

    def better(self, possible: Possible) -> FlexClientPeer | None:
        """With `peer reactivate`, a possible peer preferred to the active one; else None."""
        if not self.client.reactivate or self.active is None:
            return None
        best = self.first(possible)
        if best is None or best.priority >= self.active.priority:
            return None
        return best


def _usable(peer: FlexClientPeer, possible: Possible) -> bool:
    return peer.address is not None and possible(peer)


def client_tunnels(clients: dict[str, FlexClient]) -> dict[str, ClientTunnel]:
    """The tunnels FlexVPN clients connect on their own (`connect auto`, the default), by
    tunnel name."""
    return {
        tunnel: ClientTunnel(client, tunnel)
        for client in clients.values()
        if client.connect == "auto"
        for tunnel in client.tunnels
    }


__all__ = ["ClientTunnel", "Possible", "client_tunnels"]
