"""`show ip nhrp [detail]` (and `show ipv6 nhrp [detail]`, laid out alike): the NHRP cache of
each tunnel, as IOS-XE prints it.

    10.0.0.2/32 via 10.0.0.2
       Tunnel0 created 00:17:49, expire 01:42:10
       Type: dynamic, Flags: unique registered used
       NBMA address: 198.51.100.2

`detail` adds the preference, the requesters of local entries and an incomplete entry's cache
hits. A client registered from behind a NAT shows the NBMA address it claimed.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyike import ios_names
from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType
from pyike.nhrp.codec import PacketType
from pyike.nhrp.engine import NhrpTraffic, NhsStatus


def _head(entry: CacheEntry) -> str:
    target = f"{ios_names.address(entry.target.network_address)}/{entry.target.prefixlen}"
    if entry.type is EntryType.INCOMPLETE:
        return target
    return f"{target} via {ios_names.address(entry.next_hop)}"


def _lifetime(interface: str, entry: CacheEntry, now: float) -> str:
    created = ios_names.uptime(int(now - entry.created))
    if entry.expires is None:
        return f"   {interface} created {created}, never expire"
    return f"   {interface} created {created}, expire {ios_names.hms(int(entry.expires - now))}"


def entry_lines(interface: str, entry: CacheEntry, now: float, detail: bool) -> list[str]:
    flags = " ".join(entry.flag_names())
    lines = [
        _head(entry),
        _lifetime(interface, entry, now),
        f"   Type: {entry.type.value}, Flags:{' ' + flags if flags else ''}",
    ]
    if entry.nbma is not None:
        lines.append(f"   NBMA address: {ios_names.address(entry.nbma)}")
    if detail and entry.type is not EntryType.INCOMPLETE:
        lines.append(f"   Preference: {entry.preference}")
    if entry.claimed_nbma is not None:
        lines.append(f"    (Claimed NBMA address: {ios_names.address(entry.claimed_nbma)})")
    if EntryFlag.LOCAL in entry.flags:
        lines.append("    (no-socket)")
        if detail:
            lines += [
                f"  Requester: {ios_names.address(r.protocol)} Request ID: {r.request_id}"
                for r in entry.requesters
            ]
    if detail and entry.type is EntryType.INCOMPLETE:
        lines.append(f"   Cache hits: {entry.cache_hits}")
    return lines


def show_ip_nhrp(
    tunnels: Iterable[tuple[str, Iterable[CacheEntry]]], now: float, detail: bool = False
) -> list[str]:
    """The lines of `show ip nhrp [detail]` for each (interface name, its cache entries)."""
    lines: list[str] = []
    for interface, entries in tunnels:
        for entry in entries:
            lines += entry_lines(interface, entry, now, detail)
    return lines


NHS_LEGEND = "Legend: E=Expecting replies, R=Responding, W=Waiting, D=Dynamic"


def show_ip_nhrp_nhs(
    tunnels: Iterable[tuple[str, list[NhsStatus]]], now: float, detail: bool = False
) -> list[str]:
    """`show ip nhrp nhs [detail]`: the next hop servers each tunnel registers with, whether
    they answer, and with `detail` the registration requests sent, failed and answered (and
    how long ago the last answer came)."""
    lines = [NHS_LEGEND]
    for name, servers in tunnels:
        if not servers:
            continue
        lines.append(f"{name}:")
        for nhs in servers:
            row = (
                f"{ios_names.address(nhs.address)}  {nhs.letters}  NBMA Address: "
                f"{ios_names.address(nhs.nbma)} priority = 0 cluster = 0"
            )
            if detail:
                row += (
                    f"  req-sent {nhs.requests}  req-failed {nhs.failures}  repl-recv {nhs.replies}"
                )
                if nhs.replied_at is not None:
                    row += f" ({ios_names.hms(int(now - nhs.replied_at))} ago)"
            lines.append(row)
    return lines


# `show ip nhrp traffic`'s three lines of counts: the packet types in IOS's order, and where
# the redirects suppressed go (last on the third line)
_TRAFFIC_ROWS: tuple[tuple[PacketType | None, ...], ...] = (
    (PacketType.RESOLUTION_REQUEST, PacketType.RESOLUTION_REPLY, PacketType.REGISTRATION_REQUEST),
    (PacketType.REGISTRATION_REPLY, PacketType.PURGE_REQUEST, PacketType.PURGE_REPLY),
    (PacketType.ERROR_INDICATION, PacketType.TRAFFIC_INDICATION, None),
)


def _traffic_counts(title: str, counts: dict[PacketType, int], suppressed: int) -> list[str]:
    lines = [f"   {title}: Total {sum(counts.values())}"]
    for row in _TRAFFIC_ROWS:
        cells = [
            f"{suppressed} Redirect Suppress"
            if kind is None
            else f"{counts.get(kind, 0)} {kind.ios_name}"
            for kind in row
        ]
        lines.append("         " + "  ".join(cells))
    return lines


def show_ip_nhrp_traffic(tunnels: Iterable[tuple[str, NhrpTraffic]]) -> list[str]:
    """`show ip nhrp traffic [interface IF]`: per tunnel, its `max-send` quota and how much of
    it the last interval used, then the NHRP packets sent and received by type (Total is
    their sum; a Traffic Indication held back by `ip nhrp redirect timeout` counts as a
    Redirect Suppress, sent by none)."""
    lines: list[str] = []
    for name, traffic in tunnels:
        lines.append(
            f"{name}: Max-send limit:{traffic.max_send}Pkts/{traffic.max_send_interval}Sec,"
            f" Usage:{traffic.usage}%"
        )
        lines += _traffic_counts("Sent", dict(traffic.sent), traffic.redirects_suppressed)
        lines += _traffic_counts("Rcvd", dict(traffic.received), 0)
    return lines
