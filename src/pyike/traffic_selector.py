"""One traffic selector (RFC 7296 section 3.13.1) as the configuration, the engine, show and
debug speak of it; `codec/traffic_selectors.py` is its wire form."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pyike.codec.registry import TsType

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrafficSelector:
    start: IPAddress
    end: IPAddress
    protocol: int = 0
    start_port: int = 0
    end_port: int = 65535

    @classmethod
    def of(
        cls, network: str | IPNetwork, protocol: int = 0, ports: tuple[int, int] = (0, 65535)
    ) -> TrafficSelector:
        net = ipaddress.ip_network(network, strict=False)
        return cls(net[0], net[-1], protocol, ports[0], ports[1])

    @classmethod
    def any4(cls) -> TrafficSelector:
        return cls.of("0.0.0.0/0")

    @property
    def ts_type(self) -> TsType:
        return TsType.TS_IPV4_ADDR_RANGE if self.start.version == 4 else TsType.TS_IPV6_ADDR_RANGE

    def __str__(self) -> str:
        return (
            f"{self.start}-{self.end} proto {self.protocol} ports {self.start_port}-{self.end_port}"
        )
