"""The gateway's exec commands, as the control socket runs them: the crypto show, clear
and debug commands shared with the lab (`pyike.host.exec_crypto`), `show running-config`,
IOS output filters (`| include`, `| exclude`, `| begin`, `| section`, as in the lab), and two
diagnostics IOS lacks:
`test crypto ikev2 rekey` and `test crypto ipsec rekey` rekey every IKE or Child SA now
(what `swanctl --rekey` does for strongSwan)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pyike.config import writer
from pyike.config.model import Config
from pyike.host.exec_crypto import CryptoControl, register_crypto_commands, register_show_commands
from pyike.node.exec.filters import run_line
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, Token
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace.ios_debug import DebugFormatter


class GatewayControl(CryptoControl, Protocol):
    @property
    def counters(self) -> Ikev2Counters: ...

    def rekey(self, *, ike: bool) -> int: ...

    def clear_ipsec(self) -> None: ...


class GatewayShell:
    def __init__(
        self,
        crypto: GatewayControl,
        config: Callable[[], Config],
        formatter: DebugFormatter,
    ) -> None:
        self._config = config
        self.tree = CommandTree()
        register_crypto_commands(self.tree, crypto, formatter, clear_ipsec=crypto.clear_ipsec)
        register_show_commands(self.tree, crypto, config, crypto.counters)
        self.tree.register("show running-config", self._show_running_config)

        def rekey(ike: bool) -> ExecJob:
            count = crypto.rekey(ike=ike)
            what = "IKEv2" if ike else "IPsec"
            return TextResult(f"Rekeying {count} {what} SA{'' if count == 1 else 's'}\n")

        self.tree.register("test crypto ikev2 rekey", lambda args: rekey(True))
        self.tree.register("test crypto ipsec rekey", lambda args: rekey(False))

    @property
    def prompt(self) -> str:
        return f"{self._config().hostname}#"

    def execute(self, line: str) -> str:
        return run_line(self.tree, line, self.prompt).text

    def _show_running_config(self, args: Sequence[Token]) -> ExecJob:
        text = writer.render(self._config())
        return TextResult(
            f"Building configuration...\n\nCurrent configuration : {len(text)} bytes\n{text}"
        )
