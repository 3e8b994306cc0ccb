"""The routing show commands of a router whose routing FRRouting runs, answered by FRR's
vtysh (FRR prints them much as IOS does; its output is kept as it is).

FRR's daemons for one router live under a pathspace of their own (`-N NAME`: their vty
sockets in /var/run/frr/NAME); None is the host's FRR. vtysh's complaints come back in IOS's
words: an unknown command as invalid input, an incomplete or ambiguous one as such, and a
daemon that is not running as what IOS prints without that routing process."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

FRR_STATE_DIR = Path("/var/run/frr")  # Debian's FRR: pid files and vty sockets
VTYSH = "vtysh"
SHOW_COMMANDS = ("show ip route", "show ip bgp", "show ip ospf", "show ip eigrp")
TIMEOUT = 10.0
# What IOS prints for a process it does not run: `% BGP not active`; nothing for OSPF, EIGRP.
_NOT_RUNNING = {"bgpd": "% BGP not active\n", "ospfd": "", "eigrpd": "", "zebra": ""}


class VtyshRefused(Exception):
    """vtysh did not take the command: `kind` is "invalid", "incomplete" or "ambiguous"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class FrrUnavailable(Exception):
    """FRR cannot answer (vtysh missing, no daemon listening); the message says why."""


def vty_directory(pathspace: str | None) -> Path:
    return FRR_STATE_DIR / pathspace if pathspace else FRR_STATE_DIR


@dataclass(frozen=True)
class Frr:
    """The FRR that runs a router's routing: the host's, or that of `pathspace`."""

    pathspace: str | None = None

    def show(self, command: str, *, timeout: float = TIMEOUT) -> str:
        """`command` (one of `SHOW_COMMANDS` and its arguments) as FRR answers it."""
        return show(self.pathspace, command, timeout=timeout)


def show(pathspace: str | None, command: str, *, timeout: float = TIMEOUT) -> str:
    """`command` as the FRR of `pathspace` answers it."""
    argv = [VTYSH, "--vty_socket", str(vty_directory(pathspace)), "-c", command]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise FrrUnavailable("% FRRouting's vtysh is not installed (Debian package frr)") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FrrUnavailable(f"% FRRouting did not answer: {exc}") from None
    if done.returncode == 0:
        return done.stdout
    return _refusal(done.stdout + done.stderr)


def configure(pathspace: str | None, context: str, line: str) -> bool:
    """Type `line` in `context` (`router eigrp 100`) of FRR's configuration; whether FRR
    took it."""
    argv = [VTYSH, "--vty_socket", str(vty_directory(pathspace)), "-c", "configure terminal"]
    argv += ["-c", context, "-c", line]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _refusal(text: str) -> str:
    """vtysh's failure as IOS words it, or the output IOS gives without that process."""
    for kind, marker in (
        ("invalid", "% Unknown command"),
        ("incomplete", "% Command incomplete"),
        ("ambiguous", "% Ambiguous command"),
    ):
        if marker in text:
            raise VtyshRefused(kind, text.strip())
    for daemon, answer in _NOT_RUNNING.items():
        if f"{daemon} is not running" in text:
            return answer
    if "failed to connect to any daemons" in text:
        raise FrrUnavailable("% FRRouting is not running for this router")
    raise FrrUnavailable(f"% FRRouting: {text.strip() or 'vtysh failed'}")
