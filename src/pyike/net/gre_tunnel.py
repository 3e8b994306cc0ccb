"""What the gateway does itself on its GRE-over-IPsec tunnels, beyond the framing the lab's
routers share (`pyike.host.framing`): IOS's GRE keepalives, `ip tcp adjust-mss`, and the
line protocol they decide with the tunnel's SAs.

- Keepalives (`keepalive [PERIOD [RETRIES]]`), as `pyike.node.keepalive` counts them: every
  PERIOD seconds the tunnel sends its probe (`pyike.node.gre.keepalive_probe`: the reply
  already built) through its SA; RETRIES unanswered in a row take the line protocol down,
  the TUN device with it (the kernel withdraws the routes into it), and a reply brings both
  back. A peer's probe arrives as a GRE packet from this tunnel's source to its
  destination inside the tunnel's GRE: the gateway sends it back through the SA as the
  peers' own traffic, as IOS routes it, whether or not this side has keepalives.
- `ip tcp adjust-mss N`: the MSS of TCP SYNs entering or leaving the tunnel is lowered to N;
  a tunnel without it pays nothing per packet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyike.config.model import Config
from pyike.host.framing import GreFraming
from pyike.ipsec.esp import Decapsulated
from pyike.ipsec.sa import EspMode, OutboundEspSa
from pyike.node.gre import GRE_PROTOCOL, carried, keepalive_probe, read_ip
from pyike.node.keepalive import KeepaliveState
from pyike.node.tcp_mss import clamp_mss_packet

CallLater = Callable[[float, Callable[[], None]], object]


@dataclass(frozen=True, eq=False)
class GatewayGreFraming(GreFraming):
    """A GRE tunnel's framing with the gateway's keepalive replies, reflected probes and
    MSS clamping; `tunnels` hears of the first two."""

    tunnel: str = ""
    mss: int | None = None
    tunnels: GreTunnels | None = None

    def seal(self, sa: OutboundEspSa, packet: bytes) -> bytes:
        if self.mss is not None:
            packet = clamp_mss_packet(packet, self.mss)
        return super().seal(sa, packet)

    def open(self, mode: EspMode, result: Decapsulated) -> bytes | None:
        gre = self.gre_of(mode, result)
        if gre is None:
            return None
        if gre.is_keepalive:
            if gre.key == self.key and self.tunnels is not None:
                self.tunnels.answered(self.tunnel)
            return None
        packet = carried(gre, self.key)
        if packet is None:
            return None
        if _carries_gre(packet) and self._is_peer_probe(packet):
            if self.tunnels is not None:
                self.tunnels.reflect(self.tunnel, packet)
            return None
        return packet if self.mss is None else clamp_mss_packet(packet, self.mss)

    def _is_peer_probe(self, packet: bytes) -> bool:
        """GRE from this side to the peer inside the tunnel: the peer's keepalive probe."""
        header = read_ip(packet)
        return (
            header is not None
            and header.protocol == GRE_PROTOCOL
            and (header.src, header.dst) == (self.source, self.destination)
        )


def _carries_gre(packet: bytes) -> bool:
    """Whether an IPv4 or IPv6 packet's protocol (next header) is GRE, from one octet: the
    test every packet a GRE tunnel decrypts passes."""
    at = 9 if packet[:1] and packet[0] >> 4 == 4 else 6
    return len(packet) > at and packet[at] == GRE_PROTOCOL


class GreTunnels:
    """The keepalives and line protocol of the gateway's GRE tunnels.

    `send(tunnel, packet)` puts a packet into a tunnel as if routed there; `reflect_out(tunnel,
    packet)` sends a peer's probe back through the tunnel's SA as the peers' own traffic;
    `line_changed(tunnel, up)` hears every change of a tunnel's line protocol (its SAs and,
    with keepalives, their replies); `link(tunnel, up)` the changes keepalives alone make."""

    def __init__(
        self,
        call_later: CallLater,
        send: Callable[[str, bytes], None],
        reflect_out: Callable[[str, bytes], None],
        line_changed: Callable[[str, bool], None],
    ) -> None:
        self._call_later = call_later
        self._send = send
        self._reflect_out = reflect_out
        self._line_changed = line_changed
        self.link: Callable[[str, bool], None] | None = None  # the runtime's TUN devices
        self.keepalives: dict[str, KeepaliveState] = {}
        self._framings: dict[str, GatewayGreFraming] = {}
        self._sa_up: set[str] = set()

    def framings(self, config: Config, plain: Mapping[str, GreFraming]) -> dict[str, GreFraming]:
        """The gateway's framing for each GRE tunnel of `plain` (a reload's new config):
        keepalives started, kept or stopped as the configuration now says."""
        self._framings = {}
        keepalives: dict[str, KeepaliveState] = {}
        for name, framing in plain.items():
            iface = config.interfaces[name]
            self._framings[name] = GatewayGreFraming(
                framing.source,
                framing.destination,
                framing.key,
                tunnel=name,
                mss=iface.tcp_adjust_mss,
                tunnels=self,
            )
            if iface.keepalive is None:
                continue
            state = self.keepalives.get(name)
            if state is not None and state.settings == iface.keepalive:
                keepalives[name] = state
            else:
                keepalives[name] = fresh = KeepaliveState(iface.keepalive)
                self._call_later(fresh.settings.period, self._ticker(name, fresh))
        for name, state in self.keepalives.items():
            if state.down and name not in keepalives:  # no longer kept down by keepalives
                self._keepalive_changed(name, up=True)
        self.keepalives = keepalives
        return dict(self._framings)

    def line_up(self, tunnel: str) -> bool:
        state = self.keepalives.get(tunnel)
        return tunnel in self._sa_up and (state is None or not state.down)

    def sas_changed(self, tunnel: str, up: bool) -> None:
        """The tunnel gained its first SA or lost its last one."""
        before = self.line_up(tunnel)
        if up:
            self._sa_up.add(tunnel)
        else:
            self._sa_up.discard(tunnel)
        if self.line_up(tunnel) != before:
            self._line_changed(tunnel, not before)

    def answered(self, tunnel: str) -> None:
        state = self.keepalives.get(tunnel)
        if state is not None and state.answered():
            self._keepalive_changed(tunnel, up=True)

    def reflect(self, tunnel: str, probe: bytes) -> None:
        self._reflect_out(tunnel, probe)

    def probe(self, tunnel: str) -> None:
        """A keepalive is due: counted (the line protocol goes down after RETRIES
        unanswered), and sent."""
        state = self.keepalives[tunnel]
        if state.probe():
            self._keepalive_changed(tunnel, up=False)
        framing = self._framings[tunnel]
        self._send(tunnel, keepalive_probe(framing.source, framing.destination, framing.key))

    def _ticker(self, tunnel: str, state: KeepaliveState) -> Callable[[], None]:
        def tick() -> None:
            if self.keepalives.get(tunnel) is not state:
                return  # reloaded away
            self.probe(tunnel)
            self._call_later(state.settings.period, tick)

        return tick

    def _keepalive_changed(self, tunnel: str, *, up: bool) -> None:
        if tunnel in self._sa_up:
            self._line_changed(tunnel, up)
        if self.link is not None:
            self.link(tunnel, up)


__all__ = ["GatewayGreFraming", "GreTunnels"]
