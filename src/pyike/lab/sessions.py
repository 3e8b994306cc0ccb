"""The lab as a network verifier (`pyike lab --report`): one row per configured session.

A session is what a router's configuration asks to protect with one peer: a protected tunnel
interface (a VTI or GRE over IPsec), or one line of a crypto map entry's ACL (IOS negotiates
a Child SA per line). Each row says how the run left it:

- `established`: UP-ACTIVE, and the probe sent into it after the checks (`traffic_check`)
  came out at the peer;
- `up, no traffic`: UP-ACTIVE, but the probe was lost (with what the counters say);
- `IKE failed`: no IKE SA with the peer; `IPsec failed`: an IKE SA, but no Child SA for it;
- `peer not in lab`: down, and its peer address is no lab router's (nor a NAT box's);
- `configuration error` / `not run`: the lab did not negotiate it (`config.query.wont_come_up`):
  a mistake IOS would not run either, or something pyike does not run (IKEv1, AH, DMVPN...).

Failures carry `pyike explain`'s verdict on the routers' own debug output, narrowed to the
IKE SAs of that session (the run has `debug crypto ikev2 packet`, `internal` and `error` on).
A row names its router, interface (and crypto map entry), so DMVPN peers and Virtual-Access
clones fit the same shape (a kind and an entry of their own).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from ipaddress import ip_address

from pyike import ios_names
from pyike.adapter.config_policy import policy_for_config
from pyike.codec.registry import IntegId
from pyike.config.model import Config, Interface
from pyike.config.query import child_sa_policies, wont_come_up
from pyike.explain import Report as Explained
from pyike.explain import explain_texts
from pyike.explain.catalogue import CAUSE_TEXTS
from pyike.explain.model import Timeline
from pyike.host.views import ike_sa_views
from pyike.ike.events import IPAddress
from pyike.ike.policy import TunnelSpec
from pyike.ipsec.acl_match import is_entry_name
from pyike.ipsec.sad import InstalledChild
from pyike.lab.crypto_node import CryptoNode
from pyike.lab.lab import Lab, LabRouter, Output, RunOptions
from pyike.lab.lab_addresses import LabAddresses
from pyike.lab.scenarios import DEBUGS
from pyike.lab.topology_run import (
    TopologyRun,
    check_problem,
    refused_lines,
    run_topology,
    summary,
)
from pyike.lab.traffic_check import IdleTunnel, peer_child
from pyike.show.views import IkeSaView
from pyike.topology import Check, Topology

# The debugs explain needs to tell a cause (the scenarios run the same)
EXPLAIN_DEBUGS = tuple(f"debug crypto ikev2 {word}" for word in DEBUGS)


class Status(enum.Enum):
    """How the run left a session (the module's docstring says when each applies)."""

    ESTABLISHED = "established"
    NO_TRAFFIC = "up, no traffic"
    IKE_FAILED = "IKE failed"
    IPSEC_FAILED = "IPsec failed"
    PEER_NOT_IN_LAB = "peer not in lab"
    CONFIGURATION_ERROR = "configuration error"
    NOT_RUN = "not run"


# The failures explain gives a cause for (the others' reasons are the lab's own)
EXPLAINED = (Status.IKE_FAILED, Status.IPSEC_FAILED, Status.PEER_NOT_IN_LAB)


@dataclass(frozen=True)
class IkeAlgorithms:
    """The IKE SA's transforms, as `show crypto ikev2 sa` names them."""

    encryption: str  # as `show crypto ikev2 sa` names it, with the key size
    prf: str
    integrity: str  # "None" with an AEAD cipher, as IOS says
    dh_group: int


@dataclass(frozen=True)
class EspAlgorithms:
    """The Child SA's transforms, as `show crypto ipsec sa` names them, and its mode."""

    transform: str  # the `transform:` line of `show crypto ipsec sa`, from ios_names
    mode: str  # "tunnel" or "transport"


@dataclass(frozen=True)
class DecisiveLine:
    router: str
    line: int  # in that router's console, from 1
    text: str


@dataclass(frozen=True)
class Cause:
    """`pyike explain`'s verdict on one session's IKE SAs."""

    id: str  # explain's cause id, "psk_mismatch"
    summary: str  # the cause's one line
    detail: str  # the specifics: which notify, which transform type
    lines: tuple[DecisiveLine, ...]


@dataclass(frozen=True)
class SessionRow:
    router: str
    interface: str  # the tunnel, or the interface holding the crypto map
    entry: str | None  # "crypto map CMAP 10" (" line 2" for a further ACL line), else None
    kind: str  # "VTI", "GRE", "DMVPN", "crypto map"
    local: str  # the local address ("" when the configuration has none)
    peer: str  # the peer's address ("" when none)
    peer_router: str | None  # the lab router at that address
    status: Status
    reason: str = ""  # what the counters say (no traffic), why it was not run
    cause: Cause | None = None
    ike: IkeAlgorithms | None = None
    esp: EspAlgorithms | None = None

    @property
    def session(self) -> str:
        return self.interface if self.entry is None else f"{self.interface} {self.entry}"

    @property
    def established(self) -> bool:
        return self.status is Status.ESTABLISHED

    @property
    def peer_label(self) -> str:
        if self.peer_router is None:
            return self.peer or "-"
        return f"{self.peer} ({self.peer_router})"

    @property
    def title(self) -> str:
        """The router, the session and its peer, when it has one."""
        peer = f" peer {self.peer_label}" if self.peer else ""
        return f"{self.router} {self.session}{peer}"

    @property
    def problem(self) -> str:
        """The verdict's line for a session that is not established."""
        why = self.cause.id if self.cause is not None else self.reason
        return f"{self.title}: {self.status.value}" + (f": {why}" if why else "")


@dataclass
class LabReport:
    routers: list[str]  # the lab's, in the topology's order
    rows: list[SessionRow]
    checks: list[tuple[Check, bool]]
    notes: list[str]
    lab_problems: list[str]  # beside the sessions: failed checks, refused lines
    summary: str | None  # the verdict line of a healthy network

    @property
    def problems(self) -> list[str]:
        """One line per session not established, then the lab's other problems."""
        return [row.problem for row in self.rows if not row.established] + self.lab_problems

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[Status, int]:
        return {status: sum(row.status is status for row in self.rows) for status in Status}


def run_report(
    topology: Topology, *, seed: int = 0, options: RunOptions, console: Output | None = None
) -> LabReport:
    """Run `topology` with explain's debugs on every router (`console` gets what the routers
    print) and report every session."""
    result = run_topology(
        topology,
        policy_for_config,
        console,
        seed=seed,
        show=False,
        options=replace(options, debug=True),
        debugs=EXPLAIN_DEBUGS,
    )
    return build_report(topology, result)


def build_report(topology: Topology, result: TopologyRun) -> LabReport:
    rows = explain_failures(result.lab, session_rows(topology, result))
    failed = [check_problem(topology, check) for check, passed in result.checks if not passed]
    problems = [*failed, *refused_lines(topology)]
    if not rows:
        problems.append("no router protects anything (no tunnel protection, no crypto map)")
    healthy = not problems and all(row.established for row in rows)
    checks = sum(1 for check in topology.checks if check.expect is not None)
    line = summary(len(rows), topology.hostnames, checks) if healthy else None
    notes = [*topology.notes, *result.notes]
    return LabReport(topology.hostnames, rows, result.checks, notes, problems, line)


# --- the rows --------------------------------------------------------------------------------


def session_rows(topology: Topology, result: TopologyRun) -> list[SessionRow]:
    """Every configured session of every router, without causes: those the lab negotiated,
    in configuration order, then those it did not."""
    lab = result.lab
    places = LabAddresses(lab, topology)
    idle = {(tunnel.host, tunnel.name): tunnel for tunnel in result.idle}
    rows = []
    for config in topology.configs:
        ends = _RouterEnds(lab.router(config.hostname))
        specs = ends.lab_router.crypto.specs
        rows += [_live_row(lab, ends, spec, places, idle) for spec in specs.values()]
        rows += _unrun_rows(config, set(specs), places)
    return rows


class _RouterEnds:
    """A router's IKE SAs that are up, by id (as `show crypto ikev2 sa` sees them) and by
    peer address: looked up once per router, not once per session."""

    def __init__(self, lab_router: LabRouter) -> None:
        self.lab_router = lab_router
        self.views = {view.tunnel_id: view for view in ike_sa_views(lab_router.crypto)}
        sas = lab_router.crypto.engine.ike_sas
        self.up_with = {sa.remote.address: sa.sa_id for sa in reversed(sas) if sa.established}


def _live_row(
    lab: Lab,
    ends: _RouterEnds,
    spec: TunnelSpec,
    places: LabAddresses,
    idle: dict[tuple[str, str], IdleTunnel],
) -> SessionRow:
    """A session the lab negotiated: how it ended, and what it negotiated."""
    lab_router = ends.lab_router
    peer = spec.remote.address
    child = lab_router.crypto.sad.tunnel(spec.name).current
    sa_id = child.info.ike_sa_id if child is not None else ends.up_with.get(peer)
    found = peer_child(lab, child) if child is not None else None
    peer_router = found[0] if found is not None else places.owners.get(peer)
    lost = idle.get((lab_router.hostname, spec.name))
    if child is not None:
        status = Status.ESTABLISHED if lost is None else Status.NO_TRAFFIC
    elif not places.in_lab(peer):
        status = Status.PEER_NOT_IN_LAB
    else:
        status = Status.IPSEC_FAILED if sa_id is not None else Status.IKE_FAILED
    interface, entry, kind = _placement(lab_router.crypto.config, spec.name)
    return SessionRow(
        lab_router.hostname,
        interface,
        entry,
        kind,
        str(spec.local.address),
        str(peer),
        peer_router,
        status,
        reason=lost.why if lost is not None else "",
        ike=_ike_algorithms(ends.views.get(sa_id) if sa_id is not None else None),
        esp=_esp_algorithms(child),
    )


def _ike_algorithms(view: IkeSaView | None) -> IkeAlgorithms | None:
    if view is None:
        return None
    return IkeAlgorithms(
        ios_names.ike_encryption_with_key(view.encryption, view.key_bits),
        ios_names.ike_prf(view.prf),
        ios_names.ike_integrity(view.integrity),
        int(view.dh_group),
    )


def _esp_algorithms(child: InstalledChild | None) -> EspAlgorithms | None:
    if child is None:
        return None
    info = child.info
    integrity = None if info.integ == IntegId.NONE else info.integ
    return EspAlgorithms(
        ios_names.esp_transform(info.encr, info.encr_key_bits, integrity), info.mode
    )


def _placement(config: Config, name: str) -> tuple[str, str | None, str]:
    """(interface, entry or None, kind) of a session: a tunnel's, a crypto map line's (its
    entry under the interface holding the map), or a multipoint tunnel's peer's (named
    "Tunnel0 peer 192.0.2.1": the peer is its entry)."""
    if is_entry_name(name):
        map_name = name.split()[2]
        holder = next((i.name for i in config.interfaces.values() if i.crypto_map == map_name), "-")
        return holder, name, "crypto map"
    interface, _, entry = name.partition(" ")
    tunnel = config.interfaces.get(interface)
    mode = (tunnel.tunnel_mode if tunnel is not None else None) or "gre ip"
    kind = "VTI" if mode.startswith("ipsec") else "GRE"
    if mode.startswith("gre multipoint"):
        kind = "DMVPN"
    return interface, entry or None, kind if tunnel is not None else "tunnel"


def _unrun_rows(config: Config, negotiated: set[str], places: LabAddresses) -> list[SessionRow]:
    """The sessions the lab did not negotiate: what `wont_come_up` names, and what the
    configuration gives nothing to negotiate (no peer, no usable profile or ACL line)."""
    reasons = wont_come_up(config)
    covered = {name.split(" line ")[0] for name in negotiated}  # a crypto map's further lines
    covered |= {name.partition(" ")[0] for name in negotiated}  # a multipoint tunnel's peers
    covered |= {name.partition(" to ")[0] for name in negotiated}  # a dynamic entry's SAs
    rows = []
    for policy in child_sa_policies(config):
        iface = config.interfaces.get(policy.name)
        if policy.name in covered or (iface is not None and not _may_negotiate(iface)):
            continue
        reason = reasons.get(policy.name) or (
            "the lab negotiated nothing for it (no peer, IKEv2 profile or ACL line it can use; "
            "pyike config check says which)"
        )
        status = Status.NOT_RUN if _pyike_limit(reason) else Status.CONFIGURATION_ERROR
        if policy.dynamic and policy.name not in reasons:
            status, reason = Status.PEER_NOT_IN_LAB, _NO_DYNAMIC_PEER
        interface, entry, kind = _placement(config, policy.name)
        peer = policy.peers[0] if policy.peers else None
        rows.append(
            SessionRow(
                config.hostname,
                interface,
                entry,
                kind,
                str(policy.local) if policy.local is not None else "",
                str(peer) if peer is not None else "",
                places.owners.get(peer) if peer is not None else None,
                status,
                reason=reason,
            )
        )
    return rows


_NO_DYNAMIC_PEER = (
    "no router of the lab set up an SA through this dynamic crypto map entry (it accepts "
    "any peer its IKEv2 profile authenticates, and never initiates)"
)


def _may_negotiate(tunnel: Interface) -> bool:
    """Shut down tunnels negotiate nothing; a Virtual-Template's sessions are its clones'."""
    return not (tunnel.shutdown or tunnel.type_tunnel)


def _pyike_limit(reason: str) -> bool:
    """Whether a reason names what pyike does not do (IKEv1, AH, NHRP: `not run`) rather than a
    mistake in the configuration, as `wont_come_up`'s reasons say."""
    return "pyike does not" in reason


# --- the causes ------------------------------------------------------------------------------


def explain_failures(lab: Lab, rows: Sequence[SessionRow]) -> list[SessionRow]:
    """The rows, each failure with explain's verdict on its own IKE SAs (the routers' debug
    output is read once, only that of the routers with a failure)."""
    # a dynamic crypto map entry nobody used has no peer, and no IKE SA to explain
    failed = [row for row in rows if row.status in EXPLAINED and row.peer]
    hosts = {host for row in failed for host in (row.router, row.peer_router) if host}
    if not hosts:
        return list(rows)
    consoles = [(host, _console(lab.router(host))) for host in lab.routers if host in hosts]
    explained = explain_texts(consoles)
    causes = {id(row): _cause(explained, lab, row) for row in failed}
    return [replace(row, cause=causes[id(row)]) if id(row) in causes else row for row in rows]


def _console(lab_router: LabRouter) -> str:
    return "\n".join(lab_router.console) + "\n"


def _cause(explained: Explained, lab: Lab, row: SessionRow) -> Cause:
    mine = _sa_ids(lab.router(row.router).crypto, ip_address(row.peer))
    ours = [tl for tl in explained.timelines if tl.source == row.router and _of(tl, mine)]
    spis = {tl.spi_i for tl in ours if tl.spi_i}
    peer = row.peer_router
    verdict = explained.narrowed(_either(row.router, mine, peer, spis)).verdict
    lines = tuple(DecisiveLine(e.source, e.line, e.text) for e in verdict.evidence)
    return Cause(verdict.cause, CAUSE_TEXTS[verdict.cause].title.en, verdict.detail, lines)


def _either(
    host: str, sa_ids: set[str], peer: str | None, spis: set[str]
) -> Callable[[Timeline], bool]:
    """The session's IKE SAs as `host` logged them, and as its peer router did (by SPIs)."""

    def keep(timeline: Timeline) -> bool:
        if timeline.source == host:
            return _of(timeline, sa_ids)
        return timeline.source == peer and timeline.spi_i in spis

    return keep


def _of(timeline: Timeline, sa_ids: set[str]) -> bool:
    return not sa_ids.isdisjoint(timeline.sa_ids)


def _sa_ids(crypto: CryptoNode, peer: IPAddress) -> set[str]:
    """The ids (as `SA ID = N` prints them) of every IKE SA the router had with `peer` that
    it still knows of: failed, up, or negotiating."""
    ids = {f.sa_id for f in crypto.stats.negotiations_failed if f.remote.address == peer}
    ids |= {sa_id for sa_id, up in crypto.ike_up.items() if up.remote.address == peer}
    ids |= {sa.sa_id for sa in crypto.engine.ike_sas if sa.remote.address == peer}
    return {str(sa_id) for sa_id in ids if sa_id is not None}


__all__ = [
    "EXPLAIN_DEBUGS",
    "Cause",
    "DecisiveLine",
    "EspAlgorithms",
    "IkeAlgorithms",
    "LabReport",
    "SessionRow",
    "Status",
    "build_report",
    "run_report",
    "session_rows",
]
