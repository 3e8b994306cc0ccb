"""Crypto maps on `pyike run`: two daemons with the crypto-map example's configurations in
two network namespaces, and a LAN host behind site A whose traffic site A forwards through
its crypto map. Policy-routing rules steer what the ACL permits to the daemon; what it does
not permit stays in clear; clear traffic that should have come inside ESP is dropped
(%CRYPTO-4-RECVD_PKT_NOT_IPSEC); SIGHUP reconciles the rules, SIGTERM removes every rule, table
and device, and a crashed run's rules are cleared by the next start."""

from __future__ import annotations

import json
import signal
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.support.daemons import (
    numbered_log,
    numbered_logs,
    packets,
    pyike_exec,
    start_pyike_run,
    terminate_cleanly,
    wait_for_control,
)
from tests.support.netns import PYIKE, Lab, Namespace, wait_for
from tests.support.netns_lab import assert_run_left_nothing, run_netns_lab
from tests.support.paths import EXAMPLES
from tests.support.traffic import ping

EXAMPLE = EXAMPLES / "crypto-map"
ACL_A = " permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"


@dataclass
class Sites:
    a: Namespace
    b: Namespace
    lan: Namespace  # a host behind site A: 192.168.10.5
    wan: dict[str, str]  # site -> its WAN device
    procs: dict[str, subprocess.Popen[bytes]]
    work: Path
    lab: Lab

    def control(self, site: str) -> Path:
        return self.work / f"{site}.sock"

    def exec(self, site: str, *commands: str) -> str:
        return pyike_exec(self.control(site), *commands)

    def start(self, site: str) -> None:
        ns = self.a if site == "a" else self.b
        self.control(site).unlink(missing_ok=True)
        self.procs[site] = start_pyike_run(
            self.lab,
            ns,
            self.work / f"site-{site}.cfg",
            self.control(site),
            numbered_log(self.work, site),
            "--bind",
            f"GigabitEthernet0/0={self.wan[site]}",
            "--debug",
        )
        wait_for_control(self.control(site), f"site {site}")

    def log(self, site: str) -> str:
        return numbered_logs(self.work, site)


def sites(netlab: Lab, tmp_path: Path) -> Sites:
    a, b, lan = netlab.namespace("cma"), netlab.namespace("cmb"), netlab.namespace("lan")
    wan_a, wan_b = netlab.veth(a, "198.51.100.1/30", b, "198.51.100.2/30")
    netlab.veth(a, "192.168.10.1/24", lan, "192.168.10.5/24", suffix="l")
    a.ip("addr", "add", "172.31.10.1/24", "dev", "lo")
    b.ip("addr", "add", "192.168.20.1/24", "dev", "lo")
    a.ip("route", "add", "default", "via", "198.51.100.2")
    b.ip("route", "add", "default", "via", "198.51.100.1")
    lan.ip("route", "add", "default", "via", "192.168.10.1")
    a.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    for site in ("a", "b"):
        text = (EXAMPLE / f"site-{site}.cfg").read_text()
        (tmp_path / f"site-{site}.cfg").write_text(text)
    s = Sites(a, b, lan, {"a": wan_a, "b": wan_b}, {}, tmp_path, netlab)
    s.start("b")
    s.start("a")
    return s


def encaps(shown: str) -> int:
    return packets(shown, "encaps")


def pyike_rules(ns: Namespace) -> list[str]:
    return [line for line in ns.ip("rule").splitlines() if "proto 80" in line]


def wait_tunnel(s: Sites) -> None:
    try:
        wait_for(
            lambda: ping(s.lan, "192.168.10.5", "192.168.20.1", 1).returncode == 0,
            20,
            "a ping from the LAN through the crypto map",
        )
    except AssertionError:
        raise AssertionError(
            "no ping through the crypto map\n--- a ---\n"
            + s.log("a")[-5000:]
            + "\n--- b ---\n"
            + s.log("b")[-5000:]
        ) from None


def test_lan_to_lan_through_crypto_map_clear_outside_it_and_nothing_left(
    netlab: Lab, tmp_path: Path
) -> None:
    s = sites(netlab, tmp_path)
    assert "READY" not in s.exec("a", "show crypto ikev2 sa")  # traffic brings it up
    rules = pyike_rules(s.a)
    assert any("from 192.168.10.0/24 to 192.168.20.0/24 lookup 20480" in r for r in rules)
    assert any("from 198.51.100.1 ipproto esp goto" in r for r in rules)
    assert "default dev cm-GigabitEt0_0 table 20480 proto 80" in s.a.ip(
        "route", "show", "table", "all"
    )

    wait_tunnel(s)  # the first pings may be lost while negotiating, as on IOS
    assert " 0% packet loss" in ping(s.lan, "192.168.10.5", "192.168.20.1", 4).stdout
    assert " 0% packet loss" in ping(s.b, "192.168.20.1", "192.168.10.5", 4).stdout
    assert " 0% packet loss" in ping(s.a, "192.168.10.1", "192.168.20.1", 2).stdout
    shown = s.exec("a", "show crypto ipsec sa", "show crypto session", "show crypto map")
    assert "Crypto map tag: CMAP, local addr 198.51.100.1" in shown
    assert "Interface: GigabitEthernet0/0\nSession status: UP-ACTIVE" in shown
    assert "origin: crypto map" in shown
    assert "Interfaces using crypto map CMAP:" in shown  # show crypto map
    assert encaps(shown) >= 6

    # what the ACL does not permit stays in clear: it crosses, and no SA counts it
    before = encaps(s.exec("a", "show crypto ipsec sa"))
    assert " 0% packet loss" in ping(s.a, "172.31.10.1", "192.168.20.1", 3).stdout
    assert encaps(s.exec("a", "show crypto ipsec sa")) == before

    # SIGHUP: the rules follow the new ACL, the unchanged ones stay (no duplicates)
    cfg = tmp_path / "site-a.cfg"
    cfg.write_text(cfg.read_text().replace(ACL_A, " deny tcp any any eq 22\n" + ACL_A))
    s.procs["a"].send_signal(signal.SIGHUP)
    wait_for(
        lambda: len(pyike_rules(s.a)) == len(rules) + 2,  # the deny, and its mirror inbound
        10,
        "the rules of the new ACL after SIGHUP",
    )
    after = pyike_rules(s.a)
    assert any("ipproto tcp dport 22 goto" in r for r in after)
    assert any(f"iif {s.wan['a']} ipproto tcp sport 22 goto" in r for r in after)
    assert sum("from 192.168.10.0/24 to 192.168.20.0/24" in r for r in after) == 1
    assert sum("from 192.168.20.0/24 to 192.168.10.0/24" in r for r in after) == 1
    assert "%PYIKE-3-RELOAD" not in s.log("a")
    wait_tunnel(s)
    # an ACL the kernel cannot match is refused whole; the running rules stay
    cfg.write_text(cfg.read_text().replace("deny tcp any any", "deny tcp 10.0.0.1 0.255.0.255 any"))
    s.procs["a"].send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration not reloaded" in s.log("a"), 10, "the refused reload")
    assert "0.255.0.255 is not contiguous" in s.log("a")
    assert pyike_rules(s.a) == after

    terminate_cleanly(s.procs.values())
    assert_nothing_left(s)


def assert_nothing_left(s: Sites) -> None:
    for ns in (s.a, s.b):
        assert pyike_rules(ns) == []
        routes = ns.ip("route", "show", "table", "all")
        assert "proto 80" not in routes and "20480" not in routes and "20736" not in routes
        assert "cm-" not in routes and "ci-" not in routes
        links = ns.ip("link")
        assert "cm-" not in links and "ci-" not in links
    assert "Traceback" not in s.log("a") + s.log("b")


UDP_LISTENER = textwrap.dedent(
    """
    import socket, sys
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 9999))
    print("listening", flush=True)
    while True:
        data, (source, _port) = sock.recvfrom(2048)
        print(source, data.decode(), flush=True)
    """
)

# A host on the WAN link sends a hand-made frame straight onto the wire (AF_PACKET): neither
# routing nor site B's crypto map can touch it, as with a spoofing attacker on the outside.
RAW_SENDER = textwrap.dedent(
    """
    import socket, struct, sys
    device, mac, source, target, text, count = sys.argv[1:]
    def checksum(header):
        total = sum(struct.unpack("!10H", header))
        total = (total & 0xFFFF) + (total >> 16)
        return ~((total & 0xFFFF) + (total >> 16)) & 0xFFFF
    payload = text.encode()
    udp = struct.pack("!HHHH", 5555, 9999, 8 + len(payload), 0) + payload
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
        socket.inet_aton(source), socket.inet_aton(target),
    )
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    frame = bytes.fromhex(mac.replace(":", "")) + b"\\x02" * 6 + b"\\x08\\x00"
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((device, 0))
    for _ in range(int(count)):
        sock.send(frame + header + udp)
    """
)


def send_clear(s: Sites, source: str, text: str, count: int = 1) -> None:
    """Clear UDP packets from `source` to the LAN host, onto site A's WAN from outside."""
    (link,) = json.loads(s.a.ip("-j", "link", "show", s.wan["a"]))
    mac = link["address"]
    s.b.run(PYIKE[0], "-c", RAW_SENDER, s.wan["b"], mac, source, "192.168.10.5", text, str(count))


def test_clear_traffic_that_should_be_esp_is_dropped_and_the_tunnel_keeps_working(
    netlab: Lab, tmp_path: Path
) -> None:
    s = sites(netlab, tmp_path)
    rules = pyike_rules(s.a)
    wan = s.wan["a"]
    assert any(
        f"from 192.168.20.0/24 to 192.168.10.0/24 iif {wan} lookup 20736" in r for r in rules
    )
    assert any(f"to 198.51.100.1 iif {wan} ipproto esp goto" in r for r in rules)
    assert "default dev ci-GigabitEt0_0 table 20736 proto 80" in s.a.ip(
        "route", "show", "table", "all"
    )
    received = tmp_path / "lan-udp.log"
    netlab.start(s.lan, [PYIKE[0], "-c", UDP_LISTENER], received)
    wait_for(lambda: "listening" in received.read_text(), 10, "the LAN's UDP listener")
    wait_tunnel(s)

    # outside the mirrored ACL, clear traffic still arrives: the listener hears it
    send_clear(s, "203.0.113.9", "unprotected")
    wait_for(lambda: "unprotected" in received.read_text(), 5, "the unprotected packet")
    # from B's protected network, in clear: it should have come inside ESP
    send_clear(s, "192.168.20.7", "spoofed", count=3)
    wait_for(lambda: "RECVD_PKT_NOT_IPSEC" in s.log("a"), 5, "%CRYPTO-4-RECVD_PKT_NOT_IPSEC")
    send_clear(s, "203.0.113.9", "after")  # the listener has read everything sent before
    wait_for(lambda: "after" in received.read_text(), 5, "the packet sent after")
    assert "spoofed" not in received.read_text()
    assert (
        "%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSec packet. "
        "(ip) vrf/dest_addr= /192.168.10.5, src_addr= 192.168.20.7, prot= 17"
    ) in s.log("a")
    assert s.log("a").count("RECVD_PKT_NOT_IPSEC") == 1  # rate-limited, as on IOS

    # the tunnel keeps working both ways, and IKE and ESP between the peers still pass:
    # a fresh IKE SA is negotiated after clearing the session
    before = encaps(s.exec("a", "show crypto ipsec sa"))
    assert " 0% packet loss" in ping(s.lan, "192.168.10.5", "192.168.20.1", 3).stdout
    assert " 0% packet loss" in ping(s.b, "192.168.20.1", "192.168.10.5", 3).stdout
    assert encaps(s.exec("a", "show crypto ipsec sa")) >= before + 6
    s.exec("a", "clear crypto session")
    wait_tunnel(s)
    assert " 0% packet loss" in ping(s.b, "192.168.20.1", "192.168.10.5", 3).stdout

    terminate_cleanly(s.procs.values())
    assert_nothing_left(s)


def test_crash_leaves_nothing_that_blocks_the_next_start(netlab: Lab, tmp_path: Path) -> None:
    s = sites(netlab, tmp_path)
    wait_tunnel(s)
    rules = pyike_rules(s.a)
    s.procs["a"].kill()
    s.procs["a"].wait(10)
    # the rules outlive a crash; the device went with the process
    assert [r.replace(" [detached]", "") for r in pyike_rules(s.a)] == rules
    assert "cm-" not in s.a.ip("link")
    s.start("a")
    assert f"removed {len(rules)} stale policy-routing rule(s)" in s.log("a")
    assert pyike_rules(s.a) == rules
    wait_tunnel(s)  # B's stale SA is replaced (INITIAL_CONTACT)
    assert " 0% packet loss" in ping(s.lan, "192.168.10.5", "192.168.20.1", 3).stdout


def test_lab_netns_runs_the_crypto_map_example(netlab: Lab) -> None:
    code, out, err, pid = run_netns_lab(str(EXAMPLE), timeout=150)
    assert code == 0, out + err
    for host, peer in (("SiteA", "198.51.100.2"), ("SiteB", "198.51.100.1")):
        session = out.split(f"{host}: {host}#show crypto session")[1]
        assert (
            f"{host}: Interface: GigabitEthernet0/0\n{host}: Session status: UP-ACTIVE" in session
        )
        assert f"{host}: Peer: {peer} port 500" in session
    # the example's checks: protected LAN to LAN, and Loopback1 in clear
    assert "SiteA: Success rate is 100 percent (10/10)" in out
    assert "SiteA: SiteA#ping 192.168.20.1 source Loopback1" in out
    assert "2 tunnels UP-ACTIVE on SiteA, SiteB; 5 checks passed" in out
    assert_run_left_nothing(str(pid), out)
