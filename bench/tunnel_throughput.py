"""iperf3 TCP through IPsec tunnels between two network namespaces, pyike against strongSwan.

    .venv/bin/python bench/tunnel_throughput.py [--seconds 10]
        [--suites aes-cbc-128/sha1,aes-gcm-128]
        [--pairs veth,swan-swan,pyike-pyike,pyike-pyike-nooffload,pyike-pyike-encap,pyike-swan]

Topology, the same for every pair: namespace A (10.0.0.1, LAN 192.168.1.1 on lo) and B
(10.0.0.2, LAN 192.168.2.1 on lo) joined by a veth pair. A's side initiates; iperf3 runs from
192.168.1.1 to 192.168.2.1, so every byte crosses the tunnel: pyike's TUN device and
userspace ESP, or charon's kernel-libipsec (ESP in userspace on its ipsec0 TUN device, always
UDP-encapsulated). The plain veth line is iperf3 between 10.0.0.1 and 10.0.0.2, no tunnel;
pyike-pyike-nooffload is pyike-pyike with `--no-tun-offload --no-udp-offload` on both
daemons; pyike-pyike-encap with `--force-encap` on both, ESP in UDP as strongSwan sends it.
Prints Mbit/s (receiver side) per pair and suite, and pyike's ratio to strongSwan's figure
from the same run. Root only; installs iperf3 and strongSwan with apt if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchlab import (
    SUITES,
    A,
    B,
    Lab,
    Namespace,
    Suite,
    ensure_tools,
    lab_session,
    proc_cpu_seconds,
    pyike_config,
    start_charon,
    start_pyike,
    swanctl_config,
    two_hosts,
    wait_for,
)

PAIRS = (
    "veth",
    "swan-swan",
    "pyike-pyike",
    "pyike-pyike-nooffload",
    "pyike-pyike-encap",
    "pyike-swan",
)


def ping_ok(ns: Namespace, source: str, target: str) -> bool:
    done = ns.run("ping", "-c", "1", "-W", "1", "-I", source, target, check=False)
    return done.returncode == 0


def iperf(
    lab: Lab, client: Namespace, server: Namespace, src: str, dst: str, seconds: float, work: Path
) -> float:
    """Receiver-side Mbit/s of one iperf3 TCP run from src to dst."""
    lab.start(server, ["iperf3", "-s", "-1", "-B", dst], work / "iperf3-server.log")
    wait_for(lambda: "LISTEN" in server.run("ss", "-ltn", check=False).stdout, 10, "iperf3 server")
    done = client.run(
        "iperf3",
        "-c",
        dst,
        "-B",
        src,
        "-t",
        str(seconds),
        "-J",
        check=False,
        timeout=seconds + 30,
    )
    try:
        result = json.loads(done.stdout)
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  iperf3 retransmits: {result['end']['sum_sent'].get('retransmits')}")
        return float(result["end"]["sum_received"]["bits_per_second"]) / 1e6
    except (ValueError, KeyError):
        raise RuntimeError(f"iperf3 failed: {done.stdout[-1500:]}{done.stderr[-500:]}") from None


Setup = Callable[[Lab, Path, Suite], tuple[Namespace, Namespace, list[int]]]


def setup_veth(lab: Lab, work: Path, suite: Suite) -> tuple[Namespace, Namespace, list[int]]:
    a, b, _, _ = two_hosts(lab, A, B)
    return a, b, []


def setup_pyike_pyike(
    lab: Lab, work: Path, suite: Suite, *extra: str
) -> tuple[Namespace, Namespace, list[int]]:
    a, b, dev_a, dev_b = two_hosts(lab, A, B)
    _, right = start_pyike(lab, b, work, pyike_config(B, A, suite), dev_b, "--passive", *extra)
    _, left = start_pyike(lab, a, work, pyike_config(A, B, suite), dev_a, *extra)
    return a, b, [left.pid, right.pid]


def setup_pyike_pyike_nooffload(
    lab: Lab, work: Path, suite: Suite
) -> tuple[Namespace, Namespace, list[int]]:
    return setup_pyike_pyike(lab, work, suite, "--no-tun-offload", "--no-udp-offload")


def setup_pyike_pyike_encap(
    lab: Lab, work: Path, suite: Suite
) -> tuple[Namespace, Namespace, list[int]]:
    return setup_pyike_pyike(lab, work, suite, "--force-encap")


def setup_swan_swan(lab: Lab, work: Path, suite: Suite) -> tuple[Namespace, Namespace, list[int]]:
    a, b, _, _ = two_hosts(lab, A, B)
    _, right = start_charon(lab, b, work, swanctl_config(B, A, suite))
    left_charon, left = start_charon(lab, a, work, swanctl_config(A, B, suite))
    left_charon.swan("--initiate", "--child", "net", "--timeout", "20")
    return a, b, [left.pid, right.pid]


def setup_pyike_swan(lab: Lab, work: Path, suite: Suite) -> tuple[Namespace, Namespace, list[int]]:
    a, b, dev_a, _ = two_hosts(lab, A, B)
    _, right = start_charon(lab, b, work, swanctl_config(B, A, suite))
    _, left = start_pyike(lab, a, work, pyike_config(A, B, suite), dev_a)
    return a, b, [left.pid, right.pid]


SETUPS: dict[str, Setup] = {
    "veth": setup_veth,
    "pyike-pyike": setup_pyike_pyike,
    "pyike-pyike-nooffload": setup_pyike_pyike_nooffload,
    "pyike-pyike-encap": setup_pyike_pyike_encap,
    "swan-swan": setup_swan_swan,
    "pyike-swan": setup_pyike_swan,
}


def measure(pair: str, suite: Suite, seconds: float) -> tuple[float, float]:
    """(Mbit/s, CPU seconds of both daemons per Gbit moved) for one pair and suite."""
    with lab_session() as (lab, work):
        a, b, pids = SETUPS[pair](lab, work, suite)
        if pair == "veth":
            return iperf(lab, a, b, A.address, B.address, seconds, work), 0.0
        wait_for(lambda: ping_ok(a, A.lan, B.lan), 30, f"a ping through the {pair} tunnel")
        cpu_before = sum(proc_cpu_seconds(p) for p in pids)
        mbits = iperf(lab, a, b, A.lan, B.lan, seconds, work)
        cpu = sum(proc_cpu_seconds(p) for p in pids) - cpu_before
        return mbits, cpu / (mbits * seconds / 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="iperf3 time per run (10)")
    parser.add_argument("--suites", default="aes-cbc-128/sha1,aes-gcm-128")
    parser.add_argument("--pairs", default=",".join(PAIRS))
    args = parser.parse_args(argv)
    suites = [SUITES[name] for name in args.suites.split(",")]
    pairs = [p for p in args.pairs.split(",") if p]
    if unknown := set(pairs) - set(PAIRS):
        parser.error(f"unknown pairs: {', '.join(sorted(unknown))}")
    ensure_tools("iperf3", "ping", "ss", "charon")
    print(
        f"tunnel throughput: iperf3 TCP {args.seconds:g} s, Python {platform.python_version()},"
        f" {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs,"
        f" {time.strftime('%Y-%m-%d')}\n",
        flush=True,
    )
    results: dict[tuple[str, str], tuple[float, float]] = {}
    header = f"{'pair':21} {'suite':18} {'Mbit/s':>9} {'CPU s/Gbit':>11} {'vs swan-swan':>13}"
    print(header)
    print("-" * len(header))
    for suite in suites:
        for pair in pairs:
            key = "-" if pair == "veth" else suite.name
            if pair == "veth" and ("veth", "-") in results:
                continue
            try:
                results[(pair, key)] = measure(pair, suite, args.seconds)
            except (RuntimeError, AssertionError, subprocess.SubprocessError) as exc:
                print(f"{pair:21} {key:18} failed: {exc}", flush=True)
                continue
            mbits, cpu = results[(pair, key)]
            swan = results.get(("swan-swan", suite.name))
            ratio = f"{mbits / swan[0]:12.2f}x" if swan and pair != "veth" else ""
            cpu_text = f"{cpu:11.2f}" if cpu else f"{'':11}"
            print(f"{pair:21} {key:18} {mbits:9,.0f} {cpu_text} {ratio:>13}", flush=True)
    print("\nMbit/s: iperf3 receiver; CPU s/Gbit: user+system CPU of both daemons per Gbit moved")
    print("vs swan-swan: this pair's Mbit/s / strongSwan-to-strongSwan's, same suite, same run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
