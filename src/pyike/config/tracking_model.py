"""IP SLA operations and track objects: `ip sla N` with `icmp-echo ADDRESS [source-interface
IF|source-ip A]` (`frequency`, `timeout`, `threshold`), `ip sla schedule N ...`, and `track N
ip sla M [reachability|state]` (`delay up|down`): what says whether a FlexVPN client's peer
is a possible peer (`peer N ADDRESS track T`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module for its Config field
    from pyike.config.model import Source

DEFAULT_FREQUENCY = 60  # seconds between probes (IOS's default for icmp-echo)
DEFAULT_TIMEOUT_MS = 5000  # how long a probe waits for its reply


@dataclass(frozen=True)
class IcmpEcho:
    """`icmp-echo ADDRESS [source-interface IF | source-ip A]` and its settings."""

    target: IPv4Address
    source_interface: str | None = None
    source_ip: IPv4Address | None = None
    frequency: int = DEFAULT_FREQUENCY
    timeout_ms: int = DEFAULT_TIMEOUT_MS


@dataclass(frozen=True)
class IpSla:
    """`ip sla N`: an operation (only `icmp-echo` is run; others are kept) and whether `ip sla
    schedule N ... start-time now` runs it."""

    number: int
    echo: IcmpEcho | None = None
    scheduled: bool = False
    schedule: str | None = None  # the `ip sla schedule` line's words after the number
    extra: tuple[str, ...] = ()  # sub-commands kept without acting on them, as typed
    source: Source | None = None


@dataclass(frozen=True)
class Track:
    """`track N ip sla M [reachability|state]`: up while operation M's last probe was answered
    (within its threshold), after `delay up|down` seconds of the change."""

    number: int
    sla: int | None = None  # None: a kind of track pyike does not run (interface, list, ...)
    kind: str = "state"  # reachability | state
    delay_up: int = 0
    delay_down: int = 0
    typed: str = ""  # what follows `track N`, as typed
    extra: tuple[str, ...] = ()
    source: Source | None = None


@dataclass
class TrackingConfig:
    slas: dict[int, IpSla] = field(default_factory=dict)
    tracks: dict[int, Track] = field(default_factory=dict)
