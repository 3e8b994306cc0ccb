"""`pyike run` as a FlexVPN hub with a dynamic VTI (`virtual-template 1` in the IKEv2
profile, `interface Virtual-Template1 type tunnel`) for strongSwan's charon as a
site-to-site peer: charon's traffic selectors are its LAN and the hub's; the hub clones
Virtual-Access1 when the Child SA comes up (TUN device va1, the Loopback's address through
`ip unnumbered`), routes charon's LAN into it, passes traffic both ways, and removes device
and routes when charon deletes the SA; a reload (SIGHUP) keeps the clone."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.support.interop import Interop, check_traffic, pyike_log, topology
from tests.support.netns import Lab, wait_for
from tests.support.strongswan import SEED_SUITE, Suite, ikev2_section, swanctl_config
from tests.support.traffic import ping

pytestmark = pytest.mark.interop


def hub_config(suite: Suite) -> str:
    """pyike: a hub whose profile clones Virtual-Template1 for charon (no tunnel, no route
    toward charon configured)."""
    profile = ikev2_section(suite, profile_extra=" virtual-template 1\n")
    return f"""hostname PyIke
interface Loopback0
 ip address 192.168.1.1 255.255.255.0
!
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
!
{profile}crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile PROF
!
interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 ip mtu 1380
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile PROT
!
"""


def _has_device(t: Interop, name: str) -> bool:
    return f": {name}:" in t.py.ip("-o", "link", "show")


def _hub(netlab: Lab, tmp_path: Path) -> Interop:
    return topology(
        netlab,
        tmp_path,
        SEED_SUITE,
        "--passive",
        pyike_cfg=hub_config(SEED_SUITE),
        swanctl_conf=swanctl_config(SEED_SUITE),
    )


def test_site_to_site_peer_gets_a_virtual_access(netlab: Lab, tmp_path: Path) -> None:
    t = _hub(netlab, tmp_path)
    assert not _has_device(t, "va1")
    t.charon.swan("--initiate", "--child", "net", "--timeout", "30")
    wait_for(lambda: _has_device(t, "va1"), 30, "TUN device va1")
    check_traffic(t)
    device = t.py.ip("-d", "link", "show", "va1")
    assert "mtu 1380" in device and ",UP," in device
    assert "192.168.1.1/32" in t.py.ip("addr", "show", "va1")  # ip unnumbered Loopback0
    assert "192.168.2.0/24 dev va1" in t.py.ip("route", "show")  # charon's selector
    brief = t.exec("show ip interface brief")
    assert any(
        line.split()[:2] == ["Virtual-Access1", "192.168.1.1"] and line.split()[-2:] == ["up", "up"]
        for line in brief.splitlines()
    ), brief
    shown = t.exec("show interfaces virtual-access 1")
    assert shown.startswith("Virtual-Access1 is up, line protocol is up")
    assert "Tunnel source 10.0.0.1, destination 10.0.0.2" in shown
    derived = t.exec("show derived-config interface virtual-access 1")
    assert "interface Virtual-Access1" in derived and " ip unnumbered Loopback0" in derived
    assert " tunnel destination 10.0.0.2" in derived
    assert "Interface: Virtual-Access1" in t.exec("show crypto session")

    # a reload keeps the clone and its SAs
    reloads = pyike_log(tmp_path).count("%PYIKE-5-RELOAD")
    t.pyike.send_signal(signal.SIGHUP)
    wait_for(lambda: pyike_log(tmp_path).count("%PYIKE-5-RELOAD") > reloads, 30, "the reload")
    assert _has_device(t, "va1")
    assert " 0% packet loss" in ping(t.ss, "192.168.2.1", "192.168.1.1", 2).stdout

    t.charon.swan("--terminate", "--ike", "pyike", "--timeout", "30")
    wait_for(lambda: not _has_device(t, "va1"), 30, "va1 removed")
    assert "192.168.2.0/24" not in t.py.ip("route", "show")
    assert "Virtual-Access1" not in t.exec("show ip interface brief")
