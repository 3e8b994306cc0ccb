"""A lab served over SSH in this process (`pyike.lab.ssh_access`), its clock running in real
time in an event loop of its own thread, as `pyike lab --interactive --ssh` runs it, while a
test drives the routers with netmiko."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyike.lab.interactive import LabConsole
from pyike.lab.lab import Lab
from pyike.lab.ssh_access import serve_lab
from pyike.sim.clock import RealTimePacer
from pyike.ssh.host_key import generated
from pyike.ssh.listen import Listen


@contextmanager
def serving_lab(lab: Lab, startup: dict[str, Path], speed: float) -> Iterator[dict[str, int]]:
    """Each router's SSH port by hostname, the lab's tunnels brought up and its clock running
    `speed` times real time, until the block ends; `startup` is where `write memory` saves."""
    console = LabConsole(lab, RealTimePacer(lab.clock, time.monotonic, speed), lambda _t: None)
    lab.bring_up_tunnels()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    listen = Listen("127.0.0.1", 0)
    servers = asyncio.run_coroutine_threadsafe(
        serve_lab(lab, listen, generated(), startup), loop
    ).result(30)
    ticking = asyncio.run_coroutine_threadsafe(console.tick_forever(), loop)
    try:
        yield {host: server.port for host, server in zip(lab.routers, servers, strict=True)}
    finally:
        console.state.running = False
        ticking.result(30)
        for server in servers:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
