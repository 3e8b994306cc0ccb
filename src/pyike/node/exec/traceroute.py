"""`traceroute`: UDP probes with growing TTL, as IOS sends them (3 per hop, 3 s timeout,
destination ports from 33434), reported hop by hop in IOS's layout."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address
from itertools import count

from pyike.ios_names import milliseconds as ms
from pyike.node import icmp
from pyike.node.exec.probe import ProbeJob
from pyike.node.ip import PROTO_UDP, IPv4Packet, IPv6Packet
from pyike.node.router import Router
from pyike.node.udp import UdpDatagram

BASE_PORT = 33434
_source_ports = count(49152)
_UNREACHABLE_MARK = {
    icmp.NET_UNREACHABLE: "!N",
    icmp.HOST_UNREACHABLE: "!H",
    icmp.PROTOCOL_UNREACHABLE: "!P",
    icmp.ADMIN_PROHIBITED: "!A",
}


@dataclass(frozen=True)
class TracerouteOptions:
    target: IPv4Address
    source: IPv4Address | None = None
    probes: int = 3
    timeout: float = 3.0
    min_ttl: int = 1
    max_ttl: int = 30
    vrf: str | None = None  # `traceroute vrf NAME ...`


class TracerouteJob(ProbeJob):
    def __init__(self, router: Router, options: TracerouteOptions) -> None:
        super().__init__(router)
        self.options = options
        self.src_port = 49152 + (next(_source_ports) - 49152) % 16384
        self.hops: list[list[tuple[IPv4Address | None, float | None, str]]] = []
        self._ttl = options.min_ttl
        self._probe = 0
        self._dst_port = BASE_PORT
        self._line = ""
        self._last_address: IPv4Address | None = None
        self._last_token = ""
        self._reached = False

    def start(self) -> TracerouteJob:
        self.write("Type escape sequence to abort.\n")
        self.write(f"Tracing the route to {self.options.target}\n")
        self.write("VRF info: (vrf in name/id, vrf out name/id)\n")
        self.router.listen(("udp", self.src_port), self._on_icmp)
        self._begin_hop()
        return self

    def _begin_hop(self) -> None:
        self.hops.append([])
        self._probe = 0
        self._line = f"{self._ttl:>3} "
        self._last_address = None
        self._last_token = "ttl"
        self._send()

    def _send(self) -> None:
        o = self.options
        self._dst_port += 1
        source = self._source(o.target, o.source, o.vrf)
        self._probe_sent(o.timeout)
        if source is None:
            return
        datagram = UdpDatagram(self.src_port, self._dst_port - 1, b"\x00" * 12)
        packet = IPv4Packet(
            source,
            int(o.target),
            PROTO_UDP,
            datagram.to_bytes(source, int(o.target)),
            ttl=self._ttl,
            ident=self.router.next_ident(),
        )
        self.router.originate(packet, o.vrf)

    def _on_icmp(self, packet: IPv4Packet | IPv6Packet, message: icmp.IcmpMessage) -> None:
        if not isinstance(packet, IPv4Packet):
            return  # IPv6 traceroute is not modelled
        quoted = icmp.quoted_packet(message)
        if quoted is None or int.from_bytes(quoted.payload[2:4], "big") != self._dst_port - 1:
            return
        mark = ""
        if message.type == icmp.DEST_UNREACHABLE:
            if message.code == icmp.PORT_UNREACHABLE:
                self._reached = True
            else:
                mark = _UNREACHABLE_MARK.get(message.code, f"!{message.code}")
                self._reached = True  # IOS stops at an unreachable hop too
        elif message.type != icmp.TIME_EXCEEDED:
            return
        if packet.src == int(self.options.target):
            self._reached = True
        self._answer(packet.src_address, self._round_trip, mark)

    def _answer(self, address: IPv4Address, rtt: float, mark: str) -> None:
        self._cancel_timer()
        if address != self._last_address:
            self._line += ("" if self._last_token in ("ttl", "timeout") else " ") + f"{address} "
            self._last_address = address
            self._last_token = "address"
        elif self._last_token != "address":
            self._line += " "
        self._line += mark if mark else f"{ms(rtt)} msec"
        self._last_token = "reply"
        self.hops[-1].append((address, rtt, mark))
        self._next()

    def _on_timeout(self) -> None:
        self._line += " * "
        self._last_token = "timeout"
        self.hops[-1].append((None, None, "*"))
        self._next()

    def _next(self) -> None:
        self._probe += 1
        if self._probe < self.options.probes:
            self._send()
            return
        self.write(self._line + "\n")
        if self._reached or self._ttl >= self.options.max_ttl:
            self.router.unlisten(("udp", self.src_port))
            self.finish()
            return
        self._ttl += 1
        self._begin_hop()

    def abort(self) -> None:
        """IOS's escape sequence: the hop being probed ends with what it has so far."""
        if not self.done:
            self._cancel_timer()
            self.write(self._line + "\n")
            self.router.unlisten(("udp", self.src_port))
            self.finish()

    @property
    def reached(self) -> bool:
        return self._reached
