"""Linux TUN devices (layer 3, no packet information header), opened non-blocking.

A TUN device made this way is not persistent: it disappears, with its addresses and the
routes through it, when the last descriptor closes, so a crashed gateway leaves none behind.

`open_offload_tun` gives every read and write a virtio-net header, so that writes may be TCP
super-packets of up to 64 KiB, and, with `segmentation`, reads too (`pyike.net.offload` merges
and cuts them).
"""

from __future__ import annotations

import fcntl
import os
import struct

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
TUNSETOFFLOAD = 0x400454D0
TUN_F_CSUM = 0x01
TUN_F_TSO4 = 0x02
TUN_F_TSO6 = 0x04
TUN_DEVICE = "/dev/net/tun"
MAX_PACKET = 65535 + 10  # a 64 KiB super-packet and its virtio-net header


class TunError(OSError):
    """A TUN device could not be created."""


def open_tun(name: str) -> int:
    """A non-blocking descriptor for the TUN device `name` (created if needed)."""
    fd = _open_device()
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError as exc:
        os.close(fd)
        raise TunError(exc.errno, f"cannot create TUN device {name}: {exc.strerror}") from None
    return fd


def open_offload_tun(name: str, *, segmentation: bool = False) -> int | None:
    """Like `open_tun`, with a virtio-net header on every packet; with `segmentation` the
    kernel may also leave checksums partial and hand over IPv4 and IPv6 TCP super-packets.
    None (and no device left behind) when the kernel refuses any of it."""
    fd = _open_device()
    try:
        flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), flags))
        offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 if segmentation else 0
        fcntl.ioctl(fd, TUNSETOFFLOAD, offloads)
    except OSError:
        os.close(fd)
        return None
    return fd


def _open_device() -> int:
    try:
        return os.open(TUN_DEVICE, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise TunError(exc.errno, f"cannot open {TUN_DEVICE}: {exc.strerror}") from None


def read_packets(fd: int, limit: int = 64) -> list[bytes]:
    """Up to `limit` packets waiting on `fd` (none when it would block)."""
    packets: list[bytes] = []
    read = os.read
    try:
        for _ in range(limit):
            packets.append(read(fd, MAX_PACKET))
    except BlockingIOError:
        pass
    return packets
