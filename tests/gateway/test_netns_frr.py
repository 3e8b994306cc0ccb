"""`pyike lab --netns` with routing protocols: FRRouting runs each router's `router bgp|ospf|
eigrp` in its namespace over pyike's tunnels, the LANs are learned by the protocol alone (the
examples have no static route), the routing show commands answer from FRR, and a run leaves
no FRR daemon, pathspace or namespace behind, also after a failure. Root and FRR needed."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from pyike.frr import daemons as frr_daemons
from pyike.frr.daemons import FRR_DAEMON_DIR
from pyike.frr.vtysh import FRR_STATE_DIR, show
from pyike.netns import run as netns_run
from pyike.netns.plan import NetnsPlanError, plan_topology
from pyike.netns.run import NetnsLab, run_netns
from pyike.topology import load_topology
from tests.support.netns import NO_NETNS, NO_NETNS_REASON, PYIKE
from tests.support.netns_lab import (
    assert_run_left_nothing,
    namespaces,
    processes_mentioning,
    run_netns_lab,
)
from tests.support.paths import EXAMPLES

needs_frr = pytest.mark.skipif(
    NO_NETNS or not (FRR_DAEMON_DIR / "zebra").is_file(),
    reason=f"{NO_NETNS_REASON}, and FRRouting (Debian package frr)",
)


def assert_no_frr_left(tag: str) -> None:
    assert processes_mentioning(f"pyike-{tag}-") == []  # FRR's daemons run with -N pyike-TAG-HOST
    assert not list(FRR_STATE_DIR.glob(f"pyike-{tag}-*"))
    assert f"pyike-{tag}-" not in namespaces()


def answer(out: str, host: str, command: str) -> list[str]:
    """What `host` printed for `command`, without its prefix."""
    text = out.split(f"{host}: {host}#{command}\n")[1]
    lines = []
    for line in text.splitlines():
        if not line.startswith(f"{host}: ") or line.startswith(f"{host}: {host}#"):
            break
        lines.append(line.removeprefix(f"{host}: "))
    return lines


def run_example(name: str, timeout: float) -> str:
    topology = load_topology([EXAMPLES / name])
    assert all(not config.routes for config in topology.configs)  # the LANs must be learned
    code, out, err, pid = run_netns_lab(str(EXAMPLES / name), timeout=timeout)
    assert code == 0, out + err
    assert "note:" not in out  # FRR took every line of the translation
    assert_run_left_nothing(str(pid), out)
    assert_no_frr_left(str(pid))
    return out


@needs_frr
def test_bgp_example_learns_the_lans_through_bgp() -> None:
    out = run_example("vti-bgp", timeout=90)
    assert "Hub: FRR zebra, bgpd started for router bgp 65000" in out
    assert (
        "Success rate is 100 percent (5/5)"
        in answer(out, "Branch1", "ping 10.2.0.1 source Loopback0")[-1]
    )
    summary = answer(out, "Hub", "show ip bgp summary")
    assert "BGP router identifier 10.0.0.1, local AS number 65000 vrf-id 0" in summary
    assert [line.split()[:3] for line in summary if line.startswith("172.16.")] == [
        ["172.16.1.2", "4", "65001"],
        ["172.16.2.2", "4", "65002"],
    ]
    routes = answer(out, "Branch1", "show ip route")
    assert any(r.startswith("B>* 10.2.0.0/24 [20/0] via 172.16.1.1, tun-Tunnel0") for r in routes)
    assert "; 6 checks passed" in out


@needs_frr
def test_ospf_example_learns_the_lans_through_ospf_over_the_tunnels() -> None:
    out = run_example("vti-ospf", timeout=120)
    assert (
        "Success rate is 100 percent (5/5)"
        in answer(out, "Branch2", "ping 10.1.0.1 source Loopback0")[-1]
    )
    neighbors = answer(out, "Hub", "show ip ospf neighbor")
    # multicast hellos crossed the tunnels: full adjacencies, point-to-point
    assert [n.split()[:3] for n in neighbors if n.startswith("10.")] == [
        ["10.1.0.1", "1", "Full/-"],
        ["10.2.0.1", "1", "Full/-"],
    ]
    routes = answer(out, "Branch1", "show ip route")
    assert any(r.startswith("O>* 10.2.0.1/32 [110/20] via 172.16.1.1, tun-Tunnel0") for r in routes)


@needs_frr
def test_eigrp_example_then_a_failure_still_removes_frr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, str] = {}

    def fail_after_the_checks(routing: bool) -> Sequence[str]:
        lab = labs[0]
        hub = lab.daemons["Hub"].control
        exec_cli = [*PYIKE, "exec", "--control", str(hub), "show ip eigrp neighbors"]
        seen["pyike exec"] = subprocess.run(exec_cli, capture_output=True, text=True).stdout
        seen["Branch2"] = show(lab.plan.router("Branch2").pathspace, "show running-config")
        raise RuntimeError("boom")

    labs: list[NetnsLab] = []
    monkeypatch.setattr(netns_run, "_closing_commands", fail_after_the_checks)
    lines: list[str] = []
    with pytest.raises(RuntimeError, match="boom"):
        run_netns(
            load_topology([EXAMPLES / "vti-eigrp"]),
            lines.append,
            workdir=tmp_path,
            tag="frrboom",
            after_start=labs.append,
        )
    printed = "\n".join(lines)
    assert "Branch2: FRR zebra, eigrpd started for router eigrp BRANCH" in printed
    assert "Branch1: Success rate is 100 percent (5/5)" in printed
    assert "172.16.2.2        tun-Tunnel2" in seen["pyike exec"]  # FRR's answer, via the gateway
    # named mode as classic, its passive interface typed once eigrpd ran
    assert "router eigrp 100\n passive-interface lo\n network 10.2.0.0/24\n" in seen["Branch2"]
    assert all(d.process.poll() is not None for d in labs[0].daemons.values())
    assert all(p.poll() is not None for f in labs[0].frrs.values() for p in f.processes.values())
    assert_no_frr_left("frrboom")
    assert processes_mentioning(str(tmp_path)) == []


def test_a_lab_without_routing_starts_no_frr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_topology(load_topology([EXAMPLES / "hub-and-spokes"]), "nofrr")
    assert all(router.frr is None for router in plan.routers)

    def no_frr(*args: object) -> None:
        raise AssertionError("FRR started for a lab without routing")

    monkeypatch.setattr(netns_run, "FrrInstance", no_frr)
    lab = NetnsLab(plan, tmp_path, print)
    lab.start_routing()
    assert lab.frrs == {}
    result = netns_run.NetnsRun()
    netns_run._wait_routing(lab, 30.0, result)  # returns at once
    assert (result.problems, result.notes) == ([], [])
    assert netns_run._closing_commands(False) == ("show crypto session", "show crypto ikev2 sa")


def test_without_frr_installed_a_routing_lab_is_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frr_daemons, "FRR_DAEMON_DIR", tmp_path / "no-frr")
    with pytest.raises(NetnsPlanError) as refused:
        run_netns(load_topology([EXAMPLES / "vti-bgp"]), print, workdir=tmp_path, tag="nofrr")
    message = str(refused.value)
    assert message.startswith("% Branch1 runs router bgp 65001 in FRRouting, which is not")
    assert "no-frr/zebra" in message and "Debian package frr" in message
    assert "pyike-nofrr-" not in namespaces()
