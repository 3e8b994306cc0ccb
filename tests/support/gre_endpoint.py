"""A userspace GRE endpoint for the strongSwan side of the GRE-over-IPsec interop tests: the
kernel here has no GRE device, so a TUN device carries the inner packets and a raw IP
protocol 47 socket the GRE packets (RFC 2784, the key of RFC 2890), written here on their own
so that pyike's GRE is checked against another implementation, not against itself.

    python -m tests.support.gre_endpoint DEVICE LOCAL REMOTE [KEY]

runs until killed; `start_gre_endpoint` starts it in a namespace and configures the device.
"""

from __future__ import annotations

import fcntl
import os
import select
import socket
import struct
import sys
from pathlib import Path

from tests.support.netns import Lab, Namespace, wait_for

_TUNSETIFF = 0x400454CA
_IFF_TUN, _IFF_NO_PI = 0x0001, 0x1000
_GRE = 47
_KEY_PRESENT = 0x2000
_IPV4 = 0x0800


def _open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", name.encode(), _IFF_TUN | _IFF_NO_PI))
    return fd


def _wrap(packet: bytes, key: int | None) -> bytes:
    if key is None:
        return struct.pack("!HH", 0, _IPV4) + packet
    return struct.pack("!HHI", _KEY_PRESENT, _IPV4, key) + packet


def _unwrap(datagram: bytes, remote: str, key: int | None) -> bytes | None:
    """The inner packet of a GRE datagram from `remote` (a raw socket hands over the IP
    header too); None for anything else or another key."""
    ihl = (datagram[0] & 0x0F) * 4
    if socket.inet_ntoa(datagram[12:16]) != remote or len(datagram) < ihl + 4:
        return None
    flags, protocol = struct.unpack_from("!HH", datagram, ihl)
    offset = ihl + 4
    theirs = None
    if flags & _KEY_PRESENT:
        (theirs,) = struct.unpack_from("!I", datagram, offset)
        offset += 4
    if flags & ~_KEY_PRESENT or protocol != _IPV4 or theirs != key:
        return None
    return datagram[offset:]


def serve(device: str, local: str, remote: str, key: int | None) -> None:
    tun = _open_tun(device)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, _GRE)
    raw.bind((local, 0))
    print(f"GRE endpoint {device}: {local} -> {remote} key {key}", flush=True)
    while True:
        ready, _, _ = select.select([tun, raw.fileno()], [], [])
        if tun in ready:
            packet = os.read(tun, 65535)
            if packet[:1] and packet[0] >> 4 == 4:
                raw.sendto(_wrap(packet, key), (remote, 0))
        if raw.fileno() in ready:
            inner = _unwrap(raw.recv(65535), remote, key)
            if inner is not None:
                os.write(tun, inner)


def start_gre_endpoint(
    lab: Lab,
    ns: Namespace,
    log: Path,
    *,
    device: str,
    local: str,
    remote: str,
    address: str,
    routes: tuple[str, ...],
    key: int | None = None,
) -> None:
    """The endpoint in `ns`, its device up with `address` and `routes` into it."""
    argv = [sys.executable, "-m", "tests.support.gre_endpoint", device, local, remote]
    lab.start(ns, [*argv, *([] if key is None else [str(key)])], log)
    wait_for(lambda: device in ns.ip("link"), 10, f"the GRE endpoint's device {device}")
    ns.ip("addr", "add", address, "dev", device)
    ns.ip("link", "set", device, "up")
    for route in routes:
        ns.ip("route", "add", route, "dev", device)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else None)
