"""Linux TUN devices (layer 3, no packet information header), opened non-blocking.

A TUN device made this way is not persistent: it disappears, with its addresses and the
routes through it, when the last descriptor closes, so a crashed gateway leaves none behind.
"""

from __future__ import annotations

import fcntl
import os
import struct

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
TUN_DEVICE = "/dev/net/tun"
MAX_PACKET = 65535


class TunError(OSError):
    """A TUN device could not be created."""


def open_tun(name: str) -> int:
    """A non-blocking descriptor for the TUN device `name` (created if needed)."""
    try:
        fd = os.open(TUN_DEVICE, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise TunError(exc.errno, f"cannot open {TUN_DEVICE}: {exc.strerror}") from None
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError as exc:
        os.close(fd)
        raise TunError(exc.errno, f"cannot create TUN device {name}: {exc.strerror}") from None
    return fd


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
