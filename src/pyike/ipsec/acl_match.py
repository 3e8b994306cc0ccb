"""Crypto map ACL matching, shared by the lab's crypto maps and the gateway's.

For a packet leaving an interface with `crypto map NAME`, the map's entries are tried in
sequence order; in each, the first access-list line that matches decides: `permit` protects
the packet with that entry's SA, `deny` goes on to the next entry. Inbound, decrypted traffic
must mirror its entry's ACL (`MapEntry.verdict(flow.reversed())`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from pyike.config.model import AclAddress, AclEntry, Config, PortMatch

PROTO_TCP = 6
PROTO_UDP = 17
CRYPTO_MAP_PREFIX = "crypto map "  # how pyike.config.query names a crypto map entry's SAs

_V4_HEAD = struct.Struct(">BxHxxHxB2x4s4s")


def entry_name(map_name: str, seq: int) -> str:
    """The name a crypto map entry's SAs go by (as `pyike.config.query` names it)."""
    return f"{CRYPTO_MAP_PREFIX}{map_name} {seq}"


def is_entry_name(name: str) -> bool:
    """Whether an SA name is a crypto map entry's (rather than a tunnel interface's)."""
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

    @property
    def name(self) -> str:
        return entry_name(self.map_name, self.seq)

    def verdict(self, flow: Flow) -> bool | None:
        """True: permitted (protect); False: denied; None: no line matched."""
        for ace in self.acl:
            if ace_matches(ace, flow):
                return ace.action == "permit"
        return None


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
    for entry in entries:
        if entry.verdict(flow):
            return entry
    return None
