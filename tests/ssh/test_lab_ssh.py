"""`pyike lab --interactive --ssh`: each lab router on a port of its own, reached by netmiko
as a router is: `show crypto ikev2 sa` and `show crypto session detail` parsed by TextFSM once
the seed's tunnel is up; configuration mode checks lines and applies them to the simulated
router; `write memory` saves the router's file."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from pyike.config import load_file
from tests.support.cli_device import USERS
from tests.support.paths import SEED_CONFIGS
from tests.support.ssh_server import IKEV2_SA_TEMPLATE, netmiko_ios


def _ports(output: Path, deadline: float) -> dict[str, int]:
    while time.monotonic() < deadline:
        found = re.findall(r"(Router\d) on port (\d+)", output.read_text())
        if len(found) == 2:
            return {name: int(port) for name, port in found}
        time.sleep(0.2)
    raise AssertionError(f"no SSH ports in the lab's output:\n{output.read_text()}")


def test_lab_routers_over_ssh(tmp_path: Path) -> None:
    configs = []
    for name in ("router1.cfg", "router2.cfg"):
        path = tmp_path / name
        path.write_text((SEED_CONFIGS / name).read_text() + USERS)
        configs.append(str(path))
    output = tmp_path / "lab.out"
    with output.open("wb") as out:
        lab = subprocess.Popen(
            [sys.executable, "-m", "pyike", "lab", "--interactive", "--speed", "10x",
             "--ssh", "127.0.0.1:0", *configs],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        ports = _ports(output, time.monotonic() + 30)
        conn = netmiko_ios(ports["Router2"])
        try:
            assert conn.find_prompt() == "Router2#"
            deadline = time.monotonic() + 60
            while True:
                sas = conn.send_command(
                    "show crypto ikev2 sa",
                    use_textfsm=True,
                    textfsm_template=str(IKEV2_SA_TEMPLATE),
                )
                if isinstance(sas, list) and sas and sas[0]["status"] == "READY":
                    break
                assert time.monotonic() < deadline, sas
                time.sleep(0.5)
            assert (sas[0]["local"], sas[0]["remote"]) == ("10.0.0.2/500", "10.0.0.1/500")
            (session,) = conn.send_command("show crypto session detail", use_textfsm=True)
            assert session["peer"] == "10.0.0.1" and session["session_status"] == "UP-ACTIVE"

            out = conn.send_config_set(
                ["ip route 10.99.0.0 255.255.0.0 Tunnel0", "crypto ikev2 proposl X"]
            )
            assert "% Invalid input detected at '^' marker." in out
            assert "% Applied to the running router: static routes" in out
            assert "10.99.0.0/16 is directly connected, Tunnel0" in conn.send_command(
                "show ip route"
            )
            assert "[OK]" in conn.save_config()
        finally:
            conn.disconnect()
    finally:
        lab.send_signal(signal.SIGTERM)
        assert lab.wait(15) == 0
    saved = load_file(tmp_path / "router2.cfg")
    assert saved.ok and any(str(r.prefix) == "10.99.0.0/16" for r in saved.config.routes)
    text = output.read_text()
    assert "Router2: " in text and "%SYS-5-CONFIG_I: Configured from console by admin" in text
    assert "Traceback" not in text
