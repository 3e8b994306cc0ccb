"""The gateway's crypto host (`pyike.host.crypto_host`): the IKEv2 engine and the SA
database, driven by real time and connected to the wire through a `Wire` (sockets and TUN
devices, in `pyike.net.runtime`). What it adds to the host the lab's routers share (reload
included): the key log, IOS's SA up/down messages, `test crypto ... rekey`, an orderly
shutdown, and crypto maps steered by the kernel.

Everything here is synchronous and free of sockets: the runtime calls `receive_ike`,
`receive_esp`, `tunnel_packets` and `crypto_map_packets` as data arrives and arms the
engine's timer through the injected scheduler; the host calls the Wire to send.

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
from dataclasses import dataclass, field

from pyike.aaa.relay import AaaRelay
from pyike.codec.udp_encap import NAT_T_PORT
from pyike.config.flexvpn_model import FlexClientPeer
from pyike.config.model import Config
from pyike.host.crypto_host import HostSetup, Wire
from pyike.host.flexvpn_client import Address, ClientTunnel, ip_host
from pyike.host.flexvpn_host import FlexClientHost
from pyike.host.framing import sealer
from pyike.host.reconfigured import same_interface
from pyike.ike.events import (
    AaaRequest,
    AuthorizationRequest,
    ChildSaInfo,
    ChildSaInstalled,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    IPAddress,
    PeerConfigured,
    PskRequest,
)
from pyike.ike.informational import PEER_DEAD
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import PacketTrace, TraceKind
from pyike.ipsec.acl_match import Flow, MapEntry, is_entry_name, protecting_line
from pyike.ipsec.errors import EspError
from pyike.ipsec.iv_pool import IvPool
from pyike.net.gre_tunnel import GreTunnels
from pyike.net.keylog import KeyLog, esp_key_lines, ike_key_line
from pyike.net.virtual_access import GatewayClones, is_clone_sa
from pyike.node.interfaces import line_protocol_message
from pyike.node.ratelimit import IntervalLimiter

__all__ = ["CryptoMapStats", "Gateway", "HostView", "Wire", "esp_destination"]

_OVERHEAD_ESTIMATE = 20 + 8 + 8 + 16 + 2 + 15 + 32  # IPv4, UDP, ESP header, IV, trailer, ICV


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


class Gateway(FlexClientHost):
    def __init__(
        self,
        setup: HostSetup,
        *,
        host: HostView | None = None,
        force_encap: bool = False,
        keylog: KeyLog | None = None,
    ) -> None:
        self.config = setup.config
        # GRE keepalives, adjust-mss and the reflected probes (pyike.net.gre_tunnel)
        self.gre = GreTunnels(
            setup.call_later,
            lambda tunnel, packet: self.tunnel_packets(tunnel, [packet]),
            self._reflect,
            lambda tunnel, up: self.log(line_protocol_message(tunnel, up)),
        )
        # CBC IVs come from a pool drawn 4 KiB at a time: one system call per packet cost a
        # third of an aes-cbc encapsulation (pyike.ipsec.iv_pool)
        iv_pool = IvPool(setup.random_bytes)
        super().__init__(setup, iv_source=iv_pool, force_encap=force_encap)
        self.host = host or HostView()
        self.keylog = keylog
        self.map_stats = CryptoMapStats()
        self.dpd_deaths = 0  # IKE SAs whose peer dead peer detection declared dead
        self._not_ipsec_limiter = IntervalLimiter()
        # Where decrypted crypto map traffic goes: (interface with the map, packet).
        self.map_writer: Callable[[str, bytes], None] | None = None
        # EAP relayed to RADIUS (pyike.aaa): answers come back on the loop, later
        answered = self.aaa_answered
        self.aaa = AaaRelay(lambda: self.config, answered, answered, answered)
        # virtual templates' Virtual-Access clones (pyike.net.virtual_access)
        self.clones = GatewayClones(self, self.log, self.gre)
        # FlexVPN clients (pyike.host.flexvpn_host); names `ip host` lacks: the system
        # resolver's last answers (pyike.net.flexvpn_names), looked up again by `refresh_name`
        self.system_names: Callable[[str, bool], Address | None] = lambda name, ipv6: None
        self.refresh_name: Callable[[str, bool], None] = lambda name, ipv6: None
        # track objects' states: the runtime's IP SLA probes (pyike.net.ip_sla)
        self.track_state: Callable[[int], bool] = lambda track: False
        self.index_flex_clients(self.config)

    # -- CryptoState (the show commands) -----------------------------------------------------

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        spec = self.specs.get(tunnel)
        return spec.local.address if spec is not None else None

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        return self.host.transport_mtu

    def tunnel_ip_mtu(self, tunnel: str) -> int:
        return self.host.tunnel_mtus.get(tunnel, self.host.transport_mtu - _OVERHEAD_ESTIMATE)

    def tunnel_path_mtu(self, tunnel: str) -> int:
        return self.host.transport_mtu  # the kernel keeps the path's own

    def interface_with_address(self, address: IPAddress) -> str | None:
        for name, addresses in self.host.interface_addresses.items():
            if address in addresses:
                return name
        return None

    # -- GRE tunnels (pyike.net.gre_tunnel) ----------------------------------------------------

    def index_config(self, config: Config) -> None:
        super().index_config(config)
        configured = {n: f for n, f in self._framings.items() if n in config.interfaces}
        self._framings = {**self._framings, **self.gre.framings(config, configured)}

    def interface_of(self, sa_name: str) -> str:
        return self.clones.names.name_for(sa_name) or super().interface_of(sa_name)

    def _line_protocol(self, tunnel: str, up: bool) -> None:
        if is_clone_sa(tunnel):  # a clone comes and goes with its SAs
            self.clones.line_protocol(tunnel, up)
        elif tunnel in self._framings:  # keepalives have their say
            self.gre.sas_changed(tunnel, up)
        else:
            super()._line_protocol(tunnel, up)

    def _reflect(self, tunnel: str, packet: bytes) -> None:
        """A peer's keepalive probe, back through the tunnel's SA as our own GRE to it."""
        child = self.sad.outbound(tunnel, self.clock())
        if child is None:
            return
        try:
            esp = sealer(None, child.outbound)(packet)
        except EspError:
            return
        self._send_esp(child.info, esp, child.info.udp_encapsulation or self.force_encap)

    # -- control -----------------------------------------------------------------------------

    def start_all(self) -> None:
        """Every tunnel interface; crypto map entries wait for traffic (IOS)."""
        for name in self.specs:
            if not is_entry_name(name):
                self.start_tunnel(name)
        self.connect_wanted()

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

    def reload(self, config: Config, policy: Policy, tunnels: Sequence[TunnelSpec]) -> list[str]:
        """As the host's; the Virtual-Access clones keep their SAs (IOS re-clones a changed
        template only for new sessions)."""
        kept = [
            spec
            for name, spec in self.specs.items()
            if is_clone_sa(name) or self._client_kept(name, config)
        ]
        clients_changed = config.flexvpn.clients != self.config.flexvpn.clients
        renegotiated = super().reload(config, policy, [*tunnels, *kept])
        if clients_changed:  # the clients start again, as configured now
            self.index_flex_clients(config)
            self.connect_wanted()
        return renegotiated

    def _client_kept(self, name: str, config: Config) -> bool:
        """A FlexVPN client's tunnel keeps its peer through a reload that changed neither the
        clients nor the tunnel."""
        return (
            name in self.flex_clients
            and config.flexvpn.clients == self.config.flexvpn.clients
            and same_interface(self.config.interfaces.get(name), config.interfaces.get(name))
        )

    # -- FlexVPN client (pyike.host.flexvpn_host): what the gateway answers -------------------

    def track_up(self, track: int) -> bool:
        return self.track_state(track)

    def resolve(self, peer: FlexClientPeer) -> Address | None:
        """A `peer N fqdn NAME`'s address: from `ip host`, else the system resolver's last
        answer (a `dynamic` peer's name is looked up again, for the next connection)."""
        name = str(peer.fqdn)
        configured = ip_host(self.config.flexvpn.hosts, name, peer.ipv6)
        if configured is not None:
            return configured
        if peer.dynamic:
            self.refresh_name(name, peer.ipv6)
        return self.system_names(name, peer.ipv6)

    def unresolved(self, client_tunnel: ClientTunnel, peer: FlexClientPeer) -> None:
        self.log(
            f"%PYIKE-4-FLEXVPN_PEER: FlexVPN({client_tunnel.client.name}): peer {peer.priority} "
            f"fqdn {peer.fqdn}: no address ('ip host' has none, nor the system resolver)"
        )

    def shutdown(self) -> None:
        """SIGTERM: delete every SA, telling the peers."""
        self._stopping = True
        self.clear()
        self.driver.stop()
        self.aaa.cancel()

    # -- IKE ---------------------------------------------------------------------------------

    def trace_only(self, shown: frozenset[TraceKind]) -> None:
        """Has the engine make only the trace records the sink shows, and the packet
        records the show counters count."""
        self.engine.trace_kinds = shown | {PacketTrace}

    def _apply(self, event: object) -> None:
        # %CRYPTO-5-IKEV2_SESSION_STATUS is logged by CryptoHost, as in the lab
        if isinstance(event, IkeSaUp):
            self._log_ike_keys(event)
        elif isinstance(event, IkeSaDown):
            if event.reason == PEER_DEAD:
                self.dpd_deaths += 1
            self.aaa.forget(event.sa_id)
            self.clones.ike_sa_down(event)
        elif isinstance(event, ChildSaInstalled) and self.keylog is not None:
            self.keylog.write(esp_key_lines(event.child))
        super()._apply(event)
        if isinstance(event, PeerConfigured):
            self.clones.peer_configured(event)

    def ask_aaa(self, request: AaaRequest) -> None:
        """The RADIUS group is asked on the loop (pyike.aaa); `aaa_answered` follows."""
        if isinstance(request, PskRequest):
            self.aaa.psk(request)
        elif isinstance(request, AuthorizationRequest):
            self.aaa.authorize(request)
        else:
            self.aaa.relay(request)

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

    # -- crypto maps ---------------------------------------------------------------------------

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


def esp_destination(child: ChildSaInfo, udp: bool) -> Endpoint:
    """Where an SA's packets go: the peer's NAT-T port when encapsulated."""
    if udp and not child.udp_encapsulation:
        return Endpoint(child.remote.address, NAT_T_PORT)
    return child.remote
