"""A device for the IOS command line tests (`pyike.host.ios_cli.Device`): a configuration,
`show running-config` and `show clock` as exec commands, and what it was asked to apply, save
and log, recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pyike.config import load, writer
from pyike.config.model import Config
from pyike.host.config_mode import ApplyError
from pyike.host.startup_config import save_config
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, Token

USERS = (
    "username admin privilege 15 secret 0 Adm1n\n"
    "username guest secret 0 guest\n"
    "enable secret 0 En4ble\n"
)


class RecordingDevice:
    def __init__(self, text: str, startup: Path, refuse: str | None = None) -> None:
        result = load(text, str(startup))
        assert result.ok, [d.format() for d in result.errors]
        self._config = result.config
        self.startup = startup
        self.refuse = refuse  # apply refuses with this reason
        self.applied: list[Config] = []
        self.logged: list[str] = []
        self.sinks: list[Callable[[list[str]], None]] = []
        self._tree = CommandTree()
        self._tree.register("show running-config", self._show_running)
        self._tree.register(
            "show clock", lambda args: TextResult("*10:00:00.000 UTC Mon Jan 1 2024\n")
        )

    @property
    def config(self) -> Config:
        return self._config

    @property
    def tree(self) -> CommandTree:
        return self._tree

    def _show_running(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(writer.render(self._config))

    def apply(self, config: Config) -> None:
        if self.refuse is not None:
            raise ApplyError(self.refuse)
        self._config = config
        self.applied.append(config)

    def save(self, config: Config) -> str:
        save_config(config, self.startup)
        return str(self.startup)

    def log(self, message: str) -> None:
        self.logged.append(message)

    def monitor(self, sink: Callable[[list[str]], None]) -> Callable[[], None] | None:
        self.sinks.append(sink)
        return lambda: self.sinks.remove(sink)
