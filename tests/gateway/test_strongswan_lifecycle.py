"""pyike run against strongSwan's charon over an SA's whole life: IKE and Child SA rekeys
started by either side with traffic running, a rekey collision, DPD declaring a killed peer
dead (periodic, and on-demand once traffic goes to it), deletes from either side, and a
restart of either side cleaned up by INITIAL_CONTACT."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.interop import (
    Interop,
    charon_ids,
    check_traffic,
    pyike_log,
    ready_sas,
    settled,
    topology,
)
from tests.support.netns import Lab, wait_for
from tests.support.strongswan import SEED_SUITE, pyike_config, start_charon
from tests.support.traffic import ping, ping_stream, tcp_transfer

pytestmark = pytest.mark.interop


def up(netlab: Lab, tmp_path: Path, role: str, **config: str) -> Interop:
    """The tunnel up, pyike in `role` ("initiator" or "responder")."""
    pyike_cfg = pyike_config(SEED_SUITE, **config) if config else None
    if role == "initiator":
        t = topology(netlab, tmp_path, SEED_SUITE, pyike_cfg=pyike_cfg)
    else:
        t = topology(netlab, tmp_path, SEED_SUITE, "--passive", pyike_cfg=pyike_cfg)
        t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    return t


@pytest.mark.parametrize("role", ["initiator", "responder"])
def test_rekeys_by_either_side_lose_no_packet(netlab: Lab, tmp_path: Path, role: str) -> None:
    t = up(netlab, tmp_path, role)
    (ike,), (child,) = charon_ids(t.charon)
    stream = ping_stream(
        netlab, t.py, "192.168.1.1", "192.168.2.1", tmp_path / "ping.log", count=200
    )
    steps = [
        ("charon rekeys the IKE SA", lambda: t.charon.swan("--rekey", "--ike", "pyike"), 1, 0),
        ("charon rekeys the Child SA", lambda: t.charon.swan("--rekey", "--child", "net"), 0, 1),
        ("pyike rekeys the IKE SA", lambda: t.exec("test crypto ikev2 rekey"), 1, 0),
        ("pyike rekeys the Child SA", lambda: t.exec("test crypto ipsec rekey"), 0, 1),
    ]
    for what, action, new_ike, new_child in steps:
        time.sleep(1)
        action()
        ike, child = ike + new_ike, child + new_child
        wait_for(lambda: settled(t, ike, child), 10, what)  # noqa: B023
    transmitted, received = stream.result()
    assert (transmitted, received) == (200, 200)
    log = pyike_log(t.work)
    assert "Traceback" not in log and "INTERNAL" not in log


def test_tcp_both_ways_across_volume_rekeys(netlab: Lab, tmp_path: Path) -> None:
    # 2560 KB is IOS's smallest volume lifetime: pyike rekeys the Child SA at 90 % of it
    t = up(
        netlab,
        tmp_path,
        "initiator",
        ipsec_extra=" set security-association lifetime kilobytes 2560\n",
    )
    (_ike,), (first_child,) = charon_ids(t.charon)
    size = 6 * 1024 * 1024
    tcp_transfer(netlab, (t.py, "192.168.1.1"), (t.ss, "192.168.2.1"), size, tmp_path)
    tcp_transfer(netlab, (t.ss, "192.168.2.1"), (t.py, "192.168.1.1"), size, tmp_path, 5002)
    wait_for(lambda: len(charon_ids(t.charon)[1]) == 1, 10, "one Child SA")
    (_ike,), (last_child,) = charon_ids(t.charon)
    assert last_child - first_child >= 2  # at least one rekey for each transfer's volume
    assert " 0% packet loss" in ping(t.py, "192.168.1.1", "192.168.2.1", 3).stdout


def _block_ike(t: Interop, chain: str, on: bool) -> None:
    """Drops IKE on port 4500 (the non-ESP marker: 4 zero octets after the UDP header) in
    charon's namespace, arriving (INPUT) or leaving (OUTPUT); ESP in UDP still passes."""
    port = "--dport" if chain == "INPUT" else "--sport"
    u32 = ["-m", "u32", "--u32", "0>>22&0x3C@8=0"]
    action = "-A" if on else "-D"
    t.ss.run("iptables", action, chain, "-p", "udp", port, "4500", *u32, "-j", "DROP")


def test_ike_rekey_collision(netlab: Lab, tmp_path: Path) -> None:
    t = up(netlab, tmp_path, "initiator")
    (ike,), (child,) = charon_ids(t.charon)
    stream = ping_stream(
        netlab, t.py, "192.168.1.1", "192.168.2.1", tmp_path / "ping.log", count=400
    )
    # Both rekey requests are lost at first, so each side's request is outstanding when the
    # other's arrives: charon's retransmission reaches pyike first (pyike answers, but the
    # answer is dropped), then pyike's reaches charon; both then settle by the nonces.
    _block_ike(t, "INPUT", True)
    _block_ike(t, "OUTPUT", True)
    t.charon.swan("--rekey", "--ike", "pyike")
    t.exec("test crypto ikev2 rekey")
    time.sleep(0.3)
    _block_ike(t, "OUTPUT", False)
    wait_for(
        lambda: "CREATE_CHILD_SA, flags: INITIATOR MSG-RESPONSE" in pyike_log(tmp_path),
        15,
        "pyike to answer charon's rekey while its own is outstanding",
    )
    _block_ike(t, "INPUT", False)
    # pyike's SA lost: it deletes it, but charon answers that DELETE only once its own rekey
    # is done (up to ~12 s in, its third transmission), at pyike's next retransmission
    wait_for(
        lambda: (
            len(charon_ids(t.charon)[0]) == 1
            and charon_ids(t.charon)[0] != [ike]
            and ready_sas(t) == 1
            and t.exec("show crypto ikev2 sa detailed").count("Local spi: ") == 1
        ),
        45,
        "one new IKE SA on both sides",
    )
    assert "detected IKE_REKEY collision with IKE_REKEY" in t.charon.log
    assert charon_ids(t.charon)[1] == [child]  # the Child SA moved to the surviving IKE SA
    detailed = t.exec("show crypto ikev2 sa detailed")
    spi = detailed.split("Local spi: ")[1].split()[0].lower()
    assert spi in t.charon.sas()  # pyike and charon kept the same IKE SA
    transmitted, received = stream.result()
    assert transmitted == received == 400
    assert "Traceback" not in pyike_log(tmp_path)


def test_dpd_declares_a_killed_charon_dead(netlab: Lab, tmp_path: Path) -> None:
    t = up(netlab, tmp_path, "initiator", profile_extra=" dpd 10 2 periodic\n")
    t.charon.kill()
    wait_for(lambda: ready_sas(t) == 0, 45, "pyike to declare charon dead")
    log = pyike_log(tmp_path)
    assert "Sending DPD/liveness query" in log
    assert "peer is dead" in log
    assert "Line protocol on Interface Tunnel0, changed state to down" in log
    assert "UP-ACTIVE" not in t.exec("show crypto session")
    assert "INSTALLED" not in t.exec("show crypto ipsec sa")


def test_on_demand_dpd_checks_a_killed_charon_once_traffic_goes_to_it(
    netlab: Lab, tmp_path: Path
) -> None:
    t = up(netlab, tmp_path, "initiator", profile_extra=" dpd 10 2 on-demand\n")
    t.charon.kill()
    time.sleep(12)  # more than the interval, but nothing is sent to charon
    assert "Sending DPD/liveness query" not in pyike_log(tmp_path)
    assert ready_sas(t) == 1
    started = time.monotonic()
    ping_stream(
        netlab, t.py, "192.168.1.1", "192.168.2.1", tmp_path / "ping.log", count=40, interval=1
    )
    wait_for(lambda: ready_sas(t) == 0, 40, "pyike to declare charon dead")
    # a check within the interval of the first ping, then 5 retries 2 s apart
    assert time.monotonic() - started < 10 + 12 + 5
    log = pyike_log(tmp_path)
    assert "Sending DPD/liveness query" in log
    assert log.count("Retransmitting packet, message id 2") == 5  # the query, every 2 s
    assert "peer is dead" in log
    assert "Line protocol on Interface Tunnel0, changed state to down" in log
    assert "INSTALLED" not in t.exec("show crypto ipsec sa")


@pytest.mark.parametrize("by", ["charon", "pyike"])
def test_delete_from_either_side(netlab: Lab, tmp_path: Path, by: str) -> None:
    t = up(netlab, tmp_path, "responder")
    if by == "charon":
        t.charon.swan("--terminate", "--ike", "pyike")
    else:
        assert t.exec("clear crypto session") == ""
    wait_for(
        lambda: ready_sas(t) == 0 and charon_ids(t.charon) == ([], []),
        10,
        "both sides to forget the SAs",
    )
    log = pyike_log(tmp_path)
    expected = "Sending DELETE INFO message" if by == "pyike" else "Received delete"
    assert expected in log
    assert "Line protocol on Interface Tunnel0, changed state to down" in log
    # pyike is passive here: no traffic can cross until charon negotiates again
    assert ping(t.py, "192.168.1.1", "192.168.2.1", 1).returncode != 0


def test_restarted_charon_replaces_its_stale_sa(netlab: Lab, tmp_path: Path) -> None:
    t = up(netlab, tmp_path, "responder")
    before = t.exec("show crypto ikev2 sa detailed").split("Local spi: ")[1].split()[0]
    t.charon.kill()
    t.charon = start_charon(netlab, t.ss, tmp_path, SEED_SUITE)
    t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    # charon's INITIAL_CONTACT makes pyike drop the SA the old charon left behind
    wait_for(lambda: ready_sas(t) == 1, 10, "pyike to drop the stale IKE SA")
    after = t.exec("show crypto ikev2 sa detailed").split("Local spi: ")[1].split()[0]
    assert after != before
    assert "Initial contact received from the peer" in pyike_log(tmp_path)
    assert " 0% packet loss" in ping(t.py, "192.168.1.1", "192.168.2.1", 3).stdout
    assert t.exec("show crypto ipsec sa").count("Status: ACTIVE") == 2  # one in, one out


def test_restarted_pyike_replaces_its_stale_sa(netlab: Lab, tmp_path: Path) -> None:
    t = up(netlab, tmp_path, "initiator")
    (old_ike,), _ = charon_ids(t.charon)
    t.restart_pyike()
    # the new pyike initiates with INITIAL_CONTACT: charon drops what the old one left
    wait_for(
        lambda: len(charon_ids(t.charon)[0]) == 1 and charon_ids(t.charon)[0] != [old_ike],
        20,
        "charon to replace the stale IKE SA",
    )
    assert len(charon_ids(t.charon)[1]) == 1
    assert " 0% packet loss" in ping(t.py, "192.168.1.1", "192.168.2.1", 3).stdout
    assert "INIT_CONTACT" in t.charon.log
