"""`show crypto sockets`: the crypto sockets of the tunnels `tunnel protection` protects, one
per peer (a point-to-point tunnel has one, a multipoint one a socket per NHRP peer), open
while an IPsec SA with that peer is up; then the tunnels listening. A shared protection's
sockets are named `Shd` instead of their tunnel. Idents print as addr/mask/port/prot, the
other way round from `show crypto ipsec sa`'s, and any protocol as 0."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network

from pyike import ios_names
from pyike.show.views import CryptoSocketView, Ident, SocketListener

_ANY_PROTOCOL = 256  # how `show crypto ipsec sa` prints a VTI's any


def _ident(ident: Ident) -> str:
    network = ident.network
    mask = network.netmask if isinstance(network, IPv4Network) else network.prefixlen
    protocol = 0 if ident.protocol == _ANY_PROTOCOL else ident.protocol
    address = ios_names.address(network.network_address)
    return f"({address}/{mask}/{ident.port}/{protocol})"


def _socket_lines(socket: CryptoSocketView) -> list[str]:
    name = "Shd" if socket.shared else ios_names.short_interface(socket.interface)
    peers = f"{ios_names.address(socket.local)}/{ios_names.address(socket.peer)}"
    lines = [
        f"   {name} Peers (local/remote): {peers}",
        f"       Local Ident  (addr/mask/port/prot): {_ident(socket.local_ident)}",
        f"       Remote Ident (addr/mask/port/prot): {_ident(socket.remote_ident)}",
    ]
    if socket.shared:
        lines.append("       Flags: shared")
    return [
        *lines,
        f'       IPSec Profile: "{socket.profile}"',
        f"       Socket State: {'Open' if socket.open else 'Closed'}",
        '       Client: "TUNNEL SEC" (Client State: Active)',
    ]


def show_crypto_sockets(
    sockets: Sequence[CryptoSocketView], listeners: Sequence[SocketListener]
) -> list[str]:
    lines = ["", f"Number of Crypto Socket connections {len(sockets)}", ""]
    for socket in sockets:
        lines += _socket_lines(socket)
    lines.append("Crypto Sockets in Listen state:")
    lines += [
        f'Client: "TUNNEL SEC" Profile: "{listener.profile}" Map-name: "{listener.map_name}"'
        for listener in listeners
    ]
    return lines
