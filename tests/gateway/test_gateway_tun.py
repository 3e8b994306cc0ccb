"""The TUN devices `pyike run` creates: configured as the tunnel interface says, with a
transmit queue deep enough for TCP bursts."""

from __future__ import annotations

from pathlib import Path

from pyike.net.netlink import TUN_TX_QUEUE
from tests.support.daemons import seed_pair
from tests.support.netns import Lab, wait_for
from tests.support.traffic import ping


def test_tun_device_has_mtu_address_and_deep_queue(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path, "--passive")
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    link = r1.run("ip", "link", "show", "tun-Tunnel0").stdout.split()
    assert link[link.index("mtu") + 1] == "1400"
    assert link[link.index("qlen") + 1] == str(TUN_TX_QUEUE)
    assert TUN_TX_QUEUE > 500  # deeper than the kernel's default
    assert "172.16.0.101/24" in r1.run("ip", "addr", "show", "tun-Tunnel0").stdout
