"""Two `pyike run` daemons with the seed's configurations, in two network namespaces joined
by a veth pair: the tunnel comes up, ping crosses it, exec shows it, SIGTERM cleans up."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.gateway.netns import PYIKE, Lab, Namespace, wait_for

SEED = Path(__file__).parents[2] / "src" / "pyike" / "data" / "seed"


def pyike_exec(control: Path, *commands: str) -> str:
    done = subprocess.run(
        [*PYIKE, "exec", "--control", str(control), *commands],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def ping(
    ns: Namespace, source: str, target: str, count: int = 3
) -> subprocess.CompletedProcess[str]:
    return ns.run(
        "ping", "-c", str(count), "-W", "2", "-i", "0.3", "-I", source, target, check=False
    )


def seed_pair(
    netlab: Lab,
    tmp_path: Path,
    *extra: str,
    r1_extra: tuple[str, ...] = (),
    r2_extra: tuple[str, ...] = (),
) -> tuple[Namespace, Namespace, list[subprocess.Popen[bytes]]]:
    r1, r2 = netlab.namespace("r1"), netlab.namespace("r2")
    left, right = netlab.veth(r1, "10.0.0.1/24", r2, "10.0.0.2/24")
    r1.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    r2.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    procs = [
        netlab.start(
            r1,
            [
                *PYIKE,
                "run",
                str(SEED / "router1.cfg"),
                "--bind",
                f"Ethernet0/0={left}",
                "--control",
                str(tmp_path / "r1.sock"),
                "--debug",
                *extra,
                *r1_extra,
            ],
            tmp_path / "r1.log",
        ),
        netlab.start(
            r2,
            [
                *PYIKE,
                "run",
                str(SEED / "router2.cfg"),
                "--bind",
                f"Ethernet0/0={right}",
                "--control",
                str(tmp_path / "r2.sock"),
                *extra,
                *r2_extra,
            ],
            tmp_path / "r2.log",
        ),
    ]
    return r1, r2, procs


def test_seed_tunnel_between_namespaces(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, procs = seed_pair(netlab, tmp_path, "--keylog", str(tmp_path / "keys"))
    wait_for(
        lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
        20,
        "a ping through Tunnel0",
    )

    result = ping(r1, "192.168.1.1", "192.168.2.1", 5)
    assert " 0% packet loss" in result.stdout
    assert ping(r2, "192.168.2.1", "192.168.1.1", 3).returncode == 0

    ike = pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa detailed")
    assert "READY" in ike and "10.0.0.2/500" in ike
    ipsec = pyike_exec(tmp_path / "r2.sock", "show crypto ipsec sa")
    assert "interface: Tunnel0" in ipsec
    decaps = int(ipsec.split("#pkts decaps: ")[1].split(",")[0])
    assert decaps >= 9  # every echo request and reply above crossed the tunnel
    assert "Status: ACTIVE" in ipsec
    session = pyike_exec(tmp_path / "r1.sock", "show crypto session")
    assert "UP-ACTIVE" in session

    assert "dev tun-Tunnel0" in r1.ip("route")
    keys = tmp_path / "keys"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert '"IPv4","10.0.0.1","10.0.0.2"' in keys.read_text()

    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        assert proc.wait(15) == 0
    for ns in (r1, r2):
        assert "tun-" not in ns.ip("link")
        assert "proto 80" not in ns.ip("route") and "tun-" not in ns.ip("route")
    assert not (tmp_path / "r1.sock").exists()
    log = (tmp_path / "r1.log").read_text()
    assert "Sending DELETE INFO message for IKEv2 SA" in log
    assert "Traceback" not in log + (tmp_path / "r2.log").read_text()


def test_clear_and_renegotiate_on_traffic(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    assert pyike_exec(tmp_path / "r1.sock", "clear crypto session") == ""
    wait_for(
        lambda: "READY" not in pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa"),
        10,
        "the SAs to go",
    )
    # traffic into the tunnel brings it up again
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "renegotiation")
    assert "READY" in pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa")


def ready_sas(control: Path) -> list[str]:
    shown = pyike_exec(control, "show crypto ikev2 sa")
    return [line for line in shown.splitlines() if "READY" in line]


def pair_state(tmp_path: Path) -> str:
    """Both daemons' SAs and debug logs, for a failure message."""
    parts = []
    for name in ("r1", "r2"):
        control = tmp_path / f"{name}.sock"
        for command in ("show crypto ikev2 sa detailed", "show crypto ipsec sa"):
            try:
                shown = pyike_exec(control, command)
            except (AssertionError, subprocess.TimeoutExpired) as exc:
                shown = f"({exc})"
            parts.append(f"--- {name}: {command}\n{shown}")
        debug = tmp_path / f"{name}.debug"
        parts.append(f"--- {name}: debug\n{debug.read_text() if debug.exists() else '(none)'}")
    return "\n".join(parts)


def test_simultaneous_start_settles_on_one_ike_sa(netlab: Lab, tmp_path: Path) -> None:
    # Both daemons initiate as they start. The first one's IKE_SA_INIT usually goes before
    # the other listens: that attempt gives way to the other's SA once it is up. When both
    # requests cross, both exchanges complete and the duplicate IKE SA is deleted again.
    r1, _r2, _procs = seed_pair(
        netlab,
        tmp_path,
        r1_extra=("--debug-file", str(tmp_path / "r1.debug")),
        r2_extra=("--debug", "--debug-file", str(tmp_path / "r2.debug")),
    )
    try:
        wait_for(
            lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel"
        )
        wait_for(
            lambda: (
                len(ready_sas(tmp_path / "r1.sock")) == 1
                and len(ready_sas(tmp_path / "r2.sock")) == 1
            ),
            10,
            "one IKE SA on each side",
        )
        detailed = pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa detailed")
        other = pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa detailed")
        local, remote = (
            detailed.split("Local spi: ")[1].split()[0],
            detailed.split("Remote spi: ")[1].split()[0],
        )
        assert other.split("Local spi: ")[1].split()[0] == remote
        assert other.split("Remote spi: ")[1].split()[0] == local
        assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 3).stdout
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{pair_state(tmp_path)}") from None


def test_force_encap_carries_esp_in_udp(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, _procs = seed_pair(netlab, tmp_path, "--passive", r1_extra=("--force-encap",))
    # --passive on both: the first ping brings the tunnel up from r1
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    assert " 0% packet loss" in ping(r2, "192.168.2.1", "192.168.1.1", 3).stdout
    ike = pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa")
    assert "10.0.0.1/4500" in ike and "10.0.0.2/4500" in ike
    ipsec = pyike_exec(tmp_path / "r2.sock", "show crypto ipsec sa")
    assert "UDP-Encaps" in ipsec
    assert int(ipsec.split("#pkts decaps: ")[1].split(",")[0]) >= 4
