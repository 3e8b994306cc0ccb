"""A hostile peer against `pyike run`: while its tunnel to strongSwan carries pings, a third
namespace sends it a few thousand mutated IKE and ESP datagrams (`tests.support.hostile_peer`,
from a seeded RNG): replays of ESP captured on its way in, wrong ICVs, lengths no transform
makes, ESP cut below its header, SPIs no SA has, raw and in UDP on port 4500 with the peer's
address as their source; IKE on ports 500 and 4500 (behind the non-ESP marker) with broken
headers and payload chains, and forged messages and fragments (out of order, impossible
numbers) on the established IKE SA. Nothing may change but the counters: the daemon lives,
no SA is lost or replaced, every ping is answered, and every datagram is counted exactly
once where IOS counts it (`show crypto ikev2 stats`, `show crypto ipsec sa detail`), and in
the metrics (`--metrics`: those, and the ESP dropped on receipt from any source)."""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support import hostile_sender
from tests.support.hostile_peer import (
    BELOW_HEADER,
    DISPATCH,
    ESP,
    IKE_PORT,
    INVALID_LEN,
    INVALID_SA,
    MARKER,
    NAT_T_PORT,
    NOT_A_PEER,
    REPLAY,
    UDP,
    VERIFY,
    EspShape,
    Hostile,
    esp_mutations,
    ike_mutations,
)
from tests.support.interop import Interop, check_traffic, pyike_log, topology
from tests.support.metrics_scrape import scrape, value
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import SEED_SUITE
from tests.support.traffic import ping, ping_stream

pytestmark = pytest.mark.interop

SENDER = hostile_sender.__file__
SEED = 19
SHAPE = EspShape(iv=16, icv=12, block=16)  # SEED_SUITE's ESP: esp-aes (128) esp-sha-hmac
PYIKE, CHARON = "10.0.0.1", "10.0.0.2"
ATTACKER, FACING_ATTACKER = "10.0.9.1", "10.0.9.2"
N_ESP, N_IKE, N_STRANGER = 1500, 1500, 100
RATE = 1000  # datagrams a second: the kernel must drop none, or the counts cannot add up
RECV_ERRORS = "recv errors"
METRICS_PORT = 9479

_COUNTERS = {
    DISPATCH: r"IKEv2 packets dropped at dispatch: (\d+)",
    REPLAY: r"##pkts replay failed \(rcv\): (\d+)",
    VERIFY: r"#pkts verify failed: (\d+)",
    INVALID_LEN: r"#pkts invalid len \(rcv\) (\d+)",
    INVALID_SA: r"#pkts invalid sa \(rcv\) (\d+)",
    RECV_ERRORS: r"#recv errors (\d+)",
}


# the metric series (`pyike run --metrics`) and their labels
_METRICS = {
    "ike dropped": ("pyike_ike_dropped_total", {}),
    "received no_sa": ("pyike_esp_received_drops_total", {"reason": "no_sa"}),
    "received malformed": ("pyike_esp_received_drops_total", {"reason": "malformed"}),
    "received decapsulation": ("pyike_esp_received_drops_total", {"reason": "decapsulation"}),
    **{
        f"flow {reason}": ("pyike_esp_flow_drops_total", {"interface": "Tunnel0", "reason": reason})
        for reason in ("replay", "integrity", "no_sa", "malformed")
    },
}


def counters(t: Interop) -> dict[str, int]:
    """What `show crypto ...` and the metrics count."""
    shown = t.exec("show crypto ikev2 stats", "show crypto ipsec sa detail", "show crypto ipsec sa")
    found = {}
    for name, pattern in _COUNTERS.items():
        values = re.findall(pattern, shown)
        assert len(values) == 1, f"{name}: {values}\n{shown}"
        found[name] = int(values[0])
    samples = scrape(t.py, METRICS_PORT)
    for name, (series, labels) in _METRICS.items():
        found[name] = int(value(samples, series, **labels))
    return found


def identities(t: Interop) -> tuple[str, str, int]:
    """(pyike's IKE SPIs, its inbound ESP SPI, READY IKE SAs): what an SA lost or replaced
    would change."""
    detailed = t.exec("show crypto ikev2 sa detailed")
    spis = re.search(r"Local spi: (\w+)\s+Remote spi: (\w+)", detailed)
    inbound = re.search(r"inbound esp sas:\s+spi: (0x\w+)", t.exec("show crypto ipsec sa"))
    assert spis and inbound, detailed
    return f"{spis[1]}/{spis[2]}", inbound[1], detailed.count("READY")


def capture_esp(netlab: Lab, t: Interop, work: Path) -> list[bytes]:
    """ESP packets charon sends pyike (answers to pings), caught on pyike's side of the link
    as they arrive: pyike accepts each, so sent again they are replays."""
    out, log = work / "captured.json", work / "capture.log"
    process = netlab.start(
        t.py, [sys.executable, SENDER, "capture", t.device, PYIKE, "30", "20", str(out)], log
    )
    wait_for(lambda: log.exists() and "listening" in log.read_text(), 20, "the capture's socket")
    pings = ping_stream(netlab, t.py, "192.168.1.1", "192.168.2.1", work / "p.log", count=60)
    process.wait(30)
    pings.result()
    captured = [bytes.fromhex(h) for h in json.loads(out.read_text())]
    assert len(captured) >= 10, log.read_text()
    return captured


def plan(t: Interop, captured: list[bytes]) -> list[Hostile]:
    rng = random.Random(SEED)
    spis, inbound, _ready = identities(t)
    spi_i, spi_r = (bytes.fromhex(s) for s in spis.split("/"))  # pyike initiated: local first
    known = {int(inbound, 16)} | {int.from_bytes(c[:4], "big") for c in captured}
    out: list[Hostile] = []
    for n, (counter, esp) in enumerate(esp_mutations(rng, captured, known, SHAPE, N_ESP)):
        if n % 2:  # in UDP from the peer's NAT-T port
            out.append(Hostile(counter, CHARON, PYIKE, UDP, esp, NAT_T_PORT, NAT_T_PORT))
        else:
            out.append(Hostile(counter, CHARON, PYIKE, ESP, esp))
    for n, message in enumerate(ike_mutations(rng, spi_i, spi_r, False, N_IKE)):
        if n % 2:
            out.append(Hostile(DISPATCH, ATTACKER, PYIKE, UDP, MARKER + message, 4500, 4500))
        else:
            out.append(Hostile(DISPATCH, ATTACKER, PYIKE, UDP, message, IKE_PORT, IKE_PORT))
    for _ in range(N_STRANGER):  # unknown SPIs from an address that is nobody's peer
        esp = rng.randbytes(4) + rng.randbytes(64)
        out.append(Hostile(NOT_A_PEER, ATTACKER, PYIKE, UDP, esp, NAT_T_PORT, NAT_T_PORT))
    rng.shuffle(out)
    return out


def expected_deltas(datagrams: list[Hostile]) -> dict[str, int]:
    n = Counter(d.counter for d in datagrams)
    invalid_len = n[INVALID_LEN] + n[BELOW_HEADER]
    return {
        DISPATCH: n[DISPATCH],
        REPLAY: n[REPLAY],
        VERIFY: n[VERIFY],
        INVALID_LEN: invalid_len,
        INVALID_SA: n[INVALID_SA],
        RECV_ERRORS: n[REPLAY] + n[VERIFY] + invalid_len + n[INVALID_SA],
        "ike dropped": n[DISPATCH],
        "received no_sa": n[INVALID_SA] + n[NOT_A_PEER],
        "received malformed": n[BELOW_HEADER],
        "received decapsulation": n[REPLAY] + n[VERIFY] + n[INVALID_LEN],
        "flow replay": n[REPLAY],
        "flow integrity": n[VERIFY],
        "flow no_sa": n[INVALID_SA],
        "flow malformed": invalid_len,
    }


def kernel_drops(ns: Namespace) -> int:
    """Datagrams the kernel of `ns` dropped for want of room in a UDP or raw socket."""
    listing = ns.run("nstat", "-asz", "UdpRcvbufErrors", check=False).stdout
    found = re.search(r"UdpRcvbufErrors\s+(\d+)", listing)
    raw = ns.run("cat", "/proc/net/raw", check=False).stdout.splitlines()[1:]
    return (int(found[1]) if found else 0) + sum(int(line.split()[-1]) for line in raw)


def test_hostile_datagrams_change_nothing_but_the_counters(netlab: Lab, tmp_path: Path) -> None:
    t = topology(netlab, tmp_path, SEED_SUITE, "--metrics", str(METRICS_PORT))
    check_traffic(t)
    attacker = netlab.namespace("hx")
    _, facing = netlab.veth(attacker, f"{ATTACKER}/24", t.py, f"{FACING_ATTACKER}/24", "h")
    attacker.ip("route", "add", "10.0.0.0/24", "via", FACING_ATTACKER)
    for where in ("all", "default", facing):  # let the peer's address in from the attacker
        t.py.run("sysctl", "-qw", f"net.ipv4.conf.{where}.rp_filter=0")
    captured = capture_esp(netlab, t, tmp_path)
    datagrams = plan(t, captured)
    (tmp_path / "plan.json").write_text(json.dumps([d.as_json() for d in datagrams]))
    before, sas_before = counters(t), identities(t)
    drops_before = kernel_drops(t.py)

    stream = ping_stream(
        netlab, t.py, "192.168.1.1", "192.168.2.1", tmp_path / "ping.log", count=80, interval=0.1
    )
    sent = attacker.run(
        sys.executable, SENDER, "send", str(tmp_path / "plan.json"), str(RATE), timeout=60
    )
    assert json.loads(sent.stdout) == {"sent": len(datagrams)}, sent.stderr
    transmitted, received = stream.result()

    assert kernel_drops(t.py) == drops_before, "the kernel dropped datagrams: lower RATE"
    expected = expected_deltas(datagrams)
    deltas: dict[str, int] = {}

    def counted() -> bool:
        deltas.update({k: v - before[k] for k, v in counters(t).items()})
        return deltas == expected

    try:
        wait_for(counted, 20, "every datagram counted")
    except AssertionError:
        raise AssertionError(f"counted {deltas}, expected {expected}") from None
    assert t.pyike.poll() is None
    assert identities(t) == sas_before  # the same IKE SA and Child SA, nothing renegotiated
    assert transmitted == received == 80
    assert " 0% packet loss" in ping(t.ss, "192.168.2.1", "192.168.1.1", 3).stdout
    assert t.charon.ike_sas() == 1
    log = pyike_log(tmp_path)
    assert "Traceback" not in log and "internal error" not in log and "INTERNAL" not in log
