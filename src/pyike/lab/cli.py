"""`pyike lab`: simulated IOS routers on a virtual clock."""

from __future__ import annotations

import argparse
import sys

from pyike.ike.config_policy import policy_for_config
from pyike.lab.seed import run_seed


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="run simulated IOS routers (with no arguments: the seed document's two routers)",
        description=(
            "Run simulated Cisco IOS routers in one process on a virtual clock. With no "
            "arguments, replay the seed document: Router1 and Router2 bring up Tunnel0 with "
            "IKEv2 and a pre-shared key, with `debug crypto ikev2` output, show commands, "
            "pings through the tunnel and the IKE SA rekey forced by the 120 s lifetime."
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help="randomness seed (SPIs, nonces, keys)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = run_seed(policy_for_config, print, seed=args.seed)
    if result.ok:
        print("\n% pyike lab: the seed scenario ran as the seed document shows it.")
        return 0
    for problem in result.problems:
        print(f"% pyike lab: {problem}", file=sys.stderr)
    return 1
