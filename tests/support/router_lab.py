"""Simulated routers (pyike.node) on a virtual network, built from configuration text: a
three-router chain, the seed's two routers, and a stub IPsec that stands in for the IKE
engine and ESP (the "encryption" is an outer IPv4 header with protocol 50 and a 4-byte tag,
enough to exercise every path)."""

from __future__ import annotations

from collections.abc import Sequence

from pyike.config import load, load_file
from pyike.node.exec.commands import run_command
from pyike.node.hooks import Decrypted, EspArrival
from pyike.node.ip import PROTO_ESP, IPv4Packet
from pyike.node.router import Router
from pyike.sim.clock import VirtualClock
from pyike.sim.network import Network
from pyike.sim.topology import wire_by_subnet
from tests.support.paths import SEED_CONFIGS

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
        for device, text in enumerate(configs, 1):
            result = load(text)
            assert result.ok, result.diagnostics
            router = Router(result.config, self.clock, device=device)
            self.routers[router.hostname] = router
        self.segments = wire_by_subnet(self.network, self.routers.values())

    def __getitem__(self, name: str) -> Router:
        return self.routers[name]

    def run(self, host: str, command: str) -> str:
        return run_command(self.routers[host], self.clock, command)


def seed_lab() -> Lab:
    lab = Lab()
    for device, name in enumerate(("router1.cfg", "router2.cfg"), 1):
        router = Router(load_file(SEED_CONFIGS / name).config, lab.clock, device=device)
        lab.routers[router.hostname] = router
    lab.segments = wire_by_subnet(lab.network, lab.routers.values())
    return lab


def chain() -> Lab:
    return Lab(R1, R2, R3)


# -- stub IPsec ---------------------------------------------------------------------------------

TAG = b"SPI!"


class StubIpsec:
    """Tunnel + ESP handler: wraps packets in a fake ESP header."""

    def __init__(self, overhead: int = 20 + 4) -> None:
        self._overhead = overhead
        self.encapsulated = 0
        self.arrivals: list[EspArrival] = []

    def encapsulate(self, router: Router, tunnel: str, packet: bytes) -> Sequence[bytes]:
        src, dst = router.tunnel_endpoints(tunnel)
        assert src is not None and dst is not None
        self.encapsulated += 1
        return [IPv4Packet(int(src), int(dst), PROTO_ESP, TAG + packet).to_bytes()]

    def overhead(self, router: Router, tunnel: str) -> int:
        return self._overhead

    def show_lines(self, router: Router, tunnel: str) -> Sequence[str]:
        return ['  Tunnel protection via IPSec (profile "phse2-prof")']

    def esp_packet(self, router: Router, arrival: EspArrival) -> Decrypted | None:
        self.arrivals.append(arrival)
        if not arrival.esp.startswith(TAG):
            return None
        return Decrypted(arrival.esp[4:], "Tunnel0")

    def path_mtu(self, router: Router, spi: bytes, mtu: int) -> None:
        return None


def ipsec_seed(overhead: int = 24) -> tuple[Lab, StubIpsec, StubIpsec]:
    lab = seed_lab()
    stubs = []
    for router in lab.routers.values():
        stub = StubIpsec(overhead)
        router.tunnel_handler = stub
        router.esp_handler = stub
        stubs.append(stub)
    return lab, stubs[0], stubs[1]
