"""The lab's simulated data plane: packets per second through one tunnel, and virtual-time
speedup of the seed scenario.

    .venv/bin/python bench/lab_bench.py [--echoes 3000] [--repeat 3]

Tunnel throughput: the seed's two routers with Tunnel0's transform set changed (on both)
to each transform in turn; once the tunnel is up, Router 1 sends ICMP echoes from Loopback0
(192.168.1.1) to 192.168.2.1, one every virtual 100 microseconds, 100-byte datagrams as
`ping` sends them. Each echo and each reply is routed into Tunnel0, encrypted, carried by
the virtual wire, decrypted and routed again: a round trip is two tunnel packets, and
`tunnel pps` counts those per wall second (the best of --repeat runs). The reference line
sends the same echoes to Router 2's Ethernet address (10.0.0.2), through the same lab
with no tunnel; `x ref` is how many times slower a tunnel packet is than a plain one.
The `crypto map` line does the same between the LANs of `examples/crypto-map` (SiteA's
192.168.10.1 to SiteB's 192.168.20.1; AES-CBC-256 and SHA-256, the ACL choosing the packets).

Virtual-time speedup: `pyike lab` with no arguments (the seed scenario, output discarded):
virtual seconds of the run per wall second.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from ipaddress import IPv4Address
from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.lab.scenarios import replace_line
from pyike.lab.seed import run_seed
from pyike.node import icmp
from pyike.topology.seed import seed_texts

TRANSFORMS = (
    "esp-3des esp-sha-hmac",
    "esp-aes esp-sha-hmac",
    "esp-aes 256 esp-sha-hmac",
    "esp-gcm",
    "esp-gcm 256",
    "esp-chacha20-poly1305",
    "esp-null esp-sha-hmac",
)
SEED_TRANSFORM = "crypto ipsec transform-set TS esp-3des esp-sha-hmac"
GAP = 0.0001  # virtual seconds between echoes
IDENT = 0xBE1C
CRYPTO_MAP_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "crypto-map"
PAYLOAD = b"\xab\xcd" * 36  # 100-byte IP datagrams, as `ping` sends by default


def lab_with(transform: str) -> Lab:
    configs = []
    for text in seed_texts().values():
        text = replace_line(text, SEED_TRANSFORM, f"crypto ipsec transform-set TS {transform}")
        result = load(text)
        result.raise_for_errors()
        configs.append(result.config)
    lab = Lab(configs, policy_for_config, seed=0)
    lab.bring_up_tunnels()
    lab.run_for(3.0)
    return lab


def echo_round_trips(
    lab: Lab, source: str, target: str, echoes: int, sender_name: str = "Router1"
) -> float:
    """Wall seconds for `echoes` echo round trips; raises if any is lost."""
    router = lab.router(sender_name).router
    replies: list[int] = []

    def on_reply(packet: object, message: icmp.IcmpMessage) -> None:
        if message.type == icmp.ECHO_REPLY:
            replies.append(message.sequence)

    router.listen(("echo", IDENT), on_reply)
    src, dst = int(IPv4Address(source)), int(IPv4Address(target))

    def sender(sequence: int) -> None:
        message = icmp.echo(True, IDENT, sequence, PAYLOAD)
        router.originate(icmp.packet(src, dst, message, ident=router.next_ident()))

    for sequence in range(1, echoes + 1):
        lab.clock.call_later(sequence * GAP, partial(sender, sequence))
    started = time.perf_counter()
    lab.run_for(echoes * GAP + 1.0)
    elapsed = time.perf_counter() - started
    router.unlisten(("echo", IDENT))
    if len(replies) != echoes:
        raise SystemExit(f"{target}: {echoes - len(replies)} echoes lost")
    return elapsed


def tunnel_round_trips(transform: str, echoes: int) -> float:
    return echo_round_trips(lab_with(transform), "192.168.1.1", "192.168.2.1", echoes)


def crypto_map_round_trips(echoes: int) -> float:
    sites = [load((CRYPTO_MAP_EXAMPLE / n).read_text()) for n in ("site-a.cfg", "site-b.cfg")]
    lab = Lab([r.raise_for_errors() for r in sites], policy_for_config, seed=0)
    lab.run_for(3.0)
    lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")  # its first packet negotiates
    return echo_round_trips(lab, "192.168.10.1", "192.168.20.1", echoes, "SiteA")


def best(repeat: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--echoes", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.platform()}")
    print(f"{'path':<28} {'packets/s':>10} {'x ref':>6}")
    print("-" * 46)
    n = args.echoes
    reference = best(
        args.repeat, lambda: echo_round_trips(lab_with(TRANSFORMS[0]), "10.0.0.1", "10.0.0.2", n)
    )
    ref_pps = 2 * n / reference
    print(f"{'ref: no tunnel (10.0.0.2)':<28} {ref_pps:>10,.0f} {1.0:>6.1f}")
    for transform in TRANSFORMS:
        seconds = best(
            args.repeat,
            partial(tunnel_round_trips, transform, n),
        )
        pps = 2 * n / seconds
        print(f"{transform:<28} {pps:>10,.0f} {ref_pps / pps:>6.1f}")
    pps = 2 * n / best(args.repeat, partial(crypto_map_round_trips, n))
    print(f"{'crypto map':<28} {pps:>10,.0f} {ref_pps / pps:>6.1f}")
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = run_seed(policy_for_config, None)
        runs.append((time.perf_counter() - started, result.lab.clock.now))
    wall, virtual = min(runs)
    print(
        f"\nseed scenario: {virtual:,.0f} virtual s in {wall:.2f} wall s "
        f"= {virtual / wall:,.0f}x real time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
