"""Simulated IOS routers in one process, on a virtual clock.

A `Lab` builds one router per configuration, joins their physical interfaces by subnet,
gives each an IKEv2 engine and an ESP data plane (`CryptoNode`), and runs exec commands on
them as an engineer at the console would: the output of a command and the debug messages
of every router come out in virtual-time order, each line prefixed by its router's name.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from pyike.config.model import Config, LoggingBuffer
from pyike.host.exec_crypto import register_crypto_commands, register_show_commands
from pyike.host.track_exec import register_tracking_commands
from pyike.host.track_objects import TrackObjects
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import TraceRecord
from pyike.lab.crypto_map import CryptoMaps
from pyike.lab.crypto_node import CryptoNode
from pyike.lab.dmvpn_exec import register_dmvpn_commands
from pyike.lab.flexvpn_exec import register_flexvpn_commands
from pyike.lab.lab_hosts import lab_names
from pyike.lab.records import Record, event_record
from pyike.node.exec import show_clock, show_logging, show_version, startup_config
from pyike.node.exec.commands import ExecShell
from pyike.node.exec.show_logging import LogBuffer
from pyike.node.router import Router
from pyike.seed_epoch import SEED_EPOCH
from pyike.sim.clock import DEFAULT_EVENT_LIMIT, VirtualClock
from pyike.sim.network import Network
from pyike.sim.topology import wire_by_subnet
from pyike.topology.model import Check
from pyike.topology.seed import SEED_CONFIGS, seed_texts
from pyike.trace.ios_debug import Debug, DebugFormatter

# The seed's routers print "*Nov 11 19:30:34.811" as they start negotiating.

# How much of a long run is run before judging whether the whole of it can finish.
SAMPLE_SECONDS = 3600.0

PolicyFactory = Callable[[Config], tuple[Policy, Sequence[TunnelSpec]]]
Output = Callable[[str], None]


@dataclass
class RunTooLong(Exception):
    """A run that would take more clock events than its budget (at the rate its first
    SAMPLE_SECONDS took), so more minutes of CPU than anyone meant to spend."""

    seconds: float
    events_per_hour: float
    budget: int
    longest: float  # the longest run that fits, in virtual seconds

    def __str__(self) -> str:
        return (
            f"a run of {self.seconds / 3600:g}h is longer than the lab can simulate: these "
            f"routers take about {self.events_per_hour:.0f} clock events per hour (rekeys, "
            f"keepalives, retransmissions) and a run stops at {self.budget} events, so at "
            f"most about {self.longest // 3600:.0f}h"
        )


def _ignore(_text: str) -> None:
    pass


@dataclass(frozen=True)
class _Timed:
    moment: float
    order: int  # commands due at the same moment run in the order given
    hostname: str
    line: str
    done: Callable[[str], None]


@dataclass
class LabRouter:
    router: Router
    crypto: CryptoNode
    shell: ExecShell
    debug: DebugFormatter
    console: list[str] = field(default_factory=list)  # every line this router printed
    logging: LogBuffer = field(default_factory=LogBuffer)  # what it logged (`show logging`)

    @property
    def hostname(self) -> str:
        return self.router.hostname


class Lab:
    def __init__(
        self,
        configs: Sequence[Config],
        policy_factory: PolicyFactory,
        *,
        seed: int = 0,
        epoch: datetime = SEED_EPOCH,
        output: Output | None = None,
    ) -> None:
        self.clock = VirtualClock()
        self.policy_factory = policy_factory  # again when `configure terminal` changes a router
        self.network = Network(self.clock, random.Random(seed))
        self.output = output
        # `pyike lab --json`: each event, console line and command as a record (lab.records).
        self.records: Callable[[Record], None] | None = None
        self.transcript: list[str] = []
        self.routers: dict[str, LabRouter] = {}
        self._timed: list[_Timed] = []  # commands waiting for their time, soonest first
        for device, config in enumerate(configs, 1):
            router = Router(config, self.clock, log=None, device=device)
            rng = random.Random(f"pyike-lab/{seed}/{config.hostname}")
            policy, tunnels = policy_factory(config)
            lab_router = LabRouter(
                router,
                CryptoNode(router, self.clock, policy, tunnels, rng.randbytes),
                ExecShell(router),
                DebugFormatter(epoch, Debug.NONE),
            )
            lab_router.logging.setting = _logging_buffer(router)
            router.log = self._logger(lab_router)
            lab_router.crypto.observer = self._observer(lab_router)
            CryptoMaps(lab_router.crypto, router.log).install(router)
            lab_router.crypto.log = router.log
            lab_router.crypto.trace_sink = self._debug_sink(lab_router)
            register_dmvpn_commands(lab_router.shell.tree, lab_router.crypto)
            register_flexvpn_commands(lab_router.shell.tree, lab_router.crypto)
            register_tracking_commands(
                lab_router.shell.tree, _tracks(lab_router.crypto), lambda: self.clock.now, epoch
            )
            show_clock.register(lab_router.shell.tree, lambda: self.clock.now, epoch, None)
            show_logging.register(lab_router.shell.tree, lab_router.logging)
            startup_config.register(lab_router.shell.tree, _startup(router.config))
            show_version.register(
                lab_router.shell.tree,
                partial(getattr, router, "hostname"),
                lambda: self.clock.now,
                epoch,
                authoritative=False,
            )
            register_crypto_commands(
                lab_router.shell.tree,
                lab_router.crypto,
                lab_router.debug,
                self._ipsec_debug_switch(lab_router),
                lab_router.crypto.clear_ipsec,
            )
            register_show_commands(
                lab_router.shell.tree,
                lab_router.crypto,
                _running(router),
                lab_router.crypto.counters,
            )
            self.routers[router.hostname] = lab_router
        wire_by_subnet(self.network, [r.router for r in self.routers.values()])
        names = lab_names([r.router for r in self.routers.values()])
        for lab_router in self.routers.values():
            lab_router.crypto.lab_hosts = names  # FlexVPN clients' `peer N fqdn` names

    # -- output ------------------------------------------------------------------------------

    def _emit(self, lab_router: LabRouter, line: str, typed: bool = False) -> None:
        """One console line; `typed`: a command or its output (an `exec` record holds it)."""
        text = f"{lab_router.hostname}: {line}"
        lab_router.console.append(line)
        if not typed:
            lab_router.logging.add(line)
        self.transcript.append(text)
        if self.output is not None:
            self.output(text)
        if self.records is not None and not typed:
            self._record(lab_router, {"type": "log", "line": line})

    def _record(self, lab_router: LabRouter, record: Record) -> None:
        if self.records is not None:
            head = {"type": record["type"], "time": self.clock.now, "host": lab_router.hostname}
            self.records(head | record)

    def _observer(self, lab_router: LabRouter) -> Callable[[object], None]:
        def observe(event: object) -> None:
            record = event_record(event) if self.records is not None else None
            if record is not None:
                self._record(lab_router, record)

        return observe

    def _logger(self, lab_router: LabRouter) -> Callable[[str], None]:
        def log(message: str) -> None:
            stamp = lab_router.debug.stamp(self.clock.now)
            self._emit(lab_router, stamp + message)

        return log

    def _ipsec_debug_switch(self, lab_router: LabRouter) -> Callable[[bool], None]:
        """`debug crypto ipsec` on/off: each IPSEC(...) line stamped, its details below it."""

        def sink(lines: list[str]) -> None:
            stamp = lab_router.debug.stamp(self.clock.now)
            for line in lines:
                self._emit(lab_router, line if line.startswith(" ") else stamp + line)

        def switch(on: bool) -> None:
            lab_router.crypto.ipsec_debug = sink if on else None

        return switch

    def _debug_sink(self, lab_router: LabRouter) -> Callable[[list[TraceRecord]], None]:
        def sink(records: list[TraceRecord]) -> None:
            for line in lab_router.debug.lines(records):
                self._emit(lab_router, line)

        return sink

    # -- driving -----------------------------------------------------------------------------

    def router(self, hostname: str) -> LabRouter:
        return self.routers[hostname]

    def tunnels_up(self) -> tuple[int, int]:
        """(up, configured): the protected tunnels, crypto map entries and DMVPN peers of
        every router, each router's end counted, and how many of them have an SA installed."""
        up = configured = 0
        for lab_router in self.routers.values():
            crypto = lab_router.crypto
            configured += len(crypto.specs)
            tunnels = crypto.sad.tunnels
            up += sum(
                1 for name in crypto.specs if (t := tunnels.get(name)) and t.current is not None
            )
        return up, configured

    def bring_up_tunnels(self, stagger: float = 1.0) -> None:
        """Tunnel interfaces come up router by router, `stagger` seconds apart; a router whose
        peer has already started negotiating answers instead of initiating."""
        for index, lab_router in enumerate(self.routers.values()):
            for name in lab_router.crypto.specs:
                self.clock.call_later(index * stagger, _starter(lab_router.crypto, name))

    def exec_at(
        self, moment: float, hostname: str, line: str, done: Callable[[str], None] = _ignore
    ) -> None:
        """Type `line` at `hostname`'s prompt when the clock reaches `moment` (or as soon as
        the lab next runs, if that is already past); `done` gets the output."""
        self._timed.append(_Timed(moment, len(self._timed), hostname, line, done))
        self._timed.sort(key=lambda timed: (timed.moment, timed.order))

    @property
    def last_timed(self) -> float | None:
        """When the last command still waiting for its time is due."""
        return self._timed[-1].moment if self._timed else None

    def _run_timed(self, end: float, budget: int) -> int:
        """Run to each waiting command due by `end`, and type it; the events run."""
        ran = 0
        while self._timed and self._timed[0].moment <= end:
            timed = self._timed.pop(0)
            ran += self.clock.run_until(max(timed.moment, self.clock.now), budget - ran)
            timed.done(self.exec(timed.hostname, timed.line))
        return ran

    def run_for(self, seconds: float, budget: int = DEFAULT_EVENT_LIMIT) -> None:
        """Run `seconds` of virtual time in at most `budget` clock events.

        Idle time costs nothing (the clock jumps from one timer to the next); what costs is
        the events, mostly the IKE and ESP work of each rekey, keepalive and DPD exchange.
        A run longer than SAMPLE_SECONDS is judged after its first SAMPLE_SECONDS: when the
        rate seen would not fit the rest in `budget`, `RunTooLong` says so at once."""
        end = self.clock.now + seconds
        before = self._run_timed(end, budget)
        seconds = end - self.clock.now
        budget -= before
        sample = min(seconds, SAMPLE_SECONDS)
        ran = self.clock.run_for(sample, budget)
        if seconds <= sample:
            return
        rate = ran / sample  # events per virtual second
        if rate * seconds > budget:
            raise RunTooLong(seconds, rate * 3600, budget, budget / rate)
        self.clock.run_for(seconds - sample, budget - ran)

    def run_until(self, moment: float) -> None:
        self._run_timed(moment, DEFAULT_EVENT_LIMIT)
        self.clock.run_until(moment)

    def exec(self, hostname: str, line: str, timeout: float = 86400.0) -> str:
        """Type `line` at `hostname`'s prompt; the clock runs until the command finishes.
        Output is printed line by line as the command produces it, interleaved in time with
        the debug messages of every router."""
        lab_router = self.routers[hostname]
        self._emit(lab_router, f"{lab_router.shell.prompt}{line}", typed=True)
        text = self._exec(lab_router, line, timeout)
        self._record(lab_router, {"type": "exec", "command": line, "output": text})
        return text

    def _exec(self, lab_router: LabRouter, line: str, timeout: float) -> str:
        job = lab_router.shell.run(line)
        pending = [job.text]  # what the command wrote before we could listen

        def stream(text: str) -> None:
            pending.append(text)
            *complete, rest = "".join(pending).split("\n")
            pending[:] = [rest]
            for out_line in complete:
                self._emit(lab_router, out_line, typed=True)

        job.on_output = stream
        stream("")
        self.clock.run_while(lambda: not job.done, timeout)
        if pending[0]:
            self._emit(lab_router, pending[0], typed=True)
        return job.text


@dataclass(frozen=True)
class RunOptions:
    """How `pyike lab` runs the seed or a topology: `debug crypto ikev2` on every router or
    not (None: as the run has it: on for the seed, off for a topology), commands to type
    (`--exec`, some at a virtual time), where to stop (`--until`; for the seed an earlier stop
    leaves out its later steps and their checks), where records go (`--json`), and who
    watches the lab as it runs (the progress display)."""

    debug: bool | None = None
    execs: tuple[Check, ...] = ()
    until: float | None = None
    records: Callable[[Record], None] | None = None
    watch: Callable[[Lab], None] | None = None  # given the lab before it runs (a progress display)
    # told (files read, files named) as the configurations load (a progress display)
    loading: Callable[[int, int], None] | None = None


PLAIN_RUN = RunOptions()


class Commands:
    """Commands typed during a run (`--exec`, `exec` and `expect` directives): those given a
    time (`HOST: COMMAND @90s`) wait for it from the start; the others are typed after the
    run, in order. `finish` gives each command with its output, in the order they ran."""

    def __init__(self, lab: Lab, checks: Sequence[Check]) -> None:
        self.lab = lab
        self.checks = checks
        self.ran: list[tuple[Check, str]] = []
        for check in checks:
            if check.at is not None:
                lab.exec_at(check.at, check.host, check.command, self._keeper(check))

    def _keeper(self, check: Check) -> Callable[[str], None]:
        return lambda text: self.ran.append((check, text))

    def finish(self, until: float | None = None) -> list[tuple[Check, str]]:
        """Run on to `until` and to the last timed command, then type the others."""
        lab = self.lab
        end = max(until or 0.0, lab.last_timed or 0.0)
        if end > lab.clock.now:
            lab.run_for(end - lab.clock.now)
        for check in self.checks:
            if check.at is None:
                self.ran.append((check, lab.exec(check.host, check.command)))
        return self.ran


def _running(router: Router) -> Callable[[], Config]:
    """The router's configuration in force (`configure terminal` changes it)."""
    return lambda: router.config


def _startup(config: Config) -> Callable[[], str | None]:
    """A router's startup configuration: the file it was read from (read when asked, as
    `write memory` rewrites it), the package's copy for the seed's; none for one the lab
    added."""
    if config.file in SEED_CONFIGS:
        return lambda: seed_texts().get(config.hostname)
    return lambda: startup_config.file_text(config.file)


def _logging_buffer(router: Router) -> Callable[[], LoggingBuffer]:
    """The router's `logging buffered` in force."""
    return lambda: router.config.logging_buffer


def _tracks(crypto: CryptoNode) -> Callable[[], TrackObjects]:
    return lambda: crypto.tracking


def _starter(crypto: CryptoNode, tunnel: str) -> Callable[[], None]:
    return lambda: crypto.start_tunnel(tunnel)
