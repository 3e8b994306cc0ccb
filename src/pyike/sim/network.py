"""The virtual wire: IP segments joining interfaces, with delay, faults and capture.

A segment stands for one shared subnet (an Ethernet switch): a packet sent toward a next-hop
address arrives, after the segment's delay, at the attached endpoint that owns that address
(the ARP resolution a real LAN would do). Endpoints are router interfaces, NAT box ports or
anything with `owns`/`deliver`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from ipaddress import IPv4Network

from pyike.node.interfaces import Endpoint
from pyike.sim.clock import VirtualClock
from pyike.sim.faults import FaultPlan

DEFAULT_DELAY = 0.0005  # one way; IOS prints a 1 ms round trip across one segment


@dataclass(frozen=True)
class CapturedPacket:
    time: float  # virtual seconds when the packet entered the wire
    segment: str
    sender: str
    receiver: str
    data: bytes


CaptureHook = Callable[[CapturedPacket], None]


@dataclass
class SegmentCounters:
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0
    unresolved: int = 0  # no endpoint owns the next hop


class Segment:
    def __init__(
        self,
        network: Network,
        name: str,
        prefix: IPv4Network | None = None,
        delay: float = DEFAULT_DELAY,
    ) -> None:
        self.network = network
        self.name = name
        self.prefix = prefix
        self.delay = delay
        self.faults = FaultPlan()
        self.counters = SegmentCounters()
        self.endpoints: list[Endpoint] = []
        self._attached: set[Endpoint] = set()
        # The attached endpoints that may own each address, in the order they attached.
        self._by_address: dict[int, list[Endpoint]] = {}

    def attach(self, endpoint: Endpoint) -> None:
        if endpoint not in self._attached:
            self._attached.add(endpoint)
            self.endpoints.append(endpoint)
            for address in endpoint.owned_addresses:
                self._by_address.setdefault(address, []).append(endpoint)

    def detach(self, endpoint: Endpoint) -> None:
        if endpoint in self._attached:
            self._attached.remove(endpoint)
            self.endpoints.remove(endpoint)
            for address in endpoint.owned_addresses:
                self._by_address[address].remove(endpoint)

    def resolve(self, sender: Endpoint, address: int) -> Endpoint | None:
        for endpoint in self._by_address.get(address, ()):
            if endpoint is not sender and endpoint.owns(address):
                return endpoint
        return None

    def transmit(self, sender: Endpoint, packet: bytes, next_hop: int) -> bool:
        receiver = self.resolve(sender, next_hop)
        if receiver is None:
            self.counters.unresolved += 1
            return False
        self.counters.sent += 1
        fate = self.faults.fate(packet, self.delay, self.network.rng)
        if fate.dropped:
            self.counters.dropped += 1
            return True  # it left the interface; the wire lost it
        self.counters.duplicated += len(fate.arrivals) - 1
        clock = self.network.clock
        for arrival in fate.arrivals:
            self.network.record(
                CapturedPacket(
                    clock.now + arrival - self.delay,
                    self.name,
                    sender.endpoint_name,
                    receiver.endpoint_name,
                    packet,
                )
            )
            clock.call_later(arrival, partial(self._arrive, receiver, packet))
        return True

    def _arrive(self, receiver: Endpoint, packet: bytes) -> None:
        if receiver not in self._attached:
            return
        self.counters.delivered += 1
        receiver.deliver(packet)

    def __repr__(self) -> str:
        return f"Segment({self.name!r}, {self.prefix})"


@dataclass
class Network:
    """All segments of one lab, sharing a clock and a random source for loss rates."""

    clock: VirtualClock
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    segments: dict[str, Segment] = field(default_factory=dict)
    captures: list[CaptureHook] = field(default_factory=list)

    def segment(
        self, name: str, prefix: str | IPv4Network | None = None, delay: float = DEFAULT_DELAY
    ) -> Segment:
        if name in self.segments:
            raise ValueError(f"segment {name} already exists")
        net = IPv4Network(prefix, strict=False) if prefix is not None else None
        seg = Segment(self, name, net, delay)
        self.segments[name] = seg
        return seg

    def add_capture(self, hook: CaptureHook) -> None:
        self.captures.append(hook)

    def remove_capture(self, hook: CaptureHook) -> None:
        if hook in self.captures:
            self.captures.remove(hook)

    def record(self, packet: CapturedPacket) -> None:
        for hook in list(self.captures):
            hook(packet)
