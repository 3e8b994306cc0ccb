"""Every exec command of the examples' routers and of the gateway's shell, given arguments an
engineer might mistype, answers in IOS's words: none fails inside pyike (`% pyike internal
error`, which `run_line` prints for a command's own bug so that the shell goes on)."""

from __future__ import annotations

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.topology_run import build_lab
from pyike.net.shell import GatewayShell
from pyike.net.tunnel_interfaces import register_interface_commands
from pyike.node.exec.parser import CommandNode
from pyike.seed_epoch import SEED_EPOCH
from pyike.topology import load_topology
from pyike.topology.seed import seed_configs
from pyike.trace.ios_debug import DebugFormatter
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import EXAMPLES

ODD_ARGUMENTS = ("", " x", " 1", " 0", " 10.0.0.2", " ::1", " Tunnel0", " detail", " vrf x")
ON_THE_CLOCK = ("ping", "traceroute")  # they run in virtual time: fewer arguments
CLOCK_ARGUMENTS = (" x", " 10.0.0.2 repeat 1 timeout 0", " ::1")


def commands(node: CommandNode, words: tuple[str, ...] = ()) -> list[tuple[str, bool]]:
    """(the words, whether it takes arguments) of every command under `node`."""
    found = [(" ".join(words), node.takes_args)] if node.handler is not None else []
    for word, child in node.children.items():
        found += commands(child, (*words, word))
    return found


def example_lab(name: str) -> Lab:
    lab, _ = build_lab(load_topology([EXAMPLES / name]), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(20)
    return lab


@pytest.mark.parametrize(
    "example", ["hub-and-spokes", "dmvpn-phase3", "flexvpn-hub-spokes", "crypto-map"]
)
def test_no_command_fails_inside_pyike(example: str) -> None:
    lab = example_lab(example)
    failed = []
    tried = 0
    for name, lab_router in lab.routers.items():
        for words, takes_args in commands(lab_router.shell.tree.root):
            if words.startswith("test "):
                continue  # the gateway's rekey triggers are not a lab router's
            clocked = words.startswith(ON_THE_CLOCK)
            arguments = (CLOCK_ARGUMENTS if clocked else ODD_ARGUMENTS) if takes_args else ("",)
            for argument in arguments:
                tried += 1
                out = lab.exec(name, words + argument)
                if "% pyike internal error" in out:
                    failed.append(f"{name}# {words}{argument}: {out.strip()}")
    assert tried > 500 and failed == []


def test_no_gateway_command_fails_inside_pyike() -> None:
    """The gateway's own shell (its crypto commands on a Gateway, its interface tables), on
    the seed's Router1 with the tunnel up with Router2 in memory."""
    pair = GatewayPair(*seed_configs(), names=("r1", "r2"))
    pair.a.start_tunnel("Tunnel0")
    pair.pump()
    assert pair.a.sad.tunnel("Tunnel0").live
    shell = GatewayShell(pair.a, lambda: pair.a.config, DebugFormatter(SEED_EPOCH))
    register_interface_commands(shell.tree, pair.a)
    failed = []
    every = commands(shell.tree.root)
    assert len(every) > 50
    for words, takes_args in every:
        for argument in ODD_ARGUMENTS if takes_args else ("",):
            out = shell.execute(words + argument)
            if "% pyike internal error" in out:
                failed.append(f"Router1# {words}{argument}: {out.strip()}")
    assert failed == []
