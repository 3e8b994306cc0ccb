"""`pyike lab --netns`: topologies played by real daemons in network namespaces.

The planning and ping translation run anywhere; the runs need root and iproute2, and check
that nothing (namespace, daemon) is left behind, also after a failure."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

import pytest

from pyike.netns import run as netns_run
from pyike.netns.ping import PingRequest, PingSyntaxError, ios_report, parse_ping
from pyike.netns.plan import NetnsPlanError, device_name, plan_topology
from pyike.netns.run import NetnsLab, _lan_pings, run_netns
from pyike.topology import load_topology
from tests.support.netns import PYIKE, needs_root
from tests.support.netns_lab import (
    assert_run_left_nothing,
    namespaces,
    processes_mentioning,
    run_netns_lab,
)
from tests.support.paths import EXAMPLES, SEED_CONFIGS
from tests.support.two_sites import dhcp_branch, two_ipv6_sites, two_sites

# --- planning -------------------------------------------------------------------------------


def test_seed_plan_is_one_veth_pair_with_loopbacks_and_host_routes() -> None:
    plan = plan_topology(load_topology([SEED_CONFIGS]), "t1")
    r1, _r2 = plan.routers
    assert (r1.host, r1.namespace) == ("Router1", "pyike-t1-Router1")
    assert r1.binds == (("Ethernet0/0", "Et0_0"),)
    assert r1.loopbacks == ("192.168.1.1/24",)
    assert r1.tunnels == ("Tunnel0",)
    # the default route is the namespace's; the route into Tunnel0 is the gateway's
    assert [(r.prefix, r.via) for r in r1.routes] == [("0.0.0.0/0", "10.0.0.2")]
    (link,) = plan.links
    assert link.subnet == "10.0.0.0/24" and link.switch is None
    assert [(p.namespace, p.addresses) for p in link.ports] == [
        ("pyike-t1-Router1", ("10.0.0.1/24",)),
        ("pyike-t1-Router2", ("10.0.0.2/24",)),
    ]
    assert plan.namespaces == ["pyike-t1-Router1", "pyike-t1-Router2"]


def test_more_than_two_on_a_subnet_meet_on_a_bridge() -> None:
    plan = plan_topology(load_topology([EXAMPLES / "hub-and-spokes"]), "t2")
    (link,) = plan.links
    assert link.switch == "pyike-t2-sw0"
    assert len(link.ports) == 4
    assert "pyike-t2-sw0" in plan.namespaces
    assert plan.router("Hub").tunnels == ("Tunnel1", "Tunnel2", "Tunnel3")


def test_nat_directive_becomes_a_namespace_on_both_subnets() -> None:
    plan = plan_topology(load_topology([EXAMPLES / "nat-t"]), "t3")
    (nat,) = plan.nats
    assert nat.namespace == "pyike-t3-nat-NAT" and nat.outside == "outside"
    owners = {link.subnet: sorted(p.owner for p in link.ports) for link in plan.links}
    assert owners["192.168.100.0/24"] == ["Branch GigabitEthernet0/0", "nat NAT inside"]
    assert owners["203.0.113.0/24"] == ["HQ GigabitEthernet0/0", "nat NAT outside"]
    branch = plan.router("Branch")
    assert [(r.prefix, r.via) for r in branch.routes] == [("0.0.0.0/0", "192.168.100.1")]


def test_what_the_gateway_cannot_play_is_refused(tmp_path: Path) -> None:
    for site in ("site-a.cfg", "site-b.cfg"):
        text = (EXAMPLES / "crypto-map" / site).read_text()
        # a wildcard the kernel's policy routing cannot match
        text = text.replace("permit ip 192.168.10.0 0.0.0.255", "permit ip 192.168.0.10 0.0.255.0")
        (tmp_path / site).write_text(text)
    with pytest.raises(NetnsPlanError, match=r"SiteA crypto map CMAP 10.*not contiguous"):
        plan_topology(load_topology([tmp_path]), "t4")
    plan = plan_topology(load_topology([EXAMPLES / "crypto-map"]), "t4")
    assert plan.router("SiteA").crypto_maps == ("GigabitEthernet0/0",)


def test_device_names_are_short_and_unique() -> None:
    assert device_name("GigabitEthernet0/0/1") == "Gi0_0_1"
    assert device_name("Ethernet0/0", ["Et0_0"]) == "Et0_0x1"
    assert len(device_name("GigabitEthernet0/0/0/0/0/0/0/1")) <= 15


def test_lan_pings_go_from_each_loopback_to_those_behind_tunnel_routes() -> None:
    seed = _lan_pings(plan_topology(load_topology([SEED_CONFIGS]), "t5"))
    assert [(c.host, c.command) for c in seed] == [
        ("Router1", "ping 192.168.2.1 source 192.168.1.1 repeat 3"),
        ("Router2", "ping 192.168.1.1 source 192.168.2.1 repeat 3"),
    ]
    hub = _lan_pings(plan_topology(load_topology([EXAMPLES / "hub-and-spokes"]), "t5"))
    assert len(hub) == 12  # the hub to 3 spokes, each spoke to the hub and the 2 others


# --- ping translation ---------------------------------------------------------------------


def test_ios_ping_forms_become_linux_ping() -> None:
    def address_of(name: str, version: int) -> IPv4Address | IPv6Address | None:
        return IPv4Address("192.168.1.1") if name == "Loopback0" and version == 4 else None

    request = parse_ping("ping 192.168.2.1 source Loopback0 repeat 15 size 200", address_of)
    assert request.argv() == [
        "ping", "-n", "-c", "15", "-i", "0.2", "-W", "2", "-s", "172",
        "-I", "192.168.1.1", "192.168.2.1",
    ]  # fmt: skip
    assert parse_ping("ping ip 10.0.0.2 rep 2 so 10.0.0.1", address_of).argv()[-3:] == [
        "-I",
        "10.0.0.1",
        "10.0.0.2",
    ]
    assert str(parse_ping("ping ipv6 2001:db8::1", address_of).target) == "2001:db8::1"
    for bad, why in [
        ("ping", "extended"),
        ("ping 10.0.0.2 df-bit", "not supported"),
        ("ping 10.0.0.2 repeat 0", "repeat 0"),
        ("ping 10.0.0.2 source Loopback9", "no IPv4 address"),
        ("ping 2001:db8::1 source 10.0.0.1", "not an IPv6"),
        ("ping router2", "give an address"),
    ]:
        with pytest.raises(PingSyntaxError, match=why):
            parse_ping(bad, address_of)


def test_ios_report_marks_each_echo() -> None:
    request = PingRequest(ip_address("192.168.2.1"), ip_address("192.168.1.1"), repeat=3)
    linux = (
        "64 bytes from 192.168.2.1: icmp_seq=1 ttl=64 time=0.6 ms\n"
        "64 bytes from 192.168.2.1: icmp_seq=3 ttl=64 time=2.4 ms\n"
    )
    report = ios_report(request, linux)
    assert "\n!.!\n" in report
    assert "Success rate is 66 percent (2/3), round-trip min/avg/max = 1/2/2 ms" in report
    assert "Packet sent with a source address of 192.168.1.1" in report
    assert "Success rate is 0 percent (0/3)\n" in ios_report(request, "")


def test_without_root_it_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert netns_run.run_cli(argparse.Namespace(configs=[])) == 2
    assert "need root" in capsys.readouterr().err


# --- real runs (root) ---------------------------------------------------------------------


@needs_root
def test_seed_runs_with_real_daemons_and_leaves_nothing() -> None:
    code, out, err, pid = run_netns_lab(timeout=90)
    assert code == 0, out + err
    for host, peer in (("Router1", "10.0.0.2"), ("Router2", "10.0.0.1")):
        session = out.split(f"{host}: {host}#show crypto session")[1]
        assert f"{host}: Session status: UP-ACTIVE\n{host}: Peer: {peer} port 500" in session
        assert f"{host}: {host}#show crypto ikev2 sa" in out
    assert f"pyike-{pid}-Router1 ping" in out
    assert "bytes from 192.168.2.1: icmp_seq=1" in out
    assert "bytes from 192.168.1.1: icmp_seq=3" in out
    assert "2 tunnels UP-ACTIVE on Router1, Router2; 2 checks passed" in out
    assert_run_left_nothing(str(pid), out)


@needs_root
def test_hub_and_spokes_example() -> None:
    code, out, err, pid = run_netns_lab(str(EXAMPLES / "hub-and-spokes"), timeout=150)
    assert code == 0, out + err
    # the hub's three and one per spoke
    assert "6 tunnels UP-ACTIVE on Hub, Spoke1, Spoke2, Spoke3" in out
    # spoke to spoke through the hub, with the Linux ping of Spoke1's namespace
    spoke_to_spoke = out.split("Spoke1: Spoke1#ping 10.2.0.1 source Loopback0")[1]
    assert "Spoke1: Success rate is 100 percent (5/5)" in spoke_to_spoke.split("#")[0]
    # checks the real gateway has no command for are reported, not passed
    assert "skipped Spoke2: `traceroute 10.3.0.1 source Loopback0`" in out
    # `show ip interface brief` runs on the gateway too, its check passed
    assert "skipped Hub: `show ip interface brief`" not in out
    assert "Hub: Tunnel3                    172.16.3.1      YES NVRAM  up" in out
    assert_run_left_nothing(str(pid), out)


@needs_root
@pytest.mark.parametrize(
    ("build", "summary"),
    [
        (two_sites, "2 tunnels UP-ACTIVE on Router1, Router2, ISP; 2 checks passed"),
        # its namespace forwards IPv6, as the ISP's `ipv6 unicast-routing` says
        (two_ipv6_sites, "2 tunnels UP-ACTIVE on SiteA6, SiteB6, ISP; 3 checks passed"),
        # Router1's outside address is the lease the lab gives it from the provider
        (dhcp_branch, "2 tunnels UP-ACTIVE on Router1, Router2, ISP; 2 checks passed"),
    ],
    ids=["ipv4", "ipv6", "dhcp"],
)
def test_sites_meet_through_the_provider_the_lab_adds(
    tmp_path: Path, build: Callable[[Path], Path], summary: str
) -> None:
    """The provider's router runs as a namespace of its own, forwarding between the sites."""
    code, out, err, pid = run_netns_lab(str(build(tmp_path)), timeout=120)
    assert code == 0, out + err
    assert "% pyike lab --netns: note: ISP: added by the lab as the provider" in out
    assert summary in out
    assert "ISP: ISP#show crypto session" in out
    assert_run_left_nothing(str(pid), out)


@needs_root
def test_nat_t_example_masquerades_in_a_namespace() -> None:
    code, out, err, pid = run_netns_lab(str(EXAMPLES / "nat-t"), timeout=120)
    assert code == 0, out + err
    assert "Branch:       NAT-T is detected inside" in out
    assert "Tunnel UDP-Encaps" in out
    # the example's checks include output filters (`ping ... | include Success`)
    assert "; 7 checks passed" in out
    assert_run_left_nothing(str(pid), out)


@needs_root
def test_psk_mismatch_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    mismatch = text.replace("pre-shared-key local cisco", "pre-shared-key local n0t-the-key")
    assert mismatch != text
    (tmp_path / "r1.cfg").write_text(mismatch)
    (tmp_path / "r2.cfg").write_text((SEED_CONFIGS / "router2.cfg").read_text())
    args = argparse.Namespace(configs=[str(tmp_path)], until="8s")  # `--until 8s`
    assert netns_run.run_cli(args) == 1
    captured = capsys.readouterr()
    assert "Router2 Tunnel0: DOWN, not UP-ACTIVE after 8 s" in captured.err
    assert "Auth exchange failed" in captured.err
    assert "n0t-the-key" not in captured.out + captured.err
    logs = re.search(r"logs are in (\S+)", captured.err)
    assert logs is not None and (Path(logs.group(1)) / "Router1.log").exists()
    assert f"pyike-{os.getpid()}-" not in namespaces()
    assert processes_mentioning(logs.group(1)) == []
    shutil.rmtree(logs.group(1))


@needs_root
def test_an_exception_mid_run_still_tears_everything_down(tmp_path: Path) -> None:
    started: list[NetnsLab] = []

    def fail(lab: NetnsLab) -> None:
        started.append(lab)
        raise RuntimeError("boom")

    lines: list[str] = []
    with pytest.raises(RuntimeError, match="boom"):
        run_netns(
            load_topology([SEED_CONFIGS]),
            lines.append,
            workdir=tmp_path,
            tag="boom",
            after_start=fail,
        )
    (lab,) = started
    assert len(lab.daemons) == 2
    assert all(d.process.poll() is not None for d in lab.daemons.values())
    assert "pyike-boom-" not in namespaces()
    assert processes_mentioning(str(tmp_path)) == []


@needs_root
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_mid_run_tears_down(tmp_path: Path, signum: int) -> None:
    # a PSK mismatch keeps the run waiting for tunnels that never come up
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    (tmp_path / "r1.cfg").write_text(text.replace("local cisco", "local other-key"))
    (tmp_path / "r2.cfg").write_text((SEED_CONFIGS / "router2.cfg").read_text())
    proc = subprocess.Popen(
        # a long wait, so that the signal comes during it even on a slow machine
        [*PYIKE, "lab", "--netns", "--until", "10m", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if sum("%PYIKE-5-STARTED" in s for s in seen) == 2:
            break
    assert f"pyike-{proc.pid}-Router1" in namespaces()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted; namespaces and daemons removed" in err
    assert_run_left_nothing(str(proc.pid), "".join(seen) + out)


def test_a_topology_without_tunnels_is_a_failure_before_anything_is_built(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.cfg").write_text(
        "hostname A\ninterface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    )
    result = run_netns(load_topology([tmp_path]), print, workdir=tmp_path, tag="none")
    assert result.problems == ["no router protects anything (no tunnel protection, no crypto map)"]
    assert not result.ok
