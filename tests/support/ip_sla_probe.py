"""Run inside a namespace whose loopback ignores echo requests (`pyike.net.ip_sla` probing
127.0.0.1 waits, unanswered): stray and malformed ICMP packets are sent to the waiting probe,
then its forged reply. Prints JSON: whether the track was Up after the strays and after the
reply, what was logged, and what the event loop caught (a callback that raised)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import socket
import struct
import termios
import time

from pyike.config import load
from pyike.net.ip_sla import IpSlaProbes
from pyike.node import icmp

CONFIG = (
    "track 1 ip sla 1\nip sla 1\n icmp-echo 127.0.0.1 source-ip 127.0.0.1\n  frequency 60\n"
    "  timeout 30000\nip sla schedule 1 life forever start-time now\n"
)


def _queued(sock: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(sock, termios.FIONREAD, b"\0" * 4))[0])


async def _drained(sock: socket.socket) -> None:
    """What was sent to the probe's socket has been read by it."""
    await asyncio.sleep(0.3)
    deadline = time.monotonic() + 10
    while _queued(sock) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.05)  # a state change it scheduled has run


async def main() -> dict[str, object]:
    loop = asyncio.get_running_loop()
    caught: list[str] = []
    loop.set_exception_handler(lambda _, context: caught.append(str(context.get("exception"))))
    logged: list[str] = []
    probes = IpSlaProbes(load(CONFIG).config, loop, logged.append, lambda: None, loop.time)
    probes.start()
    operation = probes._operations[0]
    ident, sequence = operation.ident, operation.sequence
    reply = icmp.echo(False, ident, sequence, b"probe").to_bytes()
    unreachable = icmp.IcmpMessage(icmp.DEST_UNREACHABLE, 1, bytes(4), b"\x45" * 28)
    strays = [
        bytes(4),  # shorter than an ICMP header
        reply[:2] + bytes([reply[2] ^ 0xFF]) + reply[3:],  # bad checksum
        icmp.echo(False, ident, sequence + 1, b"probe").to_bytes(),  # another sequence
        icmp.echo(False, ident ^ 1, sequence, b"probe").to_bytes(),  # another identifier
        icmp.echo(True, ident, sequence, b"probe").to_bytes(),  # a request, not a reply
        unreachable.to_bytes(),
    ]
    sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    elsewhere = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    elsewhere.bind(("127.0.0.2", 0))
    for packet in strays:
        sender.sendto(packet, ("127.0.0.1", 0))
    elsewhere.sendto(reply, ("127.0.0.1", 0))  # the right reply from another address
    await _drained(operation.sock)
    after_strays = probes.is_up(1)
    sender.sendto(reply, ("127.0.0.1", 0))
    await _drained(operation.sock)
    after_reply = probes.is_up(1)
    probes.stop()
    sender.close()
    elsewhere.close()
    return {
        "after_strays": after_strays,
        "after_reply": after_reply,
        "logged": logged,
        "caught": caught,
        "closed": operation.sock.fileno() == -1,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
