"""IOS exec commands on a running gateway that the lab shares with it: IKEv2 statistics and
sessions, and `clear crypto sa` (child SAs renegotiated on the standing IKE SA)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.daemons import pyike_exec, ready_sas, seed_pair
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.traffic import ping


def row(text: str, name: str) -> list[int]:
    line = next(line for line in text.splitlines() if line.split()[:1] == [name])
    return [int(n) for n in line.split()[1:]]


def dotted_mac(namespace: Namespace, address: str) -> str:
    """The MAC address of the device holding `address` in `namespace`, as IOS writes it."""
    addresses = namespace.run("ip", "-o", "-4", "addr", "show").stdout
    device = next(line.split()[1] for line in addresses.splitlines() if f" {address}/" in line)
    mac = namespace.run("cat", f"/sys/class/net/{device}/address").stdout.strip().replace(":", "")
    return f"{mac[:4]}.{mac[4:8]}.{mac[8:]}"


def test_stats_sessions_and_clear_crypto_sa(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path, "--passive")
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    r1_sock, r2_sock = tmp_path / "r1.sock", tmp_path / "r2.sock"
    # TX REQ, TX RES, RX REQ, RX RES
    assert row(pyike_exec(r1_sock, "show crypto ikev2 stats exchange"), "IKE_SA_INIT") == [
        1,
        0,
        0,
        1,
    ]
    assert row(pyike_exec(r2_sock, "show crypto ikev2 stats exchange"), "IKE_AUTH") == [0, 1, 1, 0]
    session = pyike_exec(r1_sock, "show crypto ikev2 session")
    assert "Status:UP-ACTIVE, IKE count:1, CHILD count:1" in session
    spi = pyike_exec(r1_sock, "show crypto ipsec sa").split("current outbound spi: ")[1].split()[0]
    assert pyike_exec(r1_sock, "clear crypto sa").strip() == ""
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "new child SA")
    after = pyike_exec(r1_sock, "show crypto ipsec sa")
    assert spi not in after
    assert "Status:UP-ACTIVE, IKE count:1," in pyike_exec(r1_sock, "show crypto ikev2 session")
    engine = pyike_exec(r1_sock, "show crypto engine connections active").splitlines()
    assert engine[:2] == ["Crypto Engine Connections", ""]
    rows = sorted(line.split()[1:5] for line in engine[3:])
    esp = ["IPsec", "3DES+SHA"]
    assert [row[:2] for row in rows] == [["IKEv2", "SHA+AES"], esp, esp]
    assert {row[2] != "0" for row in rows[1:]} == {True, False}  # the new pair: out, in
    tunnel = pyike_exec(r1_sock, "show ip interface Tunnel0").splitlines()
    assert tunnel[:2] == [
        "Tunnel0 is up, line protocol is up",
        "  Internet address is 172.16.0.101/24",
    ]
    assert re.fullmatch(r"  MTU is 14\d\d bytes", tunnel[4])
    assert pyike_exec(r1_sock, "terminal length 0") == ""
    # the kernel's neighbour table under the IOS name: its own address, and its peer's,
    # with the MAC addresses of the two namespaces' veth devices
    arp = pyike_exec(r1_sock, "show ip arp").splitlines()
    assert arp[0] == "Protocol  Address          Age (min)  Hardware Addr   Type   Interface"
    assert arp[1:] == [
        f"Internet  10.0.0.1                -   {dotted_mac(r1, '10.0.0.1')}  ARPA   Ethernet0/0",
        f"Internet  10.0.0.2                0   {dotted_mac(_r2, '10.0.0.2')}  ARPA   Ethernet0/0",
    ]
    assert pyike_exec(r1_sock, "show ip arp 10.0.0.2").splitlines()[1:] == arp[2:]
    assert pyike_exec(r1_sock, "show arp") == pyike_exec(r1_sock, "show ip arp Ethernet0/0")
    assert "% Invalid input" in pyike_exec(r1_sock, "show ip arp Tunnel9")
    startup = pyike_exec(r1_sock, "show startup-config")  # the file the daemon runs
    assert "\nhostname Router1\n" in startup and "cisco" not in startup
    sockets = pyike_exec(r1_sock, "show crypto sockets")
    assert "   Tu0 Peers (local/remote): 10.0.0.1/10.0.0.2\n" in sockets
    assert "Socket State: Open" in sockets
    # what the gateway logged, debug output (r1 runs with --debug) and messages alike
    logged = pyike_exec(r1_sock, "show logging")
    assert "\nLog Buffer (102400 bytes):\n\n" in logged
    buffered = logged.split("Log Buffer (102400 bytes):\n\n", 1)[1]
    assert (
        "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to up" in buffered
    )
    assert "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP." in buffered
    assert "SM Trace->" in buffered
    by_peer = pyike_exec(r1_sock, "show crypto ipsec sa peer 10.0.0.2")
    assert "current_peer 10.0.0.2 port 500" in by_peer and "interface: Tunnel0" in by_peer
    assert pyike_exec(r1_sock, "show crypto ipsec sa peer 10.0.0.9") == ""


def test_show_clock_is_the_host_s(netlab: Lab, tmp_path: Path) -> None:
    """The gateway tells the host's time (UTC), without IOS's `*`: the host keeps its clock."""
    seed_pair(netlab, tmp_path, "--passive")
    wait_for(lambda: (tmp_path / "r1.sock").exists(), 20, "the control socket")
    before = datetime.now(UTC)
    lines = pyike_exec(tmp_path / "r1.sock", "show clock detail").splitlines()
    after = datetime.now(UTC)
    assert lines[1] == "Time source is the host's clock"
    version = pyike_exec(tmp_path / "r1.sock", "show version").splitlines()
    assert version[0].startswith("pyike Software, Version ") and "(not Cisco IOS)" in version[0]
    assert "Router1 uptime is 0 minutes" in version
    [started] = [line for line in version if line.startswith("System started at ")]
    started_at = datetime.strptime(started, "System started at %H:%M:%S.%f UTC %a %b %d %Y")
    assert abs(started_at.replace(tzinfo=UTC) - before) < timedelta(seconds=60)
    assert f'System configuration file is "{SEED_CONFIGS / "router1.cfg"}"' in version
    shown = datetime.strptime(lines[0], "%H:%M:%S.%f UTC %a %b %d %Y").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= shown <= after + timedelta(seconds=1)


def test_tunnel_asks_for_new_sas_without_waiting_for_traffic(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    r1_sock, r2_sock = tmp_path / "r1.sock", tmp_path / "r2.sock"
    # Both daemons initiated at start: let the duplicate IKE SA go first.
    wait_for(
        lambda: len(ready_sas(r1_sock)) == 1 and len(ready_sas(r2_sock)) == 1, 10, "one IKE SA"
    )
    spi = pyike_exec(r1_sock, "show crypto ipsec sa").split("current outbound spi: ")[1].split()[0]
    pyike_exec(r2_sock, "clear crypto sa")

    def renegotiated() -> bool:
        shown = pyike_exec(r1_sock, "show crypto ipsec sa")
        current = shown.split("current outbound spi: ")[1].split()[0]
        return current not in (spi, "0x0(0)") and "UP-ACTIVE" in pyike_exec(
            r2_sock, "show crypto session"
        )

    wait_for(renegotiated, 15, "the tunnel to come back by itself")
    # One new child SA on the standing IKE SA, not one per side. (A half-open IKE SA from
    # the abandoned first attempt at start may still wait for its timeout on one side.)
    assert "CHILD count:1" in pyike_exec(r1_sock, "show crypto ikev2 session")
    assert len(ready_sas(r1_sock)) == len(ready_sas(r2_sock)) == 1
