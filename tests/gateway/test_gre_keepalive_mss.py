"""GRE keepalives and `ip tcp adjust-mss` on `pyike run`'s GRE-over-IPsec tunnels, between two
daemons in network namespaces: Router1's keepalives go unanswered while Router2 is stopped,
which takes Tunnel0's line protocol and TUN device down (the kernel withdraws the route into
it), and come back with Router2; a TCP SYN crossing the tunnel either way arrives with the
MSS Router1's `ip tcp adjust-mss` sets."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from tests.support.daemons import pyike_exec, terminate_cleanly
from tests.support.gre_pair import gre_pair
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.traffic import ping

DEVICE = "tun-Tunnel0"
PORT = 5001

# Prints the MSS of the first SYN to PORT that reaches this namespace (a raw socket sees every
# TCP segment the host receives), then exits.
SYN_WATCHER = f"""
import socket
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
sock.settimeout(60)
print("ready", flush=True)
while True:
    data = sock.recv(65535)
    tcp = data[(data[0] & 15) * 4:]
    if int.from_bytes(tcp[2:4], "big") != {PORT} or not tcp[13] & 2:
        continue
    at, end = 20, (tcp[12] >> 4) * 4
    while at < end and tcp[at] != 0:
        if tcp[at] == 1:
            at += 1
            continue
        if tcp[at] == 2:
            print("mss", int.from_bytes(tcp[at + 2:at + 4], "big"), flush=True)
            raise SystemExit
        at += tcp[at + 1]
"""


def interface(work: Path) -> str:
    return pyike_exec(work / "router1.sock", "show interfaces Tunnel0")


def protocol(work: Path) -> str:
    return interface(work).splitlines()[0]


def routed_into_tunnel(ns: Namespace) -> bool:
    return DEVICE in ns.run("ip", "route", "get", "192.168.2.1", check=False).stdout


def test_keepalives_take_the_tunnel_down_while_the_peer_is_silent_and_up_again(
    netlab: Lab, tmp_path: Path
) -> None:
    r1, _r2, procs = gre_pair(netlab, tmp_path, tunnel_lines=(" keepalive 1 2\n", ""))
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "GRE ping")
    shown = interface(tmp_path)
    assert shown.startswith("Tunnel0 is up, line protocol is up \n"), shown
    assert "  Keepalive set (1 sec), retries 2\n" in shown
    assert "  Tunnel protocol/transport GRE/IP\n" in shown
    time.sleep(3)  # keepalives answered meanwhile: still up
    assert protocol(tmp_path) == "Tunnel0 is up, line protocol is up "
    peer = procs[1]
    peer.send_signal(signal.SIGSTOP)
    try:
        wait_for(
            lambda: protocol(tmp_path) == "Tunnel0 is up, line protocol is down ",
            30,
            "keepalives to take Tunnel0 down",
        )
        assert "state DOWN" in r1.ip("-o", "link", "show", DEVICE)
        assert not routed_into_tunnel(r1)
    finally:
        peer.send_signal(signal.SIGCONT)
    wait_for(
        lambda: protocol(tmp_path) == "Tunnel0 is up, line protocol is up ",
        30,
        "a keepalive reply to bring Tunnel0 up",
    )
    assert routed_into_tunnel(r1)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "GRE ping")
    terminate_cleanly(procs)
    log = (tmp_path / "router1.log").read_text()
    down = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to down"
    up = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to up"
    assert log.index(down) < log.rindex(up), log
    assert "Traceback" not in log


def syn_mss(netlab: Lab, work: Path, to: Namespace, frm: Namespace, src: str, dst: str) -> int:
    """The MSS of a SYN from `src` in `frm` to `dst` as it arrives in `to`."""
    log = work / f"watch-{to.name}.log"
    watcher = netlab.start(to, [sys.executable, "-c", SYN_WATCHER], log)
    wait_for(lambda: "ready" in log.read_text(), 20, "the SYN watcher")
    connect = (
        "import socket\ns = socket.socket()\ns.settimeout(2)\n"
        f"s.bind(({src!r}, 0))\ns.connect_ex(({dst!r}, {PORT}))\n"
    )
    frm.run(sys.executable, "-c", connect, check=False)
    watcher.wait(30)
    words = log.read_text().split()
    return int(words[words.index("mss") + 1])


def test_adjust_mss_clamps_syns_through_the_tunnel_both_ways(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, procs = gre_pair(netlab, tmp_path, tunnel_lines=(" ip tcp adjust-mss 1200\n", ""))
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "GRE ping")
    # the kernels offer the TUN device's MTU less 40 (above 1200): Router1 lowers both
    assert syn_mss(netlab, tmp_path, r2, r1, "192.168.1.1", "192.168.2.1") == 1200
    assert syn_mss(netlab, tmp_path, r1, r2, "192.168.2.1", "192.168.1.1") == 1200
    terminate_cleanly(procs)
