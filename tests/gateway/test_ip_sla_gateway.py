"""IP SLA and track objects on `pyike run`: the spoke daemon (tests/support/flexvpn_gateway.py)
pings an address in Hub1's namespace (IP SLA 1, icmp-echo from Ethernet0/0); track 1 follows
it. With `peer 1 10.0.0.1 track 1` and `peer reactivate` the client is on Hub1 while the
address answers, moves to Hub2 once it stops (the track goes Down after `delay down`), and
back to Hub1 when it answers again (and a reload keeps the track's state); with `connect
track 1` the client connects while the track is Up and disconnects when it goes Down (that
spoke with its privileges dropped). The prober alone: stray and malformed ICMP reaching a
waiting probe change nothing; a source address the host lacks is logged."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from pyike.config import load
from pyike.net.ip_sla import IpSlaProbes
from tests.support.flexvpn_gateway import FailoverLab, failover_lab, spoke_config
from tests.support.netns import NO_NETNS, NO_NETNS_REASON, Lab, wait_for
from tests.support.paths import ROOT
from tests.support.privilege import SystemUser

SUPPORT = ROOT / "tests" / "support"

PROBED = "10.0.0.11"  # an extra address of Hub1's Ethernet, the only thing the spoke probes
FREQUENCY, TIMEOUT_MS, DELAY_DOWN = 2, 1000, 3
TRACKING = (
    "track 1 ip sla 1 reachability\n"
    f" delay down {DELAY_DOWN}\n"
    "ip sla 1\n"
    f" icmp-echo {PROBED} source-interface Ethernet0/0\n"
    f"  frequency {FREQUENCY}\n"
    f"  timeout {TIMEOUT_MS}\n"
    "ip sla schedule 1 life forever start-time now\n"
)
ANOTHER_SLA = "ip sla 2\n icmp-echo 10.0.0.2\nip sla schedule 2 life forever start-time now\n"
UP = "%TRACK-6-STATE: 1 ip sla 1 reachability Down -> Up"
DOWN = "%TRACK-6-STATE: 1 ip sla 1 reachability Up -> Down"
# The longest the track may take to go Down once the address is gone: the probe in flight
# answered just before, the next one sent a frequency later and timed out, then the delay;
# and what a loaded machine may add (the probes' timers fire late).
DOWN_BOUND = FREQUENCY + TIMEOUT_MS / 1000 + DELAY_DOWN
LATE = 5.0
CONNECT = 30.0  # bring-up of the daemons and the client's first IKE SA, on a loaded machine
MOVE = 15.0  # the old SAs deleted, the new IKE SA's exchanges, the ping that finds them


def _answering(spoke: FailoverLab, answers: bool) -> None:
    """The probed address added to Hub1's Ethernet, or removed (its pings go unanswered)."""
    verb = "add" if answers else "del"
    spoke.hubs["hub1"].ip("addr", verb, f"{PROBED}/24", "dev", f"fh{spoke.lab.tag}1")


def _logged(spoke: FailoverLab, line: str, times: int, timeout: float) -> None:
    wait_for(
        lambda: spoke.log("spoke").count(line) >= times,
        timeout,
        f"'{line}' logged {times} time(s)\n{spoke.state()}",
    )


def _changes(log: str) -> tuple[int, int]:
    """How many times the log says track 1 went Up, and the client's tunnel went down."""
    return log.count(UP), log.count("Crypto tunnel v2 is DOWN")


def _peer(spoke: FailoverLab) -> str:
    return spoke.spoke_exec("show crypto ikev2 client flexvpn Tunnel0")


def test_a_tracked_peer_is_left_when_its_probe_fails_and_reactivated(
    netlab: Lab, tmp_path: Path
) -> None:
    client = " peer 1 10.0.0.1 track 1\n peer 2 10.0.0.2\n peer reactivate\n"
    with failover_lab(netlab, tmp_path, spoke_config(client, TRACKING)) as spoke:
        _answering(spoke, True)
        _logged(spoke, UP, 1, CONNECT)
        spoke.wait_through("hub1", CONNECT)
        assert "Current state:ACTIVE\n  Peer : 10.0.0.1\n" in _peer(spoke)

        _answering(spoke, False)
        gone = time.monotonic()
        _logged(spoke, DOWN, 1, DOWN_BOUND + LATE)
        elapsed = time.monotonic() - gone
        assert DELAY_DOWN <= elapsed <= DOWN_BOUND + LATE, elapsed
        spoke.wait_through("hub2", MOVE)
        assert "Current state:ACTIVE\n  Peer : 10.0.0.2\n" in _peer(spoke)
        assert not spoke.passes_through("hub1")

        _answering(spoke, True)  # `peer reactivate`: back to the preferred peer
        _logged(spoke, UP, 2, FREQUENCY + LATE)
        spoke.wait_through("hub1", MOVE)
        assert "Current state:ACTIVE\n  Peer : 10.0.0.1\n" in _peer(spoke)

        # a reload that adds an operation: track 1 keeps its state, the client its peer
        config = tmp_path / "spoke.cfg"
        config.write_text(config.read_text() + ANOTHER_SLA)
        changes = _changes(spoke.log("spoke"))
        spoke.procs["spoke"].send_signal(signal.SIGHUP)
        _logged(spoke, "%PYIKE-5-RELOAD: configuration reloaded", 1, MOVE)
        assert spoke.passes_through("hub1")
        assert _changes(spoke.log("spoke")) == changes
        assert "Traceback" not in spoke.log("spoke")
        _shows_the_track_and_its_probes(spoke)


def _shows_the_track_and_its_probes(spoke: FailoverLab) -> None:
    """Up, Down and Up again, kept through the reload; the operation's probes counted."""
    track = spoke.spoke_exec("show track 1")
    assert re.fullmatch(
        "Track 1\n  IP SLA 1 reachability\n  Reachability is Up\n"
        "    3 changes, last change [0-9:]{8}\n"
        f"  Delay down {DELAY_DOWN} secs\n"
        "  Latest operation return code: OK\n  Latest RTT \\(millisecs\\) [0-9]+\n",
        track,
    ), track
    statistics = spoke.spoke_exec("show ip sla statistics 1")
    counts = re.search("successes: ([0-9]+)\nNumber of failures: ([0-9]+)\n", statistics)
    assert counts is not None, statistics
    assert int(counts[1]) >= 2 and int(counts[2]) >= 1, statistics  # answered, not, answered
    assert "Latest operation return code: OK\n" in statistics
    assert re.search("Latest operation start time: [0-9:]{8} UTC \\w{3} \\w{3} ", statistics)
    assert spoke.spoke_exec("show track 2") == "%Track 2 is not configured\n"


def test_connect_track_connects_while_the_track_is_up(
    netlab: Lab, tmp_path: Path, gateway_user: SystemUser
) -> None:
    """With the spoke's privileges dropped: its probes run on the capabilities it keeps."""
    client = " peer 1 10.0.0.1\n peer 2 10.0.0.2\n connect track 1\n"
    config = spoke_config(client, TRACKING)
    with failover_lab(netlab, tmp_path, config, "--user", gateway_user.name) as spoke:
        _answering(spoke, True)
        _logged(spoke, UP, 1, CONNECT)
        spoke.wait_through("hub1", CONNECT)

        _answering(spoke, False)
        _logged(spoke, DOWN, 1, DOWN_BOUND + LATE)
        wait_for(
            lambda: "READY" not in spoke.spoke_exec("show crypto ikev2 sa"),
            MOVE,
            "the client's SAs to go",
        )
        assert "Current state:INACTIVE\n  Peer : None\n" in _peer(spoke)
        assert not spoke.passes_through("hub1")

        _answering(spoke, True)
        _logged(spoke, UP, 2, FREQUENCY + LATE)
        spoke.wait_through("hub1", MOVE)
        assert f"%PYIKE-5-PRIVILEGES: running as user {gateway_user.name}" in spoke.log("spoke")
        assert "Traceback" not in spoke.log("spoke")


def test_a_waiting_probe_ignores_stray_and_malformed_icmp(netlab: Lab) -> None:
    """In a namespace whose loopback ignores echo requests, the probe of 127.0.0.1 waits:
    a truncated message, a bad checksum, replies of another sequence or identifier or from
    another address, a request and an unreachable leave the track Down, and nothing raises;
    the reply itself brings it Up."""
    ns = netlab.namespace("sla")
    ns.ip("link", "set", "lo", "up")
    ns.run("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1")
    done = ns.run(sys.executable, str(SUPPORT / "ip_sla_probe.py"), timeout=60)
    result = json.loads(done.stdout)
    assert result == {
        "after_strays": False,
        "after_reply": True,
        "logged": ["%TRACK-6-STATE: 1 ip sla 1 Down -> Up"],
        "caught": [],
        "closed": True,
    }


def test_a_source_address_the_host_lacks_is_logged_and_not_probed() -> None:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    config = load(
        "track 1 ip sla 1\nip sla 1\n icmp-echo 127.0.0.1 source-ip 192.0.2.55\n"
        "ip sla schedule 1 life forever start-time now\n"
    ).config
    logged: list[str] = []

    async def start_and_stop() -> bool:
        loop = asyncio.get_running_loop()
        probes = IpSlaProbes(config, loop, logged.append, lambda: None, loop.time)
        probes.start()
        await asyncio.sleep(0.2)
        probes.stop()
        return probes.is_up(1)

    assert not asyncio.run(start_and_stop())
    assert logged == [
        "%PYIKE-3-IP_SLA: ip sla 1: icmp-echo 127.0.0.1 not probed (ICMP socket from "
        "192.0.2.55: Cannot assign requested address)"
    ]
