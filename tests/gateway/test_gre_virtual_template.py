"""A GRE virtual template on `pyike run` (issue 16): the hub's `interface Virtual-Template1
type tunnel` with `tunnel mode gre ip` is cloned per IKE SA as Virtual-Access1 (TUN device
va1) carrying GRE over IPsec, transport or tunnel mode as the transform sets say, toward a
second `pyike run` (a spoke with a static GRE tunnel, tests/support/gre_pair.py's Router1).
The spoke's LAN reaches the hub by its `route set` (configuration exchange); pings cross both
ways, and the clone and its device go with the SA."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support.daemons import packets, pyike_exec, start_pyike_run, terminate_cleanly
from tests.support.gre_pair import TRANSPORT_SET, TUNNEL_SET, gre_config
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.traffic import ping

SPOKE_AAA = """aaa new-model
aaa authorization network FLEX local
crypto ikev2 authorization policy LAN
 route set access-list LAN
ip access-list standard LAN
 permit 192.168.1.0 0.0.0.255
"""


def hub_config(transform: str) -> str:
    return f"""hostname Hub
aaa new-model
aaa authorization network FLEX local
crypto ikev2 authorization policy SPOKES
 route set interface
crypto ikev2 proposal PHASE1-prop
 encryption aes-cbc-128
 integrity sha1
 group 14
crypto ikev2 policy POL
 proposal PHASE1-prop
crypto ikev2 keyring KEYRNG
 peer spokes
  address 0.0.0.0 0.0.0.0
  pre-shared-key cisco
crypto ikev2 profile HUB
 match identity remote address 0.0.0.0
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYRNG
 aaa authorization group psk list FLEX SPOKES
 virtual-template 1
crypto ipsec transform-set TS{transform}crypto ipsec profile GRE-PROT
 set transform-set TS
 set ikev2-profile HUB
interface Loopback0
 ip address 192.168.2.1 255.255.255.0
interface Ethernet0/0
 ip address 10.0.0.2 255.255.255.0
interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 tunnel source Ethernet0/0
 tunnel mode gre ip
 tunnel key 7
 tunnel protection ipsec profile GRE-PROT
"""


def spoke_config(transform: str, tunnel_lines: str = "") -> str:
    text = gre_config("router1.cfg", transform, tunnel_lines)
    text = text.replace(" encryption 3des aes-cbc-128\n", " encryption aes-cbc-128\n")
    text = text.replace(" group 2\n", " group 14\n")
    text = text.replace(
        " keyring local KEYRNG\n",
        " keyring local KEYRNG\n aaa authorization group psk list FLEX LAN\n",
    )
    return text + SPOKE_AAA


def _start(
    netlab: Lab, ns: Namespace, work: Path, name: str, text: str, device: str
) -> subprocess.Popen[bytes]:
    config = work / f"{name}.cfg"
    config.write_text(text)
    control = work / f"{name}.sock"
    proc = start_pyike_run(
        netlab, ns, config, control, work / f"{name}.log", "--bind", f"Ethernet0/0={device}"
    )
    return proc


def _has_va1(ns: Namespace) -> bool:
    return ": va1:" in ns.ip("-o", "link", "show")


@pytest.mark.parametrize(
    ("transform", "mode"),
    [(TRANSPORT_SET, "Transport"), (TUNNEL_SET, "Tunnel")],
    ids=["transport", "tunnel"],
)
def test_a_gre_virtual_template_is_cloned_per_sa(
    netlab: Lab, tmp_path: Path, transform: str, mode: str
) -> None:
    spoke, hub = netlab.namespace("gs"), netlab.namespace("gh")
    left, right = netlab.veth(spoke, "10.0.0.1/24", hub, "10.0.0.2/24")
    spoke.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    hub.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    hub_proc = _start(netlab, hub, tmp_path, "hub", hub_config(transform), right)
    wait_for(lambda: (tmp_path / "hub.sock").exists(), 20, "the hub's control socket")
    spoke_proc = _start(netlab, spoke, tmp_path, "spoke", spoke_config(transform), left)
    wait_for(lambda: ping(spoke, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 40, "GRE ping")
    assert " 0% packet loss" in ping(spoke, "192.168.1.1", "192.168.2.1", 5).stdout
    assert " 0% packet loss" in ping(hub, "192.168.2.1", "192.168.1.1", 5).stdout
    hub_exec = tmp_path / "hub.sock"
    assert _has_va1(hub)
    brief = pyike_exec(hub_exec, "show ip interface brief")
    assert any(
        line.split()[:2] == ["Virtual-Access1", "192.168.2.1"] and line.split()[-2:] == ["up", "up"]
        for line in brief.splitlines()
    ), brief
    shown = pyike_exec(hub_exec, "show crypto ipsec sa")
    assert shown.count(f"in use settings ={{{mode}, }}") == 2, shown
    assert "(10.0.0.1/255.255.255.255/47/0)" in shown and packets(shown, "decaps") >= 10
    derived = pyike_exec(hub_exec, "show derived-config interface virtual-access 1")
    assert " tunnel mode gre ip" not in derived and " tunnel destination 10.0.0.1" in derived
    terminate_cleanly([spoke_proc])  # its delete takes the SA, and the clone with it
    wait_for(lambda: not _has_va1(hub), 20, "Virtual-Access1 to go")
    log = (tmp_path / "hub.log").read_text()
    assert "%LINK-3-UPDOWN: Interface Virtual-Access1, changed state to down" in log
    assert "NOT_NEGOTIATED" not in log
    terminate_cleanly([hub_proc])
    for name in ("hub", "spoke"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()


def test_the_clone_sends_a_spokes_keepalives_back(netlab: Lab, tmp_path: Path) -> None:
    """The spoke's GRE keepalives (`keepalive 1 2`) reach the hub inside the clone's GRE and
    go back through its SA, as IOS routes them: the spoke's line protocol stays up."""
    spoke, hub = netlab.namespace("gs"), netlab.namespace("gh")
    left, right = netlab.veth(spoke, "10.0.0.1/24", hub, "10.0.0.2/24")
    spoke.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    hub.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    procs = [_start(netlab, hub, tmp_path, "hub", hub_config(TRANSPORT_SET), right)]
    wait_for(lambda: (tmp_path / "hub.sock").exists(), 20, "the hub's control socket")
    text = spoke_config(TRANSPORT_SET, " keepalive 1 2\n")
    procs.append(_start(netlab, spoke, tmp_path, "spoke", text, left))
    wait_for(lambda: ping(spoke, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 40, "GRE ping")
    time.sleep(4)  # four probes, two unanswered would take the line down
    shown = pyike_exec(tmp_path / "spoke.sock", "show interfaces Tunnel0")
    assert shown.startswith("Tunnel0 is up, line protocol is up \n"), shown
    assert "  Keepalive set (1 sec), retries 2\n" in shown
    assert " 0% packet loss" in ping(spoke, "192.168.1.1", "192.168.2.1", 3).stdout
    log = (tmp_path / "spoke.log").read_text()
    assert "Line protocol on Interface Tunnel0, changed state to down" not in log
    terminate_cleanly(procs)
