"""`show arp` and `show ip arp [vrf NAME] [ADDRESS|INTERFACE]`: the router's own addresses on
its Ethernet interfaces, and the neighbours ARP found on them, in IOS 15's columns.

    Protocol  Address          Age (min)  Hardware Addr   Type   Interface
    Internet  10.0.0.1                -   aabb.cc00.0100  ARPA   Ethernet0/0
    Internet  10.0.0.2                3   aabb.cc00.0200  ARPA   Ethernet0/0
    Internet  10.0.0.9                0   Incomplete      ARPA

In the lab (`lab_rows`) a neighbour is learnt when the router first sends to it (the lab's
wire answers for the address as ARP would); its age is the minutes since, restarting every
four hours as IOS's `arp timeout` refreshes it. An address no one answers for is Incomplete,
shown for a minute after the last packet that wanted it (pyike's choice: IOS drops it after
its retries). An interface whose line protocol goes down loses its entries, and `clear
arp-cache` empties them all. The gateway's rows come from the kernel's neighbour table
(`pyike.net.neighbours`); both share the commands' parsing (`register`).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address

from pyike import ios_names
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    CommandTree,
    ExecFailure,
    IncompleteCommand,
    InvalidInput,
    Token,
    an_address,
    interface_arg,
    ipv4_arg,
)
from pyike.node.interfaces import InterfaceKind, RouterInterface

HEADER = "Protocol  Address          Age (min)  Hardware Addr   Type   Interface"
ARP_TIMEOUT = 14400  # seconds: IOS's `arp timeout` default, after which an entry is renewed
INCOMPLETE_SHOWN = 60  # seconds an unanswered address stays listed after its last attempt
OWN = "-"  # the age column of the router's own addresses


@dataclass(frozen=True, order=True)
class ArpRow:
    address: int
    text: str
    interface: str
    vrf: str | None


def row(address: int, age: str, mac: int | None, interface: str, vrf: str | None = None) -> ArpRow:
    """A line of the table; `mac` None: Incomplete (no interface shown)."""
    hardware = "Incomplete" if mac is None else ios_names.mac(mac)
    text = f"Internet  {IPv4Address(address)!s:<16}{age:>9}   {hardware:<14}  ARPA"
    return ArpRow(address, text if mac is None else f"{text}   {interface}", interface, vrf)


def age_minutes(seconds: float) -> str:
    return str(int(seconds % ARP_TIMEOUT // 60))


def lab_rows(interfaces: Iterable[RouterInterface], now: float) -> list[ArpRow]:
    """Every entry of a lab router's Ethernet interfaces whose line protocol is up: their own
    addresses, then what ARP learnt on them."""
    found = []
    for iface in interfaces:
        if iface.kind is not InterfaceKind.ETHERNET or not iface.line_up:
            continue
        for own in iface.addresses:
            found.append(row(int(own.ip), OWN, iface.mac, iface.name, iface.vrf))
        for address, entry in iface.arp.items():
            if entry.mac is not None:
                found.append(
                    row(address, age_minutes(now - entry.since), entry.mac, iface.name, iface.vrf)
                )
            elif now - entry.since <= INCOMPLETE_SHOWN:
                found.append(row(address, "0", None, iface.name, iface.vrf))
    return found


def resolved(interfaces: Iterable[RouterInterface]) -> list[tuple[int, str]]:
    """(address, interface) of each neighbour ARP resolved on the interfaces that are up
    (`show ip cef`'s /32 adjacencies)."""
    return [
        (address, iface.name)
        for iface in interfaces
        if iface.line_up
        for address, entry in iface.arp.items()
        if entry.mac is not None
    ]


def render(rows: Iterable[ArpRow]) -> str:
    return "\n".join([HEADER, *(r.text for r in sorted(rows))]) + "\n"


def register(
    tree: CommandTree,
    rows: Callable[[], list[ArpRow]],
    vrfs: Callable[[], Sequence[str | None]],
    interfaces: Callable[[], Container[str]],
) -> None:
    """`show arp` (every interface, whatever its VRF) and `show ip arp [vrf NAME]
    [ADDRESS|INTERFACE]` (the global table's interfaces, or a VRF's; all their entries or
    those of one address or one interface)."""

    def show_ip_arp(args: Sequence[Token]) -> ExecJob:
        vrf: str | None = None
        if args and not an_address(args[0]) and "vrf".startswith(args[0].text.lower()):
            if len(args) < 2:
                raise IncompleteCommand()
            vrf, args = args[1].text, args[2:]
            if vrf not in vrfs():
                raise ExecFailure(f"% VRF {vrf} does not exist")
        chosen = [r for r in rows() if r.vrf == vrf]
        used = 0
        if args and an_address(args[0]):
            address = int(ipv4_arg(args[0]))
            chosen, used = [r for r in chosen if r.address == address], 1
        elif args:
            name, used = interface_arg(args, 0, interfaces())
            chosen = [r for r in chosen if r.interface == name]
        if len(args) > used:
            raise InvalidInput(args[used].start)
        return TextResult(render(chosen))

    tree.register("show arp", lambda args: TextResult(render(rows())))
    tree.register("show ip arp", show_ip_arp, takes_args=True)
