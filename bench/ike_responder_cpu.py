"""CPU per IKE SA of pyike's responder, measured in one process without sockets.

    .venv/bin/python bench/ike_responder_cpu.py [--sas 300] [--concurrency 32]
                                                [--groups 2,19] [--rounds 1] [--profile FILE]
                                                [--instructions]

An initiator `IkeEngine` (the load generator of `ike_setup_rate.py`, same configurations
and proposals) and a responder (`pyike.net.gateway.Gateway`, the object `pyike run` drives,
with an in-memory wire and a clock that only this script moves) set up `--sas` IKE SAs,
each IKE_SA_INIT + IKE_AUTH with one child SA (PSK), `--concurrency` at a time. The SAs are
kept: the responder's tables grow as in a load run. Only the calls into each side are timed
(`time.process_time`), and Diffie-Hellman (key generation and shared secret) is timed on its
own in the same run, so the table shows what is Python and what is modexp/ECDH.

Every SA is a session of its own, as in `ike_setup_rate.py`: SA n presents IDi
`sa-n.load.example`, and the responder's profile matches `fqdn domain load.example`, so it
deletes no SA as a duplicate of another (the run fails if it sends any INFORMATIONAL).

With `--profile FILE` the responder's calls run under cProfile and the stats are written to
FILE (timings are then inflated; use it to see where the time goes, not for the table).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlab import pyike_config
from ike_setup_rate import (
    GROUP_SUITES,
    LOADGEN,
    RESPONDER,
    DistinctSessions,
    responder_pyike_config,
    session_tunnel,
)


class DhClock:
    """Accumulates the CPU time spent in key exchange, per side."""

    def __init__(self) -> None:
        self.side = "initiator"
        self.seconds = {"initiator": 0.0, "responder": 0.0}

    def timed(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[self.side] += time.process_time() - start

        return wrapper


DH_CLOCK = DhClock()


def instrument_dh(clock: DhClock) -> None:
    """Wraps key generation (which computes the public value; ike/keying.py makes every key
    exchange) and the shared secret."""
    from pyike.crypto import dh
    from pyike.ike import keying

    keying.new_key_exchange = clock.timed(dh.new_key_exchange)  # type: ignore[attr-defined]
    for cls in (dh.ModpKeyExchange, dh.EcpKeyExchange, dh.X25519KeyExchange):
        cls.shared_secret = clock.timed(cls.shared_secret)  # type: ignore[method-assign]
        if cls is not dh.ModpKeyExchange:  # MODP computes its public value at creation
            cls.public_key = clock.timed(cls.public_key)  # type: ignore[method-assign]


class NoTimer:
    def cancel(self) -> None:
        pass


@dataclass
class Figures:
    group: str
    sas: int
    responder_cpu: float
    responder_dh: float
    initiator_cpu: float
    initiator_dh: float
    failed: int


def run(
    group: str, total: int, concurrency: int, freeze: bool, profiler: cProfile.Profile | None
) -> Figures:
    from pyike.adapter.config_policy import policy_for_config
    from pyike.config import load
    from pyike.host.crypto_host import HostSetup
    from pyike.ike.engine import IkeEngine
    from pyike.ike.events import ChildSaInstalled, Endpoint, NegotiationFailed
    from pyike.net.gateway import Gateway
    from pyike.show.views import MessageCounts

    suite = GROUP_SUITES[group]
    dh_clock = DH_CLOCK
    now = [1000.0]

    config = load(pyike_config(LOADGEN, RESPONDER, suite)).config
    policy, tunnels = policy_for_config(config)
    tunnel = tunnels[0]
    initiator = IkeEngine(DistinctSessions(policy), os.urandom)

    to_initiator: list[tuple[Endpoint, Endpoint, bytes]] = []

    class MemoryWire:
        def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
            to_initiator.append((remote, local, data))

        def send_esp(self, child: object, esp: bytes, udp: bool) -> None:
            pass

        def write_tunnel(self, tunnel: str, packet: bytes) -> None:
            pass

    r_config = load(responder_pyike_config(suite)).config
    r_policy, r_tunnels = policy_for_config(r_config)
    setup = HostSetup(
        r_config,
        r_policy,
        r_tunnels,
        MemoryWire(),
        clock=lambda: now[0],
        call_later=lambda _delay, _callback: NoTimer(),
        random_bytes=os.urandom,
    )
    gateway = Gateway(setup)
    gateway.keep_up = False  # `pyike run --passive`
    gateway.trace_only(frozenset())  # as `pyike run` without `debug crypto ikev2`

    cpu = {"initiator": 0.0, "responder": 0.0}

    @contextmanager
    def side(name: str) -> Iterator[None]:
        dh_clock.side = name
        if name == "responder" and profiler is not None:
            profiler.enable()
        start = time.process_time()
        try:
            yield
        finally:
            cpu[name] += time.process_time() - start
            if name == "responder" and profiler is not None:
                profiler.disable()

    up = failed = 0

    def initiator_outputs() -> list[tuple[Endpoint, Endpoint, bytes]]:
        nonlocal up, failed
        for event in initiator.events():
            if isinstance(event, ChildSaInstalled):
                up += 1
            elif isinstance(event, NegotiationFailed):
                failed += 1
        initiator.trace()
        return [(d.remote, d.local, d.data) for d in initiator.datagrams_to_send()]

    responder_address = ipaddress.ip_address(RESPONDER.address)
    responder_ports = {port: Endpoint(responder_address, port) for port in (500, 4500)}

    def shuttle(to_responder: list[tuple[Endpoint, Endpoint, bytes]]) -> None:
        while to_responder:
            with side("responder"):
                for destination, source, data in to_responder:
                    local = responder_ports[destination.port]
                    gateway.receive_ike(local, source, data)
            to_responder = []
            replies = list(to_initiator)
            to_initiator.clear()
            with side("initiator"):
                for remote_r, local_i, data in replies:
                    initiator.receive_datagram(now[0], local_i, remote_r, data)
                to_responder = initiator_outputs()
            now[0] += 0.001

    sessions = 0

    def start(count: int) -> None:
        nonlocal sessions
        with side("initiator"):
            for _ in range(count):
                initiator.initiate(now[0], session_tunnel(tunnel, sessions))
                sessions += 1
            batch = initiator_outputs()
        shuttle(batch)

    if freeze:
        gc.collect()
        gc.freeze()
    start(1)  # alone, with INITIAL_CONTACT (as in ike_setup_rate.py); not counted
    cpu = {"initiator": 0.0, "responder": 0.0}
    dh_clock.seconds = {"initiator": 0.0, "responder": 0.0}
    first = up
    remaining = total
    while remaining > 0:
        batch = min(concurrency, remaining)
        start(batch)
        remaining -= batch
    done = up - first
    informational = gateway.counters.exchange_view().exchanges.get("INFORMATIONAL")
    if informational is not None and informational != MessageCounts():
        raise RuntimeError(f"the responder exchanged INFORMATIONAL messages: {informational}")
    return Figures(
        group,
        done,
        cpu["responder"],
        dh_clock.seconds["responder"],
        cpu["initiator"],
        dh_clock.seconds["initiator"],
        failed,
    )


def count_instructions(sas: int, groups: list[str]) -> int:
    """Prints, per group, the instructions executed per SA (both sides, in this process)."""
    if shutil.which("valgrind") is None:
        print("--instructions needs valgrind (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    print(f"instructions per SA, both sides (valgrind: {3 * sas} SAs less {sas}, / {2 * sas})")
    for group in groups:
        counts = [_instructions(n, group) for n in (sas, 3 * sas)]
        print(f"group {group:>3}: {(counts[1] - counts[0]) / (2 * sas) / 1e6:.2f} million")
    return 0


def _instructions(sas: int, group: str) -> int:
    argv = [sys.executable, __file__, "--sas", str(sas), "--groups", group, "--gc-freeze"]
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no"]
    valgrind.append("--cachegrind-out-file=/dev/null")  # the total is all that is read
    done = subprocess.run(
        [*valgrind, *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sas", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--groups", default="2,19")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() before each run (what a daemon can do after start-up): the"
        " collector then no longer rescans the configuration, modules and libraries",
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat and keep each best")
    parser.add_argument("--profile", help="write the responder's cProfile stats here")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="instead: the instructions both sides execute per SA, counted by valgrind"
        " (a run of 3x--sas less a run of --sas): a figure a busy machine does not move",
    )
    args = parser.parse_args()
    if args.instructions:
        return count_instructions(args.sas, args.groups.split(","))

    import pyike

    instrument_dh(DH_CLOCK)
    profiler = cProfile.Profile() if args.profile else None
    print(
        f"pyike from {Path(pyike.__file__).parent}; {args.sas} SAs, {args.concurrency} at a"
        f" time{', gc.freeze()' if args.gc_freeze else ''}"
    )
    print(
        f"{'group':>5} {'SAs':>5} {'resp ms/SA':>10} {'resp DH':>8} {'resp other':>10}"
        f" {'init ms/SA':>10} {'init DH':>8} {'failed':>6}"
    )
    for group in args.groups.split(","):
        best: Figures | None = None
        for _ in range(args.rounds):
            figures = run(group, args.sas, args.concurrency, args.gc_freeze, profiler)
            if best is None or figures.responder_cpu < best.responder_cpu:
                best = figures
        assert best is not None
        n = max(best.sas, 1)
        print(
            f"{group:>5} {best.sas:5} {1000 * best.responder_cpu / n:10.2f}"
            f" {1000 * best.responder_dh / n:8.2f}"
            f" {1000 * (best.responder_cpu - best.responder_dh) / n:10.2f}"
            f" {1000 * best.initiator_cpu / n:10.2f} {1000 * best.initiator_dh / n:8.2f}"
            f" {best.failed:6}",
            flush=True,
        )
    print("ms/SA: CPU (time.process_time) inside each side's calls / SAs set up; DH: key")
    print("generation and shared secrets alone; other: everything else (Python)")
    if profiler is not None:
        profiler.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
