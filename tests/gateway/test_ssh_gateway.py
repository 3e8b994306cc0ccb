"""netmiko's cisco_ios driver drives `pyike run --ssh` as it drives a router: Router1 starts
without its tunnel; over SSH, show commands come back parsed by TextFSM, `send_config_set`
adds Tunnel0 (applied as a SIGHUP reload applies a file) and the tunnel comes up with the
seed's Router2, `save_config` writes the file with its mode kept, and the daemon reloads it."""

from __future__ import annotations

import signal
import stat
from pathlib import Path

from pyike.config import load_file
from tests.support.cli_device import USERS
from tests.support.daemons import pyike_exec, seed_hosts, start_pyike_run, wait_for_control
from tests.support.netns import Lab, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.ssh_server import (
    IKEV2_SA_TEMPLATE,
    TUNNEL0,
    management_link,
    netmiko_ios,
    without_tunnel0,
)
from tests.support.traffic import ping


def router1_without_tunnel(tmp_path: Path) -> Path:
    """The seed's Router1 without Tunnel0 and its route, with users; mode 0640."""
    text = without_tunnel0((SEED_CONFIGS / "router1.cfg").read_text())
    assert "Tunnel0" not in text
    path = tmp_path / "router1.cfg"
    path.write_text(text + USERS)
    path.chmod(0o640)
    return path


def test_netmiko_adds_a_tunnel_that_comes_up_and_saves_it(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, left, right = seed_hosts(netlab)
    address = management_link(r1, netlab.tag)
    config = router1_without_tunnel(tmp_path)
    r1_control, r2_control = tmp_path / "r1.sock", tmp_path / "r2.sock"
    log = tmp_path / "r1.log"
    start_pyike_run(
        netlab, r2, SEED_CONFIGS / "router2.cfg", r2_control, tmp_path / "r2.log",
        "--bind", f"Ethernet0/0={right}", "--passive",
    )  # fmt: skip
    start_pyike_run(
        netlab, r1, config, r1_control, log, "--bind", f"Ethernet0/0={left}", "--ssh", "22"
    )
    wait_for_control(r1_control, "Router1")
    wait_for_control(r2_control, "Router2")
    host_key = tmp_path / "router1.ssh_host_ed25519_key"
    wait_for(lambda: "%PYIKE-5-SSH: SSH on all addresses port 22" in log.read_text(), 15, "SSH")
    assert stat.S_IMODE(host_key.stat().st_mode) == 0o600

    conn = netmiko_ios(host=address)
    try:
        assert conn.find_prompt() == "Router1#"
        assert "READY" not in conn.send_command("show crypto ikev2 sa")  # no tunnel yet
        out = conn.send_config_set(TUNNEL0)
        assert "Invalid" not in out and "not applied" not in out, out
        wait_for(
            lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
            30,
            "a ping through the Tunnel0 netmiko configured",
        )
        (sa,) = conn.send_command(
            "show crypto ikev2 sa", use_textfsm=True, textfsm_template=str(IKEV2_SA_TEMPLATE)
        )
        assert (sa["local"], sa["remote"], sa["status"]) == (
            "10.0.0.1/500",
            "10.0.0.2/500",
            "READY",
        )
        assert (sa["encryption"], sa["keysize"], sa["dh_group"]) == ("AES-CBC", "128", "2")
        (session,) = conn.send_command("show crypto session detail", use_textfsm=True)
        assert session["interface"] == "Tunnel0" and session["session_status"] == "UP-ACTIVE"
        assert session["peer"] == "10.0.0.2" and session["profile"] == "IKEV2-SETUP"
        running = conn.send_command("show running-config | section Tunnel0")
        assert "tunnel protection ipsec profile phse2-prof" in running
        assert "pre-shared-key local 6 *****" in conn.send_command("show running-config")

        saved = conn.save_config()
        assert "Building configuration...\n[OK]" in saved
    finally:
        conn.disconnect()

    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    reread = load_file(config)
    assert reread.ok, [d.format() for d in reread.errors]
    assert reread.config.interfaces["Tunnel0"].tunnel_protection == "phse2-prof"
    assert "pre-shared-key local cisco" in config.read_text()
    assert reread.config.login.users["admin"].privilege == 15

    # the saved file is the daemon's configuration: a SIGHUP reload of it changes nothing
    netlab.processes[-1].send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in log.read_text(), 15, "the reload")
    text = log.read_text()
    assert "not reloaded" not in text and "renegotiating" not in text.split("reloaded")[-2]
    assert "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (100." in text
    assert "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]" in text
    assert "Adm1n" not in text and "Traceback" not in text
    assert ping(r1, "192.168.1.1", "192.168.2.1", 3).returncode == 0
    assert "READY" in pyike_exec(r1_control, "show crypto ikev2 sa")
