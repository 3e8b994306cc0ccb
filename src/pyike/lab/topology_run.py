"""Running a topology (`pyike.topology`) in the simulated lab: `pyike lab CONFIG...`.

Routers are built from the configurations, their physical interfaces joined by subnet
(IPv6-only interfaces by their IPv6 subnet), NAT boxes and link delays added as the lab
directives say; the tunnels are brought up, the lab runs, the checks are played, and every
protected tunnel and crypto map entry must be UP-ACTIVE.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from ipaddress import IPv6Interface, IPv6Network

from pyike.adapter.config_policy import policy_for_config
from pyike.config.query import wont_come_up
from pyike.frr.translate import routing_protocols
from pyike.host.views import crypto_session_views
from pyike.ipsec.acl_match import is_entry_name
from pyike.lab.crypto_node import CryptoNode
from pyike.lab.lab import PLAIN_RUN, Commands, Lab, PolicyFactory, RunOptions, RunTooLong
from pyike.lab.lab_addresses import LabAddresses
from pyike.lab.lab_enrol import enrol_keyless
from pyike.lab.report import Report
from pyike.lab.traffic_check import IdleTunnel, idle_tunnels
from pyike.node.interfaces import InterfaceKind
from pyike.sim.clock import ClockRunaway
from pyike.sim.nat import NatBox
from pyike.sim.network import DEFAULT_DELAY, Network, Segment
from pyike.topology import Check, Topology, TopologyError, load_topology
from pyike.topology.model import LinkEvent
from pyike.topology.seed import seed_configs


def build_lab(
    topology: Topology,
    policy_factory: PolicyFactory,
    *,
    seed: int = 0,
    output: Callable[[str], None] | None = None,
) -> tuple[Lab, dict[str, NatBox]]:
    """The lab, routers joined by subnet, and its NAT boxes by name. Routers that cannot sign
    with their trustpoint are enrolled with the lab CA first (`lab_enrol`), saying so."""
    enrolment = enrol_keyless(topology.configs, seed)
    if output is not None:
        for message in enrolment.messages:
            output(message)
    lab = Lab(enrolment.configs, enrolment.factory(policy_factory), seed=seed, output=output)
    _wire_ipv6(lab.network, lab)
    nats: dict[str, NatBox] = {}
    for hint in topology.nats:
        box = NatBox(
            lab.clock,
            str(hint.inside),
            str(hint.outside),
            str(hint.gateway) if hint.gateway else None,
            name=hint.name,
        )
        box.inside.attach(_segment(lab.network, str(hint.inside.network)))
        box.outside.attach(_segment(lab.network, str(hint.outside.network)))
        nats[hint.name] = box
    for delay in topology.delays:
        segment = lab.network.segments.get(delay.subnet)
        if segment is None:
            raise TopologyError(f"% delay: no interface is on {delay.subnet}")
        segment.delay = delay.seconds
    return lab, nats


def _segment(network: Network, name: str) -> Segment:
    return network.segments.get(name) or network.segment(
        name, name if ":" not in name else None, DEFAULT_DELAY
    )


def _wire_ipv6(network: Network, lab: Lab) -> None:
    """Physical interfaces with only IPv6 addresses join the segment of their IPv6 subnet."""
    for lab_router in lab.routers.values():
        router = lab_router.router
        for iface in router.interfaces.values():
            if iface.kind in (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL):
                continue
            if iface.link is not None or not iface.config.ipv6_addresses:
                continue
            subnet: IPv6Network = IPv6Interface(iface.config.ipv6_addresses[0]).network
            router.attach(iface.name, _segment(network, str(subnet)))


# --- running ------------------------------------------------------------------------------


@dataclass
class TopologyRun:
    lab: Lab
    nats: dict[str, NatBox] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    checks: list[tuple[Check, bool]] = field(default_factory=list)  # each expect, and if it held
    protected: int = 0  # tunnels and crypto map entries checked
    notes: list[str] = field(default_factory=list)  # what the lab could not act on
    idle: list[IdleTunnel] = field(default_factory=list)  # up, but their probes were lost

    @property
    def ok(self) -> bool:
        return not self.problems


def session_problems(lab: Lab, topology: Topology) -> tuple[int, list[str]]:
    """(how many sessions were checked, one line per session that is not UP-ACTIVE)."""
    checked, problems = 0, []
    places = LabAddresses(lab, topology)
    for host, lab_router in lab.routers.items():
        failures = lab_router.crypto.stats.negotiations_failed
        for view in crypto_session_views(lab_router.crypto):
            checked += 1
            if view.status == "UP-ACTIVE":
                continue
            line = f"{host} {view.interface} peer {view.peer}: session {view.status}"
            reasons = [f for f in failures if str(f.remote.address) == str(view.peer)]
            if reasons:
                last = reasons[-1]
                name = last.notify.name if last.notify is not None else None
                notify = "" if name is None or name in last.reason else f" ({name})"
                line += f"; last failure: {last.reason}{notify}"
            elif not places.in_lab(view.peer):
                line += f"; no router of this lab has {view.peer}"
            problems.append(line)
        problems += _unprotected_lines(host, lab_router.crypto)
    return checked, problems


def _unprotected_lines(host: str, crypto: CryptoNode) -> list[str]:
    """A crypto map's further ACL lines have an SA each, which `show crypto session` folds into
    its entry's session: one that has none, its entry up, leaves that line's traffic clear."""
    return [
        f"{host} {name}: no IPsec SA (the entry's session is up, this line's traffic is not "
        "protected)"
        for name, state in crypto.sad.tunnels.items()
        if " line " in name and is_entry_name(name) and state.current is None
    ]


def unbuildable(topology: Topology) -> list[str]:
    """One line per tunnel or crypto map entry the lab does not bring up, and why (IKEv1,
    DMVPN, a tunnel source the configuration lacks); they have no session to judge."""
    return [
        f"{config.hostname} {name} {reason}"
        for config in topology.configs
        for name, reason in wont_come_up(config).items()
    ]


def refused_lines(topology: Topology) -> list[str]:
    """One line per file with lines its router refused: a configuration that does not load
    clean is not a healthy network, even when its tunnels come up without those lines."""
    counts = Counter(d.file for d in topology.refused)
    return [
        f"{file}: {n} line(s) refused as IOS refuses them (shown above); the router ran without "
        "them"
        for file, n in counts.items()
    ]


def address_notes(topology: Topology) -> list[str]:
    """Interfaces that wait for an address from a peer (`ip address negotiated`) that pyike
    cannot ask for: a protected tunnel asks its IKEv2 peer (configuration exchange), other
    interfaces (PPP, DHCP) get none."""
    return [
        f"{config.hostname} {iface.name}: 'ip address negotiated': no address yet (pyike "
        "requests one through IKEv2 configuration exchange on protected tunnels only)"
        for config in topology.configs
        for iface in config.interfaces.values()
        if iface.address_negotiated and iface.tunnel_protection is None
    ]


NAMED_ROUTERS = 12  # a verdict line names at most this many routers, and counts beyond


def routing_notes(topology: Topology) -> list[str]:
    """Routers whose configuration runs a dynamic routing protocol, which the lab does not:
    a check that depends on its routes fails here for that reason."""
    notes = []
    for config in topology.configs:
        protocols = routing_protocols(config)
        if protocols:
            notes.append(
                f"{config.hostname}: {', '.join(protocols)} kept but not run: the lab routes by "
                "connected and static routes only"
            )
    return notes


def routing_hint(topology: Topology, host: str) -> str:
    """What a failed check on `host` may owe to the routing protocol the lab does not run."""
    config = next((c for c in topology.configs if c.hostname == host), None)
    protocols = routing_protocols(config) if config is not None else []
    if not protocols:
        return ""
    return (
        f" (this router's routes come from {' and '.join(protocols)}, which the simulated lab "
        "does not run; try --netns)"
    )


def check_problem(topology: Topology, check: Check) -> str:
    """The verdict's line for an `expect` that did not hold."""
    return (
        f"{check.host}: `{check.command}` did not print {check.expect!r} ({check.where})"
        + routing_hint(topology, check.host)
    )


def run_topology(
    topology: Topology,
    policy_factory: PolicyFactory,
    output: Callable[[str], None] | None = None,
    *,
    seed: int = 0,
    show: bool = True,
    options: RunOptions = PLAIN_RUN,
    debugs: Sequence[str] = ("debug crypto ikev2",),
) -> TopologyRun:
    """Bring the tunnels up, run `topology.run_seconds` (or to `options.until`), type the
    commands and checks, print each router's `show crypto session` and `show crypto ikev2
    sa`, and judge. With `options.debug`, each router is given the `debugs` commands first."""
    lab, nats = build_lab(topology, policy_factory, seed=seed, output=output)
    lab.records = options.records
    if options.watch is not None:
        options.watch(lab)
    result = TopologyRun(lab, nats)
    if options.debug:
        for host in lab.routers:
            for command in debugs:
                lab.exec(host, command)
    commands = Commands(lab, [*topology.checks, *options.execs])
    schedule_links(lab, topology.links)
    lab.bring_up_tunnels()
    until = options.until if options.until is not None else topology.run_seconds
    lab.run_for(until)
    for check, text in commands.finish(until):
        if check.expect is None:
            continue
        passed = check.expect in text
        result.checks.append((check, passed))
        if not passed:
            result.problems.append(check_problem(topology, check))
    result.idle = idle_tunnels(lab)  # a tunnel that carries nothing is not healthy
    if show:
        for host in lab.routers:
            lab.exec(host, "show crypto session")
            lab.exec(host, "show crypto ikev2 sa")
    result.notes = [*routing_notes(topology), *address_notes(topology)]
    result.protected, problems = session_problems(lab, topology)
    named = unbuildable(topology)
    idle = [tunnel.problem for tunnel in result.idle]
    result.problems[:0] = [*problems, *idle, *named, *refused_lines(topology)]
    if result.protected == 0 and not named:
        result.problems.append("no router protects anything (no tunnel protection, no crypto map)")
    return result


def schedule_links(lab: Lab, events: Sequence[LinkEvent]) -> None:
    """The `down` and `up` directives, each at its time."""
    for event in events:
        lab.clock.call_later(event.at, partial(_link_event, lab, event))


def _link_event(lab: Lab, event: LinkEvent) -> None:
    """`down|up HOST [INTERFACE] @TIME`: the link (or every link but loopbacks and tunnels)."""
    router = lab.router(event.host).router
    virtual = (InterfaceKind.LOOPBACK, InterfaceKind.TUNNEL)
    names = (
        [event.interface]
        if event.interface is not None
        else [
            name
            for name, iface in router.interfaces.items()
            if iface.kind not in virtual and not iface.config.type_tunnel
        ]
    )
    for name in names:
        router.set_carrier(name, event.up)


def summary(protected: int, hosts: Sequence[str], checks: int) -> str:
    """The verdict line of a healthy lab; a large lab's routers are counted, not named."""
    where = ", ".join(hosts) if len(hosts) <= NAMED_ROUTERS else f"{len(hosts)} routers"
    return f"{protected} crypto sessions UP-ACTIVE on {where}; {checks} checks passed."


# `pyike lab --report`: given the loaded topology, runs it and prints the report (lab.report_cli)
ReportRunner = Callable[[Topology, argparse.Namespace, RunOptions], int]


def run_cli(
    args: argparse.Namespace, options: RunOptions, report_runner: ReportRunner | None = None
) -> int:
    """`pyike lab CONFIG...`: exit 0 when every protected tunnel and crypto map entry is
    UP-ACTIVE, every `expect` held and every line loaded, else 1 with the reasons; with
    `report_runner`, the session report instead of the routers' output."""
    report = Report(args.json)
    try:
        topology = (
            load_topology(args.configs, options.loading)
            if args.configs
            else Topology(seed_configs())
        )
        for check in options.execs:
            if check.host not in topology.hostnames:
                raise TopologyError(f"% {check.where}: no router named {check.host}")
        if report_runner is not None:
            return report_runner(topology, args, options)
        report.loading(topology)
        output = None if args.quiet or args.json else print
        result = run_topology(topology, policy_for_config, output, seed=args.seed, options=options)
    except TopologyError as error:
        return report.failed(str(error))
    except RunTooLong as error:
        return report.failed(f"% pyike lab: {topology.run_where}: {error}")
    except ClockRunaway as error:
        return report.failed(f"% pyike lab: the lab stopped: {error}")
    for check, passed in result.checks:
        report.check(check, passed)
    refused = refused_lines(topology)
    healthy = all(problem in refused for problem in result.problems)
    checks = sum(1 for c in topology.checks if c.expect is not None)
    line = summary(result.protected, topology.hostnames, checks) if healthy else None
    return report.verdict(result.ok, line, result.problems, result.notes, blank=not args.quiet)
