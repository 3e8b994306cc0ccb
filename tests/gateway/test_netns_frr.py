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
from pyike.frr.vtysh import show
from pyike.netns import run as netns_run
from pyike.netns.plan import NetnsPlanError, plan_topology
from pyike.netns.run import NetnsLab, run_netns
from pyike.topology import load_topology
from tests.support.netns import PYIKE
from tests.support.netns_lab import (
    answer,
    assert_no_frr_left,
    assert_run_left_nothing,
    namespaces,
    needs_frr,
    processes_mentioning,
    run_netns_lab,
)
from tests.support.paths import EXAMPLES


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
    # named mode as classic, its passive interface (Loopback0's own device) typed once eigrpd ran
    assert "router eigrp 100\n passive-interface Lo0\n network 10.2.0.0/24\n" in seen["Branch2"]
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
