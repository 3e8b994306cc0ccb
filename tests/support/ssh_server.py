"""An SSH server of pyike's (`pyike.ssh.server`) for a device, on a loopback port chosen by
the kernel, running in an event loop of its own thread while a test connects to it; a link
into a namespace to reach a daemon's SSH server; netmiko logged in to one; router1's Tunnel0
as a session types it; a TextFSM template for show output."""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from netmiko import BaseConnection, ConnectHandler

from pyike.host.ios_cli import Device
from pyike.ssh.host_key import generated
from pyike.ssh.listen import Listen
from pyike.ssh.server import SshServer
from tests.support.netns import Namespace, sh
from tests.support.paths import DATA

# How netmiko logs in unless told otherwise: as the admin of tests.support.cli_device.USERS.
_LOGIN = {"username": "admin", "password": "Adm1n", "timeout": 30}


def netmiko_ios(port: int = 22, host: str = "127.0.0.1", **options: Any) -> BaseConnection:
    """netmiko's cisco_ios driver logged in to ``host``:``port`` with a password (no agent,
    no keys); ``options`` as ConnectHandler takes them, over _LOGIN."""
    return ConnectHandler(
        device_type="cisco_ios",
        host=host,
        port=port,
        allow_agent=False,
        use_keys=False,
        **(_LOGIN | options),
    )


@contextmanager
def serving(device: Device) -> Iterator[int]:
    """The port `device`'s command line is served on, until the block ends."""
    loop = asyncio.new_event_loop()
    server = SshServer(device, generated())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(Listen("127.0.0.1", 0)), loop).result(10)
        yield server.port
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# router1's Tunnel0 (the seed's) as a session types it in configuration mode.
TUNNEL0 = [
    "interface Tunnel0",
    " ip address 172.16.0.101 255.255.255.0",
    " tunnel source Ethernet0/0",
    " tunnel mode ipsec ipv4",
    " tunnel destination 10.0.0.2",
    " tunnel protection ipsec profile phse2-prof",
    "exit",
    "ip route 192.168.2.1 255.255.255.255 Tunnel0",
]


def without_tunnel0(seed: str) -> str:
    """router1's seed configuration without its Tunnel0 and the route through it."""
    text = re.sub(r"interface Tunnel0\n(?: .*\n)*!\n", "", seed)
    return text.replace("ip route 192.168.2.1 255.255.255.255 Tunnel0\n", "")


# A TextFSM template for `show crypto ikev2 sa` (ntc-templates has none for cisco_ios), written
# from the format IOS prints: one record per IKE SA.
IKEV2_SA_TEMPLATE = DATA / "textfsm" / "cisco_ios_show_crypto_ikev2_sa.textfsm"


def management_link(ns: Namespace, tag: str) -> str:
    """A veth pair from this (the test's) namespace into `ns`, on a /30 of 100.64.0.0/10 of
    its own; returns the address of `ns`'s end. It goes with the namespace."""
    third, fourth = random.randrange(64, 128), random.randrange(0, 256, 4)
    here, there = f"100.{third}.{fourth}.1", f"100.{third}.{fourth}.2"
    sh("ip", "link", "add", f"m{tag}", "type", "veth", "peer", "name", f"n{tag}", "netns", ns.name)
    sh("ip", "addr", "add", f"{here}/30", "dev", f"m{tag}")
    sh("ip", "link", "set", f"m{tag}", "up")
    ns.ip("addr", "add", f"{there}/30", "dev", f"n{tag}")
    ns.ip("link", "set", f"n{tag}", "up")
    return there
