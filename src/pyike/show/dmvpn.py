"""`show dmvpn [detail]`: each mGRE tunnel's NHRP peers, one row per cache entry grouped by
the peer's NBMA address, with the state of the peer (crypto's when it is not up: `IKE`,
`IPSEC`; else NHRP's: `UP`, or `NHRP` while an NHS has not answered or a resolution is
incomplete), how long it has been so, and the entry's attributes.

The crypto state comes from the host as a `CryptoPeer` per NBMA address; the lines of the
detail view's "Crypto Session Details" are the host's too (`crypto_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyike import ios_names
from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType
from pyike.nhrp.codec import IPAddress
from pyike.nhrp.engine import NhrpEngine, NhsStatus

LEGEND = [
    "Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete",
    "        N - NATed, L - Local, X - No Socket",
    "        T1 - Route Installed, T2 - Nexthop-override",
    "        C - CTS Capable, I2 - Temporary",
    "        # Ent --> Number of NHRP entries with same NBMA peer",
    "        NHS Status: E --> Expecting Replies, R --> Responding, W --> Waiting",
    "        UpDn Time --> Up or Down Time for a Tunnel",
    "=" * 74,
    "",
]
HEADER = [
    " # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb",
    " ----- --------------- --------------- ----- -------- -----",
]
DETAIL_HEADER = [
    "# Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb    Target Network",
    "----- --------------- --------------- ----- -------- ----- -----------------",
]
UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class CryptoPeer:
    """Crypto's state toward one NBMA address: `UP`, or the stage it is stuck at (`IKE`:
    no IKE SA yet, `IPSEC`: no IPsec SA yet), since when (None: never up)."""

    state: str
    since: float | None = None


@dataclass(frozen=True)
class DmvpnInterface:
    """One mGRE tunnel interface: what its configuration and NHRP engine say of it."""

    name: str
    address: IPAddress
    source: IPAddress
    entries: tuple[CacheEntry, ...]
    nhs: tuple[NhsStatus, ...] = ()
    status: str = "up/up"
    vrf: str = ""
    tunnel_vrf: str = ""
    protect: str = ""
    holdtime: int = 7200
    crypto: Mapping[IPAddress, CryptoPeer] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        engine: NhrpEngine,
        now: float,
        protect: str = "",
        crypto: Mapping[IPAddress, CryptoPeer] | None = None,
    ) -> DmvpnInterface:
        """The interface as its NHRP engine knows it; `protect` names the `tunnel protection`
        profile, `crypto` is the crypto layer's state per peer NBMA address."""
        config = engine.config
        return cls(
            name=config.interface,
            address=config.own,
            source=config.nbma,
            entries=tuple(engine.entries()),
            nhs=tuple(engine.nhs_status(now)),
            protect=protect,
            holdtime=config.holdtime,
            crypto=crypto or {},
        )

    @property
    def role(self) -> str:
        """ "Hub", "Spoke", or "Hub/Spoke" for an NHS that registers with another."""
        serves = any(EntryFlag.REGISTERED in e.flags for e in self.entries)
        if self.nhs:
            return "Hub/Spoke" if serves else "Spoke"
        return "Hub"


@dataclass(frozen=True)
class _Row:
    nbma: str
    tunnel: str
    state: str
    updn: str
    attributes: str
    target: str


def _attributes(entry: CacheEntry, protected: bool) -> str:
    letter = {EntryType.STATIC: "S", EntryType.DYNAMIC: "D", EntryType.INCOMPLETE: "I"}
    text = letter[entry.type]
    if EntryFlag.NAT in entry.flags:
        text += "N"
    if entry.type is EntryType.INCOMPLETE and protected:
        text += "X"
    if EntryFlag.RIB in entry.flags:
        text += "T1"
    if EntryFlag.NHO in entry.flags:
        text += "T2"
    return text


def _nhrp_state(tunnel: DmvpnInterface, entry: CacheEntry, now: float) -> tuple[str, str]:
    """NHRP's own view of an entry's peer: state and up/down time."""
    if entry.type is EntryType.INCOMPLETE:
        return "NHRP", "never"
    server = next((s for s in tunnel.nhs if s.nbma == entry.nbma), None)
    if server is None or entry.type is not EntryType.STATIC:
        return "UP", ios_names.uptime(int(now - entry.created))
    if server.responding and server.up_since is not None:
        return "UP", ios_names.uptime(int(now - server.up_since))
    if server.replied_at is None:
        return "NHRP", "never"
    return "NHRP", ios_names.uptime(int(now - server.replied_at - tunnel.holdtime))


def _row(tunnel: DmvpnInterface, entry: CacheEntry, now: float) -> _Row:
    state, updn = _nhrp_state(tunnel, entry, now)
    crypto = tunnel.crypto.get(entry.nbma) if entry.nbma is not None else None
    if crypto is not None and crypto.state != "UP":
        state = crypto.state
        updn = "never" if crypto.since is None else ios_names.uptime(int(now - crypto.since))
    target = f"{ios_names.address(entry.target.network_address)}/{entry.target.prefixlen}"
    return _Row(
        UNKNOWN if entry.nbma is None else ios_names.address(entry.nbma),
        ios_names.address(entry.next_hop),
        state,
        updn,
        _attributes(entry, bool(tunnel.protect)),
        target,
    )


def _peers(tunnel: DmvpnInterface, now: float) -> list[list[_Row]]:
    """Rows grouped by peer NBMA address, in address order (unknown ones last)."""
    groups: dict[IPAddress | None, list[_Row]] = {}
    for entry in tunnel.entries:
        if EntryFlag.LOCAL not in entry.flags:
            groups.setdefault(entry.nbma, []).append(_row(tunnel, entry, now))
    order = sorted(groups, key=lambda n: (n is None, 0 if n is None else n.version, n or 0))
    return [groups[nbma] for nbma in order]


def _columns(row: _Row) -> str:
    return f"{row.tunnel:>15} {row.state:>5} {row.updn:>8} {row.attributes:>5}"


def _brief_rows(group: list[_Row]) -> list[str]:
    first, *rest = group
    count = f"{len(group):>6}"
    if len(first.nbma) > 15:
        lines = [f"{count} {first.nbma}", f"{'':22} {_columns(first)}"]
    else:
        lines = [f"{count} {first.nbma:<15} {_columns(first)}"]
    return lines + [f"{'':22} {_columns(row)}" for row in rest]


def _detail_rows(group: list[_Row]) -> list[str]:
    return [
        f"{len(group) if index == 0 else '':>5} {row.nbma:<15} {_columns(row)}  {row.target:>17}"
        for index, row in enumerate(group)
    ]


def _brief(tunnel: DmvpnInterface, now: float) -> list[str]:
    peers = _peers(tunnel, now)
    lines = [
        f"Interface: {tunnel.name}, IPv{tunnel.address.version} NHRP Details ",
        f"Type:{tunnel.role}, NHRP Peers:{len(peers)}, ",
        "",
        *HEADER,
    ]
    for group in peers:
        lines += _brief_rows(group)
    return [*lines, ""]


def _brief6(tunnel: DmvpnInterface, now: float) -> list[str]:
    """An IPv6 overlay's section: IOS gives each peer a numbered block, its addresses too
    long for the IPv4 table's columns."""
    peers = _peers(tunnel, now)
    lines = [
        f"Interface: {tunnel.name}, IPv6 NHRP Details ",
        f"Type:{tunnel.role}, Total NBMA Peers (v4/v6): {len(peers)}",
    ]
    for number, group in enumerate(peers, 1):
        lines.append(f"    {number}.Peer NBMA Address: {group[0].nbma}")
        for index, row in enumerate(group):
            count = len(group) if index == 0 else 0
            lines += [
                f"        Tunnel IPv6 Address: {row.tunnel}",
                f"        IPv6 Target Network: {row.target}",
                f"        # Ent: {count}, Status: {row.state}, UpDn Time: {row.updn}, "
                f"Cache Attrib: {row.attributes}",
            ]
    return [*lines, ""]


def _detail(tunnel: DmvpnInterface, now: float) -> list[str]:
    peers = _peers(tunnel, now)
    lines = [
        f"Interface {tunnel.name} is {tunnel.status}, Addr. is "
        f'{ios_names.address(tunnel.address)}, VRF "{tunnel.vrf}"',
        f"   Tunnel Src./Dest. addr: {ios_names.address(tunnel.source)}/MGRE, "
        f'Tunnel VRF "{tunnel.tunnel_vrf}"',
        f'   Protocol/Transport: "multi-GRE/IP", Protect "{tunnel.protect}"',
        "   Interface State Control: Disabled",
        "   nhrp event-publisher : Disabled",
    ]
    if tunnel.nhs:
        lines += ["", f"IPv{tunnel.address.version} NHS:"]
        lines += [
            f"{ios_names.address(s.address)}  {s.letters} priority = 0 cluster = 0"
            for s in tunnel.nhs
        ]
    lines += [f"Type:{tunnel.role}, Total NBMA Peers (v4/v6): {len(peers)}", "", *DETAIL_HEADER]
    for group in peers:
        lines += _detail_rows(group)
    return [*lines, ""]


def show_dmvpn(
    tunnels: Iterable[DmvpnInterface],
    now: float,
    detail: bool = False,
    crypto_lines: Sequence[str] = (),
) -> list[str]:
    """The lines of `show dmvpn [detail]`; `crypto_lines` are the detail view's crypto
    sessions, as the host renders them."""
    lines = list(LEGEND)
    for tunnel in tunnels:
        if detail:
            lines += _detail(tunnel, now)
        else:
            lines += _brief(tunnel, now) if tunnel.address.version == 4 else _brief6(tunnel, now)
    if detail and crypto_lines:
        lines += ["", "Crypto Session Details:", "-" * 80, "", *crypto_lines]
    return lines
