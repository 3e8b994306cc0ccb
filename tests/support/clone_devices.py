"""The gateway's Virtual-Access devices recorded instead of made (no root): what the hub asks
its CloneDevices for, kept for tests to read."""

from __future__ import annotations

from collections.abc import Sequence

from pyike.config.model import Config
from pyike.net.binding import KernelRoute, TunnelDevice
from tests.support.memory_gateways import GatewayPair


class RecordedDevices:
    """CloneDevices that keep what they are asked: the devices up, the routes in place."""

    def __init__(self) -> None:
        self.devices: dict[str, TunnelDevice] = {}
        self.routes: set[KernelRoute] = set()

    def add(self, sa_name: str, device: TunnelDevice) -> None:
        self.devices[sa_name] = device

    def remove(self, sa_name: str) -> None:
        device = self.devices.pop(sa_name)
        self.routes = {r for r in self.routes if r.device != device.device}  # gone with it

    def route(self, added: Sequence[KernelRoute], withdrawn: Sequence[KernelRoute]) -> None:
        self.routes -= set(withdrawn)
        self.routes |= set(added)


def hub_and_spoke_up(hub: Config, spoke: Config) -> tuple[GatewayPair, RecordedDevices]:
    """A hub and a spoke as two Gateways in memory, the hub's clone devices recorded, after
    the spoke has brought its tunnels up."""
    pair = GatewayPair(hub, spoke, names=("hub", "spoke"))
    devices = RecordedDevices()
    pair.a.clones.devices = devices
    pair.b.start_all()
    pair.pump()
    return pair, devices
