"""The gateway under stress and change, pyike against pyike in namespaces: an IKE_SA_INIT
flood from a third namespace meets cookies and the half-open limit while the established
tunnel keeps passing traffic; SIGHUP renegotiates only the tunnel whose policy changed;
--syslog delivers IOS-format lines; SIGKILL leaves nothing that blocks the next start."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.support import ike_flood
from tests.support.daemons import (
    pyike_exec,
    pyike_query,
    seed_pair,
    start_loopback_responder,
    start_pyike_run,
    wait_for_control,
)
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.traffic import ping, ping_stream

FLOOD = ike_flood.__file__
COOKIE_AFTER = 4
MAX_HALF_OPEN = 10


def start_router(
    netlab: Lab, ns: Namespace, name: str, config: str, device: str, work: Path, *extra: str
) -> None:
    (work / f"{name}.cfg").write_text(config)
    control = work / f"{name}.sock"
    start_pyike_run(
        netlab,
        ns,
        work / f"{name}.cfg",
        control,
        work / f"{name}.log",
        "--bind",
        f"Ethernet0/0={device}",
        "--debug",
        *extra,
    )
    wait_for_control(control, name)


def test_flood_meets_cookies_and_half_open_limit(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, fl = netlab.namespace("r1"), netlab.namespace("r2"), netlab.namespace("fl")
    left, right = netlab.veth(r1, "10.0.0.1/24", r2, "10.0.0.2/24")
    netlab.veth(fl, "10.0.9.1/24", r2, "10.0.9.2/24", "f")
    fl.ip("route", "add", "10.0.0.0/24", "via", "10.0.9.2")
    r1.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    r2.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    guarded = (SEED_CONFIGS / "router2.cfg").read_text() + (
        f"crypto ikev2 cookie-challenge {COOKIE_AFTER}\n"
        f"crypto ikev2 limit max-in-negotiation-sa {MAX_HALF_OPEN}\n"
    )
    start_router(netlab, r2, "r2", guarded, right, tmp_path, "--passive")
    start_router(netlab, r1, "r1", (SEED_CONFIGS / "router1.cfg").read_text(), left, tmp_path)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")

    stream = ping_stream(netlab, r1, "192.168.1.1", "192.168.2.1", tmp_path / "ping.log", count=80)
    flood = fl.run(sys.executable, FLOOD, "10.0.0.2", "500", "300", "3", timeout=60)
    summary = json.loads(flood.stdout)
    transmitted, received = stream.result()

    # the first COOKIE_AFTER requests are admitted; then each must bring its cookie back,
    # and once MAX_HALF_OPEN SAs are half-open the rest are dropped unanswered
    assert summary["accepted"] == MAX_HALF_OPEN, summary
    assert summary["cookies"] == MAX_HALF_OPEN - COOKIE_AFTER, summary
    assert summary["sent"] >= 100, summary
    assert transmitted == received == 80  # the established tunnel never missed a beat
    shown = pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa")
    assert shown.count("READY") == 1
    log = (tmp_path / "r2.log").read_text()
    assert "Sending cookie challenge" in log
    assert "maximum number of in-negotiation SAs reached" in log
    assert "Traceback" not in log and "INTERNAL" not in log


HUB_SPOKES = {
    "r2": ("10.0.2.2", "10.0.2.1", "192.168.2"),
    "r3": ("10.0.3.2", "10.0.3.1", "192.168.3"),
}


def hub_config(transform: dict[str, str]) -> str:
    """The hub: a tunnel to each spoke, each with its own transform set and profile."""
    lines = ["hostname Hub", "interface Loopback0", " ip address 192.168.1.1 255.255.255.0"]
    for n, (spoke, (address, hub_address, lan)) in enumerate(HUB_SPOKES.items()):
        lines += [
            f"interface Tunnel{n}",
            f" ip address 172.16.{n}.1 255.255.255.0",
            f" tunnel source Ethernet0/{n}",
            " tunnel mode ipsec ipv4",
            f" tunnel destination {address}",
            f" tunnel protection ipsec profile PROT-{spoke}",
            f"interface Ethernet0/{n}",
            f" ip address {hub_address} 255.255.255.0",
            f"crypto ipsec transform-set TS-{spoke} {transform[spoke]}",
            f"crypto ipsec profile PROT-{spoke}",
            f" set transform-set TS-{spoke}",
            " set ikev2-profile PROF",
            f"ip route {lan}.0 255.255.255.0 Tunnel{n}",
        ]
    return "\n".join([*lines, *_COMMON]) + "\n"


_COMMON = [
    "crypto ikev2 keyring KEYS",
    " peer any",
    "  address 0.0.0.0 0.0.0.0",
    "  pre-shared-key cisco",
    "crypto ikev2 profile PROF",
    " match identity remote address 0.0.0.0",
    " authentication remote pre-share",
    " authentication local pre-share",
    " keyring local KEYS",
]


def spoke_config(name: str) -> str:
    address, hub_address, lan = HUB_SPOKES[name]
    return (
        "\n".join(
            [
                f"hostname {name}",
                "interface Loopback0",
                f" ip address {lan}.1 255.255.255.0",
                "interface Tunnel0",
                f" ip address 172.16.{name[1]}.2 255.255.255.0",
                " tunnel source Ethernet0/0",
                " tunnel mode ipsec ipv4",
                f" tunnel destination {hub_address}",
                " tunnel protection ipsec profile PROT",
                "interface Ethernet0/0",
                f" ip address {address} 255.255.255.0",
                "crypto ipsec transform-set TS esp-aes esp-sha-hmac",
                "crypto ipsec transform-set TS2 esp-aes 256 esp-sha256-hmac",
                "crypto ipsec profile PROT",
                " set transform-set TS TS2",
                " set ikev2-profile PROF",
                "ip route 192.168.1.0 255.255.255.0 Tunnel0",
                *_COMMON,
            ]
        )
        + "\n"
    )


def spi_of(control: Path, interface: str) -> str:
    shown = pyike_exec(control, "show crypto ipsec sa")
    section = shown.split(f"interface: {interface}")[1]
    return section.split("current outbound spi: ")[1].split()[0]


def test_sighup_renegotiates_only_the_changed_tunnel(netlab: Lab, tmp_path: Path) -> None:
    hub = netlab.namespace("hub")
    hub.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    devices = []
    for name, (address, hub_address, lan) in HUB_SPOKES.items():
        spoke = netlab.namespace(name)
        spoke.ip("addr", "add", f"{lan}.1/24", "dev", "lo")
        hub_dev, spoke_dev = netlab.veth(hub, f"{hub_address}/24", spoke, f"{address}/24", name)
        devices.append(hub_dev)
        start_router(netlab, spoke, name, spoke_config(name), spoke_dev, tmp_path, "--passive")
    transform = {"r2": "esp-aes esp-sha-hmac", "r3": "esp-aes esp-sha-hmac"}
    (tmp_path / "hub.cfg").write_text(hub_config(transform))
    start_pyike_run(
        netlab,
        hub,
        tmp_path / "hub.cfg",
        tmp_path / "hub.sock",
        tmp_path / "hub.log",
        "--bind",
        f"Ethernet0/0={devices[0]}",
        "--bind",
        f"Ethernet0/1={devices[1]}",
    )
    for lan in ("192.168.2.1", "192.168.3.1"):
        wait_for(lambda: ping(hub, "192.168.1.1", lan, 1).returncode == 0, 20, f"ping {lan}")  # noqa: B023
    control = tmp_path / "hub.sock"
    kept, changed = spi_of(control, "Tunnel1"), spi_of(control, "Tunnel0")

    (tmp_path / "hub.cfg").write_text(
        hub_config({**transform, "r2": "esp-aes 256 esp-sha256-hmac"})
    )
    proc = netlab.processes[-1]
    proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "%PYIKE-5-RELOAD" in (tmp_path / "hub.log").read_text(), 10, "the reload")
    wait_for(lambda: ping(hub, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "Tunnel0")
    shown = pyike_exec(control, "show crypto ipsec sa")
    tunnel0 = shown.split("interface: Tunnel0")[1].split("interface: Tunnel1")[0]
    assert "esp-256-aes" in tunnel0 or "256" in tunnel0
    assert spi_of(control, "Tunnel0") != changed
    assert spi_of(control, "Tunnel1") == kept  # untouched: same SAs
    assert " 0% packet loss" in ping(hub, "192.168.1.1", "192.168.3.1", 3).stdout
    log = (tmp_path / "hub.log").read_text()
    assert "configuration reloaded; renegotiating Tunnel0" in log
    # the control socket's reload (systemd's ExecReload) answers once it is done
    assert pyike_query(control, "reload") == {
        "status": "2 tunnel(s), 2 IKE SA(s) up",
        "reloaded": True,
        "refused": None,
    }
    (tmp_path / "hub.cfg").write_text("interface Tunnel0\n tunnel mode gre bogus\n")
    refused = pyike_query(control, "reload")
    assert refused["reloaded"] is False and "bogus" in refused["refused"]
    assert spi_of(control, "Tunnel1") == kept  # a refused reload changes nothing
    assert proc.poll() is None


def test_syslog_gets_ios_lines(tmp_path: Path) -> None:
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(str(tmp_path / "log"))
    sink.settimeout(10)
    proc, _port = start_loopback_responder(
        tmp_path,
        "--syslog",
        str(tmp_path / "log"),
        "--quiet",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        data = sink.recv(4096).decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        sink.close()
    assert data.startswith(f"<29>pyike[{proc.pid}]: ")  # daemon.notice
    assert "%PYIKE-5-STARTED: Lo: IKE on 127.0.0.1" in data
    assert proc.returncode == 0


def test_sigkill_leaves_nothing_that_blocks_a_restart(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, procs = seed_pair(netlab, tmp_path)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    procs[0].kill()
    procs[0].wait(10)
    assert (tmp_path / "r1.sock").exists()  # the socket file outlives the process
    # the TUN device went with the process (the kernel unregisters it once its fd closes)
    wait_for(lambda: "tun-Tunnel0" not in r1.ip("link"), 10, "tun-Tunnel0 to go")
    start_pyike_run(
        netlab,
        r1,
        SEED_CONFIGS / "router1.cfg",
        tmp_path / "r1.sock",
        tmp_path / "r1.again.log",
        "--bind",
        f"Ethernet0/0=va{netlab.tag}",
    )
    # r2 still holds the old SAs: the new r1's INITIAL_CONTACT clears them
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "a new tunnel")
    wait_for(
        lambda: pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa").count("READY") == 1,
        10,
        "r2 to drop the stale SA",
    )
    log = (tmp_path / "r1.again.log").read_text()
    assert "%PYIKE-5-STARTED" in log and "cannot" not in log and "Traceback" not in log
