"""Two Gateways (pyike.net.gateway) joined in memory, as `pyike run` drives them: what one
sends, the other receives through a queue (no re-entrance). The clock stands at 100 s and
timers only run when a test calls them (`timers`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from pyike.adapter.config_policy import policy_for_config
from pyike.config.model import Config
from pyike.host.crypto_host import HostSetup
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.net.gateway import Gateway
from pyike.node.ip import PROTO_UDP, IPv4Packet
from pyike.node.udp import UdpDatagram
from pyike.sim.network import CapturedPacket
from pyike.sim.pcap import PcapRecorder

_SETUP_FIELDS = {field.name for field in fields(HostSetup)}


class _Timer:
    def cancel(self) -> None:
        return None


class MemoryWire:
    """A gateway's Wire: IKE and ESP go to the peer gateway through the shared queue, and
    with `capture` each IKE datagram is also written as an IPv4/UDP packet to a pcap."""

    def __init__(
        self, queue: list[Callable[[], None]], capture: PcapRecorder | None = None
    ) -> None:
        self.queue = queue
        self.capture = capture
        self.peer: Gateway | None = None
        self.ike_sent = 0
        self.tunnel_writes: list[tuple[str, bytes]] = []

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        self.ike_sent += 1
        if self.capture is not None:
            self._capture(local, remote, data)
        peer = self.peer
        assert peer is not None
        self.queue.append(lambda: peer.receive_ike(remote, local, data))

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        peer = self.peer
        assert peer is not None
        self.queue.append(lambda: peer.receive_esp(child.local.address, None, esp))

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        self.tunnel_writes.append((tunnel, packet))

    def _capture(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        assert self.capture is not None
        src, dst = int(local.address), int(remote.address)
        udp = UdpDatagram(local.port, remote.port, data).to_bytes(src, dst)
        packet = IPv4Packet(src, dst, PROTO_UDP, udp).to_bytes()
        self.capture(CapturedPacket(self.capture.count * 0.001, "wan", "", "", packet))


class GatewayPair:
    """Gateways `a` and `b`, called `names` (their wires, what their crypto maps delivered,
    and their random sources go by these names). `options`: more arguments for each, to its
    HostSetup (trace_sink, log) or its Gateway (keylog)."""

    def __init__(
        self,
        a: Config,
        b: Config,
        *,
        names: tuple[str, str] = ("a", "b"),
        capture: PcapRecorder | None = None,
        options: tuple[Mapping[str, Any], Mapping[str, Any]] = ({}, {}),
    ) -> None:
        self.queue: list[Callable[[], None]] = []
        self.timers: list[Callable[[], object]] = []
        self.delivered: dict[str, list[tuple[str, bytes]]] = {name: [] for name in names}
        self.wires = {name: MemoryWire(self.queue, capture) for name in names}
        self.a = self._gateway(a, names[0], options[0])
        self.b = self._gateway(b, names[1], options[1])
        self.wires[names[0]].peer, self.wires[names[1]].peer = self.b, self.a

    def _gateway(self, cfg: Config, name: str, options: Mapping[str, Any]) -> Gateway:
        policy, tunnels = policy_for_config(cfg)

        def call_later(delay: float, callback: Callable[[], object]) -> _Timer:
            self.timers.append(callback)
            return _Timer()

        setup = HostSetup(
            cfg,
            policy,
            tunnels,
            self.wires[name],
            clock=lambda: 100.0,
            call_later=call_later,
            random_bytes=random.Random(name).randbytes,
            **{k: v for k, v in options.items() if k in _SETUP_FIELDS},
        )
        gateway = Gateway(setup, **{k: v for k, v in options.items() if k not in _SETUP_FIELDS})
        sink = self.delivered[name]
        gateway.map_writer = lambda interface, packet: sink.append((interface, packet))
        return gateway

    def pump(self) -> None:
        """Delivers what is queued, and what that brings, until nothing is left."""
        while self.queue:
            self.queue.pop(0)()
