"""The RADIUS part of `show running-config` (config/radius_model.py)."""

from __future__ import annotations

from collections.abc import Callable

from pyike.config.model import Config, Secret
from pyike.config.radius_model import (
    DEFAULT_ACCT_PORT,
    DEFAULT_AUTH_PORT,
    DEFAULT_RETRANSMIT,
    DEFAULT_TIMEOUT,
    RadiusServerConfig,
)

Block = list[str]


def radius_blocks(cfg: Config, key: Callable[[Secret, bool], str], show_keys: bool) -> list[Block]:
    out = [
        [f"aaa group server radius {g.name}", *(f" server name {s}" for s in g.servers)]
        + [f" {line}" for line in g.extra]
        for g in cfg.radius.groups.values()
    ]
    return out + [_server(s, key, show_keys) for s in cfg.radius.servers.values()]


def _server(s: RadiusServerConfig, key: Callable[[Secret, bool], str], show_keys: bool) -> Block:
    block = [f"radius server {s.name}"]
    if s.address is not None:
        ports = f" auth-port {s.auth_port}" if s.auth_port != DEFAULT_AUTH_PORT else ""
        ports += f" acct-port {s.acct_port}" if s.acct_port != DEFAULT_ACCT_PORT else ""
        block.append(f" address ipv4 {s.address}{ports}")
    if s.key is not None:
        block.append(f" key {key(s.key, show_keys)}")
    block += [f" timeout {s.timeout}"] if s.timeout != DEFAULT_TIMEOUT else []
    block += [f" retransmit {s.retransmit}"] if s.retransmit != DEFAULT_RETRANSMIT else []
    return block + [f" {line}" for line in s.extra]
