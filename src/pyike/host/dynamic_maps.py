"""Dynamic crypto maps on a host: the SAs that peers set up through them.

A crypto map entry `ipsec-isakmp dynamic DYN` names no peer: any peer that authenticates with
the IKEv2 profile of one of DYN's entries may set up SAs through it, for the selectors it asks
(within DYN's ACL when it has one). The host never initiates them. Each SA goes by the name
of the entry it filled and the peer's selectors (`pyike.ike.child_select.selector_name`), and
carries what its selectors hold, outbound on the interface the map is applied to and inbound
from it. With `reverse-route`, each SA brings a static route to its remote selector through
its peer while it is up (IOS's reverse route injection).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, summarize_address_range

from pyike.config.model import Config, Route
from pyike.config.query import ChildSaPolicy, dynamic_map_policies
from pyike.ike.events import ChildSaInfo
from pyike.ipsec.acl_match import Flow, MapEntry, map_entries
from pyike.traffic_selector import TrafficSelector

_FILLED = " to "  # between the entry's name and the selectors in a dynamic SA's name


@dataclass(frozen=True)
class DynamicEntry:
    """A dynamic map's entry as a crypto map on `interface` holds it (`entry`: the crypto
    map's entry that names the dynamic map)."""

    interface: str
    entry: MapEntry
    policy: ChildSaPolicy


@dataclass(frozen=True)
class DynamicSa:
    """An SA a peer set up through a dynamic entry: what it carries, as integers."""

    name: str
    owner: DynamicEntry
    peer: IPv4Address
    local: tuple[tuple[int, int, int, int, int], ...]  # (start, end, protocol, low, high)
    remote: tuple[tuple[int, int, int, int, int], ...]

    def carries(self, flow: Flow) -> bool:
        """Whether `flow` leaving is this SA's to protect."""
        return _within(flow.src, flow.protocol, flow.src_port, self.local) and _within(
            flow.dst, flow.protocol, flow.dst_port, self.remote
        )

    def mirrors(self, flow: Flow) -> bool:
        """Whether `flow`, arriving, is what this SA's peer may send."""
        return self.carries(flow.reversed())

    def reverse_routes(self) -> list[Route]:
        """The static routes `reverse-route` makes of the remote selectors, via the peer."""
        out = []
        for start, end, _, _, _ in self.remote:
            first, last = IPv4Address(start), IPv4Address(end)
            for network in summarize_address_range(first, last):
                if network.prefixlen:  # any/any is the peer's whole world: no default route
                    out.append(Route(network, str(network.netmask), next_hop=self.peer))
        return out


def _ranges(selectors: tuple[TrafficSelector, ...]) -> tuple[tuple[int, int, int, int, int], ...]:
    return tuple(
        (int(ts.start), int(ts.end), ts.protocol, ts.start_port, ts.end_port)
        for ts in selectors
        if ts.start.version == 4
    )


def _within(
    address: int,
    protocol: int,
    port: int | None,
    ranges: tuple[tuple[int, int, int, int, int], ...],
) -> bool:
    for start, end, proto, low, high in ranges:
        if not start <= address <= end or (proto and proto != protocol):
            continue
        if (low, high) == (0, 65535) or (port is not None and low <= port <= high):
            return True
    return False


class DynamicMaps:
    """The dynamic entries of a configuration's applied crypto maps, and the SAs peers set up
    through them, by interface."""

    def __init__(self, config: Config) -> None:
        self.entries: dict[str, DynamicEntry] = {}
        for iface in config.interfaces.values():
            if iface.crypto_map is None:
                continue
            for entry in config.crypto_maps.get(iface.crypto_map, ()):
                if entry.dynamic is None:
                    continue
                (placed,) = (e for e in map_entries(config, entry.map_name) if e.seq == entry.seq)
                for policy in dynamic_map_policies(config, entry):
                    self.entries.setdefault(policy.name, DynamicEntry(iface.name, placed, policy))
        self.sas: dict[str, dict[str, DynamicSa]] = {}  # by interface, by SA name

    def owner(self, sa_name: str) -> DynamicEntry | None:
        """The dynamic entry an SA name was made from, if it was."""
        return self.entries.get(sa_name.partition(_FILLED)[0]) if self.entries else None

    def up(self, info: ChildSaInfo) -> DynamicSa | None:
        """An SA of a dynamic entry is up (its first child SA installed)."""
        name = info.tunnel
        owner = self.owner(name) if name is not None else None
        if name is None or owner is None or not isinstance(info.remote.address, IPv4Address):
            return None
        sa = DynamicSa(
            name, owner, info.remote.address, _ranges(info.local_ts), _ranges(info.remote_ts)
        )
        self.sas.setdefault(owner.interface, {})[name] = sa
        return sa

    def down(self, name: str) -> DynamicSa | None:
        """A dynamic SA lost its last child SA: it carries nothing more."""
        for by_name in self.sas.values():
            gone = by_name.pop(name, None)
            if gone is not None:
                return gone
        return None

    def carrying(self, interface: str, flow: Flow) -> DynamicSa | None:
        """The SA that protects `flow` leaving `interface`, if a peer set one up."""
        return next((sa for sa in self.sas.get(interface, {}).values() if sa.carries(flow)), None)

    def expecting(self, interface: str, flow: Flow) -> DynamicSa | None:
        """The SA whose peer would send `flow`, arriving on `interface`, encrypted."""
        return next((sa for sa in self.sas.get(interface, {}).values() if sa.mirrors(flow)), None)

    def reverse_routes(self) -> list[Route]:
        """What reverse route injection adds for the SAs up now."""
        return [
            route
            for by_name in self.sas.values()
            for sa in by_name.values()
            if sa.owner.policy.reverse_route
            for route in sa.reverse_routes()
        ]
