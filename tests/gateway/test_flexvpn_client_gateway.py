"""The FlexVPN client on `pyike run`: a spoke daemon whose Tunnel0 (`tunnel destination
dynamic`, `client connect Tunnel0`) goes to Hub1 (peer 1), moves to Hub2 (peer 2, named by
FQDN and resolved from `ip host`) when dead peer detection declares Hub1 dead, and back to
Hub1 when Hub2 dies in turn; and a client with `connect manual` connected and cleared through
`pyike exec`, its hub named through the system resolver; a `--passive` spoke connects when
traffic needs the tunnel.

The failover steps share one set of daemons (the module's fixture) and run in order, each a
test of its own: a step starts from where the one before left the spoke."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.flexvpn_gateway import (
    DPD_BOUND,
    DPD_RETRANSMISSIONS,
    DPD_RETRY,
    FailoverLab,
    failover_lab,
    spoke_config,
)
from tests.support.netns import NO_NETNS, NO_NETNS_REASON, Lab, wait_for

FAILOVER = spoke_config(
    " peer 1 10.0.0.1\n peer 2 fqdn hub2.example.com\n",
    "ip host hub2.example.com 10.0.0.2\n",
)
# How late the spoke may notice beyond DPD's bound on a loaded machine (its timers fire late),
# and what the move may take after that: the new IKE SA's two exchanges, the ping that finds
# it (one every 0.2 s, each waiting up to 2 s).
LATE = 3.0
RETRANSMITTING = (DPD_RETRANSMISSIONS + 1) * DPD_RETRY  # from the first DPD to the verdict
MOVE = 10.0


@pytest.fixture(scope="module")
def failover(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FailoverLab]:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    lab = Lab()
    try:
        with failover_lab(lab, tmp_path_factory.mktemp("flexvpn"), FAILOVER) as started:
            yield started
    finally:
        lab.cleanup()


def _moved_within_dpd(failover: FailoverLab, frozen: str, to: str) -> float:
    """Freeze hub `frozen`: the spoke's IKE SA with it goes down within DPD's bound, and the
    spoke's pings pass through `to` soon after. Returns the seconds to the SA going."""
    failover.freeze(frozen)
    since = datetime.now()
    failover.wait_through(to, DPD_BOUND + LATE + MOVE)
    down = failover.down_at(frozen, since)
    assert down is not None, failover.state()
    return (down - since).total_seconds()


def test_the_spoke_connects_to_its_first_peer(failover: FailoverLab) -> None:
    failover.wait_through("hub1", 30)
    assert not failover.passes_through("hub2")
    shown = failover.spoke_exec("show crypto ikev2 client flexvpn")
    assert "  Profile : HUBS\n  Current state:ACTIVE\n  Peer : 10.0.0.1\n" in shown
    assert "  Tunnel interface : Tunnel0" in shown
    assert "10.0.0.1/500" in failover.spoke_exec("show crypto ikev2 sa")


def test_a_dead_first_hub_moves_the_spoke_to_the_second_within_dpd(
    failover: FailoverLab,
) -> None:
    failover.wait_through("hub1", 30)
    elapsed = _moved_within_dpd(failover, "hub1", "hub2")
    # no sooner than DPD can tell (five retransmissions after the first DPD), nor later
    assert RETRANSMITTING <= elapsed <= DPD_BOUND + LATE, elapsed
    shown = failover.spoke_exec("show crypto ikev2 client flexvpn Tunnel0")
    assert "Current state:ACTIVE\n  Peer : 10.0.0.2\n" in shown  # hub2.example.com, `ip host`
    assert "Traceback" not in failover.log("spoke")


def test_the_spoke_returns_to_the_first_hub_when_the_second_dies(failover: FailoverLab) -> None:
    failover.resume("hub1")
    failover.wait_through("hub2", 30)
    elapsed = _moved_within_dpd(failover, "hub2", "hub1")
    assert RETRANSMITTING <= elapsed <= DPD_BOUND + LATE, elapsed
    shown = failover.spoke_exec("show crypto ikev2 client flexvpn")
    assert "Current state:ACTIVE\n  Peer : 10.0.0.1\n" in shown
    for name in ("spoke", "hub1", "hub2"):
        assert "Traceback" not in failover.log(name), name


def test_manual_connect_and_clear_through_pyike_exec(tmp_path: Path) -> None:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    # Hub1 by a name only the namespace's hosts file has: the system resolver's answer
    manual = spoke_config(" peer 1 fqdn hub1.flex.test\n peer 2 10.0.0.2\n connect manual\n")
    hosts = "127.0.0.1 localhost\n10.0.0.1 hub1.flex.test\n"
    lab = Lab()
    try:
        with failover_lab(lab, tmp_path, manual, netns_hosts=hosts) as spoke:
            time.sleep(3)  # room for a wrong start: `connect manual` waits to be told
            shown = spoke.spoke_exec("show crypto ikev2 client flexvpn")
            assert "Current state:INACTIVE\n  Peer : None\n" in shown
            assert "READY" not in spoke.spoke_exec("show crypto ikev2 sa")

            assert spoke.spoke_exec("crypto ikev2 client flexvpn connect HUBS") == ""
            spoke.wait_through("hub1", 30)
            shown = spoke.spoke_exec("show crypto ikev2 client flexvpn")
            assert "Current state:ACTIVE\n  Peer : 10.0.0.1\n" in shown

            _reload_keeps_the_peer_and_refuses_an_unprobed_track(spoke, tmp_path / "spoke.cfg")

            assert spoke.spoke_exec("clear crypto ikev2 client flexvpn HUBS") == ""
            wait_for(
                lambda: "READY" not in spoke.spoke_exec("show crypto ikev2 sa"),
                15,
                "the client's SAs to go",
            )
            time.sleep(3)  # `connect manual`: it stays disconnected
            assert "Peer : None" in spoke.spoke_exec("show crypto ikev2 client flexvpn")
            assert not spoke.passes_through("hub1")

            bad = spoke.spoke_exec("crypto ikev2 client flexvpn connect NOSUCH")
            assert "% Invalid input detected at '^' marker." in bad
    finally:
        lab.cleanup()


def _reload_keeps_the_peer_and_refuses_an_unprobed_track(spoke: FailoverLab, config: Path) -> None:
    """SIGHUP with the client unchanged keeps its SAs with its peer; a configuration whose
    peer follows a kind of track pyike run does not follow is refused, naming the line, and the
    running one stays."""
    spoke.procs["spoke"].send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in spoke.log("spoke"), 15, "the reload")
    assert "is DOWN" not in spoke.log("spoke")
    assert spoke.passes_through("hub1")
    tracked = config.read_text().replace(" peer 2 10.0.0.2\n", " peer 2 10.0.0.2 track 7\n")
    config.write_text(tracked + "track 7 interface Ethernet0/0 line-protocol\n")
    spoke.procs["spoke"].send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration not reloaded" in spoke.log("spoke"), 15, "the refusal")
    assert "'peer 2 10.0.0.2 track 7' follows 'track 7 interface" in spoke.log("spoke")
    assert spoke.passes_through("hub1")


def test_a_passive_spoke_connects_its_client_when_traffic_needs_it(tmp_path: Path) -> None:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    lab = Lab()
    try:
        with failover_lab(lab, tmp_path, FAILOVER, "--passive") as spoke:
            time.sleep(3)  # room for a wrong start: `--passive` waits for traffic
            assert "READY" not in spoke.spoke_exec("show crypto ikev2 sa")
            assert "Peer : 10.0.0.1" in spoke.spoke_exec("show crypto ikev2 client flexvpn")
            spoke.wait_through("hub1", 30)  # the first pings bring the tunnel up
    finally:
        lab.cleanup()
