"""The FlexVPN client (`crypto ikev2 client flexvpn NAME`): which hub a tunnel with `tunnel
destination dynamic` (`client connect TunnelN`) connects to, chosen as IOS chooses, and when.

- Peers are preferred in the order of their numbers (`peer 1` first). A peer is *possible*
  while its track object is in the state its `peer N ... track T [up|down]` asks for (up by
  default); a peer without one is always possible.
- A peer named by FQDN (`peer N fqdn NAME [dynamic] [ipv6]`) is resolved when the client
  connects to it, once (with `dynamic`: at every connection); a name that does not resolve
  counts as a failed peer: the client tries the next.
- The client connects to the first possible peer; when the active peer fails (dead peer
  detection declares it dead, the IKE negotiation with it fails, its SA is cleared) or stops
  being possible, it selects the next possible peer after it in the list, wrapping round.
- With `peer reactivate`, a peer preferred to the active one that becomes possible again
  takes over: the client leaves the active peer and connects to it.
- `connect auto` (the default) connects at once; `connect manual` when told to (`crypto
  ikev2 client flexvpn connect NAME`); `connect track N [up|down]` while track N is up (or
  down), disconnecting when it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from pyike.config.flexvpn_model import FlexClient, FlexClientPeer
from pyike.config.writer_flexvpn import client_peer_line

Address = IPv4Address | IPv6Address
Possible = Callable[[FlexClientPeer], bool]
Resolve = Callable[[FlexClientPeer], Address | None]


@dataclass
class ClientTunnel:
    """One `client connect` tunnel of a FlexVPN client and the peer it is aimed at."""

    client: FlexClient
    tunnel: str
    active: FlexClientPeer | None = None
    address: Address | None = None  # the active peer's address (a name's, as resolved)
    tried: bool = False  # an IKE SA with the active peer was started since it was chosen
    wanted: bool = True  # the client is to be connected (see `connect_track`)
    _names: dict[int, Address] = field(default_factory=dict)  # names resolved once

    def first(self, possible: Possible) -> FlexClientPeer | None:
        """The peer to connect to: the most preferred possible one."""
        return next((p for p in self.client.peers if possible(p)), None)

    def after(self, failed: FlexClientPeer, possible: Possible) -> FlexClientPeer | None:
        """The peer to try when `failed` fails: the next possible one after it in the list,
        wrapping round (`failed` itself last, when it is the only one)."""
        peers = list(self.client.peers)
        start = next((i for i, p in enumerate(peers) if p.priority == failed.priority), -1)
        ordered = peers[start + 1 :] + peers[: start + 1]
        return next((p for p in ordered if possible(p)), None)

    def better(self, possible: Possible) -> FlexClientPeer | None:
        """With `peer reactivate`, a possible peer preferred to the active one; else None."""
        if not self.client.reactivate or self.active is None:
            return None
        best = self.first(possible)
        if best is None or best.priority >= self.active.priority:
            return None
        return best

    def address_of(self, peer: FlexClientPeer, resolve: Resolve) -> Address | None:
        """The address to connect to `peer` at: its own, or its name's as `resolve` finds it
        (a name without `dynamic` is resolved the first time only); None: not resolved."""
        if peer.address is not None:
            return peer.address
        if not peer.dynamic and peer.priority in self._names:
            return self._names[peer.priority]
        address = resolve(peer)
        if address is not None and not peer.dynamic:
            self._names[peer.priority] = address
        return address

    def reachable(
        self, peer: FlexClientPeer | None, possible: Possible, resolve: Resolve
    ) -> tuple[tuple[FlexClientPeer, Address] | None, list[FlexClientPeer]]:
        """From `peer` on (in `after`'s order), the first peer whose address is known, with
        it (None: no peer's), and the peers passed over because their names did not resolve,
        in the order they were tried."""
        unresolved: list[FlexClientPeer] = []
        while peer is not None and peer not in unresolved:
            address = self.address_of(peer, resolve)
            if address is not None:
                return (peer, address), unresolved
            unresolved.append(peer)
            peer = self.after(peer, possible)
        return None, unresolved


def ip_host(hosts: Mapping[str, Sequence[Address]], name: str, ipv6: bool) -> Address | None:
    """Name ``name``'s first address of the family asked for among `ip host` / `ipv6 host`
    lines (names compared as IOS compares them, case aside); None: not there."""
    wanted = name.lower().rstrip(".")
    for host, addresses in hosts.items():
        if host.lower() == wanted:
            return next((a for a in addresses if a.version == (6 if ipv6 else 4)), None)
    return None


def connect_track(client: FlexClient) -> tuple[int, bool] | None:
    """`connect track N [up|down]`: (N, whether the client connects while it is up)."""
    words = client.connect.split()
    if words[0] != "track":
        return None
    return int(words[1]), words[2:] != ["down"]


def tracked_lines(client: FlexClient) -> list[tuple[str, int]]:
    """The lines of `client` that follow a track object (`peer N ... track T`, `connect
    track N`), as written, each with its track object's number."""
    lines = [(client_peer_line(p), p.track) for p in client.peers if p.track is not None]
    connect = connect_track(client)
    if connect is not None:
        lines.append((f"connect {client.connect}", connect[0]))
    return lines


def client_tunnels(clients: dict[str, FlexClient]) -> dict[str, ClientTunnel]:
    """Every FlexVPN client's tunnels, by tunnel name; those with `connect auto` (the
    default) are wanted connected from the start."""
    return {
        tunnel: ClientTunnel(client, tunnel, wanted=client.connect == "auto")
        for client in clients.values()
        for tunnel in client.tunnels
    }


__all__ = [
    "Address",
    "ClientTunnel",
    "Possible",
    "Resolve",
    "client_tunnels",
    "connect_track",
    "ip_host",
    "tracked_lines",
]
