"""Where an SSH server listens: `--ssh [ADDR:]PORT` (no asyncssh here: `pyike run` parses
its options before it imports the server)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


class ListenError(ValueError):
    """`--ssh` names no address and port pyike can listen on."""


@dataclass(frozen=True)
class Listen:
    host: str
    port: int


def parse_listen(text: str, default_host: str = "", option: str = "--ssh") -> Listen:
    """`PORT`, `ADDR:PORT` or `[IPV6]:PORT`; without an address, `default_host` (all
    addresses when empty). `option` names the option in errors (`--metrics` uses it too)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or default_host
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ListenError(f"{option} {text}: not a port (use [ADDR:]PORT)")
    if host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ListenError(f"{option} {text}: {host} is not an IP address") from None
    return Listen(host, int(port))
