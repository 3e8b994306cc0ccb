"""Which lab router holds an address, and which addresses are the lab's at all: a session
whose peer is none of them has no one to negotiate with (`peer not in lab`)."""

from __future__ import annotations

from pyike.ike.events import IPAddress
from pyike.lab.lab import Lab
from pyike.node.interfaces import InterfaceKind
from pyike.topology import Topology


class LabAddresses:
    """Which lab router holds an address (a physical interface's before a loopback's), and
    the NAT boxes' outside addresses, behind which a lab router may be."""

    def __init__(self, lab: Lab, topology: Topology) -> None:
        self.owners: dict[IPAddress, str] = {}
        interfaces = [
            (host, iface)
            for host, lab_router in lab.routers.items()
            for iface in lab_router.router.interfaces.values()
            if not iface.is_tunnel
        ]
        interfaces.sort(key=lambda item: item[1].kind is InterfaceKind.LOOPBACK)  # stable
        for host, iface in interfaces:
            addresses: list[IPAddress] = [a.ip for a in iface.addresses]
            addresses += [a.ip for a in iface.addresses6]
            for address in addresses:
                self.owners.setdefault(address, host)
        self.nat_outside = {hint.outside.ip for hint in topology.nats}

    def in_lab(self, address: IPAddress) -> bool:
        return address in self.owners or address in self.nat_outside
