"""The shipped packaging/systemd/pyike@.service under a real systemd (the host's, booted as
PID 1 of namespaces of its own: tests/support/systemd_container.py), installed by
scripts/install-gateway as on a production host, with pyike in /opt/pyike as the README says
(wherever this checkout and its venv lie, a home directory included): `systemctl start` returns once the daemon
says READY=1; it runs as pyike with CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE inside
the unit's sandbox and opens its TUN devices; `systemctl reload` is RELOADING=1 then READY=1
with a new tunnel; the watchdog keeps a live daemon and restarts a stuck one; `systemctl
stop` is STOPPING=1 and a clean exit that leaves no device behind. systemd logs every
notification it receives at debug level, which is what the journal is read for."""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_device import USERS
from tests.support.daemons import LOOPBACK_RESPONDER, TUNNEL_TO_NOBODY
from tests.support.netns import wait_for
from tests.support.paths import ROOT, SEED_CONFIGS
from tests.support.privilege import (
    CAP_NET_ADMIN,
    CAP_NET_BIND_SERVICE,
    CAP_NET_RAW,
    capabilities,
    status_field,
)
from tests.support.systemd_container import SystemdContainer, systemd_container, unavailable

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))

OPT = Path("/opt/pyike")  # where the README installs pyike for the service
PYIKE = OPT / "bin" / "pyike"
DEPENDENCIES = OPT / "dependencies"  # this checkout's venv's packages, bound read-only
PYTHON = Path(f"/usr/bin/python3.{sys.version_info.minor}")  # Debian's, outside any home
HOME_DIRECTORIES = ("/root/", "/home/", "/run/user/")  # what ProtectHome=yes hides
TUNNEL1 = TUNNEL_TO_NOBODY + "ip route 192.168.3.0 255.255.255.0 Tunnel1\n"


def in_home(path: str) -> bool:
    return os.path.realpath(path).startswith(HOME_DIRECTORIES)


def visible() -> dict[str, Path]:
    """Host directories the container sees read-only, whatever it hides (its /tmp is fresh; its
    overlay of / shows no other mount): the venv's packages at /opt/pyike/dependencies; this
    checkout and its venv at their own paths, and the venv's Python when it lies in a home
    directory (for the refusal), each unless inside another."""
    paths = {ROOT, Path(sys.prefix)}
    if in_home(sys.executable):
        paths.add(Path(sys.base_prefix).resolve())
    outer = [p for p in paths if not any(o != p and o in p.parents for o in paths)]
    binds = {str(path): path for path in outer}
    return binds | {str(DEPENDENCIES): Path(sysconfig.get_path("purelib"))}


@pytest.fixture(scope="module")
def box() -> Iterator[SystemdContainer]:
    """A systemd with pyike@.service installed by scripts/install-gateway."""
    with systemd_container(visible()) as container:
        container.run("systemd-analyze", "set-log-level", "debug")
        install(container)
        yield container


def install(box: SystemdContainer) -> None:
    """scripts/install-gateway refuses a pyike whose Python lies in a home directory, then
    installs the unit for the pyike in /opt/pyike."""
    script = str(ROOT / "scripts" / "install-gateway")
    for launcher in home_pythons(box):
        refused = box.run("env", f"PYIKE={launcher}", script, check=False)
        assert refused.returncode == 1, refused.stdout
        hidden = re.match(r"(\S+) runs from (\S+), which the unit's ProtectHome", refused.stderr)
        assert hidden is not None, refused.stderr
        assert hidden[1] == launcher
        assert hidden[2].startswith(HOME_DIRECTORIES)
    install_in_opt(box)
    installed = box.run("env", f"PYIKE={PYIKE}", script)
    assert f"installed /etc/systemd/system/pyike@.service (ExecStart {PYIKE})" in installed.stdout


def home_pythons(box: SystemdContainer) -> list[str]:
    """pyike launchers whose Python lies in a home directory: one made in /home (a venv whose
    python is a copy), and this checkout's when its Python is there too (a pyenv in /root)."""
    venv = "/home/pyike-test/venv"
    box.run(str(PYTHON), "-m", "venv", "--copies", "--without-pip", venv)
    box.write(f"{venv}/bin/pyike", f"#!{venv}/bin/python\n", "0755", "root:root")
    launchers = [f"{venv}/bin/pyike"]
    if in_home(sys.executable):
        launchers.append(str(Path(sys.executable).with_name("pyike")))
    return launchers


def install_in_opt(box: SystemdContainer) -> None:
    """pyike installed as the README says, without the network: a venv of Debian's Python in
    /opt/pyike, this checkout's dependencies on its path, then `pip install` of a copy of the
    checkout's source (pip builds in the tree it is given)."""
    assert PYTHON.exists(), f"no {PYTHON}: scripts/install-system-deps installs it"
    box.run(str(PYTHON), "-m", "venv", "--without-pip", str(OPT))
    site_packages = OPT / "lib" / PYTHON.name / "site-packages"
    box.write(f"{site_packages}/dependencies.pth", f"{DEPENDENCIES}\n", "0644", "root:root")
    source = ("pyproject.toml", "README.md", "src")
    copy = box.run("mktemp", "-d").stdout.strip()
    box.run("cp", "-r", *(str(ROOT / name) for name in source), copy)
    pip = (f"{OPT}/bin/python", "-m", "pip", "install", "--quiet", "--no-index", "--no-deps")
    # --ignore-installed: the editable pyike among the checkout's packages stays where it is
    box.run(*pip, "--no-build-isolation", "--ignore-installed", "--root-user-action=ignore", copy)


def notification(unit: str, pid: str, fields: str) -> str:
    """systemd's debug line for a notification datagram from `pid`."""
    return f"{unit}.service: Got notification message from PID {pid} ({fields})"


def wait_for_line(box: SystemdContainer, unit: str, line: str) -> list[str]:
    """The unit's journal once it has `line`."""
    wait_for(lambda: line in box.journal(unit), 30, line)
    return box.journal(unit)


def service_status(box: SystemdContainer, pid: str) -> str:
    return box.run("cat", f"/proc/{pid}/status").stdout


def service_mounts(box: SystemdContainer, pid: str) -> dict[str, tuple[str, set[str]]]:
    """The service's view: mount point -> (source path, mount options), the topmost of each."""
    mounts = {}
    for line in box.run("cat", f"/proc/{pid}/mountinfo").stdout.splitlines():
        fields = line.split()
        mounts[fields[4]] = (fields[3], set(fields[5].split(",")))
    return mounts


def tun_devices(box: SystemdContainer) -> list[str]:
    links = box.run("ip", "-brief", "link").stdout.splitlines()
    return sorted(line.split()[0] for line in links if line.startswith("tun-"))


def test_start_reload_and_stop(box: SystemdContainer) -> None:
    box.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
    box.run("ip", "link", "set", "eth1", "up")
    box.run("ip", "link", "set", "eth0", "up")
    box.run("ip", "address", "add", "10.0.0.1/24", "dev", "eth0")  # Router1's Ethernet0/0
    config = (SEED_CONFIGS / "router1.cfg").read_text()
    box.write("/etc/pyike/r1.cfg", config, "0600", "pyike:pyike")
    try:
        box.systemctl("start", "pyike@r1")  # Type=notify: returns once READY=1 came
        props = ("ActiveState", "SubState", "StatusText", "NotifyAccess", "WatchdogUSec")
        unit = box.show("pyike@r1", *props, "MainPID", "NRestarts")
        pid = unit.pop("MainPID")
        assert unit == {
            "ActiveState": "active",
            "SubState": "running",
            "StatusText": "1 tunnel(s), 0 IKE SA(s) up",
            "NotifyAccess": "main",
            "WatchdogUSec": "30s",
            "NRestarts": "0",
        }
        wait_for_line(
            box, "pyike@r1", notification("pyike@r1", pid, "READY=1, STATUS=" + unit["StatusText"])
        )
        assert tun_devices(box) == ["tun-Tunnel0"]

        # the user and capabilities the unit gives, trimmed by the daemon; the sandbox
        status = service_status(box, pid)
        exe = box.run("readlink", f"/proc/{pid}/exe").stdout.strip()
        assert exe == str(PYTHON.resolve())  # /opt/pyike's, not this checkout's
        uid, gid = box.run("id", "-u", "pyike").stdout.strip(), box.run("id", "-g", "pyike")
        assert status_field(status, "Uid") == [uid] * 4
        assert status_field(status, "Gid") == [gid.stdout.strip()] * 4
        kept = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE}
        for field in ("CapEff", "CapPrm", "CapBnd"):
            assert capabilities(status, field) == kept, field
        assert capabilities(status, "CapAmb") == set()
        assert status_field(status, "NoNewPrivs") == ["1"]
        assert status_field(status, "Seccomp") == ["2"]  # SystemCallFilter: a filter in place
        mounts = service_mounts(box, pid)
        assert "ro" in mounts["/"][1]  # ProtectSystem=strict
        assert "rw" in mounts["/etc/pyike"][1]  # ReadWritePaths, for write memory
        assert "rw" in mounts["/run/pyike"][1]  # RuntimeDirectory, the control socket
        assert "systemd-private-" in mounts["/tmp"][0]  # PrivateTmp
        assert mounts["/root"][0].endswith("/inaccessible/dir")  # ProtectHome
        control = (str(PYIKE), "exec", "--control", "/run/pyike/r1.sock")
        interfaces = box.run(*control, "show ip interface brief").stdout.splitlines()
        assert ["Tunnel0", "172.16.0.101"] in [line.split()[:2] for line in interfaces]

        # systemctl reload: SIGHUP; systemd waits for READY=1 after the daemon's RELOADING=1
        box.write("/etc/pyike/r1.cfg", config + TUNNEL1, "0600", "pyike:pyike")
        box.systemctl("reload", "pyike@r1")
        ready = notification("pyike@r1", pid, "READY=1, STATUS=2 tunnel(s), 0 IKE SA(s) up")
        journal = wait_for_line(box, "pyike@r1", ready)
        reload_request = notification("pyike@r1", pid, "RELOADING=1, MONOTONIC_USEC=")[:-1]
        reloading = next(i for i, line in enumerate(journal) if line.startswith(reload_request))
        assert reloading < journal.index(ready)
        assert journal.index(ready) < journal.index("pyike@r1.service: Changed reload -> running")
        assert box.show("pyike@r1", "StatusText", "MainPID") == {
            "StatusText": "2 tunnel(s), 0 IKE SA(s) up",
            "MainPID": pid,
        }
        assert tun_devices(box) == ["tun-Tunnel0", "tun-Tunnel1"]
        assert "192.168.3.0/24 dev tun-Tunnel1" in box.run("ip", "route").stdout

        # systemctl stop: SIGTERM, STOPPING=1, a clean exit without devices left behind
        box.systemctl("stop", "pyike@r1")
        stopping = "STOPPING=1, STATUS=Stopping: deleting SAs, removing devices and routes"
        wait_for_line(box, "pyike@r1", notification("pyike@r1", pid, stopping))
        assert box.show("pyike@r1", "ActiveState", "Result", "ExecMainStatus") == {
            "ActiveState": "inactive",
            "Result": "success",
            "ExecMainStatus": "0",
        }
        assert tun_devices(box) == []
        assert box.run("ls", "/run/pyike").stdout == ""
    finally:
        box.systemctl("stop", "pyike@r1", check=False)
        box.run("ip", "link", "delete", "eth0", check=False)


def test_watchdog_keeps_a_live_daemon_and_restarts_a_stuck_one(box: SystemdContainer) -> None:
    box.write("/etc/pyike/lo.cfg", LOOPBACK_RESPONDER, "0600", "pyike:pyike")
    box.run("mkdir", "-p", "/etc/systemd/system/pyike@lo.service.d")
    dropin = "[Service]\nWatchdogSec=6s\n"  # the shipped 30 s, shortened for this instance
    box.write("/etc/systemd/system/pyike@lo.service.d/watchdog.conf", dropin, "0644", "root:root")
    box.systemctl("daemon-reload")
    try:
        box.systemctl("start", "pyike@lo")
        unit = box.show("pyike@lo", "MainPID", "WatchdogUSec")
        pid = unit["MainPID"]
        assert unit["WatchdogUSec"] == "6s"

        # a ping every 3 s: the third comes 9 s after the start, past the 6 s limit
        ping = notification("pyike@lo", pid, "WATCHDOG=1, STATUS=0 tunnel(s), 0 IKE SA(s) up")
        wait_for(lambda: box.journal("pyike@lo").count(ping) >= 3, 30, "three watchdog pings")
        assert box.show("pyike@lo", "MainPID", "NRestarts", "ActiveState") == {
            "MainPID": pid,
            "NRestarts": "0",
            "ActiveState": "active",
        }

        # an event loop that stops (SIGSTOP) misses its pings: killed and restarted
        box.run("kill", "-STOP", pid)
        restarted = {"NRestarts": "1", "ActiveState": "active"}
        wait_for(
            lambda: box.show("pyike@lo", "NRestarts", "ActiveState") == restarted,
            30,
            "the restart after the watchdog timeout",
        )
        journal = box.journal("pyike@lo")
        assert "pyike@lo.service: Watchdog timeout (limit 6s)!" in journal
        assert "pyike@lo.service: Failed with result 'watchdog'." in journal
        assert box.show("pyike@lo", "MainPID")["MainPID"] != pid
    finally:
        box.systemctl("stop", "pyike@lo", check=False)


# netmiko and urllib inside the container, where the daemon listens on its loopback
SESSION = """
import sys, urllib.request
sys.path.insert(0, sys.argv[1])
from tests.support.ssh_server import netmiko_ios
print(urllib.request.urlopen("http://127.0.0.1:9478/metrics", timeout=30).read().decode())
conn = netmiko_ios()
print(conn.find_prompt())
conn.send_config_set(["crypto ikev2 keyring KR2", " peer branch", "  address 10.9.9.9"])
print(conn.save_config())
conn.disconnect()
"""


def listening(journal: list[str]) -> bool:
    return all(any(tag in line for line in journal) for tag in ("-5-SSH: ", "-5-METRICS: "))


def test_ssh_write_memory_and_metrics_in_the_sandbox(box: SystemdContainer) -> None:
    """--ssh and --metrics added with a drop-in (`systemctl edit`): `write memory` saves the
    configuration where ProtectSystem=strict leaves /etc/pyike writable, the SSH host key is
    made there for pyike alone, and the metrics are served."""
    box.write("/etc/pyike/ops.cfg", LOOPBACK_RESPONDER + USERS, "0600", "pyike:pyike")
    box.run("mkdir", "-p", "/etc/systemd/system/pyike@ops.service.d")
    unit = "/etc/systemd/system/pyike@.service"
    start = box.run("sed", "-n", "s/^ExecStart=//p", unit).stdout.strip()
    dropin = (
        f"[Service]\nExecStart=\nExecStart={start} --ssh 127.0.0.1:22 --metrics 127.0.0.1:9478\n"
    )
    box.write("/etc/systemd/system/pyike@ops.service.d/ops.conf", dropin, "0644", "root:root")
    box.systemctl("daemon-reload")
    try:
        box.systemctl("start", "pyike@ops")
        wait_for(lambda: listening(box.journal("pyike@ops")), 30, "SSH and the metrics")
        python = str(OPT / "bin" / "python")
        session = box.run(python, "-c", SESSION, str(ROOT), timeout=90)
        assert 'pyike_ike_sas{state="READY"} 0.0' in session.stdout
        assert "\nLo#\n" in session.stdout
        assert "Building configuration...\n[OK]" in session.stdout
        saved = box.run("cat", "/etc/pyike/ops.cfg").stdout
        assert "crypto ikev2 keyring KR2\n peer branch\n  address 10.9.9.9" in saved
        files = box.run(
            "stat", "-c", "%n %a %U", "/etc/pyike/ops.cfg", "/etc/pyike/ops.ssh_host_ed25519_key"
        )
        assert files.stdout.splitlines() == [
            "/etc/pyike/ops.cfg 600 pyike",
            "/etc/pyike/ops.ssh_host_ed25519_key 600 pyike",
        ]
    finally:
        box.systemctl("stop", "pyike@ops", check=False)
