"""`show interfaces [TunnelN]` on the gateway: its tunnel interfaces (the TUN devices it
plays them on) as IOS prints them, with the line protocol the tunnel's SAs and GRE
keepalives decide (`pyike.net.gre_tunnel`) and packet counts from its SAs. The layout is the
lab's (`pyike.node.exec.show_interfaces`), whose tunnel lines it shares."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Interface
from typing import TYPE_CHECKING

from pyike.config import query
from pyike.config.model import Interface
from pyike.host.virtual_access import PREFIX, derived_config
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token, interface_arg
from pyike.node.exec.show_interfaces import (
    BRIEF_HEADER,
    DESCRIPTION_HEADER,
    address_method,
    brief_row,
    description_row,
    keepalive_setting,
    tunnel_protocol_lines,
)
from pyike.node.exec.show_ip_interface import IpInterface, ip_interface_lines
from pyike.node.interfaces import LOOPBACK_MTU, TUNNEL_MTU, InterfaceKind, kind_of

if TYPE_CHECKING:
    from pyike.net.gateway import Gateway


def register_interface_commands(tree: CommandTree, gateway: Gateway) -> None:
    def show(args: Sequence[Token]) -> ExecJob:
        names = tunnel_names(gateway)
        if not args:
            return TextResult("".join(interface_text(gateway, n) for n in names))
        name, used = interface_arg(args, 0, names)
        if len(args) > used:
            raise InvalidInput(args[used].start)
        return TextResult(interface_text(gateway, name))

    def derived(args: Sequence[Token]) -> ExecJob:
        names = [*gateway.config.interfaces, *_clone_names(gateway)]
        name, used = interface_arg(args, 0, names)
        if len(args) > used:
            raise InvalidInput(args[used].start)
        iface = _interface(gateway, name)
        return TextResult(derived_config(iface, iface.tunnel_source or ""))

    tree.register("show interfaces", show, takes_args=True)
    tree.register("show interfaces description", lambda args: TextResult(descriptions(gateway)))

    def ip_interfaces(args: Sequence[Token]) -> ExecJob:
        names = [*gateway.config.interfaces, *_clone_names(gateway)]
        if args:
            name, used = interface_arg(args, 0, names)
            if len(args) > used:
                raise InvalidInput(args[used].start)
            names = [name]
        lines = [line for n in names for line in ip_interface_lines(_ip_interface(gateway, n))]
        return TextResult("\n".join(lines) + "\n")

    tree.register("show ip interface", ip_interfaces, takes_args=True)
    tree.register("show ip interface brief", lambda args: TextResult(brief(gateway)))
    tree.register("show derived-config interface", derived, takes_args=True)


def tunnel_names(gateway: Gateway) -> list[str]:
    """The tunnel interfaces the gateway plays on TUN devices, Virtual-Access ones last."""
    static = [n for n in gateway.config.interfaces if n in gateway.host.tunnel_mtus]
    return static + _clone_names(gateway)


def _clone_names(gateway: Gateway) -> list[str]:
    clones = (c.name for c in gateway.clones.clones.values())
    return sorted(clones, key=lambda n: int(n.removeprefix(PREFIX)))


def _interface(gateway: Gateway, name: str) -> Interface:
    """A configured interface, or a clone's configuration."""
    clone = gateway.clones.by_interface(name)
    return clone.config if clone is not None else gateway.config.interfaces[name]


def _status(iface: Interface) -> str:
    return "administratively down" if iface.shutdown else "up"


def _protocol_up(gateway: Gateway, name: str) -> bool:
    """A tunnel's line protocol: its SAs, or its GRE keepalives; other interfaces are up."""
    iface = _interface(gateway, name)
    if iface.shutdown:
        return False
    sa_name = gateway.clones.names.sa_of(name) or name
    if sa_name != name:  # a clone, GRE or not: its SAs
        return _has_sa(gateway, sa_name)
    if gateway.framing(sa_name) is not None:
        return gateway.gre.line_up(sa_name)
    if name in gateway.host.tunnel_mtus:
        return _has_sa(gateway, sa_name)
    return not name.startswith("Virtual-Template")  # a template is up, its protocol down


def _ip_interface(gateway: Gateway, name: str) -> IpInterface:
    iface = _interface(gateway, name)
    lender = None
    if iface.unnumbered:
        lent = gateway.config.interfaces.get(iface.unnumbered)
        lender = (iface.unnumbered, lent.primary_address if lent is not None else None)
    return IpInterface(
        name,
        _status(iface),
        "up" if _protocol_up(gateway, name) else "down",
        tuple(IPv4Interface(f"{address}/{mask}") for address, mask in iface.addresses),
        lender,
        address_method(iface, bool(iface.addresses)),
        _ip_mtu(gateway, iface),
        iface.vrf,
    )


def _ip_mtu(gateway: Gateway, iface: Interface) -> int:
    """`ip mtu`, else a tunnel's (its transport's less what protects it), a loopback's, or
    the host device's."""
    if iface.ip_mtu is not None:
        return iface.ip_mtu
    kind = kind_of(iface.name)
    if kind is InterfaceKind.LOOPBACK:
        return LOOPBACK_MTU
    if kind is InterfaceKind.TUNNEL:
        return gateway.tunnel_ip_mtu(iface.name)
    return gateway.host.transport_mtu


def brief(gateway: Gateway) -> str:
    """`show ip interface brief`: the configuration's interfaces and the clones; an
    unnumbered interface shows its lender's address."""
    lines = [BRIEF_HEADER]
    for name in [*gateway.config.interfaces, *_clone_names(gateway)]:
        iface = _interface(gateway, name)
        lender = _interface(gateway, iface.unnumbered) if iface.unnumbered else iface
        address = str(lender.primary_address) if lender.primary_address else "unassigned"
        method = address_method(iface, bool(iface.addresses))
        status = _status(iface)
        protocol = "up" if _protocol_up(gateway, name) else "down"
        lines.append(brief_row(name, address, method, status, protocol))
    return "\n".join(lines) + "\n"


def descriptions(gateway: Gateway) -> str:
    """`show interfaces description`: the configuration's interfaces and the clones."""
    rows = [DESCRIPTION_HEADER]
    for name in [*gateway.config.interfaces, *_clone_names(gateway)]:
        iface = _interface(gateway, name)
        status = _status(iface)
        protocol = "up" if _protocol_up(gateway, name) else "down"
        rows.append(description_row(name, status, protocol, iface.description))
    return "\n".join(rows) + "\n"


def interface_text(gateway: Gateway, name: str) -> str:
    iface = _interface(gateway, name)
    status = _status(iface)
    protocol = "up" if _protocol_up(gateway, name) else "down"
    sa_name = gateway.clones.names.sa_of(name) or name
    inbound, outbound = _packets(gateway, sa_name)
    lines = [f"{name} is {status}, line protocol is {protocol} ", "  Hardware is Tunnel"]
    if iface.description:
        lines.append(f"  Description: {iface.description}")
    for address, mask in iface.addresses[:1]:
        lines.append(f"  Internet address is {IPv4Interface(f'{address}/{mask}').with_prefixlen}")
    if iface.unnumbered and iface.unnumbered in gateway.config.interfaces:
        lender = gateway.config.interfaces[iface.unnumbered].primary_address
        lines.append(f"  Interface is unnumbered. Using address of {iface.unnumbered} ({lender})")
    keepalive = gateway.gre.keepalives.get(name)
    lines += [
        f"  MTU {TUNNEL_MTU} bytes, BW 100 Kbit/sec, DLY 50000 usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation TUNNEL, loopback not set",
        "  " + (keepalive_setting(keepalive.settings) if keepalive else "Keepalive not set"),
        *_tunnel_lines(gateway, iface, protocol),
        "  Last input never, output never, output hang never",
        '  Last clearing of "show interface" counters never',
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/0 (size/max)",
        "  5 minute input rate 0 bits/sec, 0 packets/sec",
        "  5 minute output rate 0 bits/sec, 0 packets/sec",
        f"     {inbound[0]} packets input, {inbound[1]} bytes, 0 no buffer",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort",
        f"     {outbound[0]} packets output, {outbound[1]} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 0 interface resets",
        "     0 unknown protocol drops",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]
    return "\n".join(lines) + "\n"


def _tunnel_lines(gateway: Gateway, iface: Interface, protocol: str) -> list[str]:
    source, destination = query.tunnel_endpoints(gateway.config, iface)
    src_text = "UNKNOWN" if source is None else str(source)
    if iface.tunnel_source and iface.tunnel_source in gateway.config.interfaces:
        src_text += f" ({iface.tunnel_source})"
    dst_text = "UNKNOWN" if destination is None else str(destination)
    lines = [
        f"  Tunnel linestate evaluation {protocol}",
        f"  Tunnel source {src_text}, destination {dst_text}",
        *tunnel_protocol_lines(iface),
        f"  Tunnel transport MTU {gateway.tunnel_transport_mtu(iface.name)} bytes",
        "  Tunnel transmit bandwidth 8000 (kbps)",
        "  Tunnel receive bandwidth 8000 (kbps)",
    ]
    if iface.tunnel_protection:
        lines.append(f'  Tunnel protection via IPSec (profile "{iface.tunnel_protection}")')
    return lines


def _has_sa(gateway: Gateway, name: str) -> bool:
    return gateway.sad.tunnel(name).current is not None


def _packets(gateway: Gateway, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(packets, bytes) decrypted and encrypted by the tunnel's SAs, the retired ones too."""
    state = gateway.sad.tunnel(name)
    ins = [state.retired_in, *(c.inbound.counters for c in state.children)]
    outs = [state.retired_out, *(c.outbound.counters for c in state.children)]
    return (
        (sum(c.packets for c in ins), sum(c.bytes for c in ins)),
        (sum(c.packets for c in outs), sum(c.bytes for c in outs)),
    )


__all__ = ["interface_text", "register_interface_commands"]
