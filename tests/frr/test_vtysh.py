"""The gateway's routing show commands answered by FRR's vtysh (`pyike run --frr`), with a
stand-in vtysh on PATH that answers as FRR 8.4's does: its output kept, IOS's filters applied,
its refusals in IOS's words."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from pyike.config import load_file
from pyike.frr.vtysh import Frr
from pyike.net.shell import GatewayControl, GatewayShell
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace.ios_debug import DebugFormatter
from tests.support.paths import SEED_CONFIGS

SUMMARY = """
IPv4 Unicast Summary (VRF default):
BGP router identifier 10.0.0.1, local AS number 65000 vrf-id 0

Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd
172.16.1.2      4      65001         6         6        0    0    0 00:00:06            1
172.16.2.2      4      65002         0         0        0    0    0    never       Active
"""
FAKE_VTYSH = f"""#!{sys.executable}
import sys
args = sys.argv[1:]
with open({{log!r}}, "a") as log:
    log.write(" ".join(args) + "\\n")
command = args[args.index("-c") + 1]
if command == "show ip bgp summary":
    print({SUMMARY!r}, end="")
elif command.startswith("show ip ospf"):
    print("ospfd is not running")
    sys.exit(1)
elif command == "show ip route":
    print("Exiting: failed to connect to any daemons.", file=sys.stderr)
    sys.exit(1)
elif command == "show ip bgp neighbors":
    print("% Command incomplete: " + command)
    sys.exit(1)
else:
    print("% Unknown command: " + command)
    sys.exit(1)
"""


@pytest.fixture
def vtysh_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "calls"
    script = tmp_path / "bin" / "vtysh"
    script.parent.mkdir()
    script.write_text(FAKE_VTYSH.format(log=str(log)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def shell(frr: Frr | None) -> GatewayShell:
    config = load_file(SEED_CONFIGS / "router1.cfg").config
    crypto = cast(GatewayControl, SimpleNamespace(counters=Ikev2Counters(), clear_ipsec=None))
    return GatewayShell(crypto, lambda: config, DebugFormatter(datetime(2013, 11, 11)), frr=frr)


def test_frr_answers_with_its_own_output_through_ios_filters(vtysh_log: Path) -> None:
    gateway = shell(Frr("pyike-7-Hub"))
    assert gateway.execute("show ip bgp summary") == SUMMARY
    assert gateway.execute("sh ip bg summary | include ^172.16.2") == (
        "172.16.2.2      4      65002         0         0        0    0    0    never       Active\n"
    )
    calls = vtysh_log.read_text().splitlines()
    assert calls[0] == "--vty_socket /var/run/frr/pyike-7-Hub -c show ip bgp summary"
    assert calls[1].endswith("-c show ip bgp summary")  # the abbreviation spelled out


def test_frr_refusals_in_ios_words(vtysh_log: Path) -> None:
    gateway = shell(Frr("pyike-7-Hub"))
    prompt = "Router1#"
    assert gateway.execute("show ip bgp frob") == (
        " " * len(f"{prompt}show ip bgp ") + "^\n% Invalid input detected at '^' marker.\n"
    )
    assert gateway.execute("show ip bgp neighbors") == "% Incomplete command.\n"
    # a process the router does not run: what IOS prints then (nothing for OSPF)
    assert gateway.execute("show ip ospf neighbor") == ""
    assert gateway.execute("show ip route") == "% FRRouting is not running for this router\n"


def test_without_vtysh_the_command_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shell(Frr()).execute("show ip route") == (
        "% FRRouting's vtysh is not installed (Debian package frr)\n"
    )


def test_without_frr_the_gateway_has_no_routing_commands(vtysh_log: Path) -> None:
    assert "% Invalid input" in shell(None).execute("show ip bgp summary")
    assert not vtysh_log.exists()
