"""`pyike run` as systemd runs it: readiness on $NOTIFY_SOCKET (READY=1 once set up and
unprivileged, STATUS=, RELOADING=1 and READY=1 around SIGHUP, WATCHDOG=1 at half
$WATCHDOG_USEC, STOPPING=1), read here from a datagram socket standing in for systemd's; and
the shipped unit, which `systemd-analyze verify` accepts. (test_systemd_unit.py starts the
unit under a real systemd.)"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.daemons import LOOPBACK_RESPONDER
from tests.support.netns import PYIKE
from tests.support.paths import ROOT
from tests.support.privilege import SystemUser, make_private, shared_work_dir, status_field

UNIT = ROOT / "packaging" / "systemd" / "pyike@.service"


def datagrams(sink: socket.socket, until: bytes, timeout: float = 30) -> list[bytes]:
    """What arrives on `sink` up to and including the first datagram containing `until`."""
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sink.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            data = sink.recv(4096)
        except TimeoutError:
            break
        got.append(data)
        if until in data:
            return got
    raise AssertionError(f"no {until!r} within {timeout} s; got {got}")


def test_readiness_watchdog_reload_and_stop(gateway_user: SystemUser) -> None:
    with shared_work_dir() as work:
        config = work / "lo.cfg"
        config.write_text(LOOPBACK_RESPONDER)
        make_private(config, gateway_user.gid)
        sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sink.bind(str(work / "notify"))
        (work / "notify").chmod(0o777)  # systemd's socket is writable by every service
        port = random.Random().randrange(21000, 29000)
        argv = [*PYIKE, "run", str(config), "--ike-port", str(port), "--quiet"]
        argv += ["--control", str(work / "run" / "lo.sock"), "--user", gateway_user.name]
        env = {"NOTIFY_SOCKET": str(work / "notify"), "WATCHDOG_USEC": "400000"}
        proc = subprocess.Popen(argv, env={**os.environ, **env})
        try:
            ready = datagrams(sink, b"READY=1")
            assert ready[-1] == b"READY=1\nSTATUS=0 tunnel(s), 0 IKE SA(s) up\n"
            # ready only once unprivileged
            status = Path(f"/proc/{proc.pid}/status").read_text()
            assert status_field(status, "Uid")[0] == str(gateway_user.uid)
            pings = datagrams(sink, b"WATCHDOG=1")
            pings += datagrams(sink, b"WATCHDOG=1")  # again: every 0.2 s, half of 0.4 s
            assert pings[-1] == b"WATCHDOG=1\nSTATUS=0 tunnel(s), 0 IKE SA(s) up\n"
            proc.send_signal(signal.SIGHUP)
            reload = [d for d in datagrams(sink, b"READY=1") if b"WATCHDOG" not in d]
            assert reload[0].startswith(b"RELOADING=1\nMONOTONIC_USEC=")
            assert reload[-1].startswith(b"READY=1\n")
            proc.send_signal(signal.SIGTERM)
            stopping = datagrams(sink, b"STOPPING=1")
            assert stopping[-1].startswith(b"STOPPING=1\nSTATUS=Stopping")
            assert proc.wait(15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            sink.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    pyike = shutil.which("pyike") or str(Path(PYIKE[0]).parent / "pyike")
    unit = tmp_path / "pyike@site.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/pyike", pyike))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    ours = [line for line in done.stderr.splitlines() if "pyike" in line]
    assert ours == [], done.stderr
    text = UNIT.read_text()
    for setting in (
        "Type=notify",
        "WatchdogSec=",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX",
        "SystemCallFilter=@system-service",
        "User=pyike",
        "RuntimeDirectory=pyike",
    ):
        assert f"\n{setting}" in text, setting
