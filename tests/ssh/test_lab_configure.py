"""`configure terminal` on a running lab router over SSH (netmiko's cisco_ios driver): the
seed's routers with Router1's Tunnel0 left out at start; adding it by `send_config_set`
brings the tunnel up on the lab's clock (both ends READY, a ping through it answered),
`show running-config` shows it and `write memory` saves it in the router's own file. A change
with an error is refused with IOS's message and changes nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import BaseConnection

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load_file
from pyike.lab.lab import Lab
from pyike.lab.ssh_access import SEED_NOT_SAVED, LabRouterDevice
from pyike.topology.seed import seed_configs
from tests.support.cli_device import USERS
from tests.support.lab_ssh import serving_lab
from tests.support.paths import SEED_CONFIGS
from tests.support.ssh_server import IKEV2_SA_TEMPLATE, TUNNEL0, netmiko_ios, without_tunnel0


@pytest.fixture
def lab_files(tmp_path: Path) -> dict[str, Path]:
    seed1 = (SEED_CONFIGS / "router1.cfg").read_text()
    assert "interface Tunnel0" in seed1
    files = {"Router1": tmp_path / "router1.cfg", "Router2": tmp_path / "router2.cfg"}
    files["Router1"].write_text(without_tunnel0(seed1) + USERS)
    files["Router2"].write_text((SEED_CONFIGS / "router2.cfg").read_text() + USERS)
    return files


@pytest.fixture
def ports(lab_files: dict[str, Path]) -> Iterator[dict[str, int]]:
    configs = []
    for path in lab_files.values():
        loaded = load_file(path)
        assert loaded.ok
        configs.append(loaded.config)
    with serving_lab(Lab(configs, policy_for_config), lab_files, speed=20.0) as served:
        yield served


def _ready(conn: BaseConnection) -> bool:
    sas = conn.send_command(
        "show crypto ikev2 sa", use_textfsm=True, textfsm_template=str(IKEV2_SA_TEMPLATE)
    )
    return isinstance(sas, list) and any(sa["status"] == "READY" for sa in sas)


def _session_status(conn: BaseConnection) -> str | None:
    sessions = conn.send_command("show crypto session detail", use_textfsm=True)
    if not isinstance(sessions, list) or not sessions:
        return None
    (session,) = sessions
    assert session["peer"] == "10.0.0.1"
    return str(session["session_status"])


def test_a_tunnel_added_by_configure_terminal_comes_up(
    ports: dict[str, int], lab_files: dict[str, Path]
) -> None:
    r1, r2 = netmiko_ios(ports["Router1"]), netmiko_ios(ports["Router2"])
    try:
        assert r1.find_prompt() == "Router1#"
        assert "Tunnel0" not in r1.send_command("show ip interface brief")
        assert _session_status(r2) != "UP-ACTIVE"  # Router2's Tunnel0 has no one to talk to

        out = r1.send_config_set(TUNNEL0)
        assert "% Applied to the running router: interface Tunnel0 added, static routes" in out
        assert "negotiating Tunnel0" in out
        running = r1.send_command("show running-config")
        assert (
            "interface Tunnel0\n ip address 172.16.0.101 255.255.255.0\n tunnel source" in running
        )
        assert "ip route 192.168.2.1 255.255.255.255 Tunnel0" in running

        deadline = time.monotonic() + 90
        while not (_ready(r1) and _ready(r2)):
            assert time.monotonic() < deadline, r1.send_command("show crypto ikev2 sa")
            time.sleep(0.5)
        while _session_status(r2) != "UP-ACTIVE":
            assert time.monotonic() < deadline, r2.send_command("show crypto session detail")
            time.sleep(0.5)
        ping = r1.send_command("ping 192.168.2.1 source Loopback0", read_timeout=60)
        assert "Success rate is 100 percent (5/5)" in ping
        assert "#pkts encaps: 5" in r1.send_command("show crypto ipsec sa")

        assert "[OK]" in r1.save_config()
    finally:
        r1.disconnect()
        r2.disconnect()
    saved = load_file(lab_files["Router1"])
    assert saved.ok and "Tunnel0" in saved.config.interfaces
    assert any(str(r.prefix) == "192.168.2.1/32" for r in saved.config.routes)


def test_a_change_with_an_error_is_refused_and_changes_nothing(ports: dict[str, int]) -> None:
    r1 = netmiko_ios(ports["Router1"])
    try:
        before = r1.send_command("show running-config")
        wrong = [line.replace("phse2-prof", "NO-SUCH-PROF") for line in TUNNEL0]
        out = r1.send_config_set(wrong)
        assert "% interface Tunnel0: IPsec profile NO-SUCH-PROF does not exist" in out
        assert "% Configuration not applied: the running configuration is unchanged" in out
        assert "Applied to the running router" not in out
        assert r1.send_command("show running-config") == before
        assert "Tunnel0" not in r1.send_command("show ip interface brief")

        out = r1.send_config_set(
            ["ip route 10.99.0.0 255.255.0.0 10.0.0.2", "ip rooute 10.98.0.0 255.255.0.0 10.0.0.2"]
        )
        assert "% Invalid input detected at '^' marker." in out  # that line only, as IOS
        assert "% Applied to the running router: static routes" in out
        routes = r1.send_command("show ip route")
        assert "10.99.0.0/16 [1/0] via 10.0.0.2" in routes and "10.98.0.0" not in routes
    finally:
        r1.disconnect()


def test_the_seeds_own_files_are_never_written() -> None:
    lab = Lab(seed_configs(), policy_for_config)
    lab_router = lab.router("Router1")
    device = LabRouterDevice(lab, lab_router, None)
    with pytest.raises(OSError, match=re.escape(SEED_NOT_SAVED)):
        device.save(lab_router.router.config)
