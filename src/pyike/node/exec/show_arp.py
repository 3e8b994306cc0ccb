"""`show arp` and `show ip arp [vrf NAME] [ADDRESS|INTERFACE]`: the router's own addresses on
its Ethernet interfaces, and the neighbours ARP found on them, in IOS 15's columns.

    Protocol  Address          Age (min)  Hardware Addr   Type   Interface
    Internet  10.0.0.1                -   aabb.cc00.0100  ARPA   Ethernet0/0
    Internet  10.0.0.2                3   aabb.cc00.0200  ARPA   Ethernet0/0
    Internet  10.0.0.9                0   Incomplete      ARPA

A neighbour is learnt when the router first sends to it (the lab's wire answers for the
address as ARP would); its age is the minutes since, restarting every four hours as IOS's
`arp timeout` refreshes it. An address no one answers for is Incomplete, shown for a minute
after the last packet that wanted it (pyike's choice: IOS drops it after its retries). An
interface whose line protocol goes down loses its entries, and `clear arp-cache` empties them
all.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address

from pyike import ios_names
from pyike.node.interfaces import InterfaceKind, RouterInterface

HEADER = "Protocol  Address          Age (min)  Hardware Addr   Type   Interface"
ARP_TIMEOUT = 14400  # seconds: IOS's `arp timeout` default, after which an entry is renewed
INCOMPLETE_SHOWN = 60  # seconds an unanswered address stays listed after its last attempt


def _row(address: int, age: str, hardware: str, interface: str | None) -> str:
    line = f"Internet  {IPv4Address(address)!s:<16}{age:>9}   {hardware:<14}  ARPA"
    return f"{line}   {interface}" if interface else line


def entries(interfaces: Iterable[RouterInterface], now: float) -> list[tuple[int, str, str]]:
    """(address, row, interface) for every entry of the Ethernet interfaces given whose line
    protocol is up: their own addresses, then what ARP learnt on them."""
    found: list[tuple[int, str, str]] = []
    for iface in interfaces:
        if iface.kind is not InterfaceKind.ETHERNET or not iface.line_up:
            continue
        mac = ios_names.mac(iface.mac)
        for own in iface.addresses:
            found.append((int(own.ip), _row(int(own.ip), "-", mac, iface.name), iface.name))
        for address, entry in iface.arp.items():
            if entry.mac is None:
                if now - entry.since <= INCOMPLETE_SHOWN:
                    found.append((address, _row(address, "0", "Incomplete", None), iface.name))
                continue
            age = str(int((now - entry.since) % ARP_TIMEOUT // 60))
            row = _row(address, age, ios_names.mac(entry.mac), iface.name)
            found.append((address, row, iface.name))
    return sorted(found)


def render(rows: Iterable[tuple[int, str, str]]) -> str:
    return "\n".join([HEADER, *(row for _, row, _ in rows)]) + "\n"
