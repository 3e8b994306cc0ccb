"""Time from starting the initiating daemon to the first ping answered through its tunnel.

    .venv/bin/python bench/time_to_tunnel.py [--runs 5] [--suite aes-cbc-128/sha1]
                                             [--pairs swan-swan,pyike-pyike,pyike-swan]

Namespaces A (10.0.0.1, LAN 192.168.1.1) and B (10.0.0.2, LAN 192.168.2.1), a veth between
them. B's daemon is started first and waited for (ready to answer). Then, at t0, A's
daemon is started while `ping -D -i 0.01` runs from 192.168.1.1 to 192.168.2.1; the figure
is the timestamp of the first echo reply minus t0. It covers the daemon's start-up
(interpreter, config, TUN device, routes), IKE_SA_INIT and IKE_AUTH, the child SA's install,
and one ping through the tunnel.

- pyike: `pyike run` (initiates at start; not --passive).
- strongSwan: charon, then, as soon as its vici socket appears, `swanctl --load-all` of a
  connection with `start_action = start` (what a swanctl-managed charon does at boot).

Prints each run and the median. Root only; installs strongSwan with apt if missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchlab import (
    PYIKE,
    SUITES,
    A,
    B,
    Lab,
    Namespace,
    Suite,
    ensure_tools,
    lab_session,
    pyike_config,
    start_charon,
    start_pyike,
    swanctl_config,
    two_hosts,
)

PAIRS = ("swan-swan", "pyike-pyike", "pyike-swan")
LIMIT = 30.0  # seconds a run may take


def first_reply(ns: Namespace, t0: float) -> float:
    """Seconds from t0 to the first echo reply of a fast ping (which tolerates 'network
    unreachable' until the daemon has installed its routes)."""
    ping = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            ns.name,
            "ping",
            "-D",
            "-n",
            "-i",
            "0.01",
            "-W",
            "1",
            "-w",
            str(int(LIMIT)),
            "-I",
            A.lan,
            B.lan,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert ping.stdout is not None
        for line in ping.stdout:
            if " bytes from " in line and line.startswith("["):
                return float(line[1 : line.index("]")]) - t0
        raise RuntimeError("no ping answered through the tunnel")
    finally:
        ping.kill()
        ping.wait()


def wait_fast(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)


def start_pyike_initiator(lab: Lab, ns: Namespace, work: Path, suite: Suite, dev: str) -> None:
    config = work / "initiator.cfg"
    config.write_text(pyike_config(A, B, suite))
    lab.start(
        ns,
        [
            *PYIKE,
            "run",
            str(config),
            "--bind",
            f"Ethernet0/0={dev}",
            "--quiet",
            "--no-drop",  # measured as before the privilege drop existed
            "--control",
            str(work / "initiator.sock"),
        ],
        work / "initiator.log",
    )


def start_charon_initiator(lab: Lab, ns: Namespace, work: Path, suite: Suite) -> None:
    charon, _ = start_charon(lab, ns, work, swanctl_config(A, B, suite, start=True), wait=False)
    wait_fast(lambda: (charon.run_dir / "charon.vici").exists(), "charon's vici socket")
    charon.swan("--load-all", "--file", str(charon.run_dir.with_suffix(".swanctl.conf")))


def one_run(pair: str, suite: Suite) -> float:
    with lab_session() as (lab, work):
        a, b, dev_a, dev_b = two_hosts(lab, A, B)
        if pair == "pyike-pyike":
            start_pyike(lab, b, work, pyike_config(B, A, suite), dev_b, "--passive")
        else:
            start_charon(lab, b, work, swanctl_config(B, A, suite))
        t0 = time.time()
        result: list[float] = []
        pinger = _Thread(lambda: result.append(first_reply(a, t0)))
        if pair == "swan-swan":
            start_charon_initiator(lab, a, work, suite)
        else:
            start_pyike_initiator(lab, a, work, suite, dev_a)
        pinger.join()
        if not result:
            raise RuntimeError(pinger.error or "no result")
        return result[0]


class _Thread:
    """Runs `work` beside the daemon start; keeps its exception as text."""

    def __init__(self, work: Callable[[], None]) -> None:
        import threading

        self.error = ""

        def guarded() -> None:
            try:
                work()
            except (RuntimeError, OSError) as exc:
                self.error = str(exc)

        self._thread = threading.Thread(target=guarded, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join(LIMIT + 5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per pair (5)")
    parser.add_argument("--suite", default="aes-cbc-128/sha1", choices=sorted(SUITES))
    parser.add_argument("--pairs", default=",".join(PAIRS))
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be 1..50")
    suite = SUITES[args.suite]
    ensure_tools("ping", "charon")
    print(
        f"time to tunnel: daemon start to first ping answered, {suite.name},"
        f" Python {platform.python_version()}, {len(os.sched_getaffinity(0))} CPUs,"
        f" {time.strftime('%Y-%m-%d')}\n",
        flush=True,
    )
    header = f"{'pair':12} {'median ms':>9} {'vs swan-swan':>12}  runs (ms)"
    print(header)
    print("-" * 60)
    medians: dict[str, float] = {}
    for pair in args.pairs.split(","):
        times: list[float] = []
        for _ in range(args.runs):
            try:
                times.append(one_run(pair, suite))
            except (RuntimeError, AssertionError, subprocess.SubprocessError) as exc:
                print(f"{pair:12} run failed: {exc}", flush=True)
        if not times:
            continue
        medians[pair] = statistics.median(times)
        swan = medians.get("swan-swan")
        ratio = f"{swan / medians[pair]:11.2f}x" if swan and pair != "swan-swan" else ""
        runs = " ".join(f"{1000 * t:.0f}" for t in times)
        print(f"{pair:12} {1000 * medians[pair]:9.0f} {ratio:>12}  {runs}", flush=True)
    print("\nvs swan-swan: strongSwan's median / this pair's (above 1: faster than strongSwan)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
