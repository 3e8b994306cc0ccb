"""`pyike run --user`: once set up, the daemon runs as an unprivileged user with only the
capabilities a reload needs (CAP_NET_ADMIN, CAP_NET_RAW, and CAP_NET_BIND_SERVICE for IKE on
port 500), no-new-privileges, in every thread; a SIGHUP reload still creates TUN devices and
routes; a configuration it cannot read, or one whose keys every user can read, is refused
with what to do; and it still interoperates with strongSwan."""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.daemons import (
    LOOPBACK_RESPONDER,
    TUNNEL_TO_NOBODY,
    seed_hosts,
    start_pyike_run,
    wait_for_control,
)
from tests.support.interop import check_traffic, pyike_log, topology
from tests.support.netns import PYIKE, Lab, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.privilege import (
    CAP_NET_ADMIN,
    CAP_NET_BIND_SERVICE,
    CAP_NET_RAW,
    SystemUser,
    capabilities,
    make_private,
    shared_work_dir,
    status_field,
    thread_statuses,
)
from tests.support.strongswan import GCM_SUITE
from tests.support.traffic import ping

ON_PORT_500 = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE}
ON_HIGH_PORTS = {CAP_NET_ADMIN, CAP_NET_RAW}

TUNNEL1 = TUNNEL_TO_NOBODY + "ip route 192.168.3.0 255.255.255.0 Tunnel1\n"


def assert_unprivileged(pid: int, user: SystemUser, kept: set[int]) -> None:
    """What /proc says of the daemon and each of its threads."""
    status = Path(f"/proc/{pid}/status").read_text()
    assert status_field(status, "Uid") == [str(user.uid)] * 4
    assert status_field(status, "Gid") == [str(user.gid)] * 4
    assert status_field(status, "Groups") == [str(user.gid)]
    assert capabilities(status, "CapEff") == kept
    assert capabilities(status, "CapPrm") == kept
    assert capabilities(status, "CapBnd") == kept
    assert capabilities(status, "CapInh") == set()
    assert capabilities(status, "CapAmb") == set()
    assert status_field(status, "NoNewPrivs") == ["1"]
    threads = thread_statuses(pid)
    assert len(threads) >= 2  # the event loop and netlink's worker
    for thread in threads:
        assert status_field(thread, "Uid") == [str(user.uid)] * 4
        assert capabilities(thread, "CapEff") == kept
        assert status_field(thread, "NoNewPrivs") == ["1"]


def reloaded(log: Path, count: int) -> bool:
    text = log.read_text()
    return text.count("%PYIKE-5-RELOAD") + text.count("%PYIKE-3-RELOAD") >= count


def test_dropped_daemons_run_unprivileged_and_reload(netlab: Lab, gateway_user: SystemUser) -> None:
    with shared_work_dir() as work:  # the daemon re-reads its configuration as the user
        r1, r2, left, right = seed_hosts(netlab)
        procs = {}
        for ns, name, device in ((r1, "r1", left), (r2, "r2", right)):
            config = work / f"{name}.cfg"
            config.write_text((SEED_CONFIGS / f"router{name[1]}.cfg").read_text())
            procs[name] = start_pyike_run(
                netlab, ns, config, work / f"{name}.sock", work / f"{name}.log",
                "--bind", f"Ethernet0/0={device}", "--user", gateway_user.name,
            )  # fmt: skip
            wait_for_control(work / f"{name}.sock", name)
        wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "tunnel")
        for name, proc in procs.items():
            assert_unprivileged(proc.pid, gateway_user, ON_PORT_500)
            assert (
                f"%PYIKE-5-PRIVILEGES: running as user {gateway_user.name}"
                in (work / f"{name}.log").read_text()
            )

        # a reload adds a TUN device and a route, with the capabilities kept
        config, log = work / "r1.cfg", work / "r1.log"
        config.write_text(config.read_text() + TUNNEL1)  # the mode stays 0640
        procs["r1"].send_signal(signal.SIGHUP)
        wait_for(lambda: reloaded(log, 1), 15, "the reload")
        assert "%PYIKE-5-RELOAD: configuration reloaded" in log.read_text()
        assert "tun-Tunnel1" in r1.ip("link", "show")
        assert "192.168.3.0/24 dev tun-Tunnel1" in r1.ip("route", "show")

        # a configuration the user cannot read, or whose keys everyone can: not reloaded
        refusals = (
            (
                0o600,
                f"%PYIKE-3-RELOAD: configuration not reloaded: cannot read {config}: Permission "
                f"denied (user {gateway_user.name} cannot read {config}: chgrp {gateway_user.name} "
                f"{config} && chmod g+r {config})",
            ),
            (
                0o644,
                f"%PYIKE-3-RELOAD: configuration not reloaded: {config} holds keys or passwords "
                f"and is readable by every user (mode 0644): chmod o-rwx {config}",
            ),
        )
        for reloads, (mode, refusal) in enumerate(refusals, start=2):
            config.chmod(mode)
            procs["r1"].send_signal(signal.SIGHUP)
            wait_for(lambda n=reloads: reloaded(log, n), 15, f"refused reload {reloads - 1}")
            assert refusal in log.read_text()
        assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 3).stdout

        # SIGTERM: the unprivileged daemon still removes its devices and routes
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            assert proc.wait(15) == 0
        assert "tun-Tunnel" not in r1.ip("link", "show")
        assert "proto 0x50" not in r1.ip("route", "show", "proto", "0x50")
        assert "Traceback" not in log.read_text()


def run_responder(work: Path, *args: str) -> subprocess.Popen[str]:
    """The loopback responder, its control socket in work/run (which it makes)."""
    port = random.Random().randrange(21000, 29000)
    argv = [*PYIKE, "run", str(work / "lo.cfg"), "--ike-port", str(port)]
    return subprocess.Popen(
        [*argv, "--control", str(work / "run" / "lo.sock"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_unprivileged_ports_keep_no_bind_capability(gateway_user: SystemUser) -> None:
    with shared_work_dir() as work:
        (work / "lo.cfg").write_text(LOOPBACK_RESPONDER)
        refused = run_responder(work, "--user", gateway_user.name)
        output, _ = refused.communicate(timeout=30)
        assert refused.returncode == 1
        config = work / "lo.cfg"
        assert output == (
            f"% pyike run: {config} holds keys or passwords and is readable by every user "
            f"(mode 0644): chmod o-rwx {config}\n"
        )

        make_private(config, gateway_user.gid)
        unknown = run_responder(work, "--user", "pyike-no-such-user")
        output, _ = unknown.communicate(timeout=30)
        assert unknown.returncode == 1
        assert output.startswith(
            "% pyike run: user pyike-no-such-user does not exist: create it with `useradd "
            "--system --user-group --no-create-home --home-dir /nonexistent --shell "
            "/usr/sbin/nologin pyike-no-such-user` (scripts/install-gateway does)"
        )

        proc = run_responder(work, "--user", gateway_user.name)
        try:
            wait_for(lambda: _dropped(proc.pid), 30, "the drop")
            assert_unprivileged(proc.pid, gateway_user, ON_HIGH_PORTS)
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert (
            f"%PYIKE-5-PRIVILEGES: running as user {gateway_user.name} (uid {gateway_user.uid}),"
            " keeping CAP_NET_ADMIN, CAP_NET_RAW" in output
        )
        # the directory it made is the user's: the unprivileged daemon removed its socket
        assert (work / "run").stat().st_uid == gateway_user.uid
        assert not (work / "run" / "lo.sock").exists()


def _dropped(pid: int) -> bool:
    return status_field(Path(f"/proc/{pid}/status").read_text(), "NoNewPrivs") == ["1"]


@pytest.mark.interop
def test_dropped_daemon_interoperates_with_charon(
    netlab: Lab, tmp_path: Path, gateway_user: SystemUser
) -> None:
    t = topology(netlab, tmp_path, GCM_SUITE, "--user", gateway_user.name)
    check_traffic(t)
    assert_unprivileged(t.pyike.pid, gateway_user, ON_PORT_500)
    assert "(I) MsgID = 00000001 CurState: READY" in pyike_log(tmp_path)
