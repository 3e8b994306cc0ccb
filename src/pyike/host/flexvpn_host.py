"""A crypto host that runs FlexVPN clients (`crypto ikev2 client flexvpn NAME`), shared by the
lab's routers and `pyike run`: which hub each `client connect` tunnel is aimed at, and when it
moves (`pyike.host.flexvpn_client` chooses, this drives). What differs between them is asked
of the subclass: the state of a track object, the address of a `peer N fqdn NAME`, and what
else follows the tunnel's destination (the lab router's `tunnel destination`)."""

from __future__ import annotations

from pyike.adapter.config_policy import tunnel_spec_toward
from pyike.config.flexvpn_model import FlexClientPeer
from pyike.config.model import Config
from pyike.host.crypto_host import CryptoHost
from pyike.host.flexvpn_client import Address, ClientTunnel, client_tunnels, connect_track
from pyike.ike.events import Endpoint, IkeSaDown


class FlexClientHost(CryptoHost):
    """The host's FlexVPN client tunnels, by tunnel name (`flex_clients`)."""

    flex_clients: dict[str, ClientTunnel]

    # -- what the subclass answers ---------------------------------------------------------

    def track_up(self, track: int) -> bool:
        """Track object `track`'s state (one the host does not follow is Down)."""
        return False

    def resolve(self, peer: FlexClientPeer) -> Address | None:
        """A `peer N fqdn NAME`'s address now; None: the name does not resolve."""
        return None

    def aimed(self, tunnel: str, address: Address) -> None:
        """Tunnel `tunnel` now goes to `address` (its SAs follow through its spec)."""

    def unresolved(self, client_tunnel: ClientTunnel, peer: FlexClientPeer) -> None:
        """`peer`'s name did not resolve: the client passes it over."""

    # -- set-up ------------------------------------------------------------------------------

    def index_flex_clients(self, config: Config) -> None:
        """Every client's tunnels, none aimed anywhere yet; `connect_wanted` starts them."""
        self.flex_clients = client_tunnels(config.flexvpn.clients)
        for client_tunnel in self.flex_clients.values():
            client_tunnel.wanted = client_tunnel.wanted or self._track_wants(client_tunnel)

    def connect_wanted(self) -> None:
        """The clients that are to connect now (`connect auto`, a `connect track` that is)."""
        for client_tunnel in self.flex_clients.values():
            if client_tunnel.wanted:
                self.connect_client(client_tunnel)

    def aim_wanted(self) -> None:
        """The clients that are to connect aimed at their first peer, not started: traffic
        into the tunnel starts it (`pyike run --passive`)."""
        for client_tunnel in self.flex_clients.values():
            if client_tunnel.wanted:
                self._aim(client_tunnel, client_tunnel.first(self.peer_possible))

    # -- events ------------------------------------------------------------------------------

    def _apply(self, event: object) -> None:
        if isinstance(event, IkeSaDown) and event.rekeyed_to is None and self.flex_clients:
            self.call_later(0.0, self._reselect)
        super()._apply(event)

    def peer_possible(self, peer: FlexClientPeer) -> bool:
        """A client's peer may be chosen: its track object, if any, is as it asks."""
        return peer.track is None or self.track_up(peer.track) == peer.track_up

    def start_tunnel(self, name: str) -> None:
        client_tunnel = self.flex_clients.get(name)
        if client_tunnel is not None and not client_tunnel.wanted:
            return  # `connect manual|track`: not now
        super().start_tunnel(name)
        if client_tunnel is not None and self._live_with(client_tunnel.address):
            client_tunnel.tried = True

    def _live_with(self, address: Address | None) -> bool:
        """An IKE SA with the peer at `address` is up or being negotiated."""
        if address is None:
            return False
        return any(not sa.closed for sa in self.engine.ike_sas_with_peer(address))

    def _aim(self, client_tunnel: ClientTunnel, peer: FlexClientPeer | None) -> None:
        """The tunnel's destination and SAs go to `peer`, or the first peer after it whose
        name resolves (None: nowhere)."""
        found, unresolved = client_tunnel.reachable(peer, self.peer_possible, self.resolve)
        for failed in unresolved:
            self.unresolved(client_tunnel, failed)
        peer, address = found or (None, None)
        client_tunnel.active, client_tunnel.address, client_tunnel.tried = peer, address, False
        name = client_tunnel.tunnel
        spec = None
        if address is not None:
            self.aimed(name, address)
            spec = tunnel_spec_toward(self.config, name, address)
        if spec is None:
            self.specs.pop(name, None)
        else:
            self.specs[name] = spec

    def _reselect(self) -> None:
        """An IKE SA went: a client whose active peer has no SA left and whose tunnel is down
        moves to its next possible peer (IOS: the peer failed), or tries the peer it was just
        aimed at."""
        for client_tunnel in self.flex_clients.values():
            active = client_tunnel.active
            if not client_tunnel.wanted or active is None or self._up(client_tunnel):
                continue
            if self._live_with(client_tunnel.address):
                continue
            if client_tunnel.tried:
                active = client_tunnel.after(active, self.peer_possible)
            self._connect(client_tunnel, active)

    def tracks_changed(self) -> None:
        """A track object changed: a client not connected yet aims at its first possible
        peer; one whose active peer is no longer possible moves on; with `peer reactivate`,
        one that can have a preferred peer again goes back to it."""
        for client_tunnel in self.flex_clients.values():
            active = client_tunnel.active
            if connect_track(client_tunnel.client) is not None:
                wanted = self._track_wants(client_tunnel)
                if wanted and not client_tunnel.wanted:
                    self.connect_client(client_tunnel)
                    continue
                if client_tunnel.wanted and not wanted:
                    self.disconnect(client_tunnel)
                    continue
            if not client_tunnel.wanted:
                continue
            if not client_tunnel.tried and not self._up(client_tunnel):
                self._aim(client_tunnel, client_tunnel.first(self.peer_possible))
            elif active is not None and not self.peer_possible(active):
                self._switch(client_tunnel, client_tunnel.after(active, self.peer_possible))
            else:
                better = client_tunnel.better(self.peer_possible)
                if better is not None:
                    self._switch(client_tunnel, better)

    def _up(self, client_tunnel: ClientTunnel) -> bool:
        return self.sad.tunnel(client_tunnel.tunnel).current is not None

    def _switch(self, client_tunnel: ClientTunnel, peer: FlexClientPeer | None) -> None:
        """Leave the active peer (its SAs deleted, as `clear crypto session` would) for
        `peer`; the new SAs follow once the old ones are gone (`_reselect`)."""
        old, old_address = client_tunnel.active, client_tunnel.address
        if peer is None or peer == old:
            return
        self._aim(client_tunnel, peer)
        if old_address is not None:
            self.clear(Endpoint(old_address))
        self.start_tunnel(client_tunnel.tunnel)

    def _connect(self, client_tunnel: ClientTunnel, peer: FlexClientPeer | None) -> None:
        self._aim(client_tunnel, peer)
        if client_tunnel.active is not None:
            self.start_tunnel(client_tunnel.tunnel)

    def _track_wants(self, client_tunnel: ClientTunnel) -> bool:
        """`connect track N [up|down]`: track N is in that state."""
        track = connect_track(client_tunnel.client)
        return track is not None and self.track_up(track[0]) == track[1]

    # -- the exec commands -------------------------------------------------------------------

    def connect_client(self, client_tunnel: ClientTunnel) -> None:
        """Connect (`crypto ikev2 client flexvpn connect`, a `connect track` come true): to the
        first possible peer, unless connected or connecting already."""
        client_tunnel.wanted = True
        if self._up(client_tunnel) or self._live_with(client_tunnel.address):
            return
        self._connect(client_tunnel, client_tunnel.first(self.peer_possible))

    def clear_client(self, client_tunnel: ClientTunnel) -> None:
        """`clear crypto ikev2 client flexvpn NAME`: disconnected; `connect auto` (and a
        `connect track` still true) connects again, to its first possible peer, once the old
        SAs are gone; `connect manual` waits to be told to."""
        again = client_tunnel.client.connect == "auto" or self._track_wants(client_tunnel)
        if not again:
            self.disconnect(client_tunnel)
            return
        address = client_tunnel.address
        live = self._live_with(address)
        self._aim(client_tunnel, client_tunnel.first(self.peer_possible))
        if live and address is not None:
            self.clear(Endpoint(address))  # the new SAs follow once these are gone
        else:
            self.start_tunnel(client_tunnel.tunnel)

    def disconnect(self, client_tunnel: ClientTunnel) -> None:
        """Disconnect (`clear crypto ikev2 client flexvpn`, a `connect track` no longer true):
        the SAs with the active peer deleted, the tunnel aimed nowhere."""
        client_tunnel.wanted = False
        address = client_tunnel.address
        self._aim(client_tunnel, None)
        if address is not None:
            self.clear(Endpoint(address))


__all__ = ["FlexClientHost"]
