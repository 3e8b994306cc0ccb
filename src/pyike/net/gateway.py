"""The gateway's crypto subsystem: the IKEv2 engine and the SA database, driven by real
time and connected to the wire through a `Wire` (sockets and TUN devices, in
`pyike.net.runtime`). It does for `pyike run` what `pyike.lab.crypto_node` does for a lab
router, and answers the same show commands (`pyike.lab.views.CryptoState`).

Everything here is synchronous and free of sockets: the runtime calls `receive_ike`,
`receive_esp`, `tunnel_packets` and `crypto_map_packets` as data arrives and arms the
engine's timer through the injected scheduler; this module calls the Wire to send.

Crypto maps: the kernel's policy-routing rules (`pyike.net.policy_steering`) bring what a
map's ACLs permit to the map's TUN device; `crypto_map_packets` picks the entry and the ACL
line as IOS does (`pyike.ipsec.acl_match`) and encrypts with that line's SA, or starts
negotiating it (the packets are dropped meanwhile): each permit line has its own SA pair.
Their SAs are traffic-triggered: not brought up at start, not re-created when lost. Decrypted
traffic goes back to the map's device once it mirrors the line its SA was negotiated for
(otherwise it counts as the SA's `#pkts invalid identity (recv)`). Clear traffic that should
have come inside ESP reaches `crypto_map_clear_packets`, which drops it and logs IOS's
`%CRYPTO-4-RECVD_PKT_NOT_IPSEC`, rate-limited as the lab does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from pyike.config.model import Config
from pyike.ike.driver import EngineDriver, TunnelStarter, renegotiation_delay
from pyike.ike.engine import IkeEngine
from pyike.ike.events import (
    NAT_T_PORT,
    ChildSaInfo,
    ChildSaInstalled,
    Datagram,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    IPAddress,
    NegotiationFailed,
)
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import PacketTrace, TraceKind, TraceRecord
from pyike.ipsec.acl_match import (
    Flow,
    MapEntry,
    is_entry_name,
    maps_by_interface,
    protecting_line,
    sa_index,
)
from pyike.ipsec.errors import EspError
from pyike.ipsec.iv_pool import IvPool
from pyike.ipsec.sad import InstalledChild, SecurityAssociationDatabase
from pyike.net.keylog import KeyLog, esp_key_lines, ike_key_line
from pyike.net.live_policy import LivePolicy
from pyike.node.hooks import Cancellable
from pyike.node.ratelimit import IntervalLimiter
from pyike.show.ike_counters import Ikev2Counters

RandomBytes = Callable[[int], bytes]
Clock = Callable[[], float]
CallLater = Callable[[float, Callable[[], object]], Cancellable]

_USAGE_REPORT_BYTES = 256 * 1024  # how often the engine hears of an SA's volume
_OVERHEAD_ESTIMATE = 20 + 8 + 8 + 16 + 2 + 15 + 32  # IPv4, UDP, ESP header, IV, trailer, ICV


class Wire(Protocol):
    """How the gateway reaches the network (ports are the engine's logical 500/4500)."""

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None: ...

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None: ...

    def write_tunnel(self, tunnel: str, packet: bytes) -> None: ...


@dataclass
class DataPathStats:
    invalid_spi: int = 0
    decrypt_failures: int = 0
    malformed: int = 0
    tunnel_write_errors: int = 0
    negotiations_failed: list[NegotiationFailed] = field(default_factory=list)


@dataclass
class CryptoMapStats:
    unmatched: int = 0  # reached a map's device, but no entry permits them (rules vs ACLs)
    no_sa_line: int = 0  # permitted by a line IKEv2 cannot negotiate (no SA can carry them)
    dropped_selectors: int = 0  # decrypted, but outside the mirror of their SA's ACL line
    undeliverable: int = 0  # decrypted, but the map's device is gone
    dropped_clear: int = 0  # arrived in clear, mirroring a permit line: should have been ESP


@dataclass(frozen=True)
class HostView:
    """What the show commands need of the host: the config's interface names, their
    addresses, the MTUs of tunnels and of the interfaces they leave through."""

    interface_addresses: Mapping[str, tuple[IPAddress, ...]] = field(default_factory=dict)
    tunnel_mtus: Mapping[str, int] = field(default_factory=dict)
    transport_mtu: int = 1500


class Gateway:
    def __init__(
        self,
        config: Config,
        policy: Policy,
        tunnels: Sequence[TunnelSpec],
        wire: Wire,
        *,
        clock: Clock,
        call_later: CallLater,
        random_bytes: RandomBytes,
        host: HostView | None = None,
        force_encap: bool = False,
        keylog: KeyLog | None = None,
        trace_sink: Callable[[list[TraceRecord]], None] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.policy = LivePolicy(policy, force_encap=force_encap)
        self.tunnel_specs: dict[str, TunnelSpec] = {spec.name: spec for spec in tunnels}
        # CBC IVs come from a pool drawn 4 KiB at a time: one system call per packet cost
        # a third of an aes-cbc encapsulation (pyike.ipsec.iv_pool)
        self.sad = SecurityAssociationDatabase(IvPool(random_bytes), self.tunnel_specs)
        self.engine = IkeEngine(self.policy, random_bytes, traffic=self.sad)
        self.wire = wire
        self.clock = clock
        self.call_later = call_later
        self.host = host or HostView()
        self.force_encap = force_encap
        self.keylog = keylog
        self.trace_sink = trace_sink
        self.log = log or (lambda _line: None)
        self.stats = DataPathStats()
        self.ike_up: dict[int, IkeSaUp] = {}
        self.counters = Ikev2Counters()
        self.starter = TunnelStarter(self.engine)
        # A tunnel that loses its SAs asks again on its own (IOS), unless told to wait for
        # traffic (`pyike run --passive`).
        self.keep_up = True
        self._stopping = False
        self.map_stats = CryptoMapStats()
        self._not_ipsec_limiter = IntervalLimiter()
        # Where decrypted crypto map traffic goes: (interface with the map, packet).
        self.map_writer: Callable[[str, bytes], None] | None = None
        self._index_crypto_maps(config)
        self.driver = EngineDriver(
            self.engine, clock, call_later, self._send, self._apply, self._trace
        )

    # -- CryptoState (the show commands) -----------------------------------------------------

    @property
    def specs(self) -> Mapping[str, TunnelSpec]:
        return self.tunnel_specs

    @property
    def now(self) -> float:
        return self.clock()

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        spec = self.tunnel_specs.get(tunnel)
        return spec.local.address if spec is not None else None

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        return self.host.transport_mtu

    def tunnel_ip_mtu(self, tunnel: str) -> int:
        return self.host.tunnel_mtus.get(tunnel, self.host.transport_mtu - _OVERHEAD_ESTIMATE)

    def interface_with_address(self, address: IPAddress) -> str | None:
        for name, addresses in self.host.interface_addresses.items():
            if address in addresses:
                return name
        return None

    # -- control -----------------------------------------------------------------------------

    def start_tunnel(self, name: str) -> None:
        """Negotiate what `name` lacks: an IKE SA with its peer, or a child SA on it."""
        spec = self.tunnel_specs.get(name)
        if spec is None or self.sad.tunnel(name).current is not None:
            return
        if self.starter.start(self.clock(), spec):
            self.flush()

    def start_all(self) -> None:
        """Every tunnel interface; crypto map entries wait for traffic (IOS)."""
        for name in self.tunnel_specs:
            if not is_entry_name(name):
                self.start_tunnel(name)

    def clear(self, peer: Endpoint | None = None) -> None:
        self.engine.clear(self.clock(), peer)
        self.flush()

    def rekey(self, *, ike: bool) -> int:
        """`test crypto ikev2 rekey` / `test crypto ipsec rekey`: rekey now, as the lifetime
        timers would later, every established IKE SA or every Child SA. Returns how many."""
        now = self.clock()
        count = 0
        for sa in self.engine.ike_sas:
            if not sa.established or sa.deleting or sa.rekeyed_to is not None:
                continue
            if ike:
                self.engine.rekey_ike_sa(now, sa.sa_id)
                count += 1
                continue
            for child in list(sa.children):
                self.engine.rekey_child_sa(now, sa.sa_id, child.spi_in)
                count += 1
        self.flush()
        return count

    def shutdown(self) -> None:
        """SIGTERM: delete every SA, telling the peers."""
        self._stopping = True
        self.clear()
        self.driver.stop()

    def clear_ipsec(self) -> None:
        """`clear crypto sa`: delete every child SA (telling the peer); the IKE SAs stay."""
        now = self.clock()
        for child in list(self.sad.children.values()):
            self.engine.delete_child_sa(now, child.info.ike_sa_id, child.info.spi_in)
        self.flush()

    def reload(self, config: Config, policy: Policy, tunnels: Sequence[TunnelSpec]) -> list[str]:
        """SIGHUP: the new configuration answers from now on; tunnels whose policy changed
        or vanished lose their SAs (and changed ones are negotiated again); the others keep
        theirs. Returns the names of the tunnels renegotiated."""
        new_specs = {spec.name: spec for spec in tunnels}
        changed = [name for name, spec in self.tunnel_specs.items() if new_specs.get(name) != spec]
        now = self.clock()
        doomed = {child.info.ike_sa_id for name in changed for child in self.sad.tunnel(name).live}
        for name in changed:
            old = self.tunnel_specs[name]
            doomed.update(
                sa.sa_id
                for sa in self.engine.ike_sas
                if not sa.closed and sa.remote.address == old.remote.address
            )
        self.config = config
        self.policy.current = policy
        self._index_crypto_maps(config)
        for sa_id in sorted(doomed):
            self.engine.delete_ike_sa(now, sa_id, "Configuration changed")
        self.flush()
        renegotiated = [
            n
            for n in new_specs
            if (n in changed or n not in self.tunnel_specs) and not is_entry_name(n)
        ]
        self.tunnel_specs = new_specs
        for name in new_specs:
            self.sad.tunnel(name)
        for name in new_specs:
            if not is_entry_name(name):
                self.start_tunnel(name)
        return renegotiated

    # -- IKE ---------------------------------------------------------------------------------

    def receive_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        """A UDP payload for the engine (on 4500 still behind its non-ESP marker)."""
        self.engine.receive_datagram(self.clock(), local, remote, data)
        self.flush()

    def flush(self) -> None:
        """Send what the engine wants sent, apply its events, rearm its timer."""
        self.driver.flush()

    def _send(self, datagram: Datagram) -> None:
        self.wire.send_ike(datagram.local, datagram.remote, datagram.data)

    def trace_only(self, shown: frozenset[TraceKind]) -> None:
        """Has the engine make only the trace records the sink shows, and the packet
        records the show counters count."""
        self.engine.trace_kinds = shown | {PacketTrace}

    def _trace(self, records: list[TraceRecord]) -> None:
        self.counters.count(records)
        if self.trace_sink is not None:
            self.trace_sink(records)

    def _apply(self, event: object) -> None:
        self.counters.note(event)
        if isinstance(event, IkeSaUp):
            self.ike_up[event.sa_id] = event
            self._log_ike_keys(event)
            self.log(
                "%IKEV2-5-SA_UP: Crypto tunnel v2 is UP.  "
                f"Peer {event.remote.address}:{event.remote.port}  Id: {event.remote_id}"
            )
        elif isinstance(event, IkeSaDown):
            up = self.ike_up.pop(event.sa_id, None)
            if up is not None and event.rekeyed_to is None:
                self.log(
                    "%IKEV2-5-SA_DOWN: Crypto tunnel v2 is DOWN.  "
                    f"Peer {up.remote.address}:{up.remote.port}  Id: {up.remote_id}"
                )
        elif isinstance(event, NegotiationFailed):
            self.stats.negotiations_failed.append(event)
        elif isinstance(event, ChildSaInstalled) and self.keylog is not None:
            self.keylog.write(esp_key_lines(event.child))
        change = self.sad.apply(event, self.clock())
        for name in change.up:
            if not is_entry_name(name):  # a crypto map entry has no line protocol
                self.log(
                    f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {name}, changed state to up"
                )
        for name in change.down:
            if is_entry_name(name):
                continue  # traffic brings it up again (IOS)
            self.log(
                f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {name}, changed state to down"
            )
            if self.keep_up and not self._stopping:
                ours = any(c.info.initiator for c in change.removed if c.info.tunnel == name)
                self.call_later(renegotiation_delay(ours), self._restarter(name))

    def _restarter(self, name: str) -> Callable[[], None]:
        return lambda: self.start_tunnel(name) if not self._stopping else None

    def _log_ike_keys(self, event: IkeSaUp) -> None:
        if self.keylog is None:
            return
        sa = self.engine.ike_sa(event.sa_id)
        if sa is None or sa.keys is None or sa.suite is None:
            return
        suite = sa.suite
        self.keylog.write(
            [
                ike_key_line(
                    sa.spi_i, sa.spi_r, suite.encr, suite.encr_key_bits, suite.integ, sa.keys
                )
            ]
        )

    # -- ESP ---------------------------------------------------------------------------------

    def receive_esp(self, source: IPAddress, port: int | None, esp: bytes | memoryview) -> None:
        """An ESP packet (SPI through ICV) from `source`, in UDP from `port` (logical) when
        encapsulated. The inner packet goes to its child's tunnel."""
        if len(esp) < 8:
            self.stats.malformed += 1
            return
        child = self.sad.inbound(int.from_bytes(esp[:4], "big"))
        if child is None:
            self.stats.invalid_spi += 1
            return
        try:
            result = child.inbound.decapsulate(esp)
        except EspError:
            self.stats.decrypt_failures += 1
            return
        self.sad.note_inbound(child, self.clock())
        info = child.info
        if port is not None and (info.remote.address != source or info.remote.port != port):
            # A NAT rebinding: answer where the authentic packet came from (RFC 3948).
            child.info = replace(info, remote=Endpoint(source, port), udp_encapsulation=True)
        tunnel = info.tunnel
        if tunnel is not None:
            placed = self._map_of_entry.get(tunnel)
            if placed is None:
                self.wire.write_tunnel(tunnel, result.payload)
            else:
                self._deliver_to_map(placed, tunnel, result.payload)
        self._report_usage(child)

    def tunnel_packets(self, tunnel: str, packets: Sequence[bytes]) -> None:
        """Packets the kernel routed into `tunnel`: encrypted with its outbound SA."""
        child = self.sad.outbound(tunnel, self.clock())
        if child is None:
            state = self.sad.tunnels.get(tunnel)
            if state is not None:  # outbound() counted one: IOS counts every packet
                state.dropped_no_sa += len(packets) - 1
            # Traffic brings a tunnel up; the kernel's own multicast chatter on a fresh
            # device (MLD reports, router solicitations) does not.
            if any(_brings_up(packet) for packet in packets):
                self.start_tunnel(tunnel)
            return
        outbound = child.outbound
        info = child.info
        udp = info.udp_encapsulation or self.force_encap
        send = self.wire.send_esp
        for packet in packets:
            try:
                esp = outbound.encapsulate(packet)
            except EspError:
                continue
            send(info, esp, udp)
        self._report_usage(child)

    # -- crypto maps ---------------------------------------------------------------------------

    def _index_crypto_maps(self, config: Config) -> None:
        self.crypto_maps: dict[str, tuple[MapEntry, ...]] = maps_by_interface(config)
        # (interface, entry) by the name of the SA of each permit line
        self._map_of_entry: dict[str, tuple[str, MapEntry]] = sa_index(self.crypto_maps)

    def crypto_map_packets(self, interface: str, packets: Sequence[bytes]) -> None:
        """Packets the kernel's rules steered into the device of `interface`'s crypto map:
        each goes to the SA of the line that permits it in the first entry that does, in
        sequence order."""
        entries = self.crypto_maps.get(interface, ())
        by_line: dict[str, list[bytes]] = {}
        for packet in packets:
            flow = Flow.of(packet)
            hit = protecting_line(entries, flow) if flow is not None else None
            if hit is None:
                self.map_stats.unmatched += 1
                continue
            if hit.sa_name is None:  # a permit line IKEv2 cannot negotiate (`neq`)
                self.map_stats.no_sa_line += 1
                continue
            by_line.setdefault(hit.sa_name, []).append(packet)
        for name, batch in by_line.items():
            self.tunnel_packets(name, batch)

    def crypto_map_clear_packets(self, interface: str, packets: Sequence[bytes]) -> None:
        """Clear packets the kernel's rules steered away from `interface`'s map: they arrived
        on the interface and mirror a permit line, so they should have come inside ESP. IOS
        drops them with `%CRYPTO-4-RECVD_PKT_NOT_IPSEC`, at most one message per interval."""
        for packet in packets:
            flow = Flow.of(packet)
            if flow is None:
                continue  # not IPv4: the kernel's own chatter on the fresh device
            self.map_stats.dropped_clear += 1
            if self._not_ipsec_limiter.allow(self.clock()):
                self.log(flow.not_ipsec_message())

    def _deliver_to_map(self, placed: tuple[str, MapEntry], sa_name: str, packet: bytes) -> None:
        interface, entry = placed
        flow = Flow.of(packet)
        if flow is None or not entry.mirrors(sa_name, flow):
            self.map_stats.dropped_selectors += 1
            self.sad.tunnel(sa_name).invalid_identity += 1
            return
        if self.map_writer is None:
            self.map_stats.undeliverable += 1
            return
        self.map_writer(interface, packet)

    def _report_usage(self, child: InstalledChild) -> None:
        used = child.bytes_used
        if used - child.reported_bytes >= _USAGE_REPORT_BYTES:
            child.reported_bytes = used
            self.engine.report_child_usage(self.clock(), child.info.spi_in, used // 1024)
            self.flush()


def _brings_up(packet: bytes) -> bool:
    """An IPv4 packet, or an IPv6 one to a unicast destination."""
    version = packet[0] >> 4 if packet else 0
    return version == 4 or (version == 6 and len(packet) >= 40 and packet[24] != 0xFF)


def esp_destination(child: ChildSaInfo, udp: bool) -> Endpoint:
    """Where an SA's packets go: the peer's NAT-T port when encapsulated."""
    if udp and not child.udp_encapsulation:
        return Endpoint(child.remote.address, NAT_T_PORT)
    return child.remote
