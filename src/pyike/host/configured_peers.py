"""What each IKE SA's configuration exchange gave a router (routes, a negotiated address),
kept until the SA goes; a rekeyed SA's successor takes it over. The lab's routers and the
gateway's Virtual-Access clones both keep it so."""

from __future__ import annotations

from pyike.ike.events import IkeSaDown, PeerConfigured


class ConfiguredPeers:
    """The PeerConfigured events of the IKE SAs that are up, by SA."""

    def __init__(self) -> None:
        self._by_sa: dict[int, PeerConfigured] = {}

    def add(self, event: PeerConfigured) -> None:
        self._by_sa[event.sa_id] = event

    def gone(self, event: IkeSaDown) -> PeerConfigured | None:
        """What `event`'s SA configured, to take back now: None when it configured nothing,
        or when it was rekeyed (the new SA holds what the old one configured)."""
        done = self._by_sa.pop(event.sa_id, None)
        if done is not None and event.rekeyed_to is not None:
            self._by_sa[event.rekeyed_to] = done
            return None
        return done

    def of_tunnel(self, sa_name: str) -> list[PeerConfigured]:
        """What the SAs serving `sa_name` (a virtual template's clone) configured."""
        return [done for done in self._by_sa.values() if done.tunnel == sa_name]
