"""The gateway's exec commands, as the control socket runs them: the crypto show, clear
and debug commands shared with the lab (`pyike.host.exec_crypto`), `show running-config`,
IOS output filters (`| include`, `| exclude`, `| begin`, `| section`, `| count`, as in the
lab), the routing show commands (`show ip route`, `show ip bgp ...`, `show ip ospf ...`,
`show ip eigrp ...`) answered by FRRouting when it runs the host's routing (`pyike run
--frr`), and two diagnostics IOS lacks:
`test crypto ikev2 rekey` and `test crypto ipsec rekey` rekey every IKE or Child SA now
(what `swanctl --rekey` does for strongSwan)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pyike.config.model import Config
from pyike.frr.vtysh import SHOW_COMMANDS, Frr, FrrUnavailable, VtyshRefused
from pyike.host.exec_crypto import CryptoControl, register_crypto_commands, register_show_commands
from pyike.ike.events import IPAddress
from pyike.node.exec import running_config, terminal
from pyike.node.exec.filters import run_line
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    AmbiguousCommand,
    CommandTree,
    ExecFailure,
    IncompleteCommand,
    InvalidInput,
    Token,
)
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace.ios_debug import DebugFormatter


class GatewayControl(CryptoControl, Protocol):
    @property
    def counters(self) -> Ikev2Counters: ...

    def rekey(self, *, ike: bool) -> int: ...

    def clear_ipsec(self, peer: IPAddress | None = None) -> None: ...


class GatewayShell:
    def __init__(
        self,
        crypto: GatewayControl,
        config: Callable[[], Config],
        formatter: DebugFormatter,
        *,
        frr: Frr | None = None,
    ) -> None:
        self._config = config
        self.tree = CommandTree()
        register_crypto_commands(self.tree, crypto, formatter, clear_ipsec=crypto.clear_ipsec)
        register_show_commands(self.tree, crypto, config, crypto.counters)
        running_config.register(self.tree, self._config)
        terminal.register(self.tree)

        def rekey(ike: bool) -> ExecJob:
            count = crypto.rekey(ike=ike)
            what = "IKEv2" if ike else "IPsec"
            return TextResult(f"Rekeying {count} {what} SA{'' if count == 1 else 's'}\n")

        self.tree.register("test crypto ikev2 rekey", lambda args: rekey(True))
        self.tree.register("test crypto ipsec rekey", lambda args: rekey(False))
        if frr is not None:
            for words in SHOW_COMMANDS:
                self.tree.register(words, _frr_show(frr, words), takes_args=True)

    @property
    def prompt(self) -> str:
        return f"{self._config().hostname}#"

    def execute(self, line: str) -> str:
        return run_line(self.tree, line, self.prompt).text


def _frr_show(frr: Frr, words: str) -> Callable[[Sequence[Token]], ExecJob]:
    """A routing show command passed to FRR's vtysh, its refusals in IOS's words (FRR does
    not say which word it refused: the marker goes under the first after the keywords)."""

    def handler(args: Sequence[Token]) -> ExecJob:
        command = " ".join([words, *(token.text for token in args)])
        try:
            return TextResult(frr.show(command))
        except VtyshRefused as refused:
            if refused.kind == "incomplete":
                raise IncompleteCommand() from None
            if refused.kind == "ambiguous":
                raise AmbiguousCommand(command) from None
            raise InvalidInput(args[0].start if args else 0) from None
        except FrrUnavailable as error:
            raise ExecFailure(str(error)) from None

    return handler
