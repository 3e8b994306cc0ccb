"""The crypto maps' side of the host: two TUN devices per interface with a crypto map (one
for the traffic to protect, one for clear traffic that arrived where ESP was expected), their
routing tables (a default route into each device) and the policy-routing rules that steer the
maps' traffic there, laid out by `pyike.net.policy_steering`.

Everything carries pyike's mark (protocol 0x50): a new run removes the rules a crashed one
left (the devices and their routes vanish with the crashed process's descriptors). A reload
that changes the rules installs the new set beside the old one (in the other bank of
priorities, see `policy_steering`) before removing the old, so no packet leaks in clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from pyike.net.binding import TunnelDevice
from pyike.net.netlink import Netlink
from pyike.net.policy_steering import MapDevice, SteeringPlan, SteeringRule
from pyike.net.tun import open_tun, read_packets

Receive = Callable[[str, list[bytes]], None]  # (interface with the map, packets)
_READ_BATCH = 64


class CryptoMapSetupError(OSError):
    """A device, route or rule of the crypto maps could not be put in place."""


@dataclass
class _Open:
    device: MapDevice
    fd: int
    clear_fd: int


class CryptoMapDevices:
    def __init__(
        self,
        netlink: Netlink,
        loop: asyncio.AbstractEventLoop,
        receive: Receive,
        log: Callable[[str], None],
        receive_clear: Receive,
    ) -> None:
        """`receive` gets the traffic a map's ACLs permit, `receive_clear` the clear traffic
        arriving on the map's interface that mirrors a permit line (IOS drops it)."""
        self.netlink = netlink
        self.loop = loop
        self.receive = receive
        self.receive_clear = receive_clear
        self.log = log
        self.open: dict[str, _Open] = {}  # by the config's interface name
        self.rules: tuple[SteeringRule, ...] = ()  # as installed
        self._planned: tuple[SteeringRule, ...] = ()  # as planned (bank 0)
        self._bank = 0
        self.write_errors = 0

    def remove_stale(self) -> None:
        """What a crashed run left: rules with pyike's mark."""
        count = self.netlink.delete_pyike_rules()
        if count:
            self.log(f"%PYIKE-4-STALE: removed {count} stale policy-routing rule(s)")

    def apply(self, plan: SteeringPlan) -> None:
        """Make the host match `plan`: devices opened or closed, tables routed; changed rules
        go into the other bank of priorities before the old ones are removed, so there is no
        moment without protection. Raises CryptoMapSetupError when the kernel refuses."""
        wanted = {device.interface: device for device in plan.devices}
        for interface, entry in list(self.open.items()):
            if wanted.get(interface) != entry.device:
                self._close_device(interface)
        try:
            for device in plan.devices:
                if device.interface not in self.open:
                    self._open_device(device)
            if plan.rules != self._planned:
                self._swap_rules(plan)
        except OSError as exc:
            raise CryptoMapSetupError(exc.errno, str(exc.strerror or exc)) from None

    def _swap_rules(self, plan: SteeringPlan) -> None:
        old = self.rules
        self._bank = 1 - self._bank if old else 0
        new = plan.rules_in_bank(self._bank)
        added: list[SteeringRule] = []
        try:
            for rule in new:
                self.netlink.add_rule(rule)
                added.append(rule)
        except OSError:
            for rule in added:  # all or nothing: the old rules keep working
                self.netlink.delete_rule(rule)
            self._bank = 1 - self._bank if old else 0
            raise
        self.rules, self._planned = new, plan.rules
        for rule in old:
            self.netlink.delete_rule(rule)

    def write(self, interface: str, packet: bytes) -> None:
        """Decrypted traffic of `interface`'s map, handed to the kernel to forward."""
        entry = self.open.get(interface)
        if entry is None:
            self.write_errors += 1
            return
        try:
            os.write(entry.fd, packet)
        except OSError:
            self.write_errors += 1

    def close(self) -> None:
        """SIGTERM: every rule and device removed (the tables' routes go with the devices)."""
        for rule in self.rules:
            with contextlib.suppress(OSError):
                self.netlink.delete_rule(rule)
        self.rules = self._planned = ()
        for interface in list(self.open):
            self._close_device(interface)

    def _open_device(self, device: MapDevice) -> None:
        fd = self._open_tun(device, device.device, device.table)
        try:
            clear_fd = self._open_tun(device, device.clear_device, device.clear_table)
        except OSError:
            os.close(fd)  # the device goes with its descriptor
            raise
        self.open[device.interface] = _Open(device, fd, clear_fd)
        self.loop.add_reader(fd, self._on_readable, self.receive, device.interface, fd)
        self.loop.add_reader(
            clear_fd, self._on_readable, self.receive_clear, device.interface, clear_fd
        )

    def _open_tun(self, device: MapDevice, name: str, table: int) -> int:
        """A TUN device `name` with a default route in `table`; its descriptor."""
        with contextlib.suppress(OSError):
            if self.netlink.delete_link(name):
                self.log(f"%PYIKE-4-STALE: removed stale device {name}")
        fd = open_tun(name)
        try:
            self.netlink.configure_tunnel(TunnelDevice(device.interface, name, (), device.mtu))
            self.netlink.replace_default_route(table, name)
        except OSError:
            os.close(fd)
            raise
        return fd

    def _close_device(self, interface: str) -> None:
        entry = self.open.pop(interface)
        for fd, name in (
            (entry.fd, entry.device.device),
            (entry.clear_fd, entry.device.clear_device),
        ):
            self.loop.remove_reader(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                self.netlink.delete_link(name)

    @staticmethod
    def _on_readable(receive: Receive, interface: str, fd: int) -> None:
        try:
            packets = read_packets(fd, _READ_BATCH)
        except OSError:
            return
        if packets:
            receive(interface, packets)
