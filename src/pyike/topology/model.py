"""A lab topology as its files describe it: router configurations and the lab directives
that say what a configuration cannot (NAT boxes, link delays, run time, checks). Loaded by
`pyike.topology.load`; run by the simulated lab (`pyike.lab.topology_run`) or by real daemons
in network namespaces (`pyike.netns`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface

from pyike.config.diagnostics import Diagnostic
from pyike.config.model import Config

DEFAULT_RUN = 30.0


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
    """A command to run after the lab has run, or at virtual time `at` (seconds from the
    start); `expect` (if any) must be in its output."""

    host: str
    command: str
    expect: str | None = None
    where: str = ""
    at: float | None = None


@dataclass(frozen=True)
class LinkEvent:
    """`down|up HOST [INTERFACE] @TIME`: at virtual time `at`, the interface's link (without
    one, every interface of the router: the router is cut off) goes down or comes back."""

    host: str
    interface: str | None
    up: bool
    at: float
    where: str = ""


@dataclass
class Topology:
    configs: list[Config]
    nats: list[NatHint] = field(default_factory=list)
    delays: list[DelayHint] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    links: list[LinkEvent] = field(default_factory=list)
    run_seconds: float = DEFAULT_RUN
    run_where: str = ""  # the `run` directive's file:line
    # Lines a router refused as IOS refuses them at boot (with IOS's message and marker): the
    # router runs without them, and the lab reports them.
    refused: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the lab read the files (names given)
    # routers the lab added (`topology.upstream`): their configuration text, by hostname
    added: dict[str, str] = field(default_factory=dict)

    @property
    def hostnames(self) -> list[str]:
        return [c.hostname for c in self.configs]
