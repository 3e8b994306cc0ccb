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
    parser.add_argument(
        "configs",
        nargs="*",
        metavar="CONFIG",
        help="router configurations (or .lab files, or directories of both) to run instead "
        "of the seed's two routers",
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="an IOS exec prompt per router while the virtual clock runs in real time",
    )
    parser.add_argument(
        "--speed",
        default="1x",
        metavar="Nx",
        help="with --interactive: how much faster than real time the clock runs (e.g. 10x)",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        help="run a named what-if on the seed's routers (see --list-scenarios): their debug "
        "output, what IOS shows, and pyike explain's verdict on it",
    )
    parser.add_argument(
        "--list-scenarios", action="store_true", help="list the named what-ifs and exit"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="with --scenario: print only the verdict"
    )
    parser.add_argument(
        "--netns",
        action="store_true",
        help="run the routers as real `pyike run` daemons, each in a network namespace, "
        "joined by veth pairs; ping through real TUN devices, then tear down (root)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.netns:
        from pyike.net.netns_lab import run_cli as run_netns

        return run_netns(args)
    if args.scenario or args.list_scenarios:
        from pyike.lab.scenarios import run_cli as run_scenario

        return run_scenario(args)
    if args.interactive:
        from pyike.lab.interactive import run_cli as run_interactive

        return run_interactive(args)
    if args.configs:
        from pyike.lab.topology import run_cli as run_topology

        return run_topology(args)
    result = run_seed(policy_for_config, print, seed=args.seed)
    if result.ok:
        print("\n% pyike lab: the seed scenario ran as the seed document shows it.")
        return 0
    for problem in result.problems:
        print(f"% pyike lab: {problem}", file=sys.stderr)
    return 1
