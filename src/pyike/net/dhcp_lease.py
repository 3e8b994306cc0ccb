"""`ip address dhcp` under `pyike run`: the host's DHCP client holds the lease, so such an
interface takes the IPv4 address of the host device it is bound to (`--bind IF=DEVICE`),
read at start, at each reload, and whenever the device's address changes, as IOS takes the
address its own client leased. The runtime hears of a change from the kernel (`AddressWatch`:
rtnetlink's IPv4 address group), and looks again every LEASE_RECHECK_SECONDS in case a notice
was lost; where the watch cannot be opened, it looks every LEASE_POLL_SECONDS."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence
from dataclasses import replace

from pyike.config.model import Config
from pyike.net.binding import HostInterface

LEASE_POLL_SECONDS = 5.0
LEASE_RECHECK_SECONDS = 60.0
LEASE_SETTLE_SECONDS = 0.2  # a lease changes in a burst of notices (delete, add): one look
_RTMGRP_IPV4_IFADDR = 0x10  # linux/rtnetlink.h: IPv4 addresses added and deleted


class AddressWatch:
    """A socket the kernel makes readable when an IPv4 address is added to or deleted from
    a device of this network namespace (what it says is not read: the leases are looked at
    again, from the devices as they are)."""

    def __init__(self) -> None:
        self.sock = socket.socket(
            socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK, socket.NETLINK_ROUTE
        )
        try:
            self.sock.bind((0, _RTMGRP_IPV4_IFADDR))
        except OSError:
            self.sock.close()
            raise

    def fileno(self) -> int:
        return self.sock.fileno()

    def drain(self) -> None:
        """Reads every notice waiting (an overrun, ENOBUFS, only means more changed)."""
        while True:
            try:
                self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue

    def close(self) -> None:
        self.sock.close()


def with_leases(
    config: Config,
    host: Sequence[HostInterface],
    binds: Mapping[str, str],
    before: Config | None = None,
) -> tuple[Config, list[str]]:
    """`config` with each `ip address dhcp` interface given its bound device's first IPv4
    address, and the log lines that say so (IOS's ADDRESS_ASSIGN, for an address new since
    `before`) or why an interface stays unassigned."""
    devices = {h.name: h for h in host}
    interfaces = dict(config.interfaces)
    lines: list[str] = []
    for name, iface in config.interfaces.items():
        if iface.address_dhcp is None:
            continue
        interfaces[name] = replace(iface, addresses=())  # until a lease is found
        device = binds.get(name)
        if device is None:
            lines.append(
                f"%PYIKE-4-NO_ADDRESS: {name} has 'ip address dhcp' and no host device: bind it"
                f" (--bind {name}=DEVICE) to take the address the host's DHCP client leased"
            )
            continue
        found = devices.get(device)
        if found is None:
            continue  # a --bind to a device the host lacks: bind_interfaces refuses it
        lease = next((a for a in found.addresses if isinstance(a, ipaddress.IPv4Interface)), None)
        if lease is None:
            lines.append(
                f"%PYIKE-4-NO_ADDRESS: {name} has 'ip address dhcp' and {device} has no IPv4"
                " address (no lease yet): unassigned until it has one"
            )
            continue
        interfaces[name] = replace(iface, addresses=((lease.ip, lease.netmask),))
        previous = None if before is None else before.interfaces.get(name)
        if previous is None or previous.addresses != interfaces[name].addresses:
            lines.append(
                f"%DHCP-6-ADDRESS_ASSIGN: Interface {name} assigned DHCP address {lease.ip},"
                f" mask {lease.netmask}, hostname {config.hostname}"
            )
    return replace(config, interfaces=interfaces), lines


def leases_changed(config: Config, host: Sequence[HostInterface], binds: Mapping[str, str]) -> bool:
    """Whether a DHCP interface of `config` (with the leases it was given) now has another
    address, or none, on its bound device."""
    leased, _ = with_leases(config, host, binds)
    return any(
        leased.interfaces[name].addresses != iface.addresses
        for name, iface in config.interfaces.items()
        if iface.address_dhcp is not None
    )
