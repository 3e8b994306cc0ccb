"""Crypto map ACL matching, shared by the lab's crypto maps and the gateway's.

For a packet leaving an interface with `crypto map NAME`, the map's entries are tried in
sequence order; in each, the first access-list line that matches decides: `permit` protects
the packet with the SA of that line, `deny` goes on to the next entry.

As on IOS, each `permit` line of an entry's ACL is negotiated as its own Child SA, with the
line's addresses, protocol and ports as selectors. The SAs go by the name of their line
(`line_sa_names`): the first permit line by the entry's own name, "crypto map CMAP 10", so
an entry with a one-line ACL looks as it always did; each further one by the entry's name and
the line's position in the ACL, "crypto map CMAP 10 line 3" (the third line of the ACL as
`show crypto map` lists it). Inbound, decrypted traffic must mirror the line its SA was
negotiated for (`MapEntry.mirrors`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from pyike.config.model import AclAddress, AclEntry, Config, PortMatch

PROTO_TCP = 6
PROTO_UDP = 17
CRYPTO_MAP_PREFIX = "crypto map "  # how pyike.config.query names a crypto map entry

_V4_HEAD = struct.Struct(">BxHxxHxB2x4s4s")


def entry_name(map_name: str, seq: int) -> str:
    """A crypto map entry's name (as `pyike.config.query` names it), which the SA of its
    first permit line goes by."""
    return f"{CRYPTO_MAP_PREFIX}{map_name} {seq}"


def line_sa_names(map_name: str, seq: int, acl: tuple[AclEntry, ...]) -> tuple[str | None, ...]:
    """The SA name of each line of an entry's ACL: None for `deny` lines and for `permit`
    lines IKEv2 cannot negotiate (`pyike.config.query.acl_selectors` skips them too)."""
    base = entry_name(map_name, seq)
    names: list[str | None] = []
    first = True
    for position, ace in enumerate(acl, start=1):
        if ace.action != "permit" or not negotiable(ace):
            names.append(None)
            continue
        names.append(base if first else f"{base} line {position}")
        first = False
    return tuple(names)


def negotiable(ace: AclEntry) -> bool:
    """Whether a line can be traffic selectors: contiguous wildcards and port ranges (not
    `neq`), as `pyike.config.query.acl_selectors` requires."""
    return not (
        ace.source.network() is None
        or ace.destination.network() is None
        or (ace.source_ports is not None and ace.source_ports.range() is None)
        or (ace.destination_ports is not None and ace.destination_ports.range() is None)
    )


def is_entry_name(name: str) -> bool:
    """Whether an SA name is a crypto map line's (rather than a tunnel interface's)."""
    return name.startswith(CRYPTO_MAP_PREFIX)


@dataclass(frozen=True, slots=True)
class Flow:
    """What an ACL looks at in a packet."""

    src: int
    dst: int
    protocol: int
    src_port: int | None = None  # TCP/UDP only, and only in a first fragment
    dst_port: int | None = None

    @classmethod
    def of(cls, data: bytes | memoryview) -> Flow | None:
        """The flow of an IPv4 packet; None for anything else or a malformed header."""
        if len(data) < 20:
            return None
        vihl, total, flags, protocol, src, dst = _V4_HEAD.unpack_from(data)
        ihl = (vihl & 0x0F) * 4
        if vihl >> 4 != 4 or ihl < 20 or total < ihl or total > len(data):
            return None
        if protocol in (PROTO_TCP, PROTO_UDP) and not flags & 0x1FFF and total - ihl >= 4:
            src_port, dst_port = struct.unpack_from(">HH", data, ihl)
            return cls(
                int.from_bytes(src, "big"), int.from_bytes(dst, "big"), protocol, src_port, dst_port
            )
        return cls(int.from_bytes(src, "big"), int.from_bytes(dst, "big"), protocol)

    def reversed(self) -> Flow:
        return Flow(self.dst, self.src, self.protocol, self.dst_port, self.src_port)

    def not_ipsec_message(self) -> str:
        """IOS's log line for this packet arriving in clear where IPsec was expected."""
        return (
            "%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSec packet. "
            f"(ip) vrf/dest_addr= /{IPv4Address(self.dst)}, "
            f"src_addr= {IPv4Address(self.src)}, prot= {self.protocol}"
        )


def _address_matches(acl: AclAddress, address: int) -> bool:
    wildcard = int(acl.wildcard)
    return (address & ~wildcard) & 0xFFFFFFFF == int(acl.address) & ~wildcard & 0xFFFFFFFF


def port_ranges(match: PortMatch) -> tuple[tuple[int, int], ...]:
    """The ports a port match accepts, as inclusive intervals (`neq` gives the gaps)."""
    span = match.range()
    if span is not None:
        return (span,) if span[0] <= span[1] else ()
    out: list[tuple[int, int]] = []
    start = 0
    for port in sorted(set(match.ports)):
        if port > start:
            out.append((start, port - 1))
        start = port + 1
    if start <= 65535:
        out.append((start, 65535))
    return tuple(out)


def _port_matches(match: PortMatch | None, port: int | None) -> bool:
    if match is None:
        return True
    if port is None:
        return False
    return any(low <= port <= high for low, high in port_ranges(match))


def ace_matches(ace: AclEntry, flow: Flow) -> bool:
    """Whether one access-list line matches a packet (IOS extended ACL semantics)."""
    if ace.protocol != "ip" and ace.protocol_number != flow.protocol:
        return False
    return (
        _address_matches(ace.source, flow.src)
        and _address_matches(ace.destination, flow.dst)
        and _port_matches(ace.source_ports, flow.src_port)
        and _port_matches(ace.destination_ports, flow.dst_port)
    )


@dataclass(frozen=True)
class MapEntry:
    map_name: str
    seq: int
    acl: tuple[AclEntry, ...]
    sa_names: tuple[str | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sa_names", line_sa_names(self.map_name, self.seq, self.acl))

    @property
    def name(self) -> str:
        return entry_name(self.map_name, self.seq)

    @property
    def line_names(self) -> tuple[str, ...]:
        """The names of the entry's SAs, one per negotiable permit line, in ACL order."""
        return tuple(name for name in self.sa_names if name is not None)

    def _first_match(self, flow: Flow) -> int | None:
        for index, ace in enumerate(self.acl):
            if ace_matches(ace, flow):
                return index
        return None

    def verdict(self, flow: Flow) -> bool | None:
        """True: permitted (protect); False: denied; None: no line matched."""
        index = self._first_match(flow)
        return None if index is None else self.acl[index].action == "permit"

    def protecting(self, flow: Flow) -> MapHit | None:
        """The line that permits `flow` (None when a `deny` line or no line matches)."""
        index = self._first_match(flow)
        if index is None or self.acl[index].action != "permit":
            return None
        return MapHit(self, self.sa_names[index])

    def line_of(self, sa_name: str) -> AclEntry | None:
        """The ACL line an SA of this entry was negotiated for."""
        for ace, name in zip(self.acl, self.sa_names, strict=True):
            if name == sa_name:
                return ace
        return None

    def mirrors(self, sa_name: str, flow: Flow) -> bool:
        """Whether decrypted `flow`, received on SA `sa_name`, is the mirror of its line."""
        ace = self.line_of(sa_name)
        return ace is not None and ace_matches(ace, flow.reversed())


@dataclass(frozen=True, slots=True)
class MapHit:
    """A packet a crypto map protects: the entry, and the SA of the line that permitted it
    (None for a line IKEv2 cannot negotiate: no SA can protect that traffic)."""

    entry: MapEntry
    sa_name: str | None


def map_entries(config: Config, map_name: str) -> tuple[MapEntry, ...]:
    """A crypto map's entries in sequence order, each with its ACL's lines (none when the
    ACL is missing: such an entry protects nothing)."""
    entries = sorted(config.crypto_maps.get(map_name, ()), key=lambda e: e.seq)
    return tuple(
        MapEntry(
            e.map_name,
            e.seq,
            config.access_lists[e.acl].entries
            if e.acl is not None and e.acl in config.access_lists
            else (),
        )
        for e in entries
    )


def maps_by_interface(config: Config) -> dict[str, tuple[MapEntry, ...]]:
    """The entries of the crypto map applied to each interface, by interface name."""
    return {
        iface.name: map_entries(config, iface.crypto_map)
        for iface in config.interfaces.values()
        if iface.crypto_map is not None
    }


def first_permitting(entries: tuple[MapEntry, ...], flow: Flow) -> MapEntry | None:
    """The entry that protects `flow`: the first whose ACL permits it."""
    hit = protecting_line(entries, flow)
    return None if hit is None else hit.entry


def protecting_line(entries: tuple[MapEntry, ...], flow: Flow) -> MapHit | None:
    """The entry and line that protect `flow`: the first entry whose ACL permits it, and in
    it the first line that matches."""
    for entry in entries:
        hit = entry.protecting(flow)
        if hit is not None:
            return hit
    return None


def sa_index(
    maps: dict[str, tuple[MapEntry, ...]],
) -> dict[str, tuple[str, MapEntry]]:
    """(interface, entry) by SA name, for the crypto maps on each interface (a map applied
    to several interfaces: the first)."""
    out: dict[str, tuple[str, MapEntry]] = {}
    for interface, entries in maps.items():
        for entry in entries:
            for name in entry.line_names:
                out.setdefault(name, (interface, entry))
    return out
