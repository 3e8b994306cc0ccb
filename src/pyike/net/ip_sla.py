"""`pyike run`'s IP SLA operations: each scheduled `icmp-echo` operation sends a real ICMP echo
request every `frequency` seconds to its target, from `source-ip` or its `source-interface`'s
address, and waits `timeout` ms for the reply, on the asyncio loop. Its track objects are the
lab's (pyike.host.track_objects).

A raw ICMP socket per operation (the daemon keeps CAP_NET_RAW after dropping privileges), or
the kernel's unprivileged ICMP datagram socket where raw is refused. A raw socket sees every
ICMP packet the host receives: replies are matched by source, identifier and sequence; what
does not match, or does not parse, is ignored."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address

from pyike.config.model import Config
from pyike.config.tracking_model import IcmpEcho, IpSla
from pyike.host.track_objects import TrackObjects
from pyike.ios_names import milliseconds
from pyike.net.binding import interface_addresses
from pyike.node.icmp import ECHO_REPLY, echo, parse_icmp
from pyike.node.ip import MalformedPacket
from pyike.show.tracking import NO_CONNECTION

_PAYLOAD = bytes(range(28))  # IOS's default request-data-size for icmp-echo
_RECEIVE = 65535


@dataclass
class _Operation:
    """One scheduled `icmp-echo` operation: its socket and the probe awaiting its reply."""

    sla: IpSla
    echo: IcmpEcho
    sock: socket.socket
    raw: bool  # a raw socket: replies come with their IPv4 header, and the identifier is ours
    ident: int
    sequence: int = 0
    waiting: asyncio.TimerHandle | None = None  # the timeout of the probe awaiting a reply
    started: float = 0.0  # the probe's start, on the clock `show` times are on
    sent_at: float = 0.0  # and on the loop's monotonic clock, for its round trip


class IpSlaProbes(TrackObjects):
    """The configuration's IP SLA operations probed from this host, and its track objects."""

    def __init__(
        self,
        config: Config,
        loop: asyncio.AbstractEventLoop,
        log: Callable[[str], None],
        changed: Callable[[], None],
        now: Callable[[], float],
    ) -> None:
        super().__init__(config.tracking, loop.call_later, log, changed, now)
        self.loop = loop
        self.interfaces = config.interfaces
        self._operations: list[_Operation] = []
        self._next: dict[int, asyncio.TimerHandle] = {}

    def start(self) -> None:
        """Every scheduled `icmp-echo` operation opened and its first probe sent now."""
        for sla in self.config.slas.values():
            if sla.scheduled and sla.echo is not None:
                operation = self._open(sla, sla.echo)
                if operation is not None:
                    self._operations.append(operation)
                    self._probe(operation)

    def stop(self) -> None:
        """No more probes: sockets closed, timers cancelled (tracks keep their state)."""
        self.cancel()
        for timer in self._next.values():
            timer.cancel()
        self._next.clear()
        for operation in self._operations:
            if operation.waiting is not None:
                operation.waiting.cancel()
            self.loop.remove_reader(operation.sock.fileno())
            operation.sock.close()
        self._operations.clear()

    # -- probes ------------------------------------------------------------------------------

    def _open(self, sla: IpSla, echo_op: IcmpEcho) -> _Operation | None:
        source = self._source(echo_op)
        try:
            sock, raw = _icmp_socket()
            sock.setblocking(False)
            if source is not None:
                sock.bind((str(source), 0))
        except OSError as exc:
            self.log(
                f"%PYIKE-3-IP_SLA: ip sla {sla.number}: icmp-echo {echo_op.target} not probed "
                f"(ICMP socket{'' if source is None else f' from {source}'}: {exc.strerror})"
            )
            return None
        ident = _free_ident({o.ident for o in self._operations})
        operation = _Operation(sla, echo_op, sock, raw, ident)
        self.loop.add_reader(sock.fileno(), self._receive, operation)
        return operation

    def _source(self, echo_op: IcmpEcho) -> IPv4Address | None:
        if echo_op.source_ip is not None:
            return echo_op.source_ip
        iface = self.interfaces.get(echo_op.source_interface or "")
        if iface is None:
            return None
        return next((a for a in interface_addresses(iface) if isinstance(a, IPv4Address)), None)

    def _probe(self, operation: _Operation) -> None:
        number = operation.sla.number
        self._next[number] = self.loop.call_later(
            float(operation.echo.frequency), self._probe, operation
        )
        if operation.waiting is not None:
            return  # the last probe still waits (timeout > frequency): IOS skips this one
        operation.sequence = (operation.sequence + 1) & 0xFFFF
        request = echo(True, operation.ident, operation.sequence, _PAYLOAD).to_bytes()
        operation.started, operation.sent_at = self.now(), self.loop.time()
        try:
            operation.sock.sendto(request, (str(operation.echo.target), 0))
        except OSError:  # no route, the source address gone: the probe fails now
            self.result(number, operation.started, None, NO_CONNECTION)
            return
        timeout = operation.echo.timeout_ms / 1000
        operation.waiting = self.loop.call_later(timeout, self._timed_out, operation)

    def _timed_out(self, operation: _Operation) -> None:
        operation.waiting = None
        self.result(operation.sla.number, operation.started, None)

    def _receive(self, operation: _Operation) -> None:
        try:
            data, (address, _) = operation.sock.recvfrom(_RECEIVE)
        except OSError:  # nothing to read, or an ICMP error queued: the probe waits on
            return
        if operation.waiting is None or address != str(operation.echo.target):
            return
        if _answers(data, operation):
            operation.waiting.cancel()
            operation.waiting = None
            rtt = milliseconds(self.loop.time() - operation.sent_at)
            self.result(operation.sla.number, operation.started, rtt)


def kept_track_states(before: TrackObjects, after: TrackObjects) -> dict[int, bool]:
    """A reload: the states of the tracks it keeps as they were, with their operations."""
    old, new = before.config, after.config
    return {
        number: before.is_up(number)
        for number, track in new.tracks.items()
        if old.tracks.get(number) == track
        and (track.sla is None or old.slas.get(track.sla) == new.slas.get(track.sla))
    }


def _answers(data: bytes, operation: _Operation) -> bool:
    """`data` is the reply to the operation's probe awaiting one."""
    if operation.raw:
        if len(data) < 20 or data[0] >> 4 != 4:
            return False
        data = data[(data[0] & 0x0F) * 4 :]
    try:
        message = parse_icmp(data)
    except MalformedPacket:
        return False
    if message.type != ECHO_REPLY or message.code != 0:
        return False
    # a datagram socket's identifier is the kernel's, and only its own replies reach it
    same_ident = not operation.raw or message.ident == operation.ident
    return same_ident and message.sequence == operation.sequence


def _icmp_socket() -> tuple[socket.socket, bool]:
    """A raw ICMP socket, else the unprivileged datagram one (net.ipv4.ping_group_range)."""
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), True
    except PermissionError:
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP), False


def _free_ident(taken: set[int]) -> int:
    while True:
        ident = int.from_bytes(os.urandom(2), "big")
        if ident not in taken:
            return ident


__all__ = ["IpSlaProbes", "kept_track_states"]
