"""`show ip interface [IF]` on lab routers and the gateway: what pyike knows of an
interface's IPv4 side, in IOS's lines: its state, its addresses (or the interface it borrows
one from), where they came from, its IP MTU and its VRF. The many lines IOS adds about
features pyike does not model (proxy ARP, access groups, switching paths) are left out
rather than guessed."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface

_METHODS = {"DHCP": "DHCP", "NVRAM": "non-volatile memory"}


@dataclass(frozen=True)
class IpInterface:
    name: str
    status: str  # "up", "down", "administratively down"
    protocol: str  # "up", "down"
    addresses: tuple[IPv4Interface, ...] = ()  # the primary first, then the secondaries
    lender: tuple[str, IPv4Address | None] | None = None  # `ip unnumbered IF`: IF, its address
    method: str = "NVRAM"  # show ip interface brief's Method column
    mtu: int = 1500
    vrf: str | None = None


def ip_interface_lines(iface: IpInterface) -> list[str]:
    lines = [f"{iface.name} is {iface.status}, line protocol is {iface.protocol}"]
    if iface.addresses:
        primary, *secondaries = iface.addresses
        lines.append(f"  Internet address is {primary.with_prefixlen}")
        lines += [f"  Secondary address {a.with_prefixlen}" for a in secondaries]
    elif iface.lender is not None:
        name, address = iface.lender
        lines.append(f"  Interface is unnumbered. Using address of {name} ({address or '0.0.0.0'})")
    else:
        return [*lines, "  Internet protocol processing disabled"]
    lines += [
        "  Broadcast address is 255.255.255.255",
        f"  Address determined by {_METHODS.get(iface.method, 'setup command')}",
        f"  MTU is {iface.mtu} bytes",
    ]
    if iface.vrf is not None:
        lines.append(f'  VPN Routing/Forwarding "{iface.vrf}"')
    return lines
