"""`pyike lab --netns`: a lab topology played by real `pyike run` daemons, one per router,
each in a network namespace of its own (see `pyike.netns.plan` for the layout).

The run builds the namespaces and links, starts the daemons (output to a log per router,
their log messages on the terminal with the router's name in front), waits until every
protected tunnel and crypto map shows UP-ACTIVE in `show crypto session` (a crypto map comes
up on traffic, so the run pings through it until it does), pings from each router's loopback
to the other routers' loopbacks its tunnel routes lead to or its crypto map ACLs permit, runs
the topology's `exec` and `expect` directives (`ping` as Linux ping in the router's namespace,
anything else on the daemon's control socket), prints each router's `show crypto session` and
`show crypto ikev2 sa`, and tears everything down: FRR (below) first, SIGTERM to the daemons,
SIGKILL after a grace period, the namespaces deleted.

A router whose configuration has `router bgp|ospf|eigrp` gets FRRouting in its namespace once
the tunnels are up (`pyike.frr`: its routing translated to FRR's, zebra and the routing
daemons), and its `pyike run` answers the routing show commands from it (`--frr`); the checks
wait until every router's routing has converged (neighbors up, databases exchanged, routing
tables unchanged for `ROUTING_SETTLE` seconds).

Teardown runs in a `finally`, so an exception or Ctrl-C leaves nothing. Traffic stays inside
the namespaces the run created.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, ip_interface
from pathlib import Path
from types import FrameType
from typing import IO

from pyike.config.model import Config
from pyike.config.params import interface_name
from pyike.config.query import child_sa_policies
from pyike.frr import daemons as frr_daemons
from pyike.frr.daemons import FrrInstance, FrrStartError
from pyike.frr.status import pending as routing_pending
from pyike.frr.translate import LateCommand
from pyike.frr.vtysh import configure as frr_configure
from pyike.ipsec.acl_match import Flow, first_permitting, maps_by_interface
from pyike.net.binding import tun_name
from pyike.net.control import ControlClient, ControlError
from pyike.net.virtual_access import DEVICE_PREFIX, clone_interface
from pyike.netns.ping import PingSyntaxError, is_ping, parse_ping
from pyike.netns.ping import ios_report as ping_report
from pyike.netns.plan import (
    Link,
    LoopbackDevice,
    NetnsPlan,
    NetnsPlanError,
    RouterPlan,
    plan_topology,
)
from pyike.node.exec.filters import parse_filter
from pyike.node.exec.parser import ExecInputError
from pyike.node.ipv6 import UNICAST_ROUTING
from pyike.textfile import read_text
from pyike.topology import (
    DEFAULT_RUN,
    Check,
    Topology,
    TopologyError,
    load_topology,
    parse_duration,
)
from pyike.topology.seed import SEED_FILES, seed_texts

UP_TIMEOUT = 30.0
ROUTING_SETTLE = 2.0  # seconds without a route change, once FRR's neighbors are up
STOP_GRACE = 10.0
LAN_PING = "repeat 3"
SUCCESS = "Success rate is 100 percent"
_COMMAND_TIMEOUT = 30.0
_LOG_MESSAGE = re.compile(r"%[A-Z][A-Z0-9_]*-\d-[A-Z0-9_]+:")
_SESSION = re.compile(r"^Interface: (\S+)\nSession status: (\S+)", re.MULTILINE)
_DEBUG_STARTS = ("*", " ", "Payload contents")  # debug lines, packet dump lines
_FAILURE_WORDS = ("fail", "AUTHENTICATION_FAILED", "NO_PROPOSAL_CHOSEN", "TS_UNACCEPTABLE")
_CLONE_DEVICE = re.compile(rf"^\d+: ({DEVICE_PREFIX}\d+)[@:]", re.MULTILINE)
_NOT_A_COMMAND = ("% Invalid input", "% Incomplete command", "% Ambiguous command")

Emit = Callable[[str], None]


class NetnsCommandError(RuntimeError):
    """A host command (ip, tc, iptables, sysctl) failed; the message has its stderr."""


class Interrupted(Exception):
    """SIGTERM reached `pyike lab --netns`: stop and tear down."""


@dataclass
class NetnsRun:
    """What the run found; `problems` is empty when every tunnel came up and every check
    held."""

    problems: list[str] = field(default_factory=list)
    protected: int = 0
    passed: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # routing lines FRR does not run

    @property
    def ok(self) -> bool:
        return not self.problems


def host_command(*argv: str, timeout: float = _COMMAND_TIMEOUT) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NetnsCommandError(f"{' '.join(argv)}: {exc}") from None
    if done.returncode != 0:
        raise NetnsCommandError(f"{' '.join(argv)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


@dataclass
class _Daemon:
    host: str
    process: subprocess.Popen[bytes]
    control: Path
    log: Path
    reader: threading.Thread


class NetnsLab:
    """The namespaces, links and daemons of one run. `close()` removes all of it, and only
    what this object created."""

    def __init__(
        self,
        plan: NetnsPlan,
        workdir: Path,
        emit: Emit,
        config_files: Mapping[str, Path] | None = None,
    ) -> None:
        self.plan = plan
        self.workdir = workdir
        self.config_files = dict(config_files or {})
        self._lock = threading.Lock()
        self._emit = emit
        self.namespaces: list[str] = []
        self.daemons: dict[str, _Daemon] = {}
        self.frrs: dict[str, FrrInstance] = {}
        self._frr_leftovers: set[Path] = set()  # FRR's shared files that were there before

    def emit(self, line: str) -> None:
        with self._lock:
            self._emit(line)

    # -- building ------------------------------------------------------------------------------

    def build(self) -> None:
        for namespace in self.plan.namespaces:
            host_command("ip", "netns", "add", namespace)
            self.namespaces.append(namespace)
            host_command("ip", "-n", namespace, "link", "set", "lo", "up")
        for router in self.plan.routers:
            self.sysctl(router.namespace, "net.ipv4.ip_forward=1")
            if _forwards_ipv6(router.config):
                self.sysctl(router.namespace, "net.ipv6.conf.all.forwarding=1")
            for address in router.loopbacks:
                self._loopback_address(router.namespace, address, "lo")
            for loopback in router.loopback_devices:
                self._loopback_device(router.namespace, loopback)
        for link in self.plan.links:
            self._link(link)
        for nat in self.plan.nats:
            self.sysctl(nat.namespace, "net.ipv4.ip_forward=1")
            self.netns(
                nat.namespace, "iptables", "-t", "nat", "-A", "POSTROUTING",
                "-o", nat.outside, "-j", "MASQUERADE",
            )  # fmt: skip
            if nat.gateway is not None:
                host_command(
                    "ip", "-n", nat.namespace, "route", "add", "default", "via", nat.gateway
                )
        for router in self.plan.routers:
            for route in router.routes:
                argv = ["ip", "-n", router.namespace, "route", "replace", route.prefix]
                argv += ["via", route.via] if route.via else []
                argv += ["dev", route.device] if route.device else []
                host_command(*argv)

    def _loopback_device(self, namespace: str, loopback: LoopbackDevice) -> None:
        """A veth pair within the namespace, both ends up, the loopback's addresses on one
        end (a dummy device would do, where the kernel has the module)."""
        device, peer = loopback.device, f"{loopback.device}p"
        self._veth(namespace, device, namespace, peer)
        for address in loopback.addresses:
            self._loopback_address(namespace, address, device)
        for end in (peer, device):
            host_command("ip", "-n", namespace, "link", "set", end, "up")

    def _loopback_address(self, namespace: str, address: str, device: str) -> None:
        """Only the address itself is the router's, as on IOS: no route to the loopback's
        subnet (on `lo` Linux makes the whole subnet local), where an unnumbered tunnel's
        peers have their addresses."""
        local = ["noprefixroute"] if "." in address else []
        host_command("ip", "-n", namespace, "addr", "add", address, "dev", device, *local)

    def _link(self, link: Link) -> None:
        ports = link.ports
        if len(ports) == 1:
            host_command(
                "ip", "-n", ports[0].namespace, "link", "add", ports[0].device, "type", "dummy"
            )
        elif link.switch is None:
            a, b = ports
            self._veth(a.namespace, a.device, b.namespace, b.device)
        else:
            host_command("ip", "-n", link.switch, "link", "add", "br0", "type", "bridge")
            host_command("ip", "-n", link.switch, "link", "set", "br0", "up")
            for index, port in enumerate(ports):
                self._veth(port.namespace, port.device, link.switch, f"p{index}")
                host_command("ip", "-n", link.switch, "link", "set", f"p{index}", "master", "br0")
                host_command("ip", "-n", link.switch, "link", "set", f"p{index}", "up")
        for port in ports:
            for address in port.addresses:
                nodad = ["nodad"] if ":" in address else []
                host_command(
                    "ip", "-n", port.namespace, "addr", "add", address, "dev", port.device, *nodad
                )
            host_command("ip", "-n", port.namespace, "link", "set", port.device, "up")
            if link.delay:
                self._delay(port.namespace, port.device, link)

    def _delay(self, namespace: str, device: str, link: Link) -> None:
        assert link.delay is not None
        delay = f"{link.delay * 1000:g}ms"
        try:
            host_command(
                "tc", "-n", namespace, "qdisc", "add", "dev", device, "root",
                "netem", "delay", delay,
            )  # fmt: skip
        except NetnsCommandError as exc:
            raise NetnsCommandError(
                f"delay {link.subnet} {delay} needs tc and the kernel's netem qdisc "
                f"(sch_netem); drop the directive to run without it ({exc})"
            ) from None

    def _veth(self, ns_a: str, dev_a: str, ns_b: str, dev_b: str) -> None:
        host_command(
            "ip", "link", "add", dev_a, "netns", ns_a, "type", "veth",
            "peer", "name", dev_b, "netns", ns_b,
        )  # fmt: skip

    def sysctl(self, namespace: str, setting: str) -> None:
        self.netns(namespace, "sysctl", "-q", "-w", setting)

    def netns(self, namespace: str, *argv: str, timeout: float = _COMMAND_TIMEOUT) -> str:
        return host_command("ip", "netns", "exec", namespace, *argv, timeout=timeout)

    # -- daemons -------------------------------------------------------------------------------

    def start(self) -> None:
        for router in self.plan.routers:
            self._start(router)

    def _start(self, router: RouterPlan) -> None:
        control = self.workdir / f"{router.host}.sock"
        log = self.workdir / f"{router.host}.log"
        argv = [
            "ip", "netns", "exec", router.namespace,
            sys.executable, "-m", "pyike", "run",
            str(self.config_files.get(router.config.file, router.config_path)),
            "--control", str(control), "--debug",
            "--no-drop",  # root-run lab tooling: configs in its work dir, FRR's vtysh as root
        ]  # fmt: skip
        for interface, device in router.binds:
            argv += ["--bind", f"{interface}={device}"]
        if router.frr is not None:
            argv += ["--frr", router.pathspace]
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # Ctrl-C reaches us; we stop the daemons in order
        )
        assert process.stdout is not None
        reader = threading.Thread(
            target=self._relay, args=(router.host, process.stdout, log), daemon=True
        )
        self.daemons[router.host] = _Daemon(router.host, process, control, log, reader)
        reader.start()

    def _relay(self, host: str, stream: IO[bytes], log: Path) -> None:
        """The daemon's output into its log; its log messages (not debug lines) and anything
        unexpected (an error on stderr) onto the terminal too."""
        with log.open("w", encoding="utf-8") as out:
            for raw in stream:
                line = raw.decode(errors="replace").rstrip("\n")
                out.write(line + "\n")
                out.flush()
                if _LOG_MESSAGE.search(line) or not line.startswith(_DEBUG_STARTS):
                    self.emit(f"{host}: {line}")

    def start_routing(self) -> None:
        """FRR for each router that runs a routing protocol."""
        self._frr_leftovers = frr_daemons.shared_files()
        for router in self.plan.routers:
            if router.frr is None:
                continue
            instance = FrrInstance(
                router.host, router.frr, router.namespace, router.pathspace, self.workdir
            )
            self.frrs[router.host] = instance
            instance.start()
            daemons = ", ".join(d.daemon for d in router.frr.daemons)
            self.emit(f"{router.host}: FRR {daemons} started for {', '.join(router.frr.protocols)}")

    def exec(self, host: str, command: str, *, show: bool = True) -> str:
        """An exec command on the router's daemon (what `pyike exec` does)."""
        daemon = self.daemons[host]
        client = ControlClient(daemon.control, timeout=_COMMAND_TIMEOUT)
        try:
            text = client.run(command)
        finally:
            client.close()
        if show:
            self.emit(f"{host}: {host}#{command}")
            for line in text.rstrip("\n").splitlines():
                self.emit(f"{host}: {line}")
        return text

    def exited(self) -> list[str]:
        return [
            f"{d.host}: pyike run exited with status {d.process.returncode}"
            for d in self.daemons.values()
            if d.process.poll() is not None
        ]

    # -- teardown ------------------------------------------------------------------------------

    def close(self) -> None:
        for instance in self.frrs.values():
            instance.stop()
        if self.frrs:
            for leftover in frr_daemons.shared_files() - self._frr_leftovers:
                leftover.unlink(missing_ok=True)
        running = [d for d in self.daemons.values() if d.process.poll() is None]
        for daemon in running:
            with contextlib.suppress(ProcessLookupError):
                daemon.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for daemon in running:
            try:
                daemon.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.emit(f"{daemon.host}: % pyike run did not stop in {STOP_GRACE:g} s: killed")
                daemon.process.kill()
                daemon.process.wait(5)
        for namespace in reversed(self.namespaces):
            # anything still inside (a ping of ours) goes by its pid
            with contextlib.suppress(NetnsCommandError):
                for pid in host_command("ip", "netns", "pids", namespace).split():
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
            with contextlib.suppress(NetnsCommandError):
                host_command("ip", "netns", "del", namespace)
        self.namespaces.clear()
        for daemon in self.daemons.values():
            daemon.reader.join(5)
            if daemon.process.stdout is not None:
                daemon.process.stdout.close()


# --- the run ----------------------------------------------------------------------------------


def run_netns(
    topology: Topology,
    emit: Emit,
    *,
    workdir: Path,
    tag: str | None = None,
    up_timeout: float = UP_TIMEOUT,
    after_start: Callable[[NetnsLab], None] | None = None,
    config_files: Mapping[str, Path] | None = None,
) -> NetnsRun:
    """Build, start, wait, check, show, and always tear down. `NetnsPlanError` when the
    topology cannot be laid onto namespaces. `after_start` runs once the daemons are
    started (tests use it to fail mid-run). `config_files`: the file each router's `pyike
    run` reads instead of its own, by its own (`runnable_copies`)."""
    plan = plan_topology(topology, tag or str(os.getpid()))
    _refuse_without_frr(plan)
    result = NetnsRun(protected=sum(len(r.tunnels) + len(r.crypto_maps) for r in plan.routers))
    if result.protected == 0:
        result.problems.append("no router protects anything (no tunnel protection, no crypto map)")
        return result
    lab = NetnsLab(plan, workdir, emit, config_files)
    try:
        lab.build()
        lab.start()
        if after_start is not None:
            after_start(lab)
        result.problems += _wait_up(lab, up_timeout)
        if not result.problems:
            lab.start_routing()
            _wait_routing(lab, up_timeout, result)
            lan = _lan_pings(plan) + [
                Check(c.host, c.command, c.expect, "LAN to LAN through a crypto map")
                for c in _crypto_map_pings(plan)
            ]
            _run_checks(lab, lan + topology.checks, result)
        for host, daemon in lab.daemons.items():
            if daemon.process.poll() is None:
                for command in _closing_commands(host in lab.frrs):
                    with contextlib.suppress(ControlError):
                        lab.exec(host, command)
        result.notes += [note for r in plan.routers if r.frr for note in r.frr.notes]
        result.notes += [line for frr in lab.frrs.values() for line in frr.refused()]
    except NetnsCommandError as exc:
        result.problems.append(f"cannot build the lab: {exc}")
    except FrrStartError as exc:
        result.problems.append(f"cannot start FRRouting: {exc}")
    finally:
        _ignoring_interrupts(lab.close)
    return result


def _closing_commands(routing: bool) -> tuple[str, ...]:
    crypto = ("show crypto session", "show crypto ikev2 sa")
    return (*crypto, "show ip route") if routing else crypto


def _refuse_without_frr(plan: NetnsPlan) -> None:
    """A router with a routing protocol needs FRR's daemons on this host."""
    for router in plan.routers:
        missing = frr_daemons.missing(router.frr) if router.frr is not None else []
        if missing:
            assert router.frr is not None
            paths = ", ".join(str(frr_daemons.FRR_DAEMON_DIR / daemon) for daemon in missing)
            raise NetnsPlanError(
                f"% {router.host} runs {', '.join(router.frr.protocols)} in FRRouting, which "
                f"is not installed here (no {paths}: Debian package frr); run this topology "
                "without --netns"
            )


def _wait_routing(lab: NetnsLab, timeout: float, result: NetnsRun) -> None:
    """Wait until every router's FRR has its neighbors (`pyike.frr.status`) and the routing
    tables have not changed for `ROUTING_SETTLE` seconds; a problem when that does not happen
    within `timeout` seconds (the checks still run: their results say what fails). Lines
    FRR takes only once it runs are typed meanwhile; those it never takes are noted."""
    deadline = time.monotonic() + timeout
    late = {host: list(frr.setup.late) for host, frr in lab.frrs.items()}
    tables: dict[str, str] = {}
    settled_since: float | None = None
    while lab.frrs:
        dead = [line for frr in lab.frrs.values() for line in frr.exited()]
        if dead:
            result.problems += dead
            break
        for host, commands in late.items():
            late[host] = [c for c in commands if not _configure(lab, host, c)]
        waiting = [
            f"{host}: {what}"
            for host, frr in lab.frrs.items()
            for what in routing_pending(frr.pathspace, frr.setup, _tunnel_devices(lab, host))
        ]
        now = time.monotonic()
        current = {r.host: lab.netns(r.namespace, "ip", "route", "show") for r in lab.plan.routers}
        if waiting or current != tables or settled_since is None:
            settled_since = None if waiting else now
        elif now - settled_since >= ROUTING_SETTLE:
            break
        tables = current
        if now >= deadline:
            why = waiting or ["the routing tables are still changing"]
            result.problems += [f"routing not converged after {timeout:g} s: {w}" for w in why]
            break
        time.sleep(0.5)
    result.notes += [
        f"{host}: FRR {c.daemon} did not take `{c.line.origin}`"
        for host, commands in late.items()
        for c in commands
    ]


def _configure(lab: NetnsLab, host: str, command: LateCommand) -> bool:
    return frr_configure(lab.frrs[host].pathspace, command.context, command.line.text)


def _tunnel_devices(lab: NetnsLab, host: str) -> dict[str, str]:
    """The router's tunnel devices and the interfaces they play, its virtual templates'
    clones (`va1` -> `Virtual-Access1`) as far as they exist now."""
    router = lab.plan.router(host)
    devices = {tun_name(name): name for name in router.tunnels}
    if router.templates:
        links = lab.netns(router.namespace, "ip", "-o", "link", "show")
        for device in _CLONE_DEVICE.findall(links):
            devices[device] = clone_interface(device)
    return devices


def _ignoring_interrupts(action: Callable[[], None]) -> None:
    """Run `action` (the teardown) with Ctrl-C and SIGTERM held off until it is done."""
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        action()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _session_states(text: str) -> dict[str, str]:
    states: dict[str, str] = {}
    for interface, status in _SESSION.findall(text):
        if states.get(interface) != "UP-ACTIVE":
            states[interface] = status
    return states


def _wait_up(lab: NetnsLab, timeout: float) -> list[str]:
    """Poll `show crypto session` until every protected tunnel and crypto map is UP-ACTIVE
    (pinging through the crypto maps still down: their SAs wait for traffic); the problems
    when that does not happen within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    states: dict[str, dict[str, str]] = {}
    triggers = _crypto_map_pings(lab.plan)
    while True:
        dead = lab.exited()
        if dead:
            return [*dead, *(f"  {line}" for line in _log_tail(lab, dead))]
        for router in lab.plan.routers:
            with contextlib.suppress(ControlError):
                text = lab.exec(router.host, "show crypto session", show=False)
                states[router.host] = _session_states(text)
        down = [
            (router.host, tunnel, states.get(router.host, {}).get(tunnel))
            for router in lab.plan.routers
            for tunnel in (*router.tunnels, *router.crypto_maps)
            if states.get(router.host, {}).get(tunnel) != "UP-ACTIVE"
        ]
        if not down:
            return []
        if time.monotonic() >= deadline:
            break
        waiting = {(host, interface) for host, interface, _ in down}
        for check in triggers:
            if (check.host, check.where) in waiting:
                _trigger(lab, check)
        time.sleep(0.5)
    problems = []
    for host, tunnel, status in down:
        shown = status or ("no session" if host in states else "daemon not answering")
        problems.append(f"{host} {tunnel}: {shown}, not UP-ACTIVE after {timeout:g} s")
        problems += [f"  {host}: {line}" for line in _failure_lines(lab.daemons[host].log)]
    return problems


def _failure_lines(log: Path, limit: int = 3) -> list[str]:
    """The daemon's last debug lines that say why a negotiation failed."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = [line for line in lines if any(word in line for word in _FAILURE_WORDS)]
    return list(dict.fromkeys(found[-limit * 4 :]))[-limit:]


def _log_tail(lab: NetnsLab, dead: list[str], limit: int = 5) -> Iterator[str]:
    for problem in dead:
        host = problem.partition(":")[0]
        with contextlib.suppress(OSError):
            text = lab.daemons[host].log.read_text(encoding="utf-8", errors="replace")
            yield from text.splitlines()[-limit:]


def _lan_pings(plan: NetnsPlan) -> list[Check]:
    """From each router's first loopback, a ping to every other router's loopback address
    that one of its tunnel routes leads to: the LANs reach each other through the tunnels."""
    loopbacks = {r.host: [ip_interface(a).ip for a in r.loopback_addresses] for r in plan.routers}
    checks = []
    for router in plan.routers:
        sources = [a for a in loopbacks[router.host] if a.version == 4]
        if not sources:
            continue
        prefixes = _tunnel_prefixes(router.config)
        for other in plan.routers:
            if other is router:
                continue
            for target in loopbacks[other.host]:
                if any(target in prefix for prefix in prefixes):
                    command = f"ping {target} source {sources[0]} {LAN_PING}"
                    checks.append(Check(router.host, command, SUCCESS, "LAN to LAN"))
    return checks


def _crypto_map_pings(plan: NetnsPlan) -> list[Check]:
    """From each router's loopbacks, a ping to each other router's loopback that one of its
    crypto maps permits (the first source it permits from); `where` names the interface."""
    loopbacks = {
        r.host: [a for a in (ip_interface(x).ip for x in r.loopback_addresses) if a.version == 4]
        for r in plan.routers
    }
    checks = []
    for router in plan.routers:
        maps = maps_by_interface(router.config)
        for interface in router.crypto_maps:
            entries = maps.get(interface, ())
            for other in plan.routers:
                if other is router:
                    continue
                for target in loopbacks[other.host]:
                    source = next(
                        (
                            s
                            for s in loopbacks[router.host]
                            if first_permitting(entries, Flow(int(s), int(target), 1))
                        ),
                        None,
                    )
                    if source is not None:
                        command = f"ping {target} source {source} {LAN_PING}"
                        checks.append(Check(router.host, command, SUCCESS, interface))
    return checks


def _trigger(lab: NetnsLab, check: Check) -> None:
    """One ping that starts a crypto map's negotiation (its reply may well be lost)."""
    target, source = check.command.split()[1], check.command.split()[3]
    router = lab.plan.router(check.host)
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        subprocess.run(
            ["ip", "netns", "exec", router.namespace, "ping", "-c1", "-W1", "-I", source, target],
            capture_output=True,
            timeout=5,
        )


def _tunnel_prefixes(config: Config) -> list[IPv4Network]:
    tunnels = {
        i.name: [ip_interface(f"{a}/{m}").network for a, m in i.addresses]
        for i in config.interfaces.values()
        if i.is_tunnel and i.tunnel_protection is not None
    }
    out = []
    for route in config.routes:
        into = route.interface in tunnels or (
            route.next_hop is not None
            and any(route.next_hop in net for nets in tunnels.values() for net in nets)
        )
        if into and isinstance(route.prefix, IPv4Network):
            out.append(route.prefix)
    return out


def _run_checks(lab: NetnsLab, checks: list[Check], result: NetnsRun) -> None:
    for check in checks:
        where = f" ({check.where})" if check.where else ""
        try:
            text = _run_check(lab, check)
        except PingSyntaxError as exc:
            result.skipped.append(f"{check.host}: `{check.command}`: {exc}{where}")
            continue
        except (ControlError, NetnsCommandError) as exc:
            result.problems.append(f"{check.host}: `{check.command}` failed: {exc}{where}")
            continue
        if any(marker in text for marker in _NOT_A_COMMAND):
            result.skipped.append(
                f"{check.host}: `{check.command}`: not a command of pyike run{where}"
            )
        elif check.expect is not None and check.expect not in text:
            result.problems.append(
                f"{check.host}: `{check.command}` did not print {check.expect!r}{where}"
            )
        elif check.expect is not None:
            result.passed += 1


def _run_check(lab: NetnsLab, check: Check) -> str:
    if not is_ping(check.command):
        return lab.exec(check.host, check.command)
    command, _, _ = check.command.partition("|")
    try:
        spec = parse_filter(check.command)
    except ExecInputError as error:
        raise NetnsCommandError(error.render(f"{check.host}#").strip()) from None
    text = _linux_ping(lab, check, command)
    return text if spec is None else spec.apply(text)


def _linux_ping(lab: NetnsLab, check: Check, command: str) -> str:
    router = lab.plan.router(check.host)
    request = parse_ping(command, partial_address_of(router.config))
    argv = request.argv()
    lab.emit(f"{check.host}: {check.host}#{check.command}")
    lab.emit(f"{check.host}: (ip netns exec {router.namespace} {' '.join(argv)})")
    budget = request.repeat * 0.2 + request.timeout + 10
    try:
        done = subprocess.run(
            ["ip", "netns", "exec", router.namespace, *argv],
            capture_output=True,
            text=True,
            timeout=budget,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NetnsCommandError(f"ping: {exc}") from None
    report = ping_report(request, done.stdout)
    for line in (done.stdout + done.stderr + report).rstrip("\n").splitlines():
        lab.emit(f"{check.host}: {line}")
    return done.stdout + report


def partial_address_of(
    config: Config,
) -> Callable[[str, int], IPv4Address | IPv6Address | None]:
    """`address_of(interface, version)` over one router's configuration."""

    def address_of(text: str, version: int) -> IPv4Address | IPv6Address | None:
        name = interface_name(text)
        iface = config.interfaces.get(name) if name is not None else None
        if iface is None:
            return None
        if version == 4:
            return iface.addresses[0][0] if iface.addresses else None
        for address in iface.ipv6_addresses:
            words = address.split()
            if len(words) == 1:
                with contextlib.suppress(ValueError):
                    return ip_interface(words[0]).ip
        return None

    return address_of


# --- the command line -------------------------------------------------------------------------


def _seed_directory(workdir: Path) -> Path:
    seed = workdir / "seed"
    seed.mkdir()
    for host, text in seed_texts().items():
        (seed / SEED_FILES[host]).write_text(text, encoding="utf-8")
    return seed


def _forwards_ipv6(config: Config) -> bool:
    """A transit router (a provider's: it protects nothing) with `ipv6 unicast-routing`. A VPN
    router's namespace only originates and terminates IPv6 here; in router mode its kernel
    also sends packets of its own into the tunnel devices, which pyike then encrypts, so
    their counters would no longer be the traffic's."""
    routing = any(b.keyword == UNICAST_ROUTING for b in config.unmodelled)
    return routing and not child_sa_policies(config)


def runnable_copies(topology: Topology, workdir: Path) -> dict[str, Path]:
    """For each configuration with lines its router refuses as IOS does, a copy in `workdir`
    with those lines blanked (`!`, so line numbers still point at the file), which `pyike run`
    starts from, as the simulated lab runs such a router without them; by the original file.
    The refusals are printed (IOS's message and marker). A router with trustpoints keeps its
    key files beside its configuration: it must load clean. A router the lab added (the
    provider, `topology.upstream`) starts from its text, written there too."""
    refused: dict[str, set[int]] = {}
    for diagnostic in topology.refused:
        refused.setdefault(diagnostic.file, set()).add(diagnostic.line or 0)
    if topology.refused:
        print("\n".join(d.format() for d in topology.refused), file=sys.stderr)
    copies: dict[str, Path] = {}
    for config in topology.configs:
        added = topology.added.get(config.hostname)
        if added is not None:  # the provider's router the lab added: its text has no file
            copies[config.file] = _write_copy(workdir, config.hostname, added)
            continue
        numbers = refused.get(config.file)
        if not numbers:
            continue
        if config.trustpoints or 0 in numbers:
            raise TopologyError(
                f"% pyike lab --netns: {config.file}: `pyike run` starts a router with "
                "trustpoints only from a configuration that loads clean (its keys are beside it)"
            )
        lines = read_text(Path(config.file)).splitlines()
        kept = ["!" if n in numbers else line for n, line in enumerate(lines, 1)]
        copies[config.file] = _write_copy(workdir, config.hostname, "\n".join(kept) + "\n")
    return copies


def _write_copy(workdir: Path, hostname: str, text: str) -> Path:
    copy = workdir / "configs" / f"{hostname}.cfg"
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    return copy


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


def run_cli(args: argparse.Namespace) -> int:
    """`pyike lab --netns [CONFIG...|DIR]`: 0 when every tunnel is UP-ACTIVE and every check
    held, 1 otherwise with the reasons, 2 when it cannot run here."""
    if getattr(args, "interactive", False) or getattr(args, "scenario", None):
        print("% pyike lab: --netns runs topologies; not with --interactive or --scenario",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        until = getattr(args, "until", None)
        timeout = parse_duration(until) if until else UP_TIMEOUT
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print(
            "% pyike lab --netns: network namespaces, veth pairs and TUN devices need root; "
            "run it as root (e.g. sudo .venv/bin/pyike lab --netns)",
            file=sys.stderr,
        )
        return 2
    missing = [tool for tool in ("ip", "ping") if shutil.which(tool) is None]
    if missing:
        print(f"% pyike lab --netns: needs {' and '.join(missing)} (iproute2, iputils-ping)",
              file=sys.stderr)  # fmt: skip
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="pyike-netns-"))
    keep_logs = False
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        topology = load_topology(args.configs or [_seed_directory(workdir)])
        timed = next((check for check in topology.checks if check.at is not None), None)
        if timed is not None:
            raise TopologyError(
                f"% {timed.where}: @TIME runs a command at a virtual time; with --netns the "
                "clock is real: drop the @TIME"
            )
        copies = runnable_copies(topology, workdir)
        for note in topology.notes:  # how the lab read the files, as the simulated lab says
            print(f"% pyike lab --netns: note: {note}")
        if topology.run_seconds != DEFAULT_RUN:
            print(f"% pyike lab --netns: `run {topology.run_seconds:g}s` is not waited for: "
                  "the checks run as soon as every tunnel is up")  # fmt: skip
        result = run_netns(
            topology, print, workdir=workdir, up_timeout=timeout, config_files=copies
        )
        keep_logs = not result.ok and any(workdir.glob("*.log"))
    except TopologyError as error:
        print(error, file=sys.stderr)
        return 1
    except NetnsPlanError as error:
        print(error, file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Interrupted):
        print("% pyike lab --netns: interrupted; namespaces and daemons removed", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)
    for skipped in result.skipped:
        print(f"% pyike lab --netns: skipped {skipped}")
    for note in result.notes:
        print(f"% pyike lab --netns: note: {note}")
    # a configuration that does not load clean keeps the verdict at 1, as in the simulated lab
    refused = [
        f"{file}: {count} line(s) refused as IOS refuses them (shown above); its router ran "
        "without them"
        for file, count in Counter(d.file for d in topology.refused).items()
    ]
    if result.ok:
        print(
            f"\n% pyike lab --netns: {result.protected} tunnels UP-ACTIVE on "
            f"{', '.join(topology.hostnames)}; {result.passed} checks passed "
            f"(real daemons, network namespaces)."
        )
    for problem in [*refused, *result.problems]:
        print(f"% pyike lab --netns: {problem}", file=sys.stderr)
    if result.ok:
        return 1 if refused else 0
    if keep_logs:
        print(f"% pyike lab --netns: the daemons' logs are in {workdir}", file=sys.stderr)
    return 1
