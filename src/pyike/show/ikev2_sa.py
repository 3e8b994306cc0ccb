"""`show crypto ikev2 sa [detailed]` and `show crypto ikev2 session [detailed]`.

The layout is IOS-XE's (which Cisco's genie parsers read): the algorithms on one line,
`Encr: ..., keysize: ..., PRF: ..., Hash: ..., DH Grp:..., Auth sign: PSK, Auth verify: PSK`
(transforms as `pyike.ios_names` spells them), and the detailed lines on fragmentation, dynamic
route update and extended authentication. IOS 15.1, which the seed document shows, omits PRF and
those three lines and wraps the algorithms over three lines; everything else is the same. With
`crypto ikev2 fragmentation` the fragmentation line says `IETF Std Fragmentation  enabled.` and,
once the peer has agreed to RFC 7383 fragmentation,
`IETF Std Fragmentation MTU in use: N bytes.` follows the dynamic route line, N being the
configured MTU less the IP and UDP headers (as a public IOS-XE 17 sample shows: MTU 1400, 1372
bytes in use). IPv4 SAs come first, then IPv6 SAs, whose addresses IOS prints on
`Local`/`Remote` lines of their own; both section headings are printed even when a section is
empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyike import ios_names
from pyike.config.query import TrafficSelector
from pyike.show.views import ChildSaView, IkeSaView, IkeSessionView, IPAddress

_INDENT = " " * 6
_LEFT = 34  # width of the left column of the paired "Local ... Remote ..." lines

IPV4_SA_HEADING = " IPv4 Crypto IKEv2  SA "
IPV6_SA_HEADING = " IPv6 Crypto IKEv2  SA "
IPV4_COLUMNS = f"{'Tunnel-id':<10}{'Local':<22}{'Remote':<22}{'fvrf/ivrf':<21}Status "
IPV6_COLUMNS = f"{'Tunnel-id':<10}{'fvrf/ivrf':<21}Status "


def _vrfs(sa: IkeSaView) -> str:
    return f"{sa.fvrf or 'none'}/{sa.ivrf or 'none'}"


def _endpoint(addr: object, port: int) -> str:
    return f"{addr}/{port}"


def _row(sa: IkeSaView) -> list[str]:
    local = _endpoint(ios_names.address(sa.local), sa.local_port)
    remote = _endpoint(ios_names.address(sa.remote), sa.remote_port)
    if sa.local.version == 4:
        return [f"{sa.tunnel_id!s:<10}{local:<22}{remote:<22}{_vrfs(sa):<21}{sa.state.value} "]
    return [
        f"{sa.tunnel_id!s:<10}{_vrfs(sa):<21}{sa.state.value} ",
        f"{'Local':<10}{local}",
        f"{'Remote':<10}{remote}",
    ]


def algorithms_line(sa: IkeSaView) -> str:
    return (
        f"{_INDENT}Encr: {ios_names.ike_encryption(sa.encryption)}, keysize: {sa.key_bits or 0}, "
        f"PRF: {ios_names.ike_prf(sa.prf)}, Hash: {ios_names.ike_integrity(sa.integrity)}, "
        f"DH Grp:{int(sa.dh_group)}, Auth sign: {sa.auth_sign}, Auth verify: {sa.auth_verify}"
    )


def _pair(left: str, right: str) -> str:
    return f"{_INDENT}{left:<{_LEFT}}{right}"


def _summary(sa: IkeSaView) -> list[str]:
    return [
        *_row(sa),
        algorithms_line(sa),
        f"{_INDENT}Life/Active Time: {sa.lifetime}/{sa.active_time} sec",
    ]


def _fragmentation(sa: IkeSaView) -> str:
    configured = sa.fragmentation or sa.fragmentation_mtu is not None
    return "IETF Std Fragmentation  enabled." if configured else "Fragmentation not  configured."


def _fragmentation_mtu(sa: IkeSaView) -> list[str]:
    if sa.fragmentation_mtu is None:
        return []
    return [f"{_INDENT}IETF Std Fragmentation MTU in use: {sa.fragmentation_mtu} bytes."]


def _detail(sa: IkeSaView) -> list[str]:
    return [
        *_summary(sa),
        f"{_INDENT}CE id: {sa.ce_id}, Session-id: {sa.session_id}",
        f"{_INDENT}Status Description: {sa.status_description}",
        _pair(f"Local spi: {sa.local_spi:016X}", f"Remote spi: {sa.remote_spi:016X}"),
        f"{_INDENT}Local id: {sa.local_id}",
        f"{_INDENT}Remote id: {sa.remote_id}",
        _pair(
            f"Local req msg id:  {sa.local_req_msg_id}",
            f"Remote req msg id:  {sa.remote_req_msg_id}",
        ),
        _pair(
            f"Local next msg id: {sa.local_next_msg_id}",
            f"Remote next msg id: {sa.remote_next_msg_id}",
        ),
        _pair(
            f"Local req queued:  {sa.local_req_queued}",
            f"Remote req queued:  {sa.remote_req_queued}",
        ),
        _pair(f"Local window:      {sa.local_window}", f"Remote window:      {sa.remote_window}"),
        f"{_INDENT}DPD configured for {sa.dpd_interval} seconds, retry {sa.dpd_retry}",
        f"{_INDENT}{_fragmentation(sa)}",
        f"{_INDENT}Dynamic Route Update: disabled",
        *_fragmentation_mtu(sa),
        f"{_INDENT}Extended Authentication not configured.",
        f"{_INDENT}NAT-T is {sa.nat.value}",
        f"{_INDENT}Cisco Trust Security SGT is disabled",
        f"{_INDENT}Initiator of SA : {'Yes' if sa.initiator else 'No'}",
    ]


def _sa_lines(sa: IkeSaView, detailed: bool) -> list[str]:
    return _detail(sa) if detailed else _summary(sa)


def _by_family(sas: Iterable[IkeSaView]) -> tuple[list[IkeSaView], list[IkeSaView]]:
    ordered = sorted(sas, key=lambda s: s.tunnel_id)
    return [s for s in ordered if s.local.version == 4], [
        s for s in ordered if s.local.version == 6
    ]


GLOBAL_VRF_NAMES = ("none", "global")  # how a filter may name the global routing table


@dataclass(frozen=True)
class IkeSaFilter:
    """`show crypto ikev2 sa local ADDRESS | remote ADDRESS | fvrf NAME | ivrf NAME`. An SA in
    the global table (`none` in the fvrf/ivrf column) is named `none` or `global`."""

    local: IPAddress | None = None
    remote: IPAddress | None = None
    fvrf: str | None = None
    ivrf: str | None = None

    def matches(self, sa: IkeSaView) -> bool:
        return (
            (self.local is None or sa.local == self.local)
            and (self.remote is None or sa.remote == self.remote)
            and vrf_matches(self.fvrf, sa.fvrf)
            and vrf_matches(self.ivrf, sa.ivrf)
        )


def vrf_matches(wanted: str | None, vrf: str | None) -> bool:
    """`vrf` (None: the global table) is the one a filter names (`none`, `global`: global)."""
    if wanted is None:
        return True
    return wanted in GLOBAL_VRF_NAMES if vrf is None else wanted == vrf


def show_crypto_ikev2_sa(
    sas: Iterable[IkeSaView], *, detailed: bool = False, only: IkeSaFilter | None = None
) -> list[str]:
    """`show crypto ikev2 sa [FILTER] [detailed]`: every IKE SA (or those `only` matches), by
    tunnel id, IPv4 then IPv6."""
    if only is not None:
        sas = [sa for sa in sas if only.matches(sa)]
    ipv4, ipv6 = _by_family(sas)
    lines = [IPV4_SA_HEADING, ""]
    if ipv4:
        lines.append(IPV4_COLUMNS)
        for sa in ipv4:
            lines.extend(_sa_lines(sa, detailed))
        lines.append("")
    lines.extend([IPV6_SA_HEADING, ""])
    if ipv6:
        lines.append(IPV6_COLUMNS)
        for sa in ipv6:
            lines.extend(_sa_lines(sa, detailed))
        lines.append("")
    return lines


# --- sessions -----------------------------------------------------------------------------------


def _selector(ts: TrafficSelector) -> str:
    start, end = ios_names.address(ts.start), ios_names.address(ts.end)
    return f"{start}/{ts.start_port} - {end}/{ts.end_port}"


def _child_lines(child: ChildSaView, detailed: bool) -> list[str]:
    pad = " " * 10
    lines = [
        f"Child sa: local selector  {_selector(child.local_selector)}",
        f"{pad}remote selector {_selector(child.remote_selector)}",
        f"{pad}ESP spi in/out: 0x{child.spi_in:X}/0x{child.spi_out:X}  ",
    ]
    if detailed:
        lines += [
            f"{pad}AH spi in/out: 0x0/0x0  ",
            f"{pad}CPI in/out: 0x0/0x0  ",
            f"{pad}Encr: {ios_names.ike_encryption(child.encryption)}, "
            f"keysize: {child.key_bits or 0}, esp_hmac: {ios_names.ike_integrity(child.integrity)}",
            f"{pad}ah_hmac: None, comp: IPCOMP_NONE, mode {child.mode}",
        ]
    return lines


def _session_lines(session: IkeSessionView, detailed: bool) -> list[str]:
    lines = [
        f"Session-id:{session.session_id}, Status:{session.status}, "
        f"IKE count:{len(session.ike_sas)}, CHILD count:{len(session.children)}",
        "",
    ]
    lines.append(IPV4_COLUMNS if _session_family(session) == 4 else IPV6_COLUMNS)
    for sa in session.ike_sas:
        lines.extend(_sa_lines(sa, detailed))
    for child in session.children:
        lines.extend(_child_lines(child, detailed))
    lines.append("")
    return lines


def _session_family(session: IkeSessionView) -> int:
    return session.ike_sas[0].local.version if session.ike_sas else 4


def show_crypto_ikev2_session(
    sessions: Iterable[IkeSessionView], *, detailed: bool = False
) -> list[str]:
    """`show crypto ikev2 session [detailed]`: each session with its IKE and child SAs."""
    ordered = sorted(sessions, key=lambda s: s.session_id)
    lines: list[str] = []
    for family in (4, 6):
        lines += [f" IPv{family} Crypto IKEv2 Session ", ""]
        for session in ordered:
            if _session_family(session) == family:
                lines.extend(_session_lines(session, detailed))
    return lines


def show_crypto_isakmp_sa() -> list[str]:
    """`show crypto isakmp sa`: IOS's IKEv1 table, which engineers type out of habit. pyike
    negotiates IKEv2 only, so both families' tables are empty (the IKEv2 SAs are under
    `show crypto ikev2 sa`)."""
    return [
        "IPv4 Crypto ISAKMP SA",
        "dst             src             state          conn-id status",
        "",
        "IPv6 Crypto ISAKMP SA",
        "",
    ]
