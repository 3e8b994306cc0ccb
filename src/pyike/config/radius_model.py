"""RADIUS as IOS configures it for AAA: `radius server NAME` (`address ipv4 A [auth-port N]
[acct-port N]`, `key [0|6|7] KEY`) and `aaa group server radius GROUP` (`server name NAME`),
the group an `aaa authentication login LIST group GROUP` list names. Read by
`pyike.config.commands.radius`, printed by `pyike.config.writer_radius`; the gateway's RADIUS
client (`pyike.aaa`) reaches the servers."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module (through flexvpn_model) for Config's fields
    from pyike.config.model import Secret, Source

DEFAULT_AUTH_PORT = 1645  # IOS's defaults (the ports before RFC 2865's 1812/1813)
DEFAULT_ACCT_PORT = 1646
DEFAULT_TIMEOUT = 5  # seconds a request waits for its answer (`timeout`)
DEFAULT_RETRANSMIT = 3  # times it is sent again before the next server is asked


@dataclass(frozen=True)
class RadiusServerConfig:
    name: str
    address: IPv4Address | None = None
    auth_port: int = DEFAULT_AUTH_PORT
    acct_port: int = DEFAULT_ACCT_PORT
    key: Secret | None = None
    timeout: int = DEFAULT_TIMEOUT
    retransmit: int = DEFAULT_RETRANSMIT
    extra: tuple[str, ...] = ()  # sub-commands kept as typed (automate-tester, pac, ...)
    source: Source | None = None


@dataclass(frozen=True)
class RadiusGroup:
    """`aaa group server radius NAME` and its `server name X` lines, in order."""

    name: str
    servers: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    source: Source | None = None


@dataclass
class RadiusConfig:
    servers: dict[str, RadiusServerConfig] = field(default_factory=dict)
    groups: dict[str, RadiusGroup] = field(default_factory=dict)
