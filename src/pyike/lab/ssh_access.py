"""`pyike lab --interactive --ssh [ADDR:]PORT`: each lab router's command line over SSH, one
port per router in the lab's order (the first router on PORT, the next on PORT+1, ...), each
with the users of its own configuration, as if each router were a box of its own.

`configure terminal` reads and checks every line as the router would and, leaving
configuration mode, applies the change to the running simulated router
(`pyike.lab.reconfigure`); `write memory` saves the router's configuration file (not the
seed's, which is pyike's own).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from prompt_toolkit.patch_stdout import patch_stdout

from pyike.config.model import Config
from pyike.host.config_mode import ApplyError
from pyike.host.ios_cli import LineSink
from pyike.host.startup_config import save_config
from pyike.lab.interactive import LabConsole, run_console
from pyike.lab.lab import Lab, LabRouter
from pyike.lab.reconfigure import configure
from pyike.node.exec.parser import CommandTree
from pyike.ssh import host_key
from pyike.ssh.listen import Listen, ListenError, parse_listen
from pyike.ssh.server import SshServer
from pyike.topology.upstream import is_added

_LAB_ADDRESS = "127.0.0.1"  # the lab's routers are for this host unless ADDR says otherwise
SEED_NOT_SAVED = "the seed's configuration is part of pyike; run the lab from a copy to save"
ADDED_NOT_SAVED = "the lab added this router: it has no configuration file to save to"


@dataclass(frozen=True)
class SshOptions:
    listen: Listen
    key: asyncssh.SSHKey
    key_note: str  # where the host key is, for the start-up line
    startup: dict[str, Path] | None  # each router's configuration file; None: the seed's


class LabRouterDevice:
    """A lab router as the command line sees it (`pyike.host.ios_cli.Device`)."""

    def __init__(self, lab: Lab, lab_router: LabRouter, startup: Path | None) -> None:
        self._lab = lab
        self._router = lab_router
        self._startup = startup

    @property
    def config(self) -> Config:
        return self._router.router.config

    @property
    def tree(self) -> CommandTree:
        return self._router.shell.tree

    def apply(self, config: Config) -> str:
        try:
            return configure(self._lab, self._router, config)
        except ValueError as error:
            raise ApplyError(str(error)) from None

    def save(self, config: Config) -> str:
        if self._startup is None:
            why = ADDED_NOT_SAVED if is_added(self.config) else SEED_NOT_SAVED
            raise OSError(0, why, "startup-config")
        save_config(config, self._startup)
        return str(self._startup)

    def log(self, message: str) -> None:
        log = self._router.router.log
        if log is not None:
            log(message)

    def monitor(self, sink: LineSink) -> Callable[[], None] | None:
        return None


async def serve_lab(
    lab: Lab,
    listen: Listen,
    key: asyncssh.SSHKey,
    startup: dict[str, Path] | None,
) -> list[SshServer]:
    """One SSH server per router, on consecutive ports from `listen.port`; `startup` gives
    each router's configuration file (None: the seed's routers)."""
    servers: list[SshServer] = []
    for offset, (hostname, lab_router) in enumerate(lab.routers.items()):
        path = None if startup is None else startup.get(hostname)
        server = SshServer(LabRouterDevice(lab, lab_router, path), key)
        port = listen.port + offset if listen.port else 0
        try:
            await server.start(Listen(listen.host, port))
        except OSError:
            for started in servers:
                await started.stop()
            raise
        servers.append(server)
    return servers


def host_key_for(path: Path | None) -> tuple[asyncssh.SSHKey, str]:
    """The lab's host key: from `--ssh-host-key` (made there if missing), else a new one
    for this run; and how to say where it is."""
    if path is None:
        return host_key.generated(), "a new host key for this run"
    key, made = host_key.load_or_create(path)
    return key, f"host key {'made in' if made else 'from'} {path}"


async def serve_console(console: LabConsole, options: SshOptions) -> None:
    """The routers on SSH while the clock runs: with the local prompt when stdin is a
    terminal, else until SIGINT or SIGTERM."""
    lab = console.lab
    servers = await serve_lab(lab, options.listen, options.key, options.startup)
    where = options.listen.host or "all addresses"
    ports = ", ".join(f"{h} on port {s.port}" for h, s in zip(lab.routers, servers, strict=True))
    console.write(f"pyike lab: SSH on {where}: {ports} ({options.key_note})\n")
    try:
        if sys.stdin.isatty():
            with patch_stdout(raw=True):
                await run_console(console)
        else:
            loop = asyncio.get_running_loop()

            def stop() -> None:
                console.state.running = False

            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop)
            await console.tick_forever()
    finally:
        for server in servers:
            await server.stop()


def run_served(console: LabConsole, args: argparse.Namespace) -> int:
    """`pyike lab --interactive --ssh [ADDR:]PORT [--ssh-host-key FILE]`."""
    lab = console.lab
    try:
        listen = parse_listen(args.ssh, default_host=_LAB_ADDRESS)
        key, note = host_key_for(args.ssh_host_key)
    except (ListenError, host_key.HostKeyError) as error:
        print(f"% pyike lab: {error}", file=sys.stderr)
        return 1
    startup = None
    if args.configs:
        startup = {
            name: Path(r.router.config.file)
            for name, r in lab.routers.items()
            if not is_added(r.router.config)
        }
    try:
        asyncio.run(serve_console(console, SshOptions(listen, key, note, startup)))
    except OSError as error:
        print(f"% pyike lab: cannot listen for SSH: {error.strerror}", file=sys.stderr)
        return 1
    return 0
