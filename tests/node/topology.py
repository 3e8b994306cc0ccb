"""Topologies for the router tests, built from configuration text."""

from __future__ import annotations

from pathlib import Path

from pyike.config import load, load_file
from pyike.node.exec.commands import run_command
from pyike.node.router import Router
from pyike.sim.clock import VirtualClock
from pyike.sim.network import Network
from pyike.sim.topology import wire_by_subnet

SEED = Path(__file__).parents[2] / "src" / "pyike" / "data" / "seed"

R1 = """hostname R1
interface Loopback0
 ip address 1.1.1.1 255.255.255.255
interface Ethernet0/0
 ip address 10.1.12.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 10.1.12.2
"""
R2 = """hostname R2
interface Loopback0
 ip address 2.2.2.2 255.255.255.255
interface Ethernet0/0
 ip address 10.1.12.2 255.255.255.0
interface Ethernet0/1
 ip address 10.1.23.2 255.255.255.0
ip route 1.1.1.1 255.255.255.255 10.1.12.1
ip route 3.3.3.3 255.255.255.255 10.1.23.3
"""
R3 = """hostname R3
interface Loopback0
 ip address 3.3.3.3 255.255.255.255
interface Ethernet0/0
 ip address 10.1.23.3 255.255.255.0
ip route 0.0.0.0 0.0.0.0 10.1.23.2
"""


class Lab:
    def __init__(self, *configs: str) -> None:
        self.clock = VirtualClock()
        self.network = Network(self.clock)
        self.routers: dict[str, Router] = {}
        for text in configs:
            result = load(text)
            assert result.ok, result.diagnostics
            router = Router(result.config, self.clock)
            self.routers[router.hostname] = router
        self.segments = wire_by_subnet(self.network, self.routers.values())

    def __getitem__(self, name: str) -> Router:
        return self.routers[name]

    def run(self, host: str, command: str) -> str:
        return run_command(self.routers[host], self.clock, command)


def seed_lab() -> Lab:
    lab = Lab()
    for name in ("router1.cfg", "router2.cfg"):
        router = Router(load_file(SEED / name).config, lab.clock)
        lab.routers[router.hostname] = router
    lab.segments = wire_by_subnet(lab.network, lab.routers.values())
    return lab


def chain() -> Lab:
    return Lab(R1, R2, R3)
