"""Time to delete every child SA of a hub from pyike's SA database, by number of tunnels.

    .venv/bin/python bench/sad_teardown.py [--tunnels 1000,4000,16000] [--repeat 3]

A `SecurityAssociationDatabase` gets one child SA (AES-CBC-128/HMAC-SHA1-96) in each of N
tunnels (Virtual-Access1 ... N, as a hub's clones), then each is deleted as the engine
reports it (`ChildSaDeleted`), the way `clear crypto session` or a hub's restart ends them.
Printed: the best of --repeat runs, in ms for all N and in µs per SA; flat µs per SA is cost
linear in the number of SAs. Not a test: it asserts only that every tunnel went down.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import time

from benchlab import ROOT  # noqa: F401  (importing it puts the clone on sys.path)

from pyike.ike.events import ChildSaDeleted, ChildSaInfo, ChildSaInstalled, Endpoint
from pyike.ipsec.sad import SecurityAssociationDatabase
from tests.support.gateway_inputs import child_sa_info


def _child(n: int) -> ChildSaInfo:
    """Tunnel n's SA: one of a hub's clones, its spoke at 10.1.x.y."""
    return child_sa_info(
        ike_sa_id=n,
        spi_in=n.to_bytes(4, "big"),
        spi_out=(n + 0x4000_0000).to_bytes(4, "big"),
        remote=Endpoint(ipaddress.ip_address(0x0A01_0000 + n), 4500),
        tunnel=f"Virtual-Access{n}",
        initiator=False,
    )


def teardown_seconds(tunnels: int) -> float:
    sad = SecurityAssociationDatabase(os.urandom)
    infos = [_child(n) for n in range(1, tunnels + 1)]
    for info in infos:
        sad.apply(ChildSaInstalled(0.0, info), 0.0)
    start = time.process_time()
    down = 0
    for info in infos:
        change = sad.apply(ChildSaDeleted(1.0, info.ike_sa_id, info.spi_in, info.spi_out, ""), 1.0)
        down += len(change.down)
    elapsed = time.process_time() - start
    if down != tunnels:
        raise SystemExit(f"{tunnels - down} of {tunnels} tunnels did not go down")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tunnels", default="1000,4000,16000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'tunnels':>8} {'delete all, ms':>15} {'us per SA':>10}")
    for tunnels in (int(t) for t in args.tunnels.split(",")):
        best = min(teardown_seconds(tunnels) for _ in range(args.repeat))
        print(f"{tunnels:8d} {best * 1000:15.1f} {best * 1e6 / tunnels:10.1f}")


if __name__ == "__main__":
    main()
