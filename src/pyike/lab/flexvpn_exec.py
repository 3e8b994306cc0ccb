"""FlexVPN's exec commands on a lab router: `show derived-config interface IF` (a virtual
template's clone as its template's lines make it; any other interface as configured), and
the FlexVPN client's (`pyike.host.flexvpn_exec`, shared with `pyike run`)."""

from __future__ import annotations

from collections.abc import Sequence

from pyike.host.flexvpn_exec import named_interface, register_flexvpn_client_commands
from pyike.host.virtual_access import derived_config
from pyike.lab.crypto_node import CryptoNode
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, IncompleteCommand, Token


def register_flexvpn_commands(tree: CommandTree, node: CryptoNode) -> None:
    def derived(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        name = named_interface(args, node.router.interfaces)
        iface = node.router.interface(name)
        source = node.router.tunnel_endpoints(name)[0]
        local = iface.config.tunnel_source or (str(source) if source is not None else "")
        return TextResult(derived_config(iface.config, local))

    tree.register("show derived-config interface", derived, takes_args=True)
    register_flexvpn_client_commands(tree, node)


__all__ = ["register_flexvpn_commands"]
