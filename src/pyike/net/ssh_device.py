"""The gateway as the SSH command line sees it (`pyike.host.ios_cli.Device`, served by
`pyike.ssh.server` with `pyike run --ssh`): its running configuration, its exec commands,
`configure terminal` applied by what SIGHUP reload runs, `write memory` over the
configuration file it started from, `terminal monitor` on its console."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyike.config.model import Config
from pyike.host.config_mode import ApplyError
from pyike.host.ios_cli import LineSink
from pyike.host.startup_config import save_config
from pyike.node.exec.parser import CommandTree


def default_host_key_path(config_path: Path) -> Path:
    """Beside the configuration, named after it (`router.cfg`: `router.ssh_host_ed25519_key`)."""
    return config_path.with_name(f"{config_path.stem}.ssh_host_ed25519_key")


@dataclass
class GatewayDevice:
    running: Callable[[], Config]
    commands: Callable[[], CommandTree]
    applier: Callable[[Config], None]  # raises what it raises for a configuration it refuses
    refusals: tuple[type[Exception], ...]  # the exceptions that mean "refused", said as is
    config_path: Path
    log: Callable[[str], None]
    monitors: list[Callable[[list[str]], None]]  # the console's

    @property
    def config(self) -> Config:
        return self.running()

    @property
    def tree(self) -> CommandTree:
        return self.commands()

    def apply(self, config: Config) -> None:
        try:
            self.applier(config)
        except self.refusals as refused:
            raise ApplyError(str(refused)) from None

    def save(self, config: Config) -> str:
        save_config(config, self.config_path)
        return str(self.config_path)

    def monitor(self, sink: LineSink) -> Callable[[], None] | None:
        self.monitors.append(sink)
        return lambda: self.monitors.remove(sink)
