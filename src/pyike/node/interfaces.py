"""A router's interfaces: addresses, admin and line-protocol state, MTU and counters."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Interface, IPv6Interface
from typing import Protocol

from pyike.config.model import Interface

ETHERNET_MTU = 1500
LOOPBACK_MTU = 1514
TUNNEL_MTU = 17878  # the L2 MTU `pyike run` shows for a tunnel (the kernel's overhead unknown)
# IOS 15 shows a tunnel's MTU as this less the tunnel's overhead (17,916 for GRE's 24 octets,
# 17,867 for the 73 of tunnel-mode ESP with 16-octet blocks, a 12-octet ICV), its transport MTU
# as 1,500 less it
TUNNEL_MTU_CEILING = 17940
OUTER_IPV4_HEADER = 20


def line_protocol_message(interface: str, up: bool) -> str:
    """What IOS logs when an interface's line protocol changes state."""
    state = "up" if up else "down"
    return f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {interface}, changed state to {state}"


class Link(Protocol):
    """The wire an interface is attached to (a `pyike.sim.network.Segment` in the lab)."""

    def transmit(self, sender: Endpoint, packet: bytes, next_hop: int) -> bool:
        """Send `packet` toward the attached endpoint owning `next_hop`; False when no endpoint
        answers for that address (IOS: ARP incomplete, "encapsulation failed")."""
        ...

    def resolve(self, sender: Endpoint, address: int) -> Endpoint | None:
        """The attached endpoint answering for `address` (what ARP finds), if any."""
        ...


class Endpoint(Protocol):
    """What a link needs from anything attached to it."""

    @property
    def endpoint_name(self) -> str: ...

    @property
    def owned_addresses(self) -> frozenset[int]:
        """Every address `owns` may answer True for; fixed while attached."""
        ...

    def owns(self, address: int) -> bool: ...

    def deliver(self, packet: bytes) -> None: ...

    @property
    def hardware_address(self) -> int:
        """Its MAC address (what ARP answers with)."""
        ...


class InterfaceKind(enum.Enum):
    LOOPBACK = "Loopback"
    TUNNEL = "Tunnel"
    ETHERNET = "Ethernet"
    OTHER = "Other"


def kind_of(name: str) -> InterfaceKind:
    if name.startswith("Loopback"):
        return InterfaceKind.LOOPBACK
    if name.startswith(("Tunnel", "Virtual-Access")):  # a virtual template's clones too
        return InterfaceKind.TUNNEL
    if re.match(r"(Fast|Gigabit|TenGigabit)?Ethernet", name):
        return InterfaceKind.ETHERNET
    return InterfaceKind.OTHER


def ethernet_mac(device: int, name: str) -> int:
    """The MAC address IOL gives an Ethernet interface: aabb.cc00.DDPS, the router's device
    number and the interface's port and slot (`Ethernet0/1` of device 1: aabb.cc00.0110); a
    name with one number has slot 0, and device numbers past 255 go on into the `cc00`."""
    numbers = [int(n) for n in re.findall(r"\d+", name)][-2:]
    slot, port = (0, numbers[0]) if len(numbers) == 1 else (numbers or [0, 0])
    return 0xAABBCC000000 | (device & 0xFFFF) << 8 | (port & 0xF) << 4 | (slot & 0xF)


@dataclass
class ArpEntry:
    """What ARP knows of a neighbour's address: its MAC, or None while unanswered
    (Incomplete), and since when."""

    mac: int | None
    since: float


def sort_key(name: str) -> tuple[int, str]:
    """IOS lists hardware interfaces first, then loopbacks, then tunnels."""
    rank = {InterfaceKind.ETHERNET: 0, InterfaceKind.OTHER: 1, InterfaceKind.LOOPBACK: 2}
    natural = re.sub(r"\d+", lambda m: m.group().zfill(6), name)
    return (rank.get(kind_of(name), 3), natural)


@dataclass
class InterfaceCounters:
    packets_in: int = 0
    bytes_in: int = 0
    packets_out: int = 0
    bytes_out: int = 0
    input_drops: int = 0
    output_drops: int = 0
    input_errors: int = 0
    unknown_protocol: int = 0

    def received(self, size: int) -> None:
        self.packets_in += 1
        self.bytes_in += size

    def sent(self, size: int) -> None:
        self.packets_out += 1
        self.bytes_out += size


class RouterInterface:
    """One interface. The router owns the state; the link calls `owns` and `deliver`."""

    def __init__(
        self,
        config: Interface,
        hostname: str,
        receive: Callable[[str, bytes], None],
        device: int = 1,
    ) -> None:
        self.config = config
        self.name = config.name
        self.kind = kind_of(config.name)
        self.mac = ethernet_mac(device, config.name)  # shown for Ethernet interfaces only
        self.arp: dict[int, ArpEntry] = {}  # IPv4 neighbours on the link, by address
        self.vrf = config.vrf  # the routing table its addresses and packets are in
        self.addresses = [IPv4Interface(f"{a}/{m}") for a, m in config.addresses]
        self.addresses6 = [IPv6Interface(a) for a in config.ipv6_addresses]
        self.admin_up = not config.shutdown
        self.carrier = True
        self.line_up = False  # set by the router when it evaluates state
        self.ipsec_up = False  # tunnels: set by the lab when the IPsec SAs are installed
        self.link: Link | None = None
        self.counters = InterfaceCounters()
        self.last_input: float | None = None
        self.last_output: float | None = None
        self._hostname = hostname
        self._receive = receive
        # Both families in one set: an IPv6 address as an int never equals an IPv4 one
        # outside ::/96, which IOS does not let an interface hold.
        self._address_ints = frozenset(int(a.ip) for a in self.addresses) | frozenset(
            int(a.ip) for a in self.addresses6
        )

    # -- Endpoint ---------------------------------------------------------------------------

    @property
    def endpoint_name(self) -> str:
        return f"{self._hostname} {self.name}"

    @property
    def owned_addresses(self) -> frozenset[int]:
        """Every address `owns` may answer True for (its line protocol decides)."""
        return self._address_ints

    def owns(self, address: int) -> bool:
        return self.line_up and address in self._address_ints

    def deliver(self, packet: bytes) -> None:
        self._receive(self.name, packet)

    @property
    def hardware_address(self) -> int:
        return self.mac

    # -- state ------------------------------------------------------------------------------

    @property
    def is_tunnel(self) -> bool:
        return self.kind is InterfaceKind.TUNNEL

    @property
    def primary(self) -> IPv4Interface | None:
        return self.addresses[0] if self.addresses else None

    @property
    def primary6(self) -> IPv6Interface | None:
        return self.addresses6[0] if self.addresses6 else None

    @property
    def has_address(self) -> bool:
        return bool(self.addresses)

    def holds(self, address: int) -> bool:
        return address in self._address_ints

    @property
    def l2_mtu(self) -> int:
        """A loopback's or an Ethernet's (a tunnel's depends on what it carries)."""
        return LOOPBACK_MTU if self.kind is InterfaceKind.LOOPBACK else ETHERNET_MTU

    @property
    def status(self) -> str:
        return "up" if self.admin_up and self.carrier else self._down_word

    @property
    def protocol(self) -> str:
        return "up" if self.line_up else "down"

    @property
    def _down_word(self) -> str:
        return "down" if self.admin_up else "administratively down"
