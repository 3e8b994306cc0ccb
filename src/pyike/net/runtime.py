"""`pyike run`: the asyncio runtime around the gateway.

It lays the configuration onto the host (`pyike.net.binding`), creates a TUN device per
protected tunnel interface and the routes into it (`pyike.net.netlink`), opens the IKE
sockets (UDP 500 and 4500 per local address, IPv4 or IPv6, or `--ike-port`) and a raw ESP
socket per local address, serves exec commands on the control socket, and drives the engine
with the monotonic clock and os.urandom. SIGHUP reloads the configuration; SIGTERM or SIGINT sends
deletes and removes every route and device pyike created.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import ipaddress
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pyike.adapter.config_policy import policy_for_config
from pyike.codec.udp_encap import IKE_PORT, NAT_T_PORT, NatTPayload, nat_t_payload
from pyike.config import defaults, load_file
from pyike.config.model import Config
from pyike.config.query import not_run_by_the_gateway, wont_come_up
from pyike.config.tracking_model import TrackingConfig
from pyike.crypto import dh
from pyike.host.crypto_host import HostSetup
from pyike.host.flexvpn_client import tracked_lines
from pyike.ike.events import ChildSaInfo, Endpoint, IPAddress
from pyike.ike.policy import TunnelSpec
from pyike.ike.trace import TraceRecord
from pyike.net.binding import (
    HostInterface,
    InterfaceBinding,
    KernelRoute,
    TunnelDevice,
    bind_interfaces,
    interface_addresses,
)
from pyike.net.console import Console
from pyike.net.control import ControlServer
from pyike.net.crypto_map_devices import CryptoMapDevices, CryptoMapSetupError
from pyike.net.dhcp_lease import (
    LEASE_POLL_SECONDS,
    LEASE_RECHECK_SECONDS,
    LEASE_SETTLE_SECONDS,
    AddressWatch,
    leases_changed,
    with_leases,
)
from pyike.net.flexvpn_names import SystemNames
from pyike.net.gateway import Gateway, HostView, esp_destination
from pyike.net.ip_sla import IpSlaProbes, kept_track_states
from pyike.net.keylog import KeyLog
from pyike.net.memory import COLLECT_SECONDS, memory_document
from pyike.net.netlink import Netlink
from pyike.net.offload import Coalescer, OffloadCounters, packets_from_frames
from pyike.net.policy_steering import SteeringError, SteeringPlan, plan_steering
from pyike.net.ports import PortMap
from pyike.net.privilege import (
    Account,
    PrivilegeDrop,
    PrivilegeError,
    capability_names,
    check_threads,
    config_permission_problem,
    kept_capabilities,
    resolve_user,
    unreadable_hint,
)
from pyike.net.sd_notify import Notifier
from pyike.net.tun import open_offload_tun, open_tun, read_packets
from pyike.net.virtual_access import KernelClones, is_clone_sa
from pyike.ssh.listen import Listen
from pyike.textfile import read_text
from pyike.trace.ios_debug import Debug, DebugFormatter

if TYPE_CHECKING:
    from pyike.frr.vtysh import Frr
    from pyike.net.metrics import MetricsServer
    from pyike.net.shell import GatewayShell
    from pyike.ssh.server import SshServer

ESP_PROTOCOL = 50
_RECV_BATCH = 64
_MAX_DATAGRAM = 65535
_GC_THRESHOLD = 20_000  # allocations between young collections (CPython: 700)
_RECEIVE_BUFFER = 4 * 1024 * 1024
_UDP_SEGMENT = 103  # Linux's UDP GSO and GRO socket options (not in Python 3.11's socket)
_UDP_GRO = 104
_GRO_CONTROL = socket.CMSG_SPACE(4)  # the segment size of what UDP GRO merged (an int)
_GSO_MAX_SEGMENTS = 64
_GSO_MAX_OCTETS = 65535 - 8 - 40  # what a UDP datagram can carry over IPv6 too
# The structured answers of the control socket; "reload" is SIGHUP's reload, answered once it
# is done (systemd's ExecReload, which `systemctl reload` waits for).
QUERIES = ("sas", "memory", "reload")


class StartupError(RuntimeError):
    """The gateway cannot start; the message says why, in plain words."""


@dataclass
class RunOptions:
    config_path: Path
    binds: dict[str, str] = field(default_factory=dict)
    ports: PortMap = field(default_factory=PortMap)
    force_encap: bool = False
    passive: bool = False
    control_path: Path = Path("/run/pyike/pyike.sock")
    debug: bool = False
    debug_file: Path | None = None
    syslog: Path | None = None  # the syslog socket (/dev/log with --syslog)
    keylog: Path | None = None
    quiet: bool = False
    tun_offload: bool = True  # decrypted TCP segments merged into super-packets (GRO)
    tun_segmentation: bool = False  # and TCP super-packets from the kernel, cut here (TSO)
    udp_offload: bool = True  # ESP in UDP sent and received in runs (UDP GSO and GRO)
    frr: Frr | None = None  # the FRR whose vtysh answers the routing show commands
    ssh: Listen | None = None  # the IOS command line over SSH (pyike.ssh)
    ssh_host_key: Path | None = None  # None: beside the configuration (net.ssh_device)
    user: str | None = None  # become this user once set up (pyike.net.privilege); None: stay
    metrics: Listen | None = None  # serve Prometheus metrics there (pyike.net.metrics)


def not_negotiated_lines(config: Config) -> list[str]:
    """What start-up (and a reload) logs for each tunnel and crypto map entry that will not
    come up here (IKEv1, DMVPN, a tunnel source the configuration lacks), and why."""
    reasons = {**wont_come_up(config), **not_run_by_the_gateway(config)}
    return [f"%PYIKE-4-NOT_NEGOTIATED: {name} {reason}" for name, reason in reasons.items()]


def not_applied_lines(config: Config) -> list[str]:
    """What start-up (and a reload) logs for settings the lab models and this daemon does not
    apply: `crypto ipsec df-bit` (the kernel sets the DF bit of the ESP it sends here),
    `crypto ipsec fragmentation before-encryption` (the kernel fragments that ESP),
    `tunnel ttl` (the kernel's default TTL goes on it) and dynamic crypto map entries (its
    crypto maps steer traffic by ACL lines, which a dynamic entry's SAs have none of)."""
    df_bit = "leaves the outer DF bit of its ESP to the kernel (path MTU discovery)"
    before = "fragments after encryption (the kernel fragments its ESP)"
    settings: list[tuple[str, str]] = []
    if config.ipsec.df_bit:
        settings.append((f"'crypto ipsec df-bit {config.ipsec.df_bit}'", df_bit))
    if config.ipsec.fragmentation == "before-encryption":
        settings.append(("'crypto ipsec fragmentation before-encryption'", before))
    for iface in config.interfaces.values():
        if iface.df_bit is not None:
            settings.append((f"'crypto ipsec df-bit {iface.df_bit}' on {iface.name}", df_bit))
        if iface.ipsec_fragmentation == "before-encryption":
            on = f"'crypto ipsec fragmentation before-encryption' on {iface.name}"
            settings.append((on, before))
        if iface.tunnel_ttl is not None:
            ttl = "sends its tunnels' outer headers with the kernel's default TTL"
            settings.append((f"'tunnel ttl {iface.tunnel_ttl}' on {iface.name}", ttl))
    dynamic = "accepts no peer through it (it could not carry their traffic)"
    applied = dict.fromkeys(i.crypto_map for i in config.interfaces.values() if i.crypto_map)
    for name in applied:
        for entry in config.crypto_maps.get(name or "", ()):
            if entry.dynamic is not None:
                on = f"'crypto map {name} {entry.seq} ipsec-isakmp dynamic {entry.dynamic}'"
                settings.append((on, dynamic))
    return [
        f"%PYIKE-4-NOT_APPLIED: {setting}: pyike run {what}; pyike lab applies it"
        for setting, what in settings
    ]


def unprobed_tracking(config: Config) -> str | None:
    """Why `config` cannot run here: a FlexVPN client line that follows a track object pyike
    run cannot probe (it would never change state); None: none. An undefined track or IP SLA
    operation is Down, as on IOS and in the lab."""
    for client in config.flexvpn.clients.values():
        for line, number in tracked_lines(client):
            reason = _unprobed_track(config.tracking, number)
            if reason is not None:
                where = (
                    "" if client.source is None else f"{client.source.file}:{client.source.line}: "
                )
                return (
                    f"{where}crypto ikev2 client flexvpn {client.name}: '{line}' follows {reason}"
                )
    return None


def _unprobed_track(tracking: TrackingConfig, number: int) -> str | None:
    track = tracking.tracks.get(number)
    if track is None:
        return None
    if track.sla is None:
        return f"'track {number} {track.typed}', a kind of track pyike run does not follow"
    sla = tracking.slas.get(track.sla)
    if sla is None or sla.echo is not None:
        return None
    operation = f"'{sla.extra[0]}'" if sla.extra else "an operation"
    return (
        f"track {number}, whose ip sla {sla.number} {operation} pyike run does not probe "
        "(it probes IPv4 icmp-echo operations only)"
    )


def load_config(path: Path, *, private: bool = False) -> Config:
    """The configuration at `path`; with `private` (a daemon that drops privileges) refused
    when others may write it, or read the keys in it (`privilege.config_permission_problem`)."""
    try:
        result = load_file(path)
    except OSError as exc:
        raise StartupError(f"cannot read {path}: {exc.strerror}") from None
    if private:
        try:
            problem = config_permission_problem(path, read_text(path))
        except OSError as exc:
            raise StartupError(f"cannot read {path}: {exc.strerror}") from None
        if problem is not None:
            raise StartupError(problem)
    if result.errors:
        # every error, each at its file and line as `pyike config check` prints it
        raise StartupError("\n".join(error.format() for error in result.errors))
    refusal = unprobed_tracking(result.config)
    if refusal is not None:
        raise StartupError(refusal)
    return result.config


@dataclass
class _Tunnel:
    device: TunnelDevice
    fd: int
    coalescer: Coalescer | None = None  # with offload: what this receive batch brought


@dataclass
class _EspRoute:
    child: ChildSaInfo
    udp: bool
    sendto: Callable[[bytes, tuple[str, int]], int] | None
    address: tuple[str, int]
    sock: socket.socket | None = None  # set where UDP GSO may carry a run of packets


class SocketWire:
    """The gateway's Wire on real sockets and TUN devices."""

    def __init__(self, ports: PortMap, log: Callable[[str], None]) -> None:
        self.ports = ports
        self.log = log
        self.ike: dict[tuple[IPAddress, int], socket.socket] = {}  # (address, logical port)
        self.esp: dict[IPAddress, socket.socket] = {}
        self.tunnels: dict[str, _Tunnel] = {}
        self.send_errors = 0
        self.offload = OffloadCounters()
        self._esp_route: _EspRoute | None = None
        self._coalescing: list[_Tunnel] = []
        self._esp_batch: list[tuple[_EspRoute, bytes]] | None = None
        self.udp_gso = True

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        sock = self.ike.get((local.address, local.port))
        if sock is None:
            self.send_errors += 1
            return
        try:
            sock.sendto(data, (remote.host, self.ports.to_wire(remote.port)))
        except OSError:
            self.send_errors += 1

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        route = self._esp_route
        if route is None or route.child is not child or route.udp != udp:
            route = self._esp_route = self._route_esp(child, udp)
        if route.sendto is None:
            self.send_errors += 1
            self._esp_route = None  # a reload may open the socket: look again next time
            return
        if self._esp_batch is not None and route.sock is not None and self.udp_gso:
            self._esp_batch.append((route, esp))
            return
        try:
            route.sendto(esp, route.address)
        except OSError:
            self.send_errors += 1
            self._esp_route = None

    def _route_esp(self, child: ChildSaInfo, udp: bool) -> _EspRoute:
        """Socket and address for a child SA's packets, worked out once per SA rather than
        per packet (a NAT rebinding replaces the ChildSaInfo, so identity is a safe key)."""
        if udp:
            sock = self.ike.get((child.local.address, NAT_T_PORT))
            destination = esp_destination(child, udp)
            address = (str(destination.address), self.ports.to_wire(destination.port))
        else:
            sock = self.esp.get(child.local.address)
            address = (str(child.remote.address), 0)
        if sock is None:
            return _EspRoute(child, udp, None, address)
        return _EspRoute(child, udp, sock.sendto, address, sock if udp and self.udp_gso else None)

    def open_esp_batch(self) -> None:
        """From now until `send_esp_batch`, UDP-encapsulated ESP is held back, to leave in
        runs of equal-sized datagrams, one system call a run (UDP GSO)."""
        self._esp_batch = []

    def send_esp_batch(self) -> None:
        batch, self._esp_batch = self._esp_batch, None
        if not batch:
            return
        count = len(batch)
        start = 0
        while start < count:
            route, first = batch[start]
            size = len(first)
            end = start + 1
            total = size
            while end < count and end - start < _GSO_MAX_SEGMENTS:
                next_route, packet = batch[end]
                length = len(packet)
                if next_route is not route or length > size or total + length > _GSO_MAX_OCTETS:
                    break
                total += length
                end += 1
                if length < size:
                    break  # only the last datagram of a run may be shorter
            self._send_run(route, [packet for _, packet in batch[start:end]], size)
            start = end

    def _send_run(self, route: _EspRoute, packets: list[bytes], size: int) -> None:
        sock = route.sock
        assert sock is not None and route.sendto is not None
        if len(packets) > 1 and self.udp_gso:
            option = [(socket.SOL_UDP, _UDP_SEGMENT, size.to_bytes(2, sys.byteorder))]
            try:
                sock.sendmsg(packets, option, 0, route.address)
                return
            except OSError as exc:
                refused = exc
            if refused.errno not in (errno.EIO, errno.EINVAL):
                self.send_errors += len(packets)
                self._esp_route = None
                return
            # an old kernel, a device without checksum offload, or datagrams beyond the path
            # MTU (which only fragmentation carries): one datagram a call from now on
            self.udp_gso = False
            self._esp_route = None
            self.log(
                f"%PYIKE-4-NO_UDP_GSO: UDP segmentation offload refused ({refused.strerror}):"
                " one datagram per system call"
            )
        for packet in packets:
            try:
                route.sendto(packet, route.address)
            except OSError:
                self.send_errors += 1

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        entry = self.tunnels.get(tunnel)
        if entry is None:
            self.send_errors += 1
            return
        coalescer = entry.coalescer
        if coalescer is not None:  # written by flush_tunnels at the end of the batch
            if not coalescer:
                self._coalescing.append(entry)
            coalescer.add(packet)
            return
        try:
            os.write(entry.fd, packet)
        except OSError:
            self.send_errors += 1

    def flush_tunnels(self) -> None:
        """Write what this receive batch decrypted, TCP segments of a flow merged. Every
        packet here passed ESP's integrity check, so the merged ones go to the kernel marked
        as checksummed without their TCP checksums being verified (WireGuard trusts what it
        decrypted the same way)."""
        if not self._coalescing:
            return
        entries, self._coalescing = self._coalescing, []
        write = os.write
        for entry in entries:
            assert entry.coalescer is not None
            for frame in entry.coalescer.frames():
                try:
                    write(entry.fd, frame)
                except OSError:
                    self.send_errors += 1


def _udp_socket(address: IPAddress, port: int) -> socket.socket:
    family = socket.AF_INET if address.version == 4 else socket.AF_INET6
    sock = socket.socket(family, socket.SOCK_DGRAM)
    failure = f"cannot listen on UDP {address} port {port}"
    return _bound(sock, address, port, failure, reuse_address=True)


def _enable_gro(sock: socket.socket) -> bool:
    """Let the kernel hand over runs of equal-sized datagrams from one peer in one read."""
    try:
        sock.setsockopt(socket.SOL_UDP, _UDP_GRO, 1)
    except OSError:
        return False
    return True


def _esp_socket(address: IPAddress) -> socket.socket | None:
    """A raw protocol-50 socket bound to `address`, or None without CAP_NET_RAW. An IPv4 one
    receives whole packets (the IP header first); an IPv6 one the ESP packet alone, its
    source in the address returned by recvfrom. Either way the kernel builds the header of
    what is sent."""
    family = socket.AF_INET if address.version == 4 else socket.AF_INET6
    try:
        sock = socket.socket(family, socket.SOCK_RAW, ESP_PROTOCOL)
    except PermissionError:
        return None
    return _bound(sock, address, 0, f"cannot receive ESP on {address}")


def _bound(
    sock: socket.socket, address: IPAddress, port: int, failure: str, *, reuse_address: bool = False
) -> socket.socket:
    """`sock` bound to `address` and `port`, non-blocking, with room to receive; closed and
    StartupError (`failure`: the reason) when the kernel refuses."""
    try:
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _enlarge_receive_buffer(sock)
        sock.bind((str(address), port))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise StartupError(f"{failure}: {exc.strerror}") from None
    return sock


def _enlarge_receive_buffer(sock: socket.socket) -> None:
    """Room for a few milliseconds of ESP at full speed: with the default buffer (about 90
    full-size packets) a tunnel drops packets whenever the daemon waits for a CPU, and TCP
    through it halves its window at every drop. SO_RCVBUFFORCE passes net.core.rmem_max
    (root); without the privilege the plain option gives what the sysctl allows."""
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, _RECEIVE_BUFFER)
            return
        except OSError:
            continue


class Runtime:
    def __init__(
        self,
        options: RunOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.options = options
        self.clock = clock
        self.random_bytes = random_bytes
        self.console = Console(
            terminal=None if options.quiet else sys.stdout,
            debug_file=options.debug_file,
            syslog_socket=options.syslog,
        )
        epoch = datetime.now() - timedelta(seconds=clock())
        # certificates are valid or not by UTC
        self.started_at = clock()  # on `clock`, whose zero is `utc_epoch`
        self.utc_epoch = datetime.now(UTC) - timedelta(seconds=self.started_at)
        self.formatter = DebugFormatter(epoch, Debug.ALL if options.debug else Debug.NONE)
        self.wire = SocketWire(options.ports, self.log)
        self.wire.udp_gso = options.udp_offload
        self.netlink: Netlink | None = None
        self.routes: list[KernelRoute] = []
        self.gateway: Gateway | None = None
        self.control: ControlServer | None = None
        self.keylog: KeyLog | None = None
        self._shell: GatewayShell | None = None
        self._bound: Mapping[str, HostInterface] = {}  # the config's interfaces on the host
        self.ssh: SshServer | None = None
        self.crypto_maps: CryptoMapDevices | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = asyncio.Event()
        self.account: Account | None = None  # the user the daemon became
        self.metrics: MetricsServer | None = None
        self.names: SystemNames | None = None  # FlexVPN clients' peer names, as resolved
        self.ip_sla: IpSlaProbes | None = None  # IP SLA probes and track objects
        self.notifier = Notifier.from_environment()
        # The source of the last UDP datagram and its Endpoint: the next one usually comes
        # from the same peer, whose address is then not parsed again, nor its Endpoint (and
        # Endpoint.host) made again.
        self._udp_peer: tuple[tuple[str, int], Endpoint] | None = None
        self._address_watch: AddressWatch | None = None  # the kernel's address notices
        self._lease_check: asyncio.TimerHandle | None = None  # a look at the leases, due

    # -- output ------------------------------------------------------------------------------

    def log(self, message: str) -> None:
        if self.console.silent:  # `--quiet`, no one monitoring: not even a timestamp to make
            return
        self.console.lines([self.formatter.stamp(self.clock()) + message], debug=False)

    def _trace(self, records: list[TraceRecord]) -> None:
        if self.formatter.enabled:  # `debug crypto ikev2` is on: records become lines
            self.console.lines(self.formatter.lines(records))

    # -- life cycle ----------------------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        self._loop = loop
        # a SIGTERM during start-up still ends in an orderly teardown
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._stop.set)
        try:
            await self._start(loop)
            self._drop_privileges()
            self._start_metrics(loop)
            await self._client_names(loop)
        except StartupError as exc:
            print(f"% pyike run: {exc}", file=sys.stderr)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await self._teardown()
            return 1
        loop.add_signal_handler(signal.SIGHUP, self._reload)
        # What start-up built (modules, configuration, sockets) lives as long as the process:
        # the collector stops rescanning it, and runs less often (every IKE SA leaves a few
        # reference cycles, and a collection per few hundred allocations costs more than they).
        gc.collect()
        gc.freeze()
        # A full collection is skipped while what survived since the last one is under a
        # quarter of what that one kept: with the start-up heap counted (before the freeze),
        # the reference cycles of hours of rekeyed IKE SAs would wait. Counted afresh (after):
        # none.
        gc.collect()
        gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])
        loop.call_later(COLLECT_SECONDS, self._collect)
        self._watch_addresses(loop)
        self._follow_leases()
        if self.gateway is not None:  # IP SLA probes; their tracks start Down, as on IOS
            self._start_ip_sla(self.gateway.config)
        if self.gateway is not None and not self.options.passive:
            # Not before the freeze: a frozen IKE SA is never collected (its state machine
            # refers back to it), and each rekeyed SA refers to the next (`rekeyed_to`), so
            # every IKE SA the tunnel would ever have would stay in memory.
            self.gateway.start_all()
        elif self.gateway is not None:
            self.gateway.aim_wanted()  # `--passive`: FlexVPN clients wait for traffic
        self.notifier.ready(self._status())
        self._watchdog()
        try:
            await self._stop.wait()
        finally:
            self.notifier.stopping()
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            await self._teardown()
        return 0

    def stop(self) -> None:
        self._stop.set()

    def _start_ip_sla(self, config: Config) -> None:
        """`config`'s IP SLA operations probed, their track objects followed by the FlexVPN
        clients; replacing those of a reload, each track it keeps as it was keeping its state."""
        gateway, loop = self.gateway, self._loop
        assert gateway is not None and loop is not None
        before = self.ip_sla
        if before is not None:
            before.stop()
        probes = IpSlaProbes(config, loop, self.log, gateway.tracks_changed, self.clock)
        if before is not None:
            probes.keep(before, kept_track_states(before, probes))
        self.ip_sla = probes
        gateway.track_state = probes.is_up
        probes.start()

    async def _client_names(self, loop: asyncio.AbstractEventLoop) -> None:
        """The system resolver's addresses for the FlexVPN clients' peer names `ip host` does
        not give (pyike.net.flexvpn_names), before the clients connect; after the privilege
        drop, as the lookups run in a thread of their own."""
        gateway = self.gateway
        if gateway is None or not gateway.flex_clients:
            return
        self.names = SystemNames(self.log)
        gateway.system_names = self.names.get
        gateway.refresh_name = self.names.refresh
        flexvpn = gateway.config.flexvpn
        await self.names.resolve_all(loop, flexvpn.clients.values(), flexvpn.hosts)

    # -- least privilege and systemd (pyike.net.privilege, pyike.net.sd_notify) ----------------

    def _drop_privileges(self) -> None:
        """Become the account, keeping what a reload needs, in every thread: this one and
        netlink's worker (the only others; `check_threads` makes sure)."""
        account, netlink = self.account, self.netlink
        if account is None:
            return
        assert netlink is not None
        ports = self.options.ports
        drop = PrivilegeDrop(account, kept_capabilities((ports.ike, ports.nat_t)))
        if not drop.as_root and os.geteuid() != account.uid:
            raise StartupError(f"only root can become user {account.name}: use --no-drop")
        try:
            netlink.in_worker(drop.prepare_thread)
            drop.prepare_thread()
            drop.switch_user()
            netlink.in_worker(drop.finish_thread)
            drop.finish_thread()
            check_threads(account, drop.keep)
        except (OSError, PrivilegeError) as exc:
            # half-dropped: nothing may go on; the teardown does what the rights left allow
            raise StartupError(f"cannot drop privileges to user {account.name}: {exc}") from None
        self.log(
            f"%PYIKE-5-PRIVILEGES: running as user {account.name} (uid {account.uid}), "
            f"keeping {capability_names(drop.keep)}"
        )
        config = self.options.config_path
        if not os.access(config, os.R_OK):
            self.log(
                f"%PYIKE-4-CONFIG_UNREADABLE: {unreadable_hint(config, account)}; "
                "a SIGHUP reload would fail"
            )

    def _start_metrics(self, loop: asyncio.AbstractEventLoop) -> None:
        """`--metrics`: started unprivileged, so its threads have nothing to drop."""
        listen = self.options.metrics
        if listen is None:
            return
        # imported here for start-up speed: prometheus_client only when asked for
        from pyike.net.metrics import MetricsServer

        self.metrics = MetricsServer(loop, lambda: self.gateway)
        try:
            port = self.metrics.start(listen)
        except OSError as exc:
            self.metrics = None
            raise StartupError(
                f"cannot serve metrics on port {listen.port}: {exc.strerror}"
            ) from None
        where = listen.host or "all addresses"
        self.log(f"%PYIKE-5-METRICS: Prometheus metrics on {where} port {port}, path /metrics")

    def _status(self) -> str:
        """systemd's STATUS= line: what the daemon does."""
        gateway = self.gateway
        if gateway is None:
            return "Starting"
        up = sum(1 for sa in gateway.engine.ike_sas if sa.established and not sa.closed)
        return f"{len(self.wire.tunnels)} tunnel(s), {up} IKE SA(s) up"

    def _collect(self) -> None:
        """A full collection every minute: what frees rekeyed IKE SAs (pyike.net.memory)."""
        loop = self._loop
        if loop is None or self._stop.is_set():
            return
        gc.collect()
        loop.call_later(COLLECT_SECONDS, self._collect)

    def _watch_addresses(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hear from the kernel when a device's IPv4 address changes (a DHCP lease); without
        netlink's notices, the poll alone finds it."""
        try:
            self._address_watch = AddressWatch()
        except OSError:
            return
        loop.add_reader(self._address_watch.fileno(), self._address_changed)

    def _address_changed(self) -> None:
        watch, loop = self._address_watch, self._loop
        if watch is None or loop is None:
            return
        watch.drain()
        if self._lease_check is None:
            self._lease_check = loop.call_later(LEASE_SETTLE_SECONDS, self._check_leases)

    def _follow_leases(self) -> None:
        """Looks at the leases now and then, whatever the kernel said (often without it)."""
        loop = self._loop
        if loop is None or self._stop.is_set():
            return
        every = LEASE_POLL_SECONDS if self._address_watch is None else LEASE_RECHECK_SECONDS
        loop.call_later(every, self._follow_leases)  # first: whatever fails below
        self._check_leases()

    def _check_leases(self) -> None:
        """A DHCP interface's new lease (its bound device's address changed, or went) is
        applied as a reload would apply it: sockets, policy, tunnels."""
        self._lease_check = None
        gateway = self.gateway
        if gateway is None or self.netlink is None or self._stop.is_set():
            return
        config = gateway.config
        if not any(i.address_dhcp is not None for i in config.interfaces.values()):
            return
        try:
            if leases_changed(config, self.netlink.host_interfaces(), self.options.binds):
                self.apply_config(config)
        except (StartupError, OSError, ValueError) as exc:
            self.log(f"%PYIKE-3-RELOAD: the new DHCP lease is not applied: {exc}")

    def _watchdog(self) -> None:
        """WATCHDOG=1 (with the status) at half the watchdog timeout, from the event loop."""
        interval, loop = self.notifier.watchdog_interval, self._loop
        if interval is None or loop is None or self._stop.is_set():
            return
        self.notifier.notify(watchdog="1", status=self._status())
        loop.call_later(interval, self._watchdog)

    async def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        config = load_config(self.options.config_path, private=self.options.user is not None)
        if self.options.user is not None:
            try:
                self.account = resolve_user(self.options.user)
            except PrivilegeError as exc:
                raise StartupError(str(exc)) from None
        try:
            self.netlink = Netlink()
        except OSError as exc:
            raise StartupError(f"cannot open netlink: {exc}") from None
        host = self.netlink.host_interfaces()
        config, leases = with_leases(config, host, self.options.binds)
        for line in leases:
            self.log(line)
        policy, tunnels = policy_for_config(config, epoch=self.utc_epoch, dynamic_maps=False)
        dh.prepare(defaults.dh_groups(config))
        try:
            binding = bind_interfaces(config, host, self.options.binds)
        except ValueError as exc:
            raise StartupError(str(exc)) from None
        self._bound = binding.host_of
        if self.options.keylog is not None:
            try:
                self.keylog = KeyLog(self.options.keylog)
            except OSError as exc:
                raise StartupError(f"cannot write {self.options.keylog}: {exc.strerror}") from None
        self._clean_stale(binding)
        self._open_tunnels(loop, binding)
        self._install_routes(binding.routes)
        self._open_sockets(loop, self._local_addresses(config, binding, tunnels))
        setup = HostSetup(
            config,
            policy,
            tunnels,
            self.wire,
            clock=self.clock,
            call_later=loop.call_later,
            random_bytes=self.random_bytes,
            trace_sink=self._trace,
            log=self.log,
            log_read=lambda: not self.console.silent,
        )
        self.gateway = Gateway(
            setup,
            host=self._host_view(config, binding),
            force_encap=self.options.force_encap,
            keylog=self.keylog,
        )
        gateway = self.gateway
        # `logging buffered` as the configuration in force has it (SIGHUP may change it)
        self.console.buffer.setting = lambda: gateway.config.logging_buffer
        gateway.gre.link = self._tunnel_link
        gateway.clones.devices = KernelClones(self.netlink, self._open_clone, self._close_clone)
        gateway.clones.routed = self.options.frr is not None
        # Debug records are made only while `debug crypto ikev2` prints them.
        self.formatter.on_change = lambda: gateway.trace_only(self.formatter.record_kinds())
        gateway.trace_only(self.formatter.record_kinds())
        self._start_crypto_maps(loop, config, binding, tunnels)
        self.control = ControlServer(
            self.options.control_path,
            lambda line: self._exec_shell().execute(line),
            lambda: self._exec_shell().prompt,
            self._query,
            QUERIES,
            self.console.monitors,
        )
        owner = None if self.account is None else (self.account.uid, self.account.gid)
        try:
            await self.control.start(owner)
        except OSError as exc:
            raise StartupError(
                f"cannot create control socket {self.options.control_path}: {exc.strerror}"
            ) from None
        if self.options.ssh is not None:
            await self._start_ssh(self.options.ssh)
        addresses = sorted({str(a) for a, _ in self.wire.ike})
        if not addresses:
            self.log(
                f"%PYIKE-4-NO_ADDRESS: {config.hostname}: no interface has an address to"
                " negotiate IKE on; no tunnel or crypto map can come up"
            )
        self.log(
            f"%PYIKE-5-STARTED: {config.hostname}: IKE on {', '.join(addresses) or 'no address'}"
            f" port {self.options.ports.ike}/{self.options.ports.nat_t}, "
            f"{len(binding.tunnels)} tunnel(s), control {self.options.control_path}"
        )
        self._report_not_negotiated(config)
        gateway.keep_up = not self.options.passive
        # the tunnels start in `run`, once the start-up heap is frozen

    async def _start_ssh(self, listen: Listen) -> None:
        """`--ssh`: the exec commands and `configure terminal` over SSH, for the users of the
        configuration; the host key made beside the configuration at the first start."""
        # imported here for start-up speed: asyncssh only when asked for
        from pyike.net.ssh_device import GatewayDevice, default_host_key_path
        from pyike.ssh.host_key import HostKeyError, load_or_create
        from pyike.ssh.server import SshServer

        gateway = self.gateway
        assert gateway is not None
        path = self.options.ssh_host_key or default_host_key_path(self.options.config_path)
        try:
            key, made = load_or_create(path)
        except HostKeyError as exc:
            raise StartupError(str(exc)) from None
        device = GatewayDevice(
            lambda: gateway.config,
            lambda: self._exec_shell().tree,
            self.apply_config,
            (StartupError, ValueError),
            self.options.config_path,
            self.log,
            self.console.monitors,
        )
        self.ssh = SshServer(device, key)
        try:
            await self.ssh.start(listen)
        except OSError as exc:
            reason = f"cannot listen for SSH on port {listen.port}: {exc.strerror}"
            raise StartupError(reason) from None
        where = f"{listen.host or 'all addresses'} port {self.ssh.port}"
        self.log(
            f"%PYIKE-5-SSH: SSH on {where}, host key {'made in' if made else 'from'} {path}"
            + ("" if gateway.config.login.users else "; no username configured: no one can log in")
        )

    def _report_not_negotiated(self, config: Config) -> None:
        for line in [*not_negotiated_lines(config), *not_applied_lines(config)]:
            self.log(line)

    def _exec_shell(self) -> GatewayShell:
        """The exec commands, built at the first command: their show views and parser are
        not needed to bring tunnels up."""
        if self._shell is None:
            # imported here for start-up speed: the exec shell pulls in the show layer
            from pyike.host.flexvpn_exec import register_flexvpn_client_commands
            from pyike.host.track_exec import register_tracking_commands
            from pyike.net.neighbours import register_neighbour_commands
            from pyike.net.shell import GatewayShell
            from pyike.net.tunnel_interfaces import register_interface_commands
            from pyike.node.exec import show_clock, show_logging, show_version, startup_config

            gateway = self.gateway
            assert gateway is not None
            self._shell = GatewayShell(
                gateway, lambda: gateway.config, self.formatter, frr=self.options.frr
            )
            register_interface_commands(self._shell.tree, gateway)
            register_neighbour_commands(
                self._shell.tree, lambda: self.netlink, lambda: self._bound, lambda: gateway.config
            )
            register_flexvpn_client_commands(self._shell.tree, gateway)
            register_tracking_commands(
                self._shell.tree, lambda: self.ip_sla, self.clock, self.utc_epoch
            )
            show_clock.register(self._shell.tree, self.clock, self.utc_epoch, "the host's clock")
            show_logging.register(self._shell.tree, self.console.buffer)
            path = str(self.options.config_path)
            startup_config.register(self._shell.tree, lambda: startup_config.file_text(path))
            show_version.register(
                self._shell.tree,
                lambda: gateway.config.hostname,
                self.clock,
                self.utc_epoch,
                authoritative=True,
                started=self.started_at,
                config_file=str(self.options.config_path),
            )
        return self._shell

    def _query(self, name: str) -> dict[str, object] | None:
        """A structured answer on the control socket (`{"query": "sas"}`, "memory", or
        "reload": the reload done, and whether the configuration was taken)."""
        if name == "memory":
            return memory_document()
        if name == "reload":
            refused = self._reload()
            return {"status": self._status(), "reloaded": refused is None, "refused": refused}
        gateway = self.gateway
        if name != "sas" or gateway is None:
            return None
        # imported here for start-up speed, as the exec shell is
        from pyike.host.views import ike_sa_views, ipsec_interface_views
        from pyike.show.sa_json import sas_document

        return sas_document(ike_sa_views(gateway), ipsec_interface_views(gateway))

    def _local_addresses(
        self, config: Config, binding: InterfaceBinding, tunnels: list[TunnelSpec]
    ) -> set[IPAddress]:
        """Tunnel sources, and the addresses of every bound non-loopback interface."""
        out: set[IPAddress] = {spec.local.address for spec in tunnels}
        for name in binding.host_of:
            if name.lower().startswith("loopback"):
                continue
            out.update(interface_addresses(config.interfaces[name]))
        return out

    def _host_view(self, config: Config, binding: InterfaceBinding) -> HostView:
        addresses: dict[str, tuple[IPAddress, ...]] = {
            name: interface_addresses(iface) for name, iface in config.interfaces.items()
        }
        sources = [h.mtu for n, h in binding.host_of.items() if not n.lower().startswith("loop")]
        return HostView(
            addresses,
            {t.interface: t.mtu for t in binding.tunnels},
            min(sources) if sources else 1500,
        )

    def _clean_stale(self, binding: InterfaceBinding) -> None:
        """What a crashed run may have left: devices with our names, routes with our mark."""
        assert self.netlink is not None
        for tunnel in binding.tunnels:
            with contextlib.suppress(OSError):
                if self.netlink.delete_link(tunnel.device):
                    self.log(f"%PYIKE-4-STALE: removed stale device {tunnel.device}")
        for route in self.netlink.stale_routes(binding.routes):
            self.netlink.delete_route(route)
            self.log(f"%PYIKE-4-STALE: removed stale route {route.prefix}")

    def _open_tunnels(self, loop: asyncio.AbstractEventLoop, binding: InterfaceBinding) -> None:
        assert self.netlink is not None
        for device in binding.tunnels:
            try:
                entry = self._open_tun(device)
            except OSError as exc:
                raise StartupError(str(exc.strerror or exc)) from None
            self.wire.tunnels[device.interface] = entry
            try:
                self.netlink.configure_tunnel(device)
            except OSError as exc:
                raise StartupError(str(exc.strerror or exc)) from None
            loop.add_reader(entry.fd, self._on_tunnel, device.interface, entry)

    def _open_clone(self, sa_name: str, device: TunnelDevice) -> None:
        """A Virtual-Access interface's TUN device, read and written under its SAs' name."""
        assert self.netlink is not None and self._loop is not None
        entry = self._open_tun(device)
        self.wire.tunnels[sa_name] = entry
        try:
            self.netlink.configure_tunnel(device)
        except OSError:
            self._close_clone(sa_name)
            raise
        self._loop.add_reader(entry.fd, self._on_tunnel, sa_name, entry)

    def _close_clone(self, sa_name: str) -> None:
        """The device goes, and the kernel's routes through it with it."""
        entry = self.wire.tunnels.pop(sa_name, None)
        if entry is None or self._loop is None:
            return
        self._loop.remove_reader(entry.fd)
        os.close(entry.fd)
        if self.netlink is not None:
            with contextlib.suppress(OSError):
                self.netlink.delete_link(entry.device.device)

    def _open_tun(self, device: TunnelDevice) -> _Tunnel:
        """With a virtio-net header, for merged writes (and cut reads with segmentation),
        unless turned off or refused by the kernel (said once)."""
        if self.options.tun_offload:
            fd = open_offload_tun(device.device, segmentation=self.options.tun_segmentation)
            if fd is not None:
                return _Tunnel(device, fd, Coalescer(self.wire.offload))
            self.options.tun_offload = False
            self.log("%PYIKE-4-NO_OFFLOAD: the kernel refused TUN offload: one packet a write")
        return _Tunnel(device, open_tun(device.device))

    def _tunnel_link(self, interface: str, up: bool) -> None:
        """GRE keepalives took a tunnel's line protocol down or up: its TUN device follows
        (the kernel withdraws the routes into a device that goes down; they come back here)."""
        entry = self.wire.tunnels.get(interface)
        if entry is None or self.netlink is None:
            return
        device = entry.device.device
        try:
            self.netlink.set_link(device, up)
            for route in self.routes if up else ():
                if route.device == device:
                    self.netlink.replace_route(route)
        except OSError as exc:
            self.log(f"%PYIKE-3-LINK: {interface}: {exc.strerror or exc}")

    def _install_routes(self, routes: tuple[KernelRoute, ...]) -> None:
        assert self.netlink is not None
        for route in routes:
            try:
                self.netlink.replace_route(route)
            except OSError as exc:
                raise StartupError(str(exc.strerror or exc)) from None
            self.routes.append(route)

    def _open_sockets(self, loop: asyncio.AbstractEventLoop, addresses: set[IPAddress]) -> None:
        ports = self.options.ports
        for address in sorted(addresses, key=str):
            if (address, IKE_PORT) in self.wire.ike:
                continue
            for logical, real in ((IKE_PORT, ports.ike), (NAT_T_PORT, ports.nat_t)):
                sock = _udp_socket(address, real)
                self.wire.ike[(address, logical)] = sock
                gro = logical == NAT_T_PORT and self.options.udp_offload and _enable_gro(sock)
                loop.add_reader(sock.fileno(), self._on_udp, sock, Endpoint(address, logical), gro)
            raw = _esp_socket(address)
            if raw is not None:
                self.wire.esp[address] = raw
                on_esp = self._on_raw_esp if address.version == 4 else self._on_raw_esp6
                loop.add_reader(raw.fileno(), on_esp, raw)
            elif not self.options.force_encap:
                self.log(
                    f"%PYIKE-4-NO_RAW_ESP: no raw ESP socket on {address} (needs CAP_NET_RAW): "
                    "ESP only in UDP"
                )

    async def _teardown(self) -> None:
        if self.metrics is not None:
            self.metrics.stop()
        if self.ip_sla is not None:  # no track change reaches the clients being deleted
            self.ip_sla.stop()
        if self.gateway is not None:
            with contextlib.suppress(Exception):
                self.gateway.shutdown()
        loop = self._loop
        for sock in [*self.wire.ike.values(), *self.wire.esp.values()]:
            if loop is not None:
                loop.remove_reader(sock.fileno())
            sock.close()
        self.wire.ike.clear()
        self.wire.esp.clear()
        if self.names is not None:
            self.names.cancel()
        self._stop_crypto_maps()
        if self._address_watch is not None:
            if loop is not None:
                loop.remove_reader(self._address_watch.fileno())
            self._address_watch.close()
            self._address_watch = None
        if self._lease_check is not None:
            self._lease_check.cancel()
        if self.netlink is not None:
            for route in self.routes:
                self.netlink.delete_route(route)
        self.routes.clear()
        for entry in self.wire.tunnels.values():
            if loop is not None:
                loop.remove_reader(entry.fd)
            os.close(entry.fd)
        if self.netlink is not None:
            for entry in self.wire.tunnels.values():
                with contextlib.suppress(OSError):
                    self.netlink.delete_link(entry.device.device)
            self.netlink.close()
            self.netlink = None
        self.wire.tunnels.clear()
        if self.control is not None:
            await self.control.stop()
        if self.ssh is not None:
            await self.ssh.stop()
        if self.keylog is not None:
            self.keylog.close()
        self.console.close()
        self.notifier.close()

    # -- crypto maps (pyike.net.policy_steering, pyike.net.crypto_map_devices) ----------------

    def _steering_plan(
        self, config: Config, binding: InterfaceBinding, tunnels: list[TunnelSpec]
    ) -> SteeringPlan:
        ports = self.options.ports
        local = self._local_addresses(config, binding, tunnels)
        hosts = {name: host.name for name, host in binding.host_of.items()}
        try:
            return plan_steering(config, local, (ports.ike, ports.nat_t), hosts)
        except SteeringError as exc:
            raise StartupError(str(exc)) from None

    def _start_crypto_maps(
        self,
        loop: asyncio.AbstractEventLoop,
        config: Config,
        binding: InterfaceBinding,
        tunnels: list[TunnelSpec],
    ) -> None:
        """Stale rules of a crashed run removed; a TUN device, table and rules per crypto map."""
        assert self.netlink is not None and self.gateway is not None
        devices = CryptoMapDevices(
            self.netlink,
            loop,
            self._to_gateway(Gateway.crypto_map_packets),
            self.log,
            self._to_gateway(Gateway.crypto_map_clear_packets),
        )
        self.crypto_maps = devices
        self.gateway.map_writer = devices.write
        devices.remove_stale()
        plan = self._steering_plan(config, binding, tunnels)
        try:
            devices.apply(plan)
        except CryptoMapSetupError as exc:
            raise StartupError(f"crypto map: {exc.strerror or exc}") from None
        host = binding.host_name
        for device in plan.devices:
            arriving = host(device.interface)
            clear = (
                f"; clear traffic arriving on {arriving} that should be ESP, to "
                f"{device.clear_device} (table {device.clear_table}) and dropped"
                if arriving is not None
                else f"; {device.interface} is not bound, clear traffic is not checked"
            )
            self.log(
                f"%PYIKE-5-CRYPTO_MAP: crypto map {device.map_name} on {device.interface}: "
                f"traffic its ACLs permit is routed to {device.device} (table {device.table})"
                + clear
            )

    def _reload_crypto_maps(self, plan: SteeringPlan) -> None:
        if self.crypto_maps is not None:
            self.crypto_maps.apply(plan)

    def _stop_crypto_maps(self) -> None:
        devices, self.crypto_maps = self.crypto_maps, None
        if devices is not None:
            devices.close()

    def _to_gateway(
        self, handle: Callable[[Gateway, str, list[bytes]], None]
    ) -> Callable[[str, list[bytes]], None]:
        """What a crypto map device read, handed to the gateway."""

        def on_packets(interface: str, packets: list[bytes]) -> None:
            gateway = self.gateway
            if gateway is None:
                return
            try:
                handle(gateway, interface, packets)
            except Exception as exc:  # a pyike bug must not stop the gateway
                self._internal_error(exc)

        return on_packets

    # -- reload --------------------------------------------------------------------------------

    def _reload(self) -> str | None:
        """SIGHUP's reload (and the control socket's "reload" query): why the configuration
        was not reloaded, or None."""
        gateway, loop = self.gateway, self._loop
        if gateway is None or loop is None or self.netlink is None:
            return "the gateway is not running yet"
        self.notifier.reloading()
        try:
            return self._reload_in(gateway, loop)
        finally:
            self.notifier.ready(self._status())

    def _reload_in(self, gateway: Gateway, loop: asyncio.AbstractEventLoop) -> str | None:
        assert self.netlink is not None
        path = self.options.config_path
        try:
            self.apply_config(load_config(path, private=self.account is not None))
        except (StartupError, ValueError) as exc:
            hint = ""
            if self.account is not None and not os.access(path, os.R_OK):
                hint = f" ({unreadable_hint(path, self.account)})"
            self.log(f"%PYIKE-3-RELOAD: configuration not reloaded: {exc}{hint}")
            return f"{exc}{hint}"
        return None

    def apply_config(self, config: Config) -> None:
        """A new configuration, as SIGHUP and `configure terminal` (pyike.ssh) bring it:
        devices, routes, crypto map rules and sockets reconciled, then the gateway's policy
        and tunnels. StartupError or ValueError, with nothing changed, when it cannot run."""
        gateway, loop = self.gateway, self._loop
        assert gateway is not None and loop is not None and self.netlink is not None
        refusal = unprobed_tracking(config)
        if refusal is not None:
            raise StartupError(refusal)
        host = self.netlink.host_interfaces()
        config, leases = with_leases(config, host, self.options.binds, gateway.config)
        policy, tunnels = policy_for_config(config, epoch=self.utc_epoch, dynamic_maps=False)
        dh.prepare(defaults.dh_groups(config))
        binding = bind_interfaces(config, host, self.options.binds)
        for line in leases:
            self.log(line)
        steering = self._steering_plan(config, binding, tunnels)
        try:
            self._reconcile_devices(loop, binding)
            self._reload_crypto_maps(steering)
            self._open_sockets(loop, self._local_addresses(config, binding, tunnels))
        except (StartupError, OSError) as exc:
            self.log(f"%PYIKE-3-RELOAD: {exc}")
        gateway.host = self._host_view(config, binding)
        self._bound = binding.host_of
        probed_anew = (config.tracking, config.interfaces) != (
            gateway.config.tracking,
            gateway.config.interfaces,
        )
        if probed_anew:
            self._start_ip_sla(config)
        renegotiated = gateway.reload(config, policy, tunnels)
        if probed_anew:
            gateway.tracks_changed()
        self.log(
            "%PYIKE-5-RELOAD: configuration reloaded"
            + (f"; renegotiating {', '.join(renegotiated)}" if renegotiated else "")
        )
        self._report_not_negotiated(config)

    def _reconcile_devices(
        self, loop: asyncio.AbstractEventLoop, binding: InterfaceBinding
    ) -> None:
        assert self.netlink is not None
        wanted = {t.interface: t for t in binding.tunnels}
        for name, entry in list(self.wire.tunnels.items()):
            if wanted.get(name) != entry.device and not is_clone_sa(name):
                loop.remove_reader(entry.fd)
                os.close(entry.fd)
                with contextlib.suppress(OSError):
                    self.netlink.delete_link(entry.device.device)
                del self.wire.tunnels[name]
        for route in self.routes:
            if route not in binding.routes:
                self.netlink.delete_route(route)
        self.routes = [r for r in self.routes if r in binding.routes]
        new = [t for t in binding.tunnels if t.interface not in self.wire.tunnels]
        self._open_tunnels(loop, InterfaceBinding(binding.host_of, tuple(new), ()))
        missing = tuple(r for r in binding.routes if r not in self.routes)
        self._install_routes(missing)
        # routes into re-created devices vanished with the old device
        for route in binding.routes:
            if route in self.routes and any(t.device == route.device for t in new):
                with contextlib.suppress(OSError):
                    self.netlink.replace_route(route)

    # -- packets -------------------------------------------------------------------------------

    def _internal_error(self, exc: Exception) -> None:
        self.log(f"%PYIKE-3-INTERNAL: {type(exc).__name__}: {exc}")

    def _on_udp(self, sock: socket.socket, local: Endpoint, gro: bool = False) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        to_engine = self.options.ports.to_engine
        recvfrom, recvmsg = sock.recvfrom, sock.recvmsg
        peer = self._udp_peer
        control: list[tuple[int, int, bytes]] = []
        nat_t = local.port == NAT_T_PORT
        esp, ike = NatTPayload.ESP, NatTPayload.IKE
        carried = ike  # all there is on port 500
        receive_esp = gateway.receive_esp
        for _ in range(_RECV_BATCH):
            try:
                if gro:
                    data, control, _flags, source = recvmsg(_MAX_DATAGRAM, _GRO_CONTROL)
                else:
                    data, source = recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
                    continue  # an ICMP error for something we sent
                self.wire.flush_tunnels()
                raise
            if peer is None or source != peer[0]:  # a peer other than the last one's
                try:
                    address = ipaddress.ip_address(source[0])
                except ValueError:
                    continue
                peer = (source, Endpoint(address, to_engine(source[1])))
            remote = peer[1]
            if control:  # datagrams merged by UDP GRO: ESP in UDP, as a rule
                self._receive_gro(local, remote.address, remote.port, data, control)
                continue
            if nat_t:
                carried = nat_t_payload(data)[0]
            try:
                if carried is esp:
                    receive_esp(remote.address, remote.port, data)
                elif carried is ike:  # the engine takes it with its marker
                    gateway.receive_ike(local, remote, data)
            except Exception as exc:  # a pyike bug must not stop the gateway
                self._internal_error(exc)
        self._udp_peer = peer
        self.wire.flush_tunnels()

    def _receive_gro(
        self,
        local: Endpoint,
        remote: IPAddress,
        port: int,
        data: bytes,
        control: list[tuple[int, int, bytes]],
    ) -> None:
        gateway = self.gateway
        assert gateway is not None
        size = next(
            (int.from_bytes(c[2][:4], sys.byteorder) for c in control if c[1] == _UDP_GRO), 0
        )
        if size <= 0:  # no usable segment size: one datagram (never a zero step)
            size = max(len(data), 1)
        view = memoryview(data)
        esp, ike = NatTPayload.ESP, NatTPayload.IKE
        receive_esp = gateway.receive_esp
        for start in range(0, len(data), size):
            datagram = view[start : start + size]
            carried = nat_t_payload(datagram)[0]
            try:
                if carried is esp:
                    receive_esp(remote, port, datagram)
                elif carried is ike:  # the engine takes it with its marker
                    gateway.receive_ike(local, Endpoint(remote, port), bytes(datagram))
            except Exception as exc:  # a pyike bug must not stop the gateway
                self._internal_error(exc)

    def _on_raw_esp(self, sock: socket.socket) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        receive = gateway.receive_esp
        recv = sock.recv
        source_bytes, source = b"", ipaddress.IPv4Address(0)
        for _ in range(_RECV_BATCH):
            try:
                data = recv(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            if len(data) < 20:
                continue  # not even an IPv4 header; shorter ESP is counted by the gateway
            if data[12:16] != source_bytes:  # one peer per batch, as a rule
                source_bytes = data[12:16]
                source = ipaddress.IPv4Address(source_bytes)
            try:
                receive(source, None, memoryview(data)[(data[0] & 0x0F) * 4 :])
            except Exception as exc:
                self._internal_error(exc)
        self.wire.flush_tunnels()

    def _on_raw_esp6(self, sock: socket.socket) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        receive = gateway.receive_esp
        recvfrom = sock.recvfrom
        last_host, source = "", ipaddress.IPv6Address(0)
        for _ in range(_RECV_BATCH):
            try:
                data, peer = recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            if peer[0] != last_host:  # one peer per batch, as a rule
                source = ipaddress.IPv6Address(peer[0])
                last_host = peer[0]
            try:
                receive(source, None, data)
            except Exception as exc:
                self._internal_error(exc)
        self.wire.flush_tunnels()

    def _on_tunnel(self, name: str, entry: _Tunnel) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        try:
            packets = read_packets(entry.fd, _RECV_BATCH)
        except OSError:
            return
        if packets:
            self.wire.open_esp_batch()
            try:
                if entry.coalescer is not None:
                    packets = packets_from_frames(packets, self.wire.offload)
                gateway.tunnel_packets(name, packets)
            except Exception as exc:
                self._internal_error(exc)
            finally:
                self.wire.send_esp_batch()


def run(options: RunOptions) -> int:
    return asyncio.run(Runtime(options).run())


__all__ = ["RunOptions", "Runtime", "StartupError", "run", "unprobed_tracking"]
