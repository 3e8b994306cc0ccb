"""`show arp` and `show ip arp [vrf NAME] [ADDRESS|INTERFACE]` on the gateway: the kernel's
neighbour table for the host interfaces the configuration's Ethernet interfaces are bound to,
under their IOS names, beside their own addresses (the layout and the parsing are the lab's,
`pyike.node.exec.show_arp`). An address the kernel is still asking for, or gave up on, is
Incomplete; the age is the minutes since the kernel last changed the entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyike.config.model import Config
from pyike.net.binding import HostInterface
from pyike.net.netlink import Netlink
from pyike.node.exec import show_arp
from pyike.node.exec.parser import CommandTree
from pyike.node.interfaces import InterfaceKind, kind_of


def arp_rows(
    netlink: Netlink, bound: Mapping[str, HostInterface], config: Config
) -> list[show_arp.ArpRow]:
    """The rows of the bound Ethernet interfaces, read from the kernel now."""
    names = {h.index: n for n, h in bound.items() if kind_of(n) is InterfaceKind.ETHERNET}

    def vrf(name: str) -> str | None:
        iface = config.interfaces.get(name)
        return iface.vrf if iface is not None else None

    macs = netlink.link_macs()
    rows = []
    for host in netlink.host_interfaces():
        name = names.get(host.index)
        if name is None:
            continue
        for address in host.addresses:
            if address.version == 4:
                mac = macs.get(host.index)
                rows.append(show_arp.row(int(address.ip), show_arp.OWN, mac, name, vrf(name)))
    for neighbour in netlink.neighbours():
        name = names.get(neighbour.index)
        if name is not None:
            age = "0" if neighbour.mac is None else show_arp.age_minutes(neighbour.age)
            rows.append(show_arp.row(neighbour.address, age, neighbour.mac, name, vrf(name)))
    return rows


def register_neighbour_commands(
    tree: CommandTree,
    netlink: Callable[[], Netlink | None],
    bound: Callable[[], Mapping[str, HostInterface]],
    config: Callable[[], Config],
) -> None:
    def rows() -> list[show_arp.ArpRow]:
        link = netlink()
        return [] if link is None else arp_rows(link, bound(), config())

    def vrfs() -> list[str | None]:
        cfg = config()
        return [None, *cfg.vrfs, *(i.vrf for i in cfg.interfaces.values() if i.vrf)]

    show_arp.register(tree, rows, vrfs, lambda: config().interfaces)
