"""The FlexVPN client's exec commands, on a lab router and on `pyike run` alike:
`show crypto ikev2 client flexvpn [TunnelN]` (each client tunnel and its peer), and
`crypto ikev2 client flexvpn connect NAME` / `clear crypto ikev2 client flexvpn NAME` (a
client connects, or disconnects: one with `connect manual` stays so until told to connect)."""

from __future__ import annotations

from collections.abc import Container, Sequence

from pyike.config.params import interface_name
from pyike.host.flexvpn_client import ClientTunnel
from pyike.host.flexvpn_host import FlexClientHost
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, IncompleteCommand, InvalidInput, Token
from pyike.show.flexvpn_client import FlexClientView, show_flexvpn_clients


def register_flexvpn_client_commands(tree: CommandTree, host: FlexClientHost) -> None:
    def clients(args: Sequence[Token]) -> ExecJob:
        only = named_interface(args, host.config.interfaces) if args else None
        views = [v for v in client_views(host) if only is None or v.tunnel == only]
        return TextResult(show_flexvpn_clients(views))

    def connect(args: Sequence[Token]) -> ExecJob:
        for client_tunnel in _client(args, host):
            host.connect_client(client_tunnel)
        return TextResult("")

    def clear(args: Sequence[Token]) -> ExecJob:
        for client_tunnel in _client(args, host):
            host.clear_client(client_tunnel)
        return TextResult("")

    tree.register("show crypto ikev2 client flexvpn", clients, takes_args=True)
    tree.register("crypto ikev2 client flexvpn connect", connect, takes_args=True)
    tree.register("clear crypto ikev2 client flexvpn", clear, takes_args=True)


def _client(args: Sequence[Token], host: FlexClientHost) -> list[ClientTunnel]:
    """The tunnels of the FlexVPN client the arguments name (`... flexvpn NAME`)."""
    if not args:
        raise IncompleteCommand()
    if len(args) > 1:
        raise InvalidInput(args[1].start)
    found = [c for c in host.flex_clients.values() if c.client.name == args[0].text]
    if not found:
        raise InvalidInput(args[0].start)
    return found


def named_interface(args: Sequence[Token], interfaces: Container[str]) -> str:
    """The interface the arguments name (`Tunnel0`, `tu0`, `virtual-access 1`), one of
    `interfaces`."""
    text = "".join(a.text for a in args[:2])
    name = interface_name(args[0].text) or interface_name(text)
    if name is None or name not in interfaces:
        raise InvalidInput(args[0].start)
    return name


def client_views(host: FlexClientHost) -> list[FlexClientView]:
    views = []
    for name, client_tunnel in host.flex_clients.items():
        address = client_tunnel.address
        config = host.config.interfaces[name]
        views.append(
            FlexClientView(
                client_tunnel.client.name,
                host.sad.tunnel(name).current is not None,
                None if address is None else str(address),
                config.tunnel_source,
                config.vrf,
                config.tunnel_vrf,
                name,
            )
        )
    return views


__all__ = ["client_views", "named_interface", "register_flexvpn_client_commands"]
