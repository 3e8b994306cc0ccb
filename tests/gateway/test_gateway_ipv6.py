"""IPv6 peers in `pyike run`: IKEv2 over IPv6 on UDP 500/4500, ESP on a raw IPv6 socket (or
in UDP 4500), an IPv6 VTI (`tunnel mode ipsec ipv6`) as a TUN device with its IPv6 routes,
and the tunnels mixing the families refused at start-up with the reason."""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path

import pytest

from pyike.config import load, load_file
from pyike.net.binding import BindingError, KernelRoute, bind_interfaces
from pyike.netns.plan import NetnsPlanError, plan_topology
from pyike.topology import load_topology
from tests.support.daemons import packets, pyike_exec, start_pyike_run, terminate_cleanly
from tests.support.gateway_inputs import host_interface
from tests.support.netns import Lab, Namespace, needs_root, wait_for
from tests.support.netns_lab import assert_run_left_nothing, run_netns_lab
from tests.support.paths import EXAMPLES
from tests.support.traffic import ping6

EXAMPLE = EXAMPLES / "ipv6"
SITE_A = EXAMPLE / "site-a.cfg"
SITE_B = EXAMPLE / "site-b.cfg"


# --- binding (no root) ------------------------------------------------------------------------


def test_ipv6_interfaces_bind_and_the_vti_carries_ipv6() -> None:
    config = load_file(SITE_A).config
    hosts = [
        host_interface("lo", 1, "::1/128", "2001:db8:a::1/64"),
        host_interface("eth1", 2, "2001:db8:0:12::1/64"),
    ]
    binding = bind_interfaces(config, hosts)
    assert binding.host_name("GigabitEthernet0/0") == "eth1"
    assert binding.host_name("Loopback0") == "lo"
    (tunnel,) = binding.tunnels
    assert tunnel.device == "tun-Tunnel0" and tunnel.version == 6
    assert tunnel.addresses == (ipaddress.IPv6Interface("2001:db8:ffff::1/64"),)
    assert tunnel.mtu >= 1280  # IPv6 stays on only with at least its minimum MTU
    assert binding.routes == (KernelRoute(ipaddress.IPv6Network("2001:db8:b::/64"), "tun-Tunnel0"),)


def _mixed(old: str, new: str) -> str:
    text = SITE_A.read_text()
    assert old in text
    return text.replace(old, new)


MIXED = [
    # an IPv4 address on an IPv6 VTI: IPv4 over IPv6 has no tunnel mode in the config
    (
        _mixed(" ipv6 address 2001:db8:ffff::1/64\n", " ip address 10.9.9.1 255.255.255.0\n"),
        "carries IPv6 only",
    ),
    # an IPv6 VTI's address on an IPv4 one (IPv6 over IPv4)
    (_mixed(" tunnel mode ipsec ipv6\n", " tunnel mode ipsec ipv4\n"), "carries IPv4 only"),
    # an IPv4 route into the IPv6 tunnel
    (
        _mixed("ipv6 route 2001:db8:b::/64 Tunnel0", "ip route 10.2.0.0 255.255.0.0 Tunnel0"),
        "cannot take the route to 10.2.0.0/16",
    ),
]


@pytest.mark.parametrize(("text", "reason"), MIXED)
def test_tunnels_mixing_the_families_are_refused(text: str, reason: str) -> None:
    config = load(text).config
    hosts = [host_interface("eth1", 2, "2001:db8:0:12::1/64")]
    with pytest.raises(BindingError, match=reason):
        bind_interfaces(config, hosts)


def test_netns_plan_takes_the_ipv6_example_and_refuses_mixed_tunnels(tmp_path: Path) -> None:
    plan = plan_topology(load_topology([EXAMPLE]), "t6")
    assert plan.router("SiteA6").tunnels == ("Tunnel0",)
    assert plan.router("SiteA6").loopbacks == ("2001:db8:a::1/64",)
    (link,) = plan.links
    assert link.subnet == "2001:db8:0:12::/64"
    (mixed, _reason) = MIXED[0]
    (tmp_path / "site-a.cfg").write_text(mixed)
    (tmp_path / "site-b.cfg").write_text(SITE_B.read_text())
    with pytest.raises(NetnsPlanError, match=r"SiteA6 Tunnel0 .* carries IPv6 only"):
        plan_topology(load_topology([tmp_path]), "t6")


# --- two daemons in namespaces (root) ---------------------------------------------------------


def ipv6_pair(
    netlab: Lab, tmp_path: Path, *extra: str, a_config: Path = SITE_A
) -> tuple[Namespace, Namespace, list[subprocess.Popen[bytes]]]:
    """SiteA6 and SiteB6 on a veth pair with the example's IPv6 addresses (no duplicate
    address detection, so they are usable at once), each daemon binding by address."""
    a, b = netlab.namespace("v6a"), netlab.namespace("v6b")
    netlab.veth(a, "2001:db8:0:12::1/64", b, "2001:db8:0:12::2/64", "6", nodad=True)
    a.ip("addr", "add", "2001:db8:a::1/64", "dev", "lo")
    b.ip("addr", "add", "2001:db8:b::1/64", "dev", "lo")
    procs = [
        start_pyike_run(
            netlab, ns, config, tmp_path / f"{name}.sock", tmp_path / f"{name}.log", *extra
        )
        for ns, name, config in ((a, "a", a_config), (b, "b", SITE_B))
    ]
    return a, b, procs


def decaps(control: Path) -> int:
    return packets(pyike_exec(control, "show crypto ipsec sa"), "decaps")


def test_ipv6_vti_between_namespaces(netlab: Lab, tmp_path: Path) -> None:
    a, b, procs = ipv6_pair(netlab, tmp_path, "--keylog", str(tmp_path / "keys"))
    wait_for(
        lambda: ping6(a, "2001:db8:a::1", "2001:db8:b::1", 1).startswith("PING"),
        20,
        "a ping -6 through Tunnel0",
    )
    assert " 0% packet loss" in ping6(a, "2001:db8:a::1", "2001:db8:b::1", 5)
    assert " 0% packet loss" in ping6(b, "2001:db8:b::1", "2001:db8:a::1", 5)

    ike = pyike_exec(tmp_path / "a.sock", "show crypto ikev2 sa")
    v6_part = ike.split("IPv6 Crypto IKEv2  SA")[1]
    assert "READY" in v6_part and "2001:DB8:0:12::2/500" in v6_part
    assert "READY" not in ike.split("IPv6 Crypto IKEv2  SA")[0]
    ipsec = pyike_exec(tmp_path / "b.sock", "show crypto ipsec sa")
    assert "UDP-Encaps" not in ipsec  # ESP in IP protocol 50, on the raw IPv6 socket
    assert decaps(tmp_path / "b.sock") >= 10  # B's echo requests and A's replies
    assert "2001:db8:b::/64 dev tun-Tunnel0 proto 80" in a.ip("-6", "route")
    assert "inet6 2001:db8:ffff::1/64" in a.ip("-6", "addr", "show", "dev", "tun-Tunnel0")
    assert "fe80" not in a.ip("-6", "addr", "show", "dev", "tun-Tunnel0")
    assert '"IPv6","2001:db8:0:12::1","2001:db8:0:12::2"' in (tmp_path / "keys").read_text()

    terminate_cleanly(procs)
    for ns in (a, b):
        assert "tun-" not in ns.ip("link")
        assert "proto 80" not in ns.ip("-6", "route")
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "Traceback" not in logs and "INTERNAL" not in logs


def test_ipv6_traffic_brings_the_tunnel_up_with_esp_in_udp(netlab: Lab, tmp_path: Path) -> None:
    a, b, _procs = ipv6_pair(netlab, tmp_path, "--passive", "--force-encap")
    # --passive: nothing is negotiated until a packet is routed into the tunnel
    for control in (tmp_path / "a.sock", tmp_path / "b.sock"):
        wait_for(control.exists, 10, f"{control.name} to listen")
    assert "READY" not in pyike_exec(tmp_path / "a.sock", "show crypto ikev2 sa")
    wait_for(
        lambda: ping6(a, "2001:db8:a::1", "2001:db8:b::1", 1).startswith("PING"),
        20,
        "the first ping -6 to bring the tunnel up",
    )
    assert " 0% packet loss" in ping6(b, "2001:db8:b::1", "2001:db8:a::1", 3)
    ike = pyike_exec(tmp_path / "b.sock", "show crypto ikev2 sa")
    assert "2001:DB8:0:12::1/4500" in ike and "2001:DB8:0:12::2/4500" in ike
    ipsec = pyike_exec(tmp_path / "b.sock", "show crypto ipsec sa")
    assert "UDP-Encaps" in ipsec
    assert decaps(tmp_path / "b.sock") >= 3


def test_a_mixed_tunnel_stops_the_start_with_the_reason(netlab: Lab, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.cfg"
    mixed.write_text(MIXED[1][0])
    a, _b, procs = ipv6_pair(netlab, tmp_path, a_config=mixed)
    assert procs[0].wait(15) == 1
    log = (tmp_path / "a.log").read_text()
    assert "% pyike run: Tunnel0 (tunnel mode ipsec ipv4) carries IPv4 only" in log
    assert "Traceback" not in log
    assert "tun-" not in a.ip("link")


@needs_root
def test_ipv6_example_runs_with_real_daemons() -> None:
    code, out, err, pid = run_netns_lab(str(EXAMPLE), timeout=120)
    assert code == 0, out + err
    assert "2 tunnels UP-ACTIVE on SiteA6, SiteB6; 4 checks passed" in out
    assert "SiteB6: Success rate is 100 percent (5/5)" in out
    assert "SiteA6:  IPv6 Crypto IKEv2  SA" in out
    assert_run_left_nothing(str(pid), out)
