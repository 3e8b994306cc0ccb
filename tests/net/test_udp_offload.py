"""ESP in UDP through the gateway's sockets in runs: what a TUN read batch encrypts leaves in
one UDP GSO system call per run of equal-sized datagrams, arrives as the same datagrams at a
plain socket, and falls back to one datagram per call where the kernel refuses. Runs over the
loopback device, unprivileged."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from dataclasses import replace
from ipaddress import IPv4Address
from typing import Any

import pytest

from pyike.codec.udp_encap import NAT_T_PORT
from pyike.ike.events import Endpoint
from pyike.net.ports import PortMap
from pyike.net.runtime import SocketWire
from tests.support.gateway_inputs import child_sa_info

LOOPBACK = "127.0.0.1"


class CountingSocket(socket.socket):
    """A UDP socket that counts its sends, and can refuse segmentation as an old kernel."""

    refuse_gso = False

    def __init__(self) -> None:
        super().__init__(socket.AF_INET, socket.SOCK_DGRAM)
        self.sendmsg_calls = 0
        self.sendto_calls = 0

    def sendmsg(self, buffers: Any, *args: Any) -> int:
        self.sendmsg_calls += 1
        if self.refuse_gso:
            raise OSError(errno.EIO, "Input/output error")
        return super().sendmsg(buffers, *args)

    def sendto(self, data: Any, *args: Any) -> int:  # type: ignore[override]
        self.sendto_calls += 1
        return super().sendto(data, *args)


@pytest.fixture
def sockets() -> Iterator[tuple[CountingSocket, socket.socket]]:
    sender = CountingSocket()
    sender.bind((LOOPBACK, 0))
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind((LOOPBACK, 0))
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)  # rmem_max may cap it
    receiver.settimeout(2)
    yield sender, receiver
    sender.close()
    receiver.close()


def wire_to(sender: socket.socket, receiver: socket.socket) -> tuple[SocketWire, Any, list[str]]:
    logged: list[str] = []
    wire = SocketWire(PortMap(), logged.append)
    wire.ike[(IPv4Address(LOOPBACK), NAT_T_PORT)] = sender
    child = replace(
        child_sa_info(),
        local=Endpoint.of(LOOPBACK, NAT_T_PORT),
        remote=Endpoint.of(LOOPBACK, receiver.getsockname()[1]),
    )
    return wire, child, logged


def packets() -> list[bytes]:
    full = [bytes([i]) * 1200 for i in range(10)]
    return [*full, b"s" * 500, b"t" * 1200, b"u" * 1200, b"v" * 1300]


def receive(receiver: socket.socket, count: int) -> list[bytes]:
    return [receiver.recv(65535) for _ in range(count)]


def test_a_batch_leaves_in_runs_and_arrives_as_datagrams(
    sockets: tuple[CountingSocket, socket.socket],
) -> None:
    sender, receiver = sockets
    wire, child, _ = wire_to(sender, receiver)
    wire.open_esp_batch()
    for packet in packets():
        wire.send_esp(child, packet, True)
    assert (sender.sendmsg_calls, sender.sendto_calls) == (0, 0)  # held until the batch ends
    wire.send_esp_batch()
    # runs: ten of 1200 and a shorter last one; two of 1200; one longer, alone
    assert (sender.sendmsg_calls, sender.sendto_calls) == (2, 1)
    assert receive(receiver, len(packets())) == packets()
    wire.send_esp(child, b"alone", True)  # outside a batch: at once
    assert receive(receiver, 1) == [b"alone"]


def test_a_run_never_exceeds_what_one_datagram_may_carry(
    sockets: tuple[CountingSocket, socket.socket],
) -> None:
    sender, receiver = sockets
    wire, child, _ = wire_to(sender, receiver)
    many = [bytes([i]) * 1400 for i in range(60)]
    wire.open_esp_batch()
    for packet in many:
        wire.send_esp(child, packet, True)
    wire.send_esp_batch()
    assert sender.sendmsg_calls == 2  # 46 x 1400 octets fit under 65,487; then 14
    assert receive(receiver, len(many)) == many


def test_a_kernel_without_udp_segmentation_gets_one_datagram_a_call(
    sockets: tuple[CountingSocket, socket.socket],
) -> None:
    sender, receiver = sockets
    sender.refuse_gso = True
    wire, child, logged = wire_to(sender, receiver)
    for _ in range(2):
        wire.open_esp_batch()
        for packet in packets():
            wire.send_esp(child, packet, True)
        wire.send_esp_batch()
        assert receive(receiver, len(packets())) == packets()
    assert sender.sendmsg_calls == 1 and not wire.udp_gso
    assert [line for line in logged if "NO_UDP_GSO" in line] == [logged[0]]


def test_udp_gro_hands_over_a_run_with_its_segment_size(
    sockets: tuple[CountingSocket, socket.socket],
) -> None:
    from pyike.net.runtime import _GRO_CONTROL, _UDP_GRO, _enable_gro

    sender, receiver = sockets
    if not _enable_gro(receiver):
        pytest.skip("this kernel has no UDP GRO")
    wire, child, _ = wire_to(sender, receiver)
    run = [bytes([i]) * 1000 for i in range(8)]
    wire.open_esp_batch()
    for packet in run:
        wire.send_esp(child, packet, True)
    wire.send_esp_batch()
    data, control, _flags, _source = receiver.recvmsg(65535, _GRO_CONTROL)
    sizes = [int.from_bytes(c[2][:4], "little") for c in control if c[1] == _UDP_GRO]
    assert data == b"".join(run) and sizes == [1000]
