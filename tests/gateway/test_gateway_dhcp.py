"""`ip address dhcp` on the tunnel source of `pyike run`: the address is the one the host
gave the bound device (here set by the test, as a DHCP client would), the tunnel comes up
on it, and `show ip interface brief` says where it came from."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.daemons import pyike_exec, seed_hosts, start_pyike_run
from tests.support.netns import Lab, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.traffic import ping


def _dhcp_router1(tmp_path: Path) -> Path:
    """The seed's Router1 with `ip address dhcp` on its tunnel source, Ethernet0/0."""
    seed = (SEED_CONFIGS / "router1.cfg").read_text()
    assert " ip address 10.0.0.1 255.255.255.0\n" in seed
    config = tmp_path / "router1-dhcp.cfg"
    config.write_text(seed.replace(" ip address 10.0.0.1 255.255.255.0\n", " ip address dhcp\n"))
    config.chmod(0o600)
    return config


def _shows_lease(control: Path, address: str) -> None:
    """`show ip interface brief` shows Ethernet0/0 with `address`, from DHCP."""
    brief = pyike_exec(control, "show ip interface brief")
    assert any(
        line.split()[:4] == ["Ethernet0/0", address, "YES", "DHCP"] for line in brief.splitlines()
    ), brief


def test_a_dhcp_tunnel_source_takes_the_bound_device_s_address(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, left, right = seed_hosts(netlab)
    config = _dhcp_router1(tmp_path)
    for ns, name, cfg, device in (
        (r1, "r1", config, left),
        (r2, "r2", SEED_CONFIGS / "router2.cfg", right),
    ):
        start_pyike_run(
            netlab,
            ns,
            cfg,
            tmp_path / f"{name}.sock",
            tmp_path / f"{name}.log",
            "--bind",
            f"Ethernet0/0={device}",
        )
    wait_for(
        lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
        20,
        "a ping through Tunnel0, sourced from the leased address",
    )
    log = (tmp_path / "r1.log").read_text()
    assert (
        "%DHCP-6-ADDRESS_ASSIGN: Interface Ethernet0/0 assigned DHCP address 10.0.0.1,"
        " mask 255.255.255.0, hostname Router1"
    ) in log
    assert "IKE on 10.0.0.1 port 500/4500" in log
    _shows_lease(tmp_path / "r1.sock", "10.0.0.1")
    running = pyike_exec(tmp_path / "r1.sock", "show running-config interface Ethernet0/0")
    assert running.endswith("!\ninterface Ethernet0/0\n ip address dhcp\nend\n\n"), running

    # a new lease: the host's client moves the device to another address; the gateway
    # follows it (sockets, policy) without a reload, and says so as IOS does, at once: the
    # kernel tells it (its own look at the leases is a minute apart)
    r1.ip("addr", "del", "10.0.0.1/24", "dev", left)
    r1.ip("addr", "add", "10.0.0.11/24", "dev", left)
    wait_for(
        lambda: (
            "assigned DHCP address 10.0.0.11, mask 255.255.255.0"
            in (tmp_path / "r1.log").read_text()
        ),
        5,
        "the new lease in the log",
    )
    _shows_lease(tmp_path / "r1.sock", "10.0.0.11")
    # no IKE SA on the old address is READY any more: it is deleted
    ike = pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa")
    old = [line for line in ike.splitlines() if " 10.0.0.1/500 " in line]
    assert all(not line.rstrip().endswith("READY") for line in old), ike


def test_unbound_it_has_no_address_and_the_daemon_says_so(netlab: Lab, tmp_path: Path) -> None:
    ns = netlab.namespace("r1")
    control = tmp_path / "r1.sock"
    start_pyike_run(netlab, ns, _dhcp_router1(tmp_path), control, tmp_path / "r1.log")
    log_file = tmp_path / "r1.log"
    wait_for(lambda: "%PYIKE-5-STARTED" in log_file.read_text(), 15, "pyike run to start")
    log = log_file.read_text()
    assert (
        "%PYIKE-4-NO_ADDRESS: Ethernet0/0 has 'ip address dhcp' and no host device: bind it"
        " (--bind Ethernet0/0=DEVICE)"
    ) in log
    assert ("%PYIKE-4-NO_ADDRESS: Router1: no interface has an address to negotiate IKE on") in log
    assert "Traceback" not in log


_WATCH = """
import select, subprocess
from pyike.net.dhcp_lease import AddressWatch

def ip(*args):
    subprocess.run(["ip", *args], check=True)

watch = AddressWatch()
ip("-6", "addr", "add", "2001:db8::7/64", "dev", "lo")  # not IPv4: not heard
quiet = select.select([watch], [], [], 0.5)[0]
ip("addr", "add", "192.0.2.7/24", "dev", "lo")
heard = select.select([watch], [], [], 5)[0]
watch.drain()
drained = select.select([watch], [], [], 0.5)[0]
ip("addr", "del", "192.0.2.7/24", "dev", "lo")
gone = select.select([watch], [], [], 5)[0]
print(bool(quiet), bool(heard), bool(drained), bool(gone))
"""


def test_the_kernel_says_when_an_ipv4_address_comes_or_goes(netlab: Lab) -> None:
    """AddressWatch, in a namespace of the test's: readable when an IPv4 address is added or
    deleted, not for an IPv6 one, and quiet again once drained."""
    ns = netlab.namespace("watch")
    out = ns.run(sys.executable, "-c", _WATCH).stdout
    assert out.split() == ["False", "True", "False", "True"]
