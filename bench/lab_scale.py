"""How the lab's cost grows with the network: a hub with N static-VTI spokes.

    .venv/bin/python bench/lab_scale.py [--spokes 100,1000,10000] [--profile N] [--write N DIR]

Each spoke has one IKEv2 tunnel to the hub (AES-CBC-256, SHA-256, DH group 14, PSK; ESP
AES-GCM-256), all on one WAN subnet. A run builds the lab from the configurations (already
parsed: parsing is measured by the config benchmarks), brings every tunnel up and runs 30
virtual seconds, as `pyike lab DIR` does; then the hub pings one spoke's LAN through its
tunnel. Printed per size: wall and CPU seconds for the run (CPU: the process's own, so that
other jobs on a shared machine do not count), CPU milliseconds per tunnel, peak memory (the
peak resident set of a process that runs only that size), and the crypto floor: the CPU
seconds of the same number of IKE SAs' cryptography alone (two group-14 key pairs and shared
secrets, SKEYSEED and the SK_* keys on each side, each AUTH computed and verified, the Child
SA's keys), with pyike's own primitives, measured in this process, and the run's ratio to it.
Last, how far the time per tunnel strays from its mean over the sizes run. `--profile N`
prints the cProfile top functions of an N-spoke run instead; `--write N DIR` writes the
N-spoke configurations to DIR, for `pyike lab DIR`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.config import load
from pyike.config.model import Config
from pyike.crypto.auth import psk_auth, verify_psk_auth
from pyike.crypto.dh import new_key_exchange
from pyike.crypto.keys import IkeSuite, derive_child_keys, derive_ike_keys
from pyike.lab.lab import Lab

RUN_SECONDS = 30.0
SUITE = IkeSuite(
    EncrId.AES_CBC, 256, PrfId.HMAC_SHA2_256, IntegId.HMAC_SHA2_256_128, DhId.MODP_2048
)
_PROFILE = """crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KEYS
 peer ANY
  address 0.0.0.0 0.0.0.0
  pre-shared-key scale-key
crypto ikev2 profile PROF
 match identity remote address 0.0.0.0
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
crypto ipsec transform-set TS esp-gcm 256
crypto ipsec profile VTI
 set transform-set TS
 set ikev2-profile PROF
"""


def _wan(n: int) -> str:
    """Spoke n's WAN address on 100.64.0.0/16 (n from 1; the hub is .0.1)."""
    return f"100.64.{(n + 1) // 256}.{(n + 1) % 256}"


def _tunnel_net(n: int) -> tuple[str, str]:
    """Tunnel n's /30: (hub side, spoke side) inside 172.16.0.0/12."""
    base = 4 * n
    prefix = f"172.{16 + base // 65536}.{base // 256 % 256}"
    return f"{prefix}.{base % 256 + 1}", f"{prefix}.{base % 256 + 2}"


def config_texts(spokes: int) -> list[str]:
    """The hub's configuration, then each spoke's."""
    hub = ["hostname Hub", _PROFILE.rstrip("\n")]
    hub += ["interface GigabitEthernet0/0", " ip address 100.64.0.1 255.255.0.0"]
    hub += ["interface Loopback0", " ip address 10.0.0.1 255.255.255.255"]
    texts = []
    for n in range(1, spokes + 1):
        hub_side, spoke_side = _tunnel_net(n)
        hub += [
            f"interface Tunnel{n}",
            f" ip address {hub_side} 255.255.255.252",
            " tunnel source GigabitEthernet0/0",
            " tunnel mode ipsec ipv4",
            f" tunnel destination {_wan(n)}",
            " tunnel protection ipsec profile VTI",
            f"ip route 10.{n // 256 + 1}.{n % 256}.0 255.255.255.0 Tunnel{n}",
        ]
        texts.append(
            "\n".join(
                [
                    f"hostname Spoke{n}",
                    _PROFILE.rstrip("\n"),
                    "interface GigabitEthernet0/0",
                    f" ip address {_wan(n)} 255.255.0.0",
                    f"interface Loopback0\n ip address 10.{n // 256 + 1}.{n % 256}.1 255.255.255.0",
                    "interface Tunnel0",
                    f" ip address {spoke_side} 255.255.255.252",
                    " tunnel source GigabitEthernet0/0",
                    " tunnel mode ipsec ipv4",
                    " tunnel destination 100.64.0.1",
                    " tunnel protection ipsec profile VTI",
                    "ip route 10.0.0.1 255.255.255.255 Tunnel0",
                ]
            )
            + "\n"
        )
    return ["\n".join(hub) + "\n", *texts]


def configs(spokes: int) -> list[Config]:
    out = []
    for text in config_texts(spokes):
        result = load(text)
        result.raise_for_errors()
        out.append(result.config)
    return out


def run(spokes: int, parsed: list[Config]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, tunnels UP on the hub, peak bytes) of one run."""
    start, cpu_start = time.perf_counter(), time.process_time()
    lab = Lab(parsed, policy_for_config, seed=0)
    lab.bring_up_tunnels()
    lab.run_for(RUN_SECONDS)
    text = lab.exec("Hub", f"ping 10.{spokes // 256 + 1}.{spokes % 256}.1 source Loopback0")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if "Success rate is 100 percent" not in text:
        sys.exit(f"the ping through Tunnel{spokes} failed:\n{text}")
    hub = lab.router("Hub").crypto
    up = sum(1 for t in hub.sad.tunnels.values() if t.current is not None)
    return wall, cpu, up, peak


def crypto_floor(tunnels: int) -> float:
    """CPU seconds of `tunnels` IKE SAs' cryptography alone, both peers' share, with pyike's
    own primitives (what the engine calls): two group-14 key pairs and shared secrets,
    SKEYSEED and the SK_* keys on each side, each side's AUTH computed and verified, the
    Child SA's keys on each side."""
    start = time.process_time()
    for _ in range(tunnels):
        ni, nr, spi_i, spi_r = os.urandom(32), os.urandom(32), os.urandom(8), os.urandom(8)
        initiator = new_key_exchange(DhId.MODP_2048, os.urandom)
        responder = new_key_exchange(DhId.MODP_2048, os.urandom)
        for mine, theirs in ((initiator, responder), (responder, initiator)):
            shared = mine.shared_secret(theirs.public_key())
            _seed, keys = derive_ike_keys(SUITE, shared, ni, nr, spi_i, spi_r)
            for octets in (ni, nr):  # our AUTH, and the check of the peer's
                auth = psk_auth(SUITE.prf, b"scale-key", octets + keys.sk_pi)
                assert verify_psk_auth(SUITE.prf, b"scale-key", octets + keys.sk_pi, auth)
            derive_child_keys(
                SUITE.prf, keys.sk_d, ni, nr, None, EncrId.AES_GCM_16, 256, IntegId.NONE
            )
    return time.process_time() - start


def write(spokes: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for text in config_texts(spokes):
        hostname = text.split("\n", 1)[0].removeprefix("hostname ")
        (directory / f"{hostname}.cfg").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spokes", default="100,1000,10000")
    parser.add_argument("--profile", type=int, metavar="N")
    parser.add_argument("--write", nargs=2, metavar=("N", "DIR"))
    parser.add_argument("--one", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write(int(args.write[0]), Path(args.write[1]))
        return
    if args.one:  # one size in a process of its own, so that its peak memory is its own
        wall, cpu, up, peak = run(args.one, configs(args.one))
        print(wall, cpu, up, peak)
        return
    if args.profile:
        parsed = configs(args.profile)
        profiler = cProfile.Profile()
        profiler.runcall(run, args.profile, parsed)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        return
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# {python}, {os.cpu_count()} CPUs")
    columns = ("spokes", "wall s", "CPU s", "ms/tunnel", "peak MB", "floor s", "x floor")
    print(" ".join(f"{c:>9}" for c in columns))
    per_tunnel = []
    for spokes in [int(x) for x in args.spokes.split(",")]:
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(spokes)], capture_output=True, text=True
        )
        if child.returncode != 0:
            sys.exit(child.stderr or child.stdout)
        wall_text, cpu_text, up_text, peak_text = child.stdout.split()
        wall, cpu, up, peak = float(wall_text), float(cpu_text), int(up_text), int(peak_text)
        if up != spokes:
            sys.exit(f"only {up} of {spokes} tunnels came up")
        floor = crypto_floor(spokes)
        per_tunnel.append(1000 * cpu / spokes)
        figures = (wall, cpu, per_tunnel[-1], peak / 2**20, floor, cpu / floor)
        print(f"{spokes:>9} " + " ".join(f"{x:>9.2f}" for x in figures))
    mean = sum(per_tunnel) / len(per_tunnel)
    spread = max(abs(x - mean) for x in per_tunnel) / mean
    print(f"CPU ms per tunnel: mean {mean:.2f}, every size within {100 * spread:.0f}% of it")


if __name__ == "__main__":
    main()
