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
import ipaddress
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pyike.config import load_file
from pyike.config.model import Config
from pyike.ike.config_policy import policy_for_config
from pyike.ike.events import NAT_T_PORT, ChildSaInfo, Endpoint, IPAddress
from pyike.ike.policy import TunnelSpec
from pyike.ike.trace import TraceRecord
from pyike.net.binding import (
    InterfaceBinding,
    KernelRoute,
    TunnelDevice,
    bind_interfaces,
    interface_addresses,
)
from pyike.net.console import Console
from pyike.net.control import ControlServer
from pyike.net.gateway import Gateway, HostView, esp_destination
from pyike.net.keylog import KeyLog
from pyike.net.netlink import Netlink
from pyike.net.ports import PortMap
from pyike.net.tun import open_tun, read_packets
from pyike.trace.ios_debug import Debug, DebugFormatter

if TYPE_CHECKING:
    from pyike.net.shell import GatewayShell

ESP_PROTOCOL = 50
_RECV_BATCH = 64
_MAX_DATAGRAM = 65535
_RECEIVE_BUFFER = 4 * 1024 * 1024


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


def load_config(path: Path) -> Config:
    try:
        result = load_file(path)
    except OSError as exc:
        raise StartupError(f"cannot read {path}: {exc.strerror}") from None
    if result.errors:
        first = result.errors[0]
        raise StartupError(f"{path}: {first}")
    return result.config


@dataclass
class _Tunnel:
    device: TunnelDevice
    fd: int


@dataclass
class _EspRoute:
    child: ChildSaInfo
    udp: bool
    sendto: Callable[[bytes, tuple[str, int]], int] | None
    address: tuple[str, int]


class SocketWire:
    """The gateway's Wire on real sockets and TUN devices."""

    def __init__(self, ports: PortMap, log: Callable[[str], None]) -> None:
        self.ports = ports
        self.log = log
        self.ike: dict[tuple[IPAddress, int], socket.socket] = {}  # (address, logical port)
        self.esp: dict[IPAddress, socket.socket] = {}
        self.tunnels: dict[str, _Tunnel] = {}
        self.send_errors = 0
        self._esp_route: _EspRoute | None = None

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        sock = self.ike.get((local.address, local.port))
        if sock is None:
            self.send_errors += 1
            return
        try:
            sock.sendto(data, (str(remote.address), self.ports.to_wire(remote.port)))
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
        return _EspRoute(child, udp, None if sock is None else sock.sendto, address)

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        entry = self.tunnels.get(tunnel)
        if entry is None:
            self.send_errors += 1
            return
        try:
            os.write(entry.fd, packet)
        except OSError:
            self.send_errors += 1


def _udp_socket(address: IPAddress, port: int) -> socket.socket:
    family = socket.AF_INET if address.version == 4 else socket.AF_INET6
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _enlarge_receive_buffer(sock)
        sock.bind((str(address), port))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on UDP {address} port {port}: {exc.strerror}") from None
    return sock


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
    try:
        _enlarge_receive_buffer(sock)
        sock.bind((str(address), 0))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot receive ESP on {address}: {exc.strerror}") from None
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
        self.formatter = DebugFormatter(epoch, Debug.ALL if options.debug else Debug.NONE)
        self.wire = SocketWire(options.ports, self.log)
        self.netlink: Netlink | None = None
        self.routes: list[KernelRoute] = []
        self.gateway: Gateway | None = None
        self.control: ControlServer | None = None
        self.keylog: KeyLog | None = None
        self._shell: GatewayShell | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = asyncio.Event()

    # -- output ------------------------------------------------------------------------------

    def log(self, message: str) -> None:
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
        except StartupError as exc:
            print(f"% pyike run: {exc}", file=sys.stderr)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await self._teardown()
            return 1
        loop.add_signal_handler(signal.SIGHUP, self._reload)
        try:
            await self._stop.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            await self._teardown()
        return 0

    def stop(self) -> None:
        self._stop.set()

    async def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        config = load_config(self.options.config_path)
        policy, tunnels = policy_for_config(config)
        try:
            self.netlink = Netlink()
        except OSError as exc:
            raise StartupError(f"cannot open netlink: {exc}") from None
        try:
            binding = bind_interfaces(config, self.netlink.host_interfaces(), self.options.binds)
        except ValueError as exc:
            raise StartupError(str(exc)) from None
        if self.options.keylog is not None:
            try:
                self.keylog = KeyLog(self.options.keylog)
            except OSError as exc:
                raise StartupError(f"cannot write {self.options.keylog}: {exc.strerror}") from None
        self._clean_stale(binding)
        self._open_tunnels(loop, binding)
        self._install_routes(binding.routes)
        self._open_sockets(loop, self._local_addresses(config, binding, tunnels))
        self.gateway = Gateway(
            config,
            policy,
            tunnels,
            self.wire,
            clock=self.clock,
            call_later=loop.call_later,
            random_bytes=self.random_bytes,
            host=self._host_view(config, binding),
            force_encap=self.options.force_encap,
            keylog=self.keylog,
            trace_sink=self._trace,
            log=self.log,
        )
        gateway = self.gateway
        self.control = ControlServer(
            self.options.control_path,
            lambda line: self._exec_shell().execute(line),
            lambda: self._exec_shell().prompt,
        )
        try:
            await self.control.start()
        except OSError as exc:
            raise StartupError(
                f"cannot create control socket {self.options.control_path}: {exc.strerror}"
            ) from None
        self.console.monitors.append(self.control.broadcast)
        addresses = sorted({str(a) for a, _ in self.wire.ike})
        self.log(
            f"%PYIKE-5-STARTED: {config.hostname}: IKE on {', '.join(addresses) or 'no address'}"
            f" port {self.options.ports.ike}/{self.options.ports.nat_t}, "
            f"{len(binding.tunnels)} tunnel(s), control {self.options.control_path}"
        )
        gateway.keep_up = not self.options.passive
        if not self.options.passive:
            gateway.start_all()

    def _exec_shell(self) -> GatewayShell:
        """The exec commands, built at the first command: their show views and parser are
        not needed to bring tunnels up."""
        if self._shell is None:
            from pyike.net.shell import GatewayShell

            gateway = self.gateway
            assert gateway is not None
            self._shell = GatewayShell(gateway, lambda: gateway.config, self.formatter)
        return self._shell

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
                fd = open_tun(device.device)
            except OSError as exc:
                raise StartupError(str(exc.strerror or exc)) from None
            self.wire.tunnels[device.interface] = _Tunnel(device, fd)
            try:
                self.netlink.configure_tunnel(device)
            except OSError as exc:
                raise StartupError(str(exc.strerror or exc)) from None
            loop.add_reader(fd, self._on_tunnel, device.interface, fd)

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
            if (address, 500) in self.wire.ike:
                continue
            for logical, real in ((500, ports.ike), (NAT_T_PORT, ports.nat_t)):
                sock = _udp_socket(address, real)
                self.wire.ike[(address, logical)] = sock
                loop.add_reader(sock.fileno(), self._on_udp, sock, Endpoint(address, logical))
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
        if self.keylog is not None:
            self.keylog.close()
        self.console.close()

    # -- reload --------------------------------------------------------------------------------

    def _reload(self) -> None:
        gateway, loop = self.gateway, self._loop
        if gateway is None or loop is None or self.netlink is None:
            return
        try:
            config = load_config(self.options.config_path)
            policy, tunnels = policy_for_config(config)
            binding = bind_interfaces(config, self.netlink.host_interfaces(), self.options.binds)
        except (StartupError, ValueError) as exc:
            self.log(f"%PYIKE-3-RELOAD: configuration not reloaded: {exc}")
            return
        try:
            self._reconcile_devices(loop, binding)
            self._open_sockets(loop, self._local_addresses(config, binding, tunnels))
        except (StartupError, OSError) as exc:
            self.log(f"%PYIKE-3-RELOAD: {exc}")
        gateway.host = self._host_view(config, binding)
        renegotiated = gateway.reload(config, policy, tunnels)
        self.log(
            "%PYIKE-5-RELOAD: configuration reloaded"
            + (f"; renegotiating {', '.join(renegotiated)}" if renegotiated else "")
        )

    def _reconcile_devices(
        self, loop: asyncio.AbstractEventLoop, binding: InterfaceBinding
    ) -> None:
        assert self.netlink is not None
        wanted = {t.interface: t for t in binding.tunnels}
        for name, entry in list(self.wire.tunnels.items()):
            if wanted.get(name) != entry.device:
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

    def _on_udp(self, sock: socket.socket, local: Endpoint) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        to_engine = self.options.ports.to_engine
        recvfrom = sock.recvfrom
        last_host, remote_address = "", local.address
        for _ in range(_RECV_BATCH):
            try:
                data, source = recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
                    continue  # an ICMP error for something we sent
                raise
            if source[0] != last_host:  # parsed once per peer and batch, not per packet
                try:
                    remote_address = ipaddress.ip_address(source[0])
                except ValueError:
                    continue
                last_host = source[0]
            port = to_engine(source[1])
            try:
                if local.port == NAT_T_PORT and data[:4] != b"\x00\x00\x00\x00":
                    if data != b"\xff":  # not a NAT keepalive: ESP in UDP (RFC 3948)
                        gateway.receive_esp(remote_address, port, data)
                else:
                    gateway.receive_ike(local, Endpoint(remote_address, port), data)
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
                return
            if len(data) < 28:
                continue
            if data[12:16] != source_bytes:  # one peer per batch, as a rule
                source_bytes = data[12:16]
                source = ipaddress.IPv4Address(source_bytes)
            try:
                receive(source, None, memoryview(data)[(data[0] & 0x0F) * 4 :])
            except Exception as exc:
                self._internal_error(exc)

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
                return
            if len(data) < 8:
                continue
            if peer[0] != last_host:  # one peer per batch, as a rule
                source = ipaddress.IPv6Address(peer[0])
                last_host = peer[0]
            try:
                receive(source, None, data)
            except Exception as exc:
                self._internal_error(exc)

    def _on_tunnel(self, name: str, fd: int) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        try:
            packets = read_packets(fd, _RECV_BATCH)
        except OSError:
            return
        if packets:
            try:
                gateway.tunnel_packets(name, packets)
            except Exception as exc:
                self._internal_error(exc)


def run(options: RunOptions) -> int:
    return asyncio.run(Runtime(options).run())


__all__ = ["RunOptions", "Runtime", "StartupError", "run"]
