"""FlexVPN's exec commands on a lab router: `show derived-config interface IF` (a virtual
template's clone as its template's lines make it; any other interface as configured) and
`show crypto ikev2 client flexvpn [TunnelN]` (each FlexVPN client tunnel and its peer)."""

from __future__ import annotations

from collections.abc import Sequence

from pyike.config.params import interface_name
from pyike.host.virtual_access import derived_config
from pyike.lab.crypto_node import CryptoNode
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, IncompleteCommand, InvalidInput, Token
from pyike.show.flexvpn_client import FlexClientView, show_flexvpn_clients


def register_flexvpn_commands(tree: CommandTree, node: CryptoNode) -> None:
    def derived(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        name = _interface(args, node)
        iface = node.router.interface(name)
        source = node.router.tunnel_endpoints(name)[0]
        local = iface.config.tunnel_source or (str(source) if source is not None else "")
        return TextResult(derived_config(iface.config, local))

    def clients(args: Sequence[Token]) -> ExecJob:
        only = _interface(args, node) if args else None
        views = [v for v in client_views(node) if only is None or v.tunnel == only]
        return TextResult(show_flexvpn_clients(views))

    tree.register("show derived-config interface", derived, takes_args=True)
    tree.register("show crypto ikev2 client flexvpn", clients, takes_args=True)


def _interface(args: Sequence[Token], node: CryptoNode) -> str:
    """The interface the arguments name (`virtual-access 1`, `Tunnel0`, `tu0`)."""
    text = "".join(a.text for a in args[:2])
    name = interface_name(args[0].text) or interface_name(text)
    if name is None or name not in node.router.interfaces:
        raise InvalidInput(args[0].start)
    return name


def client_views(node: CryptoNode) -> list[FlexClientView]:
    views = []
    for name, client_tunnel in node.flex_clients.items():
        active = client_tunnel.active
        config = node.router.interface(name).config
        views.append(
            FlexClientView(
                client_tunnel.client.name,
                node.sad.tunnel(name).current is not None,
                None if active is None or active.address is None else str(active.address),
                config.tunnel_source,
                config.vrf,
                config.tunnel_vrf,
                name,
            )
        )
    return views


__all__ = ["client_views", "register_flexvpn_commands"]
