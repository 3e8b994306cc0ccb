"""The gateway's crypto host (`pyike.host.crypto_host`): the IKEv2 engine and the SA
database, driven by real time and connected to the wire through a `Wire` (sockets and TUN
devices, in `pyike.net.runtime`). What it adds to the host the lab's routers share: the
configuration reloaded on SIGHUP, the key log, IOS's SA up/down messages, `test crypto ...
rekey`, an orderly shutdown, and crypto maps steered by the kernel.

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
from dataclasses import dataclass, field, replace

from pyike.codec.udp_encap import NAT_T_PORT
from pyike.config.model import Config
from pyike.host.crypto_host import CryptoHost, HostSetup, Wire
from pyike.ike.events import ChildSaInfo, ChildSaInstalled, Endpoint, IkeSaDown, IkeSaUp, IPAddress
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ike.trace import PacketTrace, TraceKind
from pyike.ipsec.acl_match import Flow, MapEntry, is_entry_name, protecting_line
from pyike.ipsec.iv_pool import IvPool
from pyike.net.keylog import KeyLog, esp_key_lines, ike_key_line
from pyike.net.live_policy import LivePolicy
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


class Gateway(CryptoHost):
    def __init__(
        self,
        setup: HostSetup,
        *,
        host: HostView | None = None,
        force_encap: bool = False,
        keylog: KeyLog | None = None,
    ) -> None:
        self.config = setup.config
        self.live_policy = LivePolicy(setup.policy, force_encap=force_encap)
        # CBC IVs come from a pool drawn 4 KiB at a time: one system call per packet cost a
        # third of an aes-cbc encapsulation (pyike.ipsec.iv_pool)
        iv_pool = IvPool(setup.random_bytes)
        super().__init__(replace(setup, policy=self.live_policy), iv_source=iv_pool)
        self.host = host or HostView()
        self.force_encap = force_encap
        self.keylog = keylog
        self.map_stats = CryptoMapStats()
        self._not_ipsec_limiter = IntervalLimiter()
        # Where decrypted crypto map traffic goes: (interface with the map, packet).
        self.map_writer: Callable[[str, bytes], None] | None = None

    # -- CryptoState (the show commands) -----------------------------------------------------

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        spec = self.specs.get(tunnel)
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

    def start_all(self) -> None:
        """Every tunnel interface; crypto map entries wait for traffic (IOS)."""
        for name in self.specs:
            if not is_entry_name(name):
                self.start_tunnel(name)

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

    def reload(self, config: Config, policy: Policy, tunnels: Sequence[TunnelSpec]) -> list[str]:
        """SIGHUP: the new configuration answers from now on; tunnels whose policy changed
        or vanished lose their SAs (and changed ones are negotiated again); the others keep
        theirs. Returns the names of the tunnels renegotiated."""
        new_specs = {spec.name: spec for spec in tunnels}
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
        return renegotiated

    # -- IKE ---------------------------------------------------------------------------------

    def trace_only(self, shown: frozenset[TraceKind]) -> None:
        """Has the engine make only the trace records the sink shows, and the packet
        records the show counters count."""
        self.engine.trace_kinds = shown | {PacketTrace}

    def _apply(self, event: object) -> None:
        if isinstance(event, IkeSaUp):
            self._log_ike_keys(event)
            self.log(
                "%IKEV2-5-SA_UP: Crypto tunnel v2 is UP.  "
                f"Peer {event.remote.address}:{event.remote.port}  Id: {event.remote_id}"
            )
        elif isinstance(event, IkeSaDown):
            up = self.ike_up.get(event.sa_id)
            if up is not None and event.rekeyed_to is None:
                self.log(
                    "%IKEV2-5-SA_DOWN: Crypto tunnel v2 is DOWN.  "
                    f"Peer {up.remote.address}:{up.remote.port}  Id: {up.remote_id}"
                )
        elif isinstance(event, ChildSaInstalled) and self.keylog is not None:
            self.keylog.write(esp_key_lines(event.child))
        super()._apply(event)

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
