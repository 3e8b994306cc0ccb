"""Any topology from IOS configuration files: `pyike lab R1.cfg R2.cfg ...`.

Routers are named by their `hostname`; their physical interfaces are joined by subnet (every
interface address is reachable on its subnet, IPv6-only interfaces by their IPv6 subnet). What
a configuration cannot say is given by *lab directives*, one a line, either in a comment
header of any configuration (`! lab: DIRECTIVE`) or in a sidecar file whose name ends in
`.lab` (plain lines, `#` or `!` comments):

    nat NAME inside 192.168.10.254/24 outside 203.0.113.254/24 [gateway 203.0.113.1]
    delay 10.0.0.0/24 20ms          # one-way delay of a subnet's segment
    run 60s                         # how long the lab runs after the tunnels come up
    exec Spoke1: show ip route      # a command to run once the lab has run
    expect Spoke1: ping 10.9.0.1 source Loopback0 => Success rate is 100 percent

`expect` runs the command and checks that its output contains the text after `=>`. A
directory argument stands for the `*.cfg` and `*.lab` files in it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv6Interface,
    IPv6Network,
    ip_network,
)
from pathlib import Path
from typing import TypeVar

from pyike.config import load
from pyike.config.model import Config
from pyike.ike.config_policy import policy_for_config
from pyike.lab.lab import Lab, PolicyFactory, RunTooLong
from pyike.lab.views import crypto_session_views
from pyike.node.interfaces import InterfaceKind
from pyike.sim.clock import ClockRunaway
from pyike.sim.nat import NatBox
from pyike.sim.network import DEFAULT_DELAY, Network, Segment
from pyike.textfile import read_text

DIRECTIVE_PREFIX = "! lab:"
LAB_SUFFIX = ".lab"
CONFIG_SUFFIXES = (".cfg", ".conf", ".txt")
DEFAULT_RUN = 30.0
_T = TypeVar("_T")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_SCALE = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


class TopologyError(ValueError):
    """A configuration or lab directive that cannot be used; the message says where."""


@dataclass(frozen=True)
class NatHint:
    name: str
    inside: IPv4Interface
    outside: IPv4Interface
    gateway: IPv4Address | None = None


@dataclass(frozen=True)
class DelayHint:
    subnet: str  # the segment's name: the subnet as `ip_network` prints it
    seconds: float


@dataclass(frozen=True)
class Check:
    """A command to run after the lab has run; `expect` (if any) must be in its output."""

    host: str
    command: str
    expect: str | None = None
    where: str = ""


@dataclass
class Topology:
    configs: list[Config]
    nats: list[NatHint] = field(default_factory=list)
    delays: list[DelayHint] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    run_seconds: float = DEFAULT_RUN
    run_where: str = ""  # the `run` directive's file:line

    @property
    def hostnames(self) -> list[str]:
        return [c.hostname for c in self.configs]


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `500ms`, `1h` or plain seconds."""
    m = _DURATION.match(text.strip().lower())
    if m is None:
        raise ValueError(f"% Invalid duration {text!r} (use e.g. 30s, 2m, 500ms)")
    return float(m.group(1)) * _SCALE[m.group(2)]


# --- reading ------------------------------------------------------------------------------


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """The files the arguments name; a directory gives its `*.cfg` and `*.lab` files."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (*CONFIG_SUFFIXES, LAB_SUFFIX))
            if not found:
                raise TopologyError(f"% {path}: no .cfg or .lab files in this directory")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise TopologyError(f"% {path}: no such file")
    return files


def load_topology(paths: Sequence[str | Path]) -> Topology:
    """Read configurations and lab files; `TopologyError` (never a traceback) on bad input."""
    topology = Topology([])
    for path in expand(paths):
        try:
            text = read_text(path)
        except OSError as error:
            raise TopologyError(f"% {path}: {error.strerror}") from None
        if path.suffix == LAB_SUFFIX:
            _directives(topology, text, str(path), prefix=None)
            continue
        result = load(text, str(path))
        if not result.ok:
            raise TopologyError("\n".join(d.format() for d in result.errors))
        _directives(topology, text, str(path), prefix=DIRECTIVE_PREFIX)
        topology.configs.append(result.config)
    if not topology.configs:
        raise TopologyError("% No router configurations given")
    seen: set[str] = set()
    for config in topology.configs:
        if config.hostname in seen:
            raise TopologyError(f"% {config.file}: hostname {config.hostname} is already in use")
        seen.add(config.hostname)
    for check in topology.checks:
        if check.host not in seen:
            raise TopologyError(f"% {check.where}: no router named {check.host}")
    return topology


def _directives(topology: Topology, text: str, file: str, prefix: str | None) -> None:
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if prefix is not None:
            if not line.lower().startswith(prefix):
                continue
            line = line[len(prefix) :].strip()
        elif not line or line.startswith(("#", "!")):
            continue
        where = f"{file}:{number}"
        try:
            _directive(topology, line, where)
        except ValueError as error:
            raise TopologyError(f"{where}: {error}") from None


def _directive(topology: Topology, line: str, where: str) -> None:
    word, _, rest = line.partition(" ")
    word = word.lower()
    if word == "nat":
        topology.nats.append(_nat(rest.split()))
    elif word == "delay":
        parts = rest.split()
        if len(parts) != 2:
            raise ValueError("% usage: delay SUBNET DURATION")
        subnet = str(_checked(partial(ip_network, strict=False), parts[0]))
        topology.delays.append(DelayHint(subnet, parse_duration(parts[1])))
    elif word == "run":
        topology.run_seconds = parse_duration(rest)
        topology.run_where = where
    elif word in ("exec", "expect"):
        host, colon, command = rest.partition(":")
        if not colon or not host.strip() or not command.strip():
            raise ValueError(
                f"% usage: {word} HOST: COMMAND" + (" => TEXT" if word == "expect" else "")
            )
        expect = None
        if word == "expect":
            command, arrow, expect = command.partition("=>")
            if not arrow or not expect.strip():
                raise ValueError("% usage: expect HOST: COMMAND => TEXT")
            expect = expect.strip()
        topology.checks.append(Check(host.strip(), command.strip(), expect, where))
    else:
        raise ValueError(f"% Unknown lab directive {word!r} (nat, delay, run, exec, expect)")


def _nat(words: list[str]) -> NatHint:
    usage = "% usage: nat NAME inside A.B.C.D/LEN outside A.B.C.D/LEN [gateway A.B.C.D]"
    if len(words) not in (5, 7) or words[1] != "inside" or words[3] != "outside":
        raise ValueError(usage)
    gateway = None
    if len(words) == 7:
        if words[5] != "gateway":
            raise ValueError(usage)
        gateway = IPv4Address(_checked(IPv4Address, words[6]))
    inside, outside = _checked(IPv4Interface, words[2]), _checked(IPv4Interface, words[4])
    return NatHint(words[0], inside, outside, gateway)


def _checked(kind: Callable[[str], _T], text: str) -> _T:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"% Invalid address {text}") from None


# --- building -----------------------------------------------------------------------------


def build_lab(
    topology: Topology,
    policy_factory: PolicyFactory,
    *,
    seed: int = 0,
    output: Callable[[str], None] | None = None,
) -> tuple[Lab, dict[str, NatBox]]:
    """The lab, routers joined by subnet, and its NAT boxes by name."""
    lab = Lab(topology.configs, policy_factory, seed=seed, output=output)
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
    protected: int = 0  # tunnels and crypto map entries checked

    @property
    def ok(self) -> bool:
        return not self.problems


def session_problems(lab: Lab) -> tuple[int, list[str]]:
    """(how many sessions were checked, one line per session that is not UP-ACTIVE)."""
    checked, problems = 0, []
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
                notify = f" ({last.notify.name})" if last.notify is not None else ""
                line += f"; last failure: {last.reason}{notify}"
            problems.append(line)
    return checked, problems


def run_topology(
    topology: Topology,
    policy_factory: PolicyFactory,
    output: Callable[[str], None] | None = None,
    *,
    seed: int = 0,
    show: bool = True,
) -> TopologyRun:
    """Bring the tunnels up, run `topology.run_seconds`, run the checks, print each router's
    `show crypto session` and `show crypto ikev2 sa`, and judge."""
    lab, nats = build_lab(topology, policy_factory, seed=seed, output=output)
    result = TopologyRun(lab, nats)
    lab.bring_up_tunnels()
    lab.run_for(topology.run_seconds)
    for check in topology.checks:
        text = lab.exec(check.host, check.command)
        if check.expect is not None and check.expect not in text:
            result.problems.append(
                f"{check.host}: `{check.command}` did not print {check.expect!r} ({check.where})"
            )
    if show:
        for host in lab.routers:
            lab.exec(host, "show crypto session")
            lab.exec(host, "show crypto ikev2 sa")
    result.protected, problems = session_problems(lab)
    result.problems[:0] = problems
    if result.protected == 0:
        result.problems.append("no router protects anything (no tunnel protection, no crypto map)")
    return result


def run_cli(args: argparse.Namespace) -> int:
    """`pyike lab CONFIG...`: exit 0 when every protected tunnel and crypto map entry is
    UP-ACTIVE and every `expect` held, else 1 with the reasons."""
    try:
        topology = load_topology(args.configs)
        output = None if args.quiet else print
        result = run_topology(topology, policy_for_config, output, seed=args.seed)
    except TopologyError as error:
        print(error, file=sys.stderr)
        return 1
    except RunTooLong as error:
        print(f"% pyike lab: {topology.run_where}: {error}", file=sys.stderr)
        return 1
    except ClockRunaway as error:
        print(f"% pyike lab: the lab stopped: {error}", file=sys.stderr)
        return 1
    if result.ok:
        if not args.quiet:
            print()
        print(
            f"% pyike lab: {result.protected} crypto sessions UP-ACTIVE on "
            f"{', '.join(topology.hostnames)}; {len(topology.checks)} checks passed."
        )
        return 0
    for problem in result.problems:
        print(f"% pyike lab: {problem}", file=sys.stderr)
    return 1
