"""`show crypto session [detail]` and `show crypto session brief`.

A session is one peer on one interface; its status (UP-ACTIVE, UP-IDLE, UP-NO-IKE,
DOWN-NEGOTIATING, DOWN) follows from its IKE SAs and IPsec flows (`CryptoSessionView.status`).
IOS prints an IPv6 IKE SA's remote endpoint on a line of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyike import ios_names
from pyike.show.ikev2_sa import vrf_matches
from pyike.show.views import CryptoSessionView, Ident, IPAddress, SessionFlow, SessionIkeSa

LEGEND = [
    "Code: C - IKE Configuration mode, D - Dead Peer Detection     ",
    "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation     ",
    "X - IKE Extended Authentication, F - IKE Fragmentation",
    "R - IKE Auto Reconnect, U - IKE Dynamic Route Update",
    "S - SIP VPN",
]


def _selector(ident: Ident) -> str:
    network = ident.network
    if network.prefixlen == network.max_prefixlen:
        return f"host {ios_names.address(network.network_address)}"
    return ios_names.network_slash_mask(network)


def flow_text(flow: SessionFlow) -> str:
    """ "permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0", or `host A` for a single address as IOS
    prints GRE over IPsec's flow: "permit 47 host 10.0.0.1 host 10.0.0.2"."""
    if flow.local.network.version == 4:
        protocol = "ip" if flow.local.protocol in (0, 256) else str(flow.local.protocol)
    else:
        protocol = "ipv6" if flow.local.protocol in (0, 256) else str(flow.local.protocol)
    return f"permit {protocol} {_selector(flow.local)} {_selector(flow.remote)}"


def _ike_sa_lines(sa: SessionIkeSa, detail: bool) -> list[str]:
    local = f"{ios_names.address(sa.local)}/{sa.local_port}"
    state = "Active" if sa.active else "Inactive"
    remote = f"remote {ios_names.address(sa.remote)}/{sa.remote_port} {state}"
    if sa.local.version == 4:
        lines = [f"  {sa.version} SA: local {local} {remote} "]
    else:
        lines = [f"  {sa.version} SA: local {local}", f"          {remote} "]
    if detail:
        capabilities = sa.capabilities or "(none)"
        lines.append(
            f"          Capabilities:{capabilities} connid:{sa.conn_id} "
            f"lifetime:{ios_names.hms(sa.remaining_seconds)}"
        )
    return lines


def _flow_lines(flow: SessionFlow, detail: bool) -> list[str]:
    lines = [
        f"  IPSEC FLOW: {flow_text(flow)} ",
        f"        Active SAs: {flow.active_sas}, origin: {flow.origin}",
    ]
    if detail:
        life = f"{flow.remaining_kilobytes}/{flow.remaining_seconds}"
        lines += [
            f"        Inbound:  #pkts dec'ed {flow.decrypted} drop {flow.decrypt_drops} "
            f"life (KB/Sec) {life}",
            f"        Outbound: #pkts enc'ed {flow.encrypted} drop {flow.encrypt_drops} "
            f"life (KB/Sec) {life}",
        ]
    return lines


def _session_lines(session: CryptoSessionView, detail: bool) -> list[str]:
    lines = [f"Interface: {session.interface}"]
    if detail and session.profile:
        lines.append(f"Profile: {session.profile}")
    if detail and session.uptime_seconds is not None:
        lines.append(f"Uptime: {ios_names.uptime(session.uptime_seconds)}")
    lines.append(f"Session status: {session.status}")
    peer = f"Peer: {ios_names.address(session.peer)} port {session.peer_port}"
    if detail:
        peer += f" fvrf: {session.fvrf or '(none)'} ivrf: {session.ivrf or '(none)'}"
        lines += [
            peer,
            f"      Phase1_id: {session.phase1_id or ios_names.address(session.peer)}",
            f"      Desc: {session.description or '(none)'}",
            f"  Session ID: {session.session_id}  ",
        ]
    else:
        lines.append(peer)
    for sa in session.ike_sas:
        lines += _ike_sa_lines(sa, detail)
    for flow in session.flows:
        lines += _flow_lines(flow, detail)
    return [*lines, ""]


@dataclass(frozen=True)
class SessionFilter:
    """`show crypto session remote ADDRESS | local ADDRESS | interface IF | fvrf NAME | ivrf
    NAME`: a session's peer, an address of its IKE SAs on this side, its interface, its VRFs
    (the global table named `none` or `global`, as for `show crypto ikev2 sa`)."""

    remote: IPAddress | None = None
    local: IPAddress | None = None
    interface: str | None = None
    fvrf: str | None = None
    ivrf: str | None = None

    def matches(self, session: CryptoSessionView) -> bool:
        return (
            (self.remote is None or session.peer == self.remote)
            and (self.local is None or any(sa.local == self.local for sa in session.ike_sas))
            and (self.interface is None or session.interface == self.interface)
            and vrf_matches(self.fvrf, session.fvrf)
            and vrf_matches(self.ivrf, session.ivrf)
        )


SESSION_FILTERS = ("remote", "local", "interface", "fvrf", "ivrf")


def show_crypto_session(
    sessions: Iterable[CryptoSessionView],
    *,
    detail: bool = False,
    only: SessionFilter | None = None,
) -> list[str]:
    """Every crypto session (or those `only` matches); with none IOS prints the heading
    alone."""
    lines = ["Crypto session current status", ""]
    if detail:
        lines += [*LEGEND, ""]
    for session in sessions:
        if only is None or only.matches(session):
            lines += _session_lines(session, detail)
    return lines


BRIEF_LEGEND = [
    "Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, N - Negotiating",
    "        K - No IKE",
]
BRIEF_HEADER = (
    "Peer            I/F          Username        Group/Phase1_id          Uptime   Status"
)
# the brief status: up or down, then active, idle, no IKE or negotiating
_BRIEF_STATUS = {
    "UP-ACTIVE": "UA",
    "UP-IDLE": "UI",
    "UP-NO-IKE": "UK",
    "DOWN-NEGOTIATING": "DN",
    "DOWN": "D",
}


def _brief_row(session: CryptoSessionView) -> str:
    peer = ios_names.address(session.peer)
    phase1_id = session.phase1_id or peer
    uptime = "" if session.uptime_seconds is None else ios_names.uptime(session.uptime_seconds)
    return (
        f"{peer:<15} {ios_names.short_interface(session.interface):<12} {'':<15} "
        f"{phase1_id:<24} {uptime:<8} {_BRIEF_STATUS[session.status]}"
    )


def show_crypto_session_brief(sessions: Iterable[CryptoSessionView]) -> list[str]:
    """A line per session, under the inside VRF it serves (`ivrf = (none)` first): the peer,
    the interface as IOS abbreviates it, the user (pyike has none: IOS's is an EZVPN or
    XAUTH user), the peer's IKE identity, how long it has been up, and its status as two
    letters (`UA` for UP-ACTIVE)."""
    by_ivrf: dict[str | None, list[CryptoSessionView]] = {}
    for session in sessions:
        by_ivrf.setdefault(session.ivrf or None, []).append(session)
    lines = list(BRIEF_LEGEND)
    for ivrf in sorted(by_ivrf, key=lambda name: (name is not None, name or "")):
        lines += [f"ivrf = {ivrf or '(none)'}", BRIEF_HEADER]
        lines += [_brief_row(session) for session in by_ivrf[ivrf]]
    if not by_ivrf:
        lines += ["ivrf = (none)", BRIEF_HEADER]
    return lines
