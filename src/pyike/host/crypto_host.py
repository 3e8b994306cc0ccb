"""A host that runs IKEv2 and ESP: the engine and the SA database, driven on a scheduler
(`pyike.ike.driver`), with IKE in and out, ESP in and out, and the SAs the engine agrees on
installed, their tunnels' line protocol following.

The lab's routers (`pyike.lab.crypto_node.CryptoNode`) and `pyike run`'s gateway
(`pyike.net.gateway.Gateway`) are both one; each adds only what differs: how it reaches the
network (its `Wire`), the lab a simulated Router's hooks and virtual clock, the gateway
sockets, TUN devices, a key log and crypto map devices. Both reload a new configuration the
same way (`reload`: SIGHUP, `configure terminal`).

`receive_esp` and `tunnel_packets` are the gateway's hot path: they call the Wire's methods,
bound once, and nothing else per packet beyond the SA's own work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from pyike.config import query
from pyike.config.model import Config, Route
from pyike.host.dynamic_maps import DynamicEntry, DynamicMaps
from pyike.host.framing import GreFraming, opened, sealer
from pyike.host.live_policy import LivePolicy
from pyike.host.session_status import session_status_message
from pyike.ike.driver import EngineDriver, TunnelStarter, renegotiation_delay
from pyike.ike.eap_directory import AaaReply, AuthorizationAnswer, EapRelayAnswer, PskAnswer
from pyike.ike.engine import IkeEngine
from pyike.ike.events import (
    AaaRequest,
    AuthorizationRequest,
    ChildSaInfo,
    ConsoleAlert,
    Datagram,
    EapRelayRequest,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    IPAddress,
    NegotiationFailed,
    PskRequest,
)
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import TraceRecord
from pyike.ipsec.acl_match import MapEntry, is_entry_name, maps_by_interface, sa_index
from pyike.ipsec.errors import EspError
from pyike.ipsec.sa import EspMode
from pyike.ipsec.sad import (
    REPLACED_INBOUND_GRACE,
    InstalledChild,
    SadChange,
    SecurityAssociationDatabase,
)
from pyike.node.hooks import Cancellable
from pyike.node.interfaces import line_protocol_message
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace import ipsec_debug

RandomBytes = Callable[[int], bytes]
Clock = Callable[[], float]
CallLater = Callable[[float, Callable[[], object]], Cancellable]
TraceSink = Callable[[list[TraceRecord]], None]
LineSink = Callable[[list[str]], None]

# How often (in bytes through an SA) the engine hears of a child SA's usage, for its
# kilobyte lifetime.
_USAGE_REPORT_BYTES = 256 * 1024
IDLE_EXPIRED = "Idle timer expired"  # why the IPsec SA idle timer deletes an SA


class Wire(Protocol):
    """How a host reaches the network (ports are the engine's logical 500/4500)."""

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None: ...

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None: ...

    def write_tunnel(self, tunnel: str, packet: bytes) -> None: ...


@dataclass
class CryptoStats:
    """Why ESP was dropped, and the negotiations that failed."""

    invalid_spi: int = 0
    decrypt_failures: int = 0
    malformed: int = 0  # shorter than the ESP header
    negotiations_failed: list[NegotiationFailed] = field(default_factory=list)


def _discard(_line: str) -> None:
    return None


# An IKE SA's session: its local and remote addresses and ports. The addresses as text
# (Endpoint.host, made once per endpoint): an ipaddress hashes and compares in Python.
_Session = tuple[str, int, str, int]


def _session(sa: IkeSaUp) -> _Session:
    return (sa.local.host, sa.local.port, sa.remote.host, sa.remote.port)


@dataclass(frozen=True)
class HostSetup:
    """What a crypto host is built from: the configuration and the engine policy drawn from
    it, the tunnels it protects, how it reaches the network, what drives it (clock, timers,
    randomness), and where its debug records and console messages (%CRYPTO-4-...) go."""

    config: Config
    policy: Policy
    tunnels: Sequence[TunnelSpec]
    wire: Wire
    clock: Clock
    call_later: CallLater
    random_bytes: RandomBytes
    trace_sink: TraceSink | None = None
    log: Callable[[str], None] | None = None
    # Whether a line given to `log` now goes anywhere (a quiet gateway no one monitors: no),
    # so that the line logged for every SA is not made for no one; None: while the host has
    # a log (the lab's routers get theirs once made).
    log_read: Callable[[], bool] | None = None


class CryptoHost:
    """The engine and the SA database of one router; see the module docstring."""

    def __init__(
        self,
        setup: HostSetup,
        *,
        iv_source: RandomBytes | None = None,
        force_encap: bool = False,
    ) -> None:
        self.config = setup.config
        # the engine asks this one, so that `reload` can swap the configuration under it
        self.live_policy = LivePolicy(setup.policy, force_encap=force_encap)
        self.policy: Policy = self.live_policy
        self.specs: dict[str, TunnelSpec] = {spec.name: spec for spec in setup.tunnels}
        self.sad = SecurityAssociationDatabase(iv_source or setup.random_bytes, self.specs)
        self.engine = IkeEngine(self.live_policy, setup.random_bytes, traffic=self.sad)
        self.wire = setup.wire
        self._send_esp = setup.wire.send_esp
        self._write_tunnel = setup.wire.write_tunnel
        self.clock = setup.clock
        self.call_later = setup.call_later
        self.trace_sink = setup.trace_sink
        self.log: Callable[[str], None] = setup.log or _discard
        self.log_read: Callable[[], bool] = setup.log_read or self._logging
        self.ipsec_debug: LineSink | None = None  # set while `debug crypto ipsec` is on
        self.stats = CryptoStats()
        # which tunnel a peer's address belongs to, for ESP no SA opens (`_no_sa_opens`)
        self._peer_tunnels: dict[IPAddress, str] = {}
        self._peer_tunnels_of: tuple[object, int] | None = None  # (the specs it is of, size)
        self.ike_up: dict[int, IkeSaUp] = {}
        # IKE SAs up per session (`_session`): the redundant SA of a rekey collision or a
        # duplicate going ends no session
        self._session_sas: Counter[_Session] = Counter()
        self.counters = Ikev2Counters()
        self.force_encap = force_encap  # ESP in UDP even without a NAT
        # A tunnel that loses its SAs asks again on its own (IOS), unless told to wait for
        # traffic (`pyike run --passive`) or stopping.
        self.keep_up = True
        self._stopping = False
        self._clone_framings: dict[str, GreFraming] = {}  # GRE virtual template clones'
        self.index_config(setup.config)
        self.starter = TunnelStarter(self.engine)
        self.driver = EngineDriver(
            self.engine, setup.clock, setup.call_later, self._send_ike, self._apply, self._trace
        )

    # -- what the show commands read (pyike.host.views.CryptoState) ---------------------------

    @property
    def now(self) -> float:
        return self.clock()

    def interface_of(self, sa_name: str) -> str:
        """The interface whose SAs are called `sa_name` (a multipoint tunnel's peers are the
        tunnel's)."""
        return query.sa_interface(sa_name)

    # -- control -------------------------------------------------------------------------------

    def start_tunnel(self, name: str) -> None:
        """Bring up `name` as IOS does when a protected tunnel interface comes up, or when
        traffic meets a crypto map entry without an SA: a new IKE SA with the peer, or a
        child SA on the one already up."""
        spec = self.specs.get(name)
        if spec is None or self.sad.tunnel(name).current is not None:
            return
        if self.starter.start(self.clock(), spec):
            self.flush()

    def reload(self, config: Config, policy: Policy, tunnels: Sequence[TunnelSpec]) -> list[str]:
        """A new configuration (SIGHUP, `configure terminal`) answers from now on: tunnels
        whose policy changed or vanished lose their SAs (telling the peer), changed and new
        ones are negotiated; the others keep theirs. Returns the names of the tunnels
        negotiated anew."""
        new_specs = {spec.name: spec for spec in tunnels}
        # SAs peers set up through a dynamic entry the new configuration still has stay up
        still = DynamicMaps(config)
        new_specs |= {
            n: s for n, s in self.specs.items() if s.named_by_selectors and still.owner(n)
        }
        changed = [name for name, spec in self.specs.items() if new_specs.get(name) != spec]
        now = self.clock()
        doomed = {child.info.ike_sa_id for name in changed for child in self.sad.tunnel(name).live}
        for name in changed:
            old = self.specs[name]
            doomed.update(
                sa.sa_id
                for sa in self.engine.ike_sas
                if not sa.closed and sa.remote.address == old.remote.address
            )
        self.config = config
        self.live_policy.current = policy
        self.index_config(config)
        for sa_id in sorted(doomed):
            self.engine.delete_ike_sa(now, sa_id, "Configuration changed")
        self.flush()
        renegotiated = [
            n for n in new_specs if (n in changed or n not in self.specs) and not is_entry_name(n)
        ]
        self.specs = new_specs
        for name in new_specs:
            self.sad.tunnel(name)
        for name in new_specs:
            if not is_entry_name(name):
                self.start_tunnel(name)
        for name in renegotiated:  # again once the old IKE SAs' deletes are answered
            self.call_later(renegotiation_delay(True), self._restarter(name))
        return renegotiated

    def clear(self, peer: Endpoint | None = None) -> None:
        """`clear crypto ikev2 sa [peer ADDR]`."""
        self.engine.clear(self.clock(), peer)
        self.flush()

    def clear_ipsec(self, peer: IPAddress | None = None) -> None:
        """`clear crypto sa [peer ADDR]`: delete every child SA (with `peer`, those with that
        peer), telling the peer; the IKE SAs stay, and protected tunnels negotiate new child
        SAs."""
        now = self.clock()
        for child in list(self.sad.children.values()):
            if peer is None or child.info.remote.address == peer:
                self.engine.delete_child_sa(now, child.info.ike_sa_id, child.info.spi_in)
        self.flush()

    def flush(self) -> None:
        """Send what the engine wants sent, apply its events, and rearm its timer."""
        self.driver.flush()

    # -- IKE -------------------------------------------------------------------------------------

    def receive_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        """A UDP payload for the engine (on 4500 still behind its non-ESP marker)."""
        self.engine.receive_datagram(self.clock(), local, remote, data)
        self.flush()

    def _send_ike(self, datagram: Datagram) -> None:
        # on port 4500 the engine has already put the non-ESP marker
        self.wire.send_ike(datagram.local, datagram.remote, datagram.data)

    def _trace(self, records: list[TraceRecord]) -> None:
        self.counters.count(records)
        if self.trace_sink is not None:
            self.trace_sink(records)

    # -- AAA over the network (ike/eap_auth.py, ike/aaa_keys.py) -------------------------------

    def ask_aaa(self, request: AaaRequest) -> None:
        """The engine asks a RADIUS group (EAP pass-through, `keyring aaa`, authorization):
        the gateway asks it (pyike.aaa); a host without one, as the lab, answers at once
        that none is reachable, so the negotiation fails saying so rather than hanging."""
        groups = (
            {q.group: None for q in request.questions}
            if isinstance(request, AuthorizationRequest)
            else {request.group: None}
        )
        why = f"AAA server group {', '.join(groups)} is not reachable: the lab has no RADIUS server"
        answer: AaaReply
        if isinstance(request, PskRequest):
            answer = PskAnswer(reason=why)
        elif isinstance(request, AuthorizationRequest):
            answer = AuthorizationAnswer(reason=why)
        else:
            answer = EapRelayAnswer("error", reason=why)
        self.call_later(0.0, lambda: self.aaa_answered(request.sa_id, answer))

    def aaa_answered(self, sa_id: int, answer: AaaReply) -> None:
        if isinstance(answer, PskAnswer):
            self.engine.psk_answer(self.clock(), sa_id, answer)
        elif isinstance(answer, AuthorizationAnswer):
            self.engine.authorization_answer(self.clock(), sa_id, answer)
        else:
            self.engine.eap_answer(self.clock(), sa_id, answer)
        self.driver.flush()

    # -- SA installation -------------------------------------------------------------------------

    def _apply(self, event: object) -> None:
        self.counters.note(event)
        if isinstance(event, IkeSaUp):
            self.ike_up[event.sa_id] = event
            self._session_sas[_session(event)] += 1
            if event.rekeyed_from is None and self.log_read():
                self.log(session_status_message(event, up=True))
        elif isinstance(event, IkeSaDown):
            was = self.ike_up.pop(event.sa_id, None)
            # _session_ended counts every SA that goes out, so it comes before the other tests
            if (
                was is not None
                and self._session_ended(was)
                and event.rekeyed_to is None
                and self.log_read()
            ):
                self.log(session_status_message(was, up=False))
            self._release_lease(event)
        elif isinstance(event, NegotiationFailed):
            self.stats.negotiations_failed.append(event)
        elif isinstance(event, ConsoleAlert):
            self.log(event.text)
        elif isinstance(event, EapRelayRequest | PskRequest | AuthorizationRequest):
            self.ask_aaa(event)
        change = self.sad.apply(event, self.clock())
        if change.installed or change.down:
            self._dynamic_changed(change.installed, change.down)
        if change.retained:  # their keys go once the grace is over, traffic or not
            self.call_later(REPLACED_INBOUND_GRACE, lambda: self.sad.expire(self.clock()))
        for child in change.installed:
            self._watch_idle(child)
        if self.ipsec_debug is not None:
            self._debug_ipsec(change, self.ipsec_debug)
        for name in change.up:
            if not is_entry_name(name):  # a crypto map entry has no line protocol
                self._line_protocol(name, True)
        for name in change.down:
            if is_entry_name(name):
                continue  # traffic brings it up again (IOS)
            self._line_protocol(name, False)
            if self.keep_up and not self._stopping:
                ours = any(c.info.initiator for c in change.removed if c.info.tunnel == name)
                self.call_later(renegotiation_delay(ours), self._restarter(name))

    def _logging(self) -> bool:
        return self.log is not _discard

    def _session_ended(self, sa: IkeSaUp) -> bool:
        """`sa` went: True when it was its session's last IKE SA."""
        session = _session(sa)
        self._session_sas[session] -= 1
        if self._session_sas[session] > 0:
            return False
        del self._session_sas[session]
        return True

    def _release_lease(self, event: IkeSaDown) -> None:
        """The address an IKE SA's peer was lent returns to its pool (a rekey hands it on)."""
        authorizer = self.policy.authorization
        if authorizer is None:
            return
        if event.rekeyed_to is not None:
            authorizer.transfer(event.sa_id, event.rekeyed_to)
        else:
            authorizer.release(event.sa_id)

    @staticmethod
    def _debug_ipsec(change: SadChange, sink: LineSink) -> None:
        lines: list[str] = []
        for child in change.installed:
            lines += ipsec_debug.created(child)
        for child in change.sending:
            lines += ipsec_debug.outbound_switched(child)
        for child in change.removed:
            lines += ipsec_debug.deleted(child)
        if lines:
            sink(lines)

    def _watch_idle(self, child: InstalledChild) -> None:
        """The IPsec SA idle timer of `child`'s tunnel: once nothing has gone out or come in
        on it for that long, the SA is deleted, with its IKE SA when it was that one's last
        (IOS); the next packet for it negotiates again."""
        spec = self.specs.get(child.tunnel)
        idle = spec.idle_seconds if spec is not None else None
        if idle is None:
            return

        def check() -> None:
            if self._stopping or self.sad.children.get(child.spi_in) is not child:
                return  # gone already (rekeyed, deleted, cleared)
            quiet_since = max(child.last_sent, child.last_received, child.installed_at)
            left = quiet_since + idle - self.clock()
            if left > 0:
                self.call_later(left, check)
                return
            sa_id = child.info.ike_sa_id
            children = self.sad.children.values()
            if any(c.info.ike_sa_id == sa_id and c is not child for c in children):
                self.engine.delete_child_sa(self.clock(), sa_id, child.info.spi_in, IDLE_EXPIRED)
            else:
                self.engine.delete_ike_sa(self.clock(), sa_id, IDLE_EXPIRED)
            self.flush()

        self.call_later(idle, check)

    def _line_protocol(self, tunnel: str, up: bool) -> None:
        """A tunnel interface's SAs came or went: its line protocol follows."""
        self.log(line_protocol_message(tunnel, up))

    def _restarter(self, name: str) -> Callable[[], None]:
        return lambda: self.start_tunnel(name) if not self._stopping else None

    def _report_usage(self, child: InstalledChild) -> None:
        used = child.bytes_used
        if used - child.reported_bytes >= _USAGE_REPORT_BYTES:
            child.reported_bytes = used
            self.engine.report_child_usage(self.clock(), child.info.spi_in, used // 1024)
            self.flush()

    # -- ESP ---------------------------------------------------------------------------------------

    def receive_esp(self, source: IPAddress, port: int | None, esp: bytes | memoryview) -> None:
        """An ESP packet (SPI through ICV) from `source`, in UDP from `port` (logical) when
        encapsulated. The inner packet goes to its child's tunnel."""
        if len(esp) < 8:
            self._no_sa_opens(source, short=True)
            return
        child = self.sad.inbound(int.from_bytes(esp[:4], "big"))
        if child is None:
            self._no_sa_opens(source, short=False)
            return
        try:
            result = child.inbound.decapsulate(esp)
        except EspError:
            self.stats.decrypt_failures += 1
            return
        if self.sad.note_inbound(child, self.clock()) and self.ipsec_debug is not None:
            self.ipsec_debug(ipsec_debug.outbound_switched(child))
        info = child.info
        if port is not None and (info.remote.address != source or info.remote.port != port):
            # A NAT rebinding: answer where the authentic packet came from (RFC 3948).
            child.info = replace(info, remote=Endpoint(source, port), udp_encapsulation=True)
        tunnel = info.tunnel
        if tunnel is not None:
            framing = self._framings.get(tunnel)
            mode = child.inbound.mode
            if framing is None and mode is EspMode.TUNNEL:  # a VTI: the hot path
                packet: bytes | None = result.payload
            else:
                packet = opened(framing, mode, result, info.remote.address, info.local.address)
            placed = self._map_of_entry.get(tunnel)
            if packet is None:
                child.unframed += 1
            elif placed is not None:
                self._deliver_to_map(placed, tunnel, packet)
            else:
                self._write_tunnel(tunnel, packet)
        self._report_usage(child)

    def _no_sa_opens(self, source: IPAddress, *, short: bool) -> None:
        """ESP that no SA can open: shorter than its header (`short`) or with an SPI no SA
        has. Counted for the host and, from a tunnel's peer, as that flow's `#pkts invalid
        len (rcv)` or `#pkts invalid sa (rcv)`."""
        if short:
            self.stats.malformed += 1
        else:
            self.stats.invalid_spi += 1
        specs, seen = self.specs, self._peer_tunnels_of
        if seen is None or seen[0] is not specs or seen[1] != len(specs):  # reload; lab peers
            self._peer_tunnels_of = (specs, len(specs))
            self._peer_tunnels = {}
            for spec in specs.values():
                self._peer_tunnels.setdefault(spec.remote.address, spec.name)
        name = self._peer_tunnels.get(source)
        state = self.sad.tunnels.get(name) if name is not None else None
        if state is None:
            return
        if short:
            state.invalid_len += 1
        else:
            state.invalid_sa += 1

    def tunnel_packets(self, tunnel: str, packets: Sequence[bytes]) -> None:
        """Packets routed into `tunnel` (or a crypto map line's SA): encrypted with its
        outbound SA; without one they are dropped and the tunnel is brought up."""
        child = self.sad.outbound(tunnel, self.clock())
        if child is None:
            state = self.sad.tunnels.get(tunnel)
            if state is not None:  # outbound() counted one: IOS counts every packet
                state.dropped_no_sa += len(packets) - 1
            if any(_brings_up(packet) for packet in packets):
                self.start_tunnel(tunnel)
            return
        outbound = child.outbound
        info = child.info
        udp = info.udp_encapsulation or self.force_encap
        send = self._send_esp
        seal = sealer(self._framings.get(tunnel), outbound)  # the interface's choice
        for packet in packets:
            try:
                esp = seal(packet)
            except EspError:
                continue
            send(info, esp, udp)
        self._report_usage(child)

    # -- crypto maps -------------------------------------------------------------------------------

    def index_config(self, config: Config) -> None:
        """What the data plane reads of `config`: the crypto maps, and the GRE tunnels'
        framing."""
        self.index_crypto_maps(config)
        self._framings: dict[str, GreFraming] = {**gre_framings(config), **self._clone_framings}

    def framing(self, tunnel: str) -> GreFraming | None:
        """How `tunnel`'s SAs frame what they carry, when not as it is (GRE)."""
        return self._framings.get(tunnel)

    def frame_clone(self, sa_name: str, framing: GreFraming | None) -> None:
        """The GRE framing of a GRE virtual template's clone, by its SA name (None: the clone
        is gone); kept across reloads, which the clone outlives."""
        if framing is None:
            self._clone_framings.pop(sa_name, None)
            self._framings.pop(sa_name, None)
        else:
            self._clone_framings[sa_name] = self._framings[sa_name] = framing

    def index_crypto_maps(self, config: Config) -> None:
        """The crypto maps of `config` by interface, and by the SA name of each permit line
        the (interface, entry) it belongs to; the SAs peers set up through dynamic entries
        (which a new configuration keeps while their entry stays)."""
        self.crypto_maps: dict[str, tuple[MapEntry, ...]] = maps_by_interface(config)
        self._map_of_entry: dict[str, tuple[str, MapEntry]] = sa_index(self.crypto_maps)
        before = getattr(self, "dynamic_maps", None)
        dynamic = self.dynamic_maps = DynamicMaps(config)
        for sa in [] if before is None else [s for by in before.sas.values() for s in by.values()]:
            owner = dynamic.owner(sa.name)
            if owner is not None:
                dynamic.sas.setdefault(owner.interface, {})[sa.name] = replace(sa, owner=owner)
                self._dynamic_placed(sa.name, owner)

    def _dynamic_changed(self, installed: Sequence[InstalledChild], down: Sequence[str]) -> None:
        """SAs that peers set up through dynamic crypto map entries, up and gone: their
        place under the map (`show crypto ipsec sa`, inbound delivery), the data plane's
        index, and the routes `reverse-route` injects."""
        dynamic = self.dynamic_maps
        if not dynamic.entries:
            return
        routes_before = dynamic.reverse_routes()
        for child in installed:
            name = child.tunnel  # "" for an SA of no tunnel
            if not name or name in self._map_of_entry:
                continue
            sa = dynamic.up(child.info)
            if sa is not None:
                self._dynamic_placed(name, sa.owner, child.info)
        for name in down:
            if dynamic.down(name) is not None:
                self._map_of_entry.pop(name, None)
                self.specs.pop(name, None)
        routes = dynamic.reverse_routes()
        if routes != routes_before:
            self.reverse_routes_changed(routes)

    def _dynamic_placed(
        self, name: str, owner: DynamicEntry, info: ChildSaInfo | None = None
    ) -> None:
        self._map_of_entry[name] = (owner.interface, owner.entry)
        if info is not None and name not in self.specs:  # what `show` reads of it
            policy = owner.policy
            self.specs[name] = TunnelSpec(
                name,
                info.local,
                info.remote,
                "" if policy.ikev2_profile is None else policy.ikev2_profile.name,
                (),
                policy.pfs,
                info.local_ts,
                info.remote_ts,
                info.lifetime_seconds,
                info.lifetime_kilobytes,
                info.replay_window,
                policy.idle_seconds,
                named_by_selectors=True,
            )

    def reverse_routes_changed(self, routes: Sequence[Route]) -> None:
        """Reverse route injection's static routes are now `routes` (the lab's routers install
        them; `pyike run` leaves the kernel's table alone)."""

    def _deliver_to_map(self, placed: tuple[str, MapEntry], sa_name: str, packet: bytes) -> None:
        """A packet decrypted with a crypto map line's SA; `placed` is the map's interface
        and entry."""
        raise NotImplementedError


def gre_framings(config: Config) -> dict[str, GreFraming]:
    """The framing of each protected point-to-point GRE tunnel, by interface name."""
    out = {}
    for iface in config.interfaces.values():
        if iface.tunnel_protection is None or not iface.is_point_to_point_gre:
            continue
        source, destination = query.tunnel_endpoints(config, iface)
        if source is not None and destination is not None:
            out[iface.name] = GreFraming(source, destination, iface.tunnel_key, iface.outer_ttl)
    return out


def _brings_up(packet: bytes) -> bool:
    """Traffic brings a tunnel up; a fresh device's own multicast chatter (MLD reports,
    router solicitations) does not: an IPv4 packet, or an IPv6 one to a unicast address."""
    version = packet[0] >> 4 if packet else 0
    return version == 4 or (version == 6 and len(packet) >= 40 and packet[24] != 0xFF)
