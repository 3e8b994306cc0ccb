"""What the lab (and later the gateway) plugs into a router: IKE, ESP, tunnels, crypto maps.

A router without hooks is a plain IP router: UDP 500/4500 gets a port unreachable, ESP a
protocol unreachable, and nothing can leave through a tunnel interface.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pyike.node.ip import IPv4Packet, IPv6Packet
    from pyike.node.router import Router

IPAddress = IPv4Address | IPv6Address


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """The time a router runs on: `pyike.sim.clock.VirtualClock` in the lab."""

    @property
    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable: ...


@dataclass(frozen=True)
class IkeDatagram:
    """A UDP datagram for the router's IKE service (port 500, or 4500 with the non-ESP
    marker already removed)."""

    interface: str  # where it arrived
    src: IPv4Address | IPv6Address
    src_port: int
    dst: IPv4Address | IPv6Address
    dst_port: int
    payload: bytes

    @property
    def nat_t(self) -> bool:
        return self.dst_port == 4500 or self.src_port == 4500


class IkeHandler(Protocol):
    def ike_datagram(self, router: Router, datagram: IkeDatagram) -> None: ...


@dataclass(frozen=True)
class EspArrival:
    """An ESP packet addressed to the router: `esp` starts at the SPI."""

    interface: str
    packet: IPv4Packet | IPv6Packet  # the outer packet as received (reassembled)
    esp: bytes
    udp_encapsulated: bool
    src_port: int = 0  # UDP-encapsulated: the peer's port (it may be NAT-translated)


@dataclass(frozen=True)
class Decrypted:
    """What the ESP handler gives back: the inner packet and the tunnel interface it arrived
    on (None for a crypto map SA: the packet is forwarded as received on the outer
    interface)."""

    inner: bytes
    tunnel: str | None
    sa_name: str | None = None  # the crypto map entry whose SA opened it (tunnel is None)


class EspHandler(Protocol):
    def esp_packet(self, router: Router, arrival: EspArrival) -> Decrypted | None:
        """Decrypt; None when the packet is dropped (the handler counts why)."""
        ...

    def path_mtu(self, router: Router, spi: bytes, mtu: int) -> None:
        """ICMP fragmentation needed came back for an ESP packet the router sent with SPI
        `spi`: the path toward its peer takes `mtu` octets."""
        ...


class TunnelHandler(Protocol):
    def encapsulate(self, router: Router, tunnel: str, packet: bytes) -> Sequence[bytes]:
        """Protect one packet routed into `tunnel`; returns complete outer IP packets, from
        the tunnel source toward the tunnel destination (empty: dropped)."""
        ...

    def overhead(self, router: Router, tunnel: str) -> int:
        """Bytes the encapsulation adds, outer IP header included (for the tunnel IP MTU)."""
        ...

    def show_lines(self, router: Router, tunnel: str) -> Sequence[str]:
        """The IPsec lines of `show interfaces TunnelN` (protection, transport MTU)."""
        ...


class MultipointHandler(Protocol):
    """The protection of multipoint GRE tunnels (`tunnel protection` on `tunnel mode gre
    multipoint`): an SA with each peer (its NBMA address) that NHRP wants, carrying the GRE
    packets between the tunnel source and that peer. The handler tells the router when one
    comes up (`Router.multipoint_peer_up`)."""

    def want_peer(self, router: Router, tunnel: str, peer: IPAddress, wanted: bool) -> None:
        """NHRP needs the SA with `peer` (bring it up), or no longer does (take it down)."""
        ...

    def peer_ready(self, router: Router, tunnel: str, peer: IPAddress) -> bool:
        """An SA with `peer` is up to send with."""
        ...

    def protect(
        self, router: Router, tunnel: str, peer: IPAddress, packet: bytes
    ) -> Sequence[bytes]:
        """ESP for one whole GRE packet to `peer` (empty: dropped for want of an SA)."""
        ...


class PolicyAction(enum.Enum):
    PASS = "pass"  # not matched by a crypto map: send in clear
    DROP = "drop"  # matched, no SA yet (the handler may have started negotiation)
    PROTECT = "protect"  # matched and encrypted: send `packets` instead
    # matched, but with DF set it would not fit once encrypted: ICMP fragmentation needed,
    # the largest packet that fits (`mtu`) as the next-hop MTU
    TOO_BIG = "too big"


@dataclass(frozen=True)
class PolicyDecision:
    action: PolicyAction
    packets: tuple[bytes, ...] = ()
    mtu: int = 0  # TOO_BIG's

    @classmethod
    def passed(cls) -> PolicyDecision:
        return cls(PolicyAction.PASS)


class OutboundPolicy(Protocol):
    """The crypto map check on an egress interface."""

    def outbound(self, router: Router, interface: str, packet: bytes) -> PolicyDecision: ...


class InboundPolicy(Protocol):
    """The crypto map check on an ingress interface."""

    def inbound(
        self, router: Router, interface: str, packet: bytes, protected_by: str | None
    ) -> bool:
        """False drops `packet`: clear traffic a crypto map should have protected
        (`protected_by` None), or decrypted traffic outside its SA's selectors."""
        ...
