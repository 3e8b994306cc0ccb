"""The engine speaks of UDP 500 and 4500; the sockets may sit elsewhere (`--ike-port`).

With `--ike-port P` IKE listens on P and NAT-T on P + 4000 (500 -> 4500 keeps that
distance). The engine always sees the logical ports 500 and 4500, for local and remote
endpoints alike, so its NAT-T rules (non-ESP marker, floating to 4500) hold unchanged; ports
a NAT chose pass through as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyike.codec.udp_encap import IKE_PORT, NAT_T_PORT

NAT_T_OFFSET = NAT_T_PORT - IKE_PORT


@dataclass(frozen=True)
class PortMap:
    ike: int = IKE_PORT

    @property
    def nat_t(self) -> int:
        return self.ike + NAT_T_OFFSET

    def to_engine(self, port: int) -> int:
        if port == self.ike:
            return IKE_PORT
        if port == self.nat_t:
            return NAT_T_PORT
        return port

    def to_wire(self, port: int) -> int:
        if port == IKE_PORT:
            return self.ike
        if port == NAT_T_PORT:
            return self.nat_t
        return port


def port_map(ike_port: int | None) -> PortMap:
    if ike_port is None:
        return PortMap()
    if not 1 <= ike_port <= 65535 - NAT_T_OFFSET:
        raise ValueError(f"--ike-port {ike_port}: must be 1..{65535 - NAT_T_OFFSET}")
    return PortMap(ike_port)
