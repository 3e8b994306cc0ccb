"""`show ip interface brief` and `show interfaces` from the router's interface state."""

from __future__ import annotations

from dataclasses import dataclass

from pyike import ios_names
from pyike.config.model import Interface, Keepalive
from pyike.node.interfaces import TUNNEL_MTU_CEILING, InterfaceKind, RouterInterface
from pyike.node.router import Router

BRIEF_HEADER = (
    "Interface                  IP-Address      OK? Method Status                Protocol"
)


def brief(router: Router) -> str:
    lines = [BRIEF_HEADER]
    for iface in router.interfaces.values():
        primary = router.primary_of(iface)  # an unnumbered interface shows its lender's
        address = str(primary.ip) if primary else "unassigned"
        method = address_method(iface.config, iface.primary is not None)
        lines.append(brief_row(iface.name, address, method, iface.status, iface.protocol))
    return "\n".join(lines) + "\n"


DESCRIPTION_HEADER = f"{'Interface':<31}{'Status':<15}{'Protocol':<9}Description"


def description_row(name: str, status: str, protocol: str, description: str | None) -> str:
    """One line of `show interfaces description` (the lab's and the gateway's): the name
    abbreviated, `admin down` for a shut interface, the description as configured (IOS
    pads the columns of an interface without one too)."""
    shown = "admin down" if status == "administratively down" else status
    return f"{ios_names.short_interface(name):<31}{shown:<15}{protocol:<9}{description or ''}"


def descriptions(router: Router) -> str:
    """`show interfaces description` of a lab router."""
    rows = [
        description_row(i.name, i.status, i.protocol, i.config.description)
        for i in router.interfaces.values()
    ]
    return "\n".join([DESCRIPTION_HEADER, *rows]) + "\n"


def address_method(cfg: Interface, addressed: bool) -> str:
    """The Method column: where the address came from (the lab's and the gateway's)."""
    if cfg.address_dhcp is not None:
        return "DHCP"
    return "NVRAM" if addressed else "unset"


def brief_row(name: str, address: str, method: str, status: str, protocol: str) -> str:
    """One line of `show ip interface brief` (the lab's and the gateway's)."""
    return f"{name:<26} {address:<15} YES {method:<6} {status:<21} {protocol}"


@dataclass(frozen=True)
class _Medium:
    """What `show interfaces` prints of an interface's kind of hardware."""

    hardware: str
    bandwidth: str
    encapsulation: str
    keepalive: str


_ETHERNET = _Medium(  # and the other kinds pyike does not model apart
    "AmdP2, address is {mac} (bia {mac})",
    "BW 10000 Kbit/sec, DLY 1000 usec,",
    "ARPA",
    "Keepalive set (10 sec)",
)
_MEDIA = {
    InterfaceKind.LOOPBACK: _Medium(
        "Loopback", "BW 8000000 Kbit/sec, DLY 5000 usec,", "LOOPBACK", "Keepalive set (10 sec)"
    ),
    InterfaceKind.TUNNEL: _Medium(
        "Tunnel", "BW 100 Kbit/sec, DLY 50000 usec,", "TUNNEL", "Keepalive not set"
    ),
}


def tunnel_protocol_lines(cfg: Interface) -> list[str]:
    """A tunnel's protocol/transport, GRE key and TTL lines (the lab's and the gateway's)."""
    mode = cfg.tunnel_mode or "gre ip"
    protocol = {
        "ipsec ipv4": "IPSEC/IP",
        "ipsec ipv6": "IPSEC/IPV6",
        "gre ip": "GRE/IP",
        "gre ipv6": "GRE/IPV6",
        "gre multipoint": "multi-GRE/IP",
        "gre multipoint ipv6": "multi-GRE/IPV6",
    }.get(mode, mode.upper())
    lines = [f"  Tunnel protocol/transport {protocol}"]
    if cfg.is_gre:
        key = "disabled" if cfg.tunnel_key is None else f"0x{cfg.tunnel_key:X}"
        lines += [f"    Key {key}, sequencing disabled", "    Checksumming of packets disabled"]
    return [*lines, f"  Tunnel TTL {cfg.outer_ttl}"]


def keepalive_setting(settings: Keepalive) -> str:
    return f"Keepalive set ({settings.period} sec), retries {settings.retries}"


def _l2_mtu(router: Router, iface: RouterInterface) -> int:
    if iface.is_tunnel:
        return TUNNEL_MTU_CEILING - router.tunnel_overhead(iface.name)
    return iface.l2_mtu


def _tunnel_lines(router: Router, iface: RouterInterface) -> list[str]:
    cfg = iface.config
    source, destination = router.tunnel_endpoints(iface.name)
    src_text = "UNKNOWN" if source is None else str(source)
    if cfg.tunnel_source and cfg.tunnel_source in router.interfaces:
        src_text += f" ({cfg.tunnel_source})"
    dst_text = "UNKNOWN" if destination is None else str(destination)
    lines = [
        f"  Tunnel linestate evaluation {'up' if iface.line_up else 'down'}",
        f"  Tunnel source {src_text}, destination {dst_text}",
        *tunnel_protocol_lines(cfg),
    ]
    overhead = router.tunnel_overhead(iface.name)
    lines += [
        # what the tunnel carries whole: its `ip mtu` does not change it
        f"  Tunnel transport MTU {router.tunnel_transport_mtu(iface.name) - overhead} bytes",
        "  Tunnel transmit bandwidth 8000 (kbps)",
        "  Tunnel receive bandwidth 8000 (kbps)",
    ]
    if router.tunnel_handler is not None:
        lines += router.tunnel_handler.show_lines(router, iface.name)
    elif cfg.tunnel_protection:
        lines.append(f'  Tunnel protection via IPSec (profile "{cfg.tunnel_protection}")')
    return lines


def _keepalive(router: Router, iface: RouterInterface, medium: _Medium) -> str:
    """A GRE tunnel's keepalive, as configured (`keepalive 10 3`); other interfaces' media."""
    state = router.keepalives.get(iface.name)
    if state is None:
        return medium.keepalive
    return keepalive_setting(state.settings)


def _ago(router: Router, when: float | None) -> str:
    if when is None:
        return "never"
    seconds = int(router.clock.now - when)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def interface(router: Router, iface: RouterInterface) -> str:
    c = iface.counters
    medium = _MEDIA.get(iface.kind, _ETHERNET)
    lines = [
        f"{iface.name} is {iface.status}, line protocol is {iface.protocol} ",
        f"  Hardware is {medium.hardware.format(mac=ios_names.mac(iface.mac))}",
    ]
    if iface.config.description:
        lines.append(f"  Description: {iface.config.description}")
    if iface.primary:
        lines.append(f"  Internet address is {iface.primary.with_prefixlen}")
    elif iface.config.unnumbered:
        lender = router.interfaces.get(iface.config.unnumbered)
        lent = f" ({lender.primary.ip})" if lender is not None and lender.primary else ""
        lines.append(f"  Interface is unnumbered. Using address of {iface.config.unnumbered}{lent}")
    lines += [
        f"  MTU {_l2_mtu(router, iface)} bytes, {medium.bandwidth} ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        f"  Encapsulation {medium.encapsulation}, loopback not set",
        f"  {_keepalive(router, iface, medium)}",
    ]
    if iface.is_tunnel:
        lines += _tunnel_lines(router, iface)
    lines += [
        f"  Last input {_ago(router, iface.last_input)}, "
        f"output {_ago(router, iface.last_output)}, output hang never",
        '  Last clearing of "show interface" counters never',
        f"  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: {c.output_drops}",
        "  Queueing strategy: fifo",
        "  Output queue: 0/0 (size/max)",
        "  5 minute input rate 0 bits/sec, 0 packets/sec",
        "  5 minute output rate 0 bits/sec, 0 packets/sec",
        f"     {c.packets_in} packets input, {c.bytes_in} bytes, 0 no buffer",
        f"     {c.input_errors} input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort",
        f"     {c.packets_out} packets output, {c.bytes_out} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 0 interface resets",
        f"     {c.unknown_protocol} unknown protocol drops",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]
    return "\n".join(lines) + "\n"


def interfaces(router: Router, name: str | None = None) -> str:
    if name is not None:
        return interface(router, router.interface(name))
    return "".join(interface(router, i) for i in router.interfaces.values())
