"""Soak: `pyike run` against strongSwan's charon for an hour (or ten minutes for a quick look)
with TCP and pings crossing the tunnel, both sides rekeying, DPD on; pyike's memory, file
descriptors and threads sampled throughout.

    .venv/bin/python bench/soak.py [--minutes 60] [--streams 4] [--bitrate 2M]
        [--rekey-seconds 30] [--rekeys both|ike|child] [--stall-seconds 5]
        [--sample-seconds 10] [--keep]

Namespaces py (10.0.0.1, LAN 192.168.1.1 on lo) and ss (10.0.0.2, LAN 192.168.2.1) joined by
a veth pair; pyike initiates a VTI (aes-cbc-256/sha256/group 14, ESP aes-256/sha256) to
charon (kernel-libipsec: ESP in UDP). For the whole run:

- TCP: `--streams` long-lived iperf3 connections between the LANs, half of them each way
  (`-R`), each paced at `--bitrate` by its socket (`--fq-rate`: iperf3's own bursts overflow
  charon's UDP receive buffer, and its drops would pass for pyike's retransmissions); a
  soak, not a throughput test (the machine is shared).
  A connection is lost when its iperf3 fails (it is then started again, a new connection) or
  when it moves no byte for more than `--stall-seconds`.
- A ping from LAN to LAN every second (`ping -O`: each unanswered one is counted).
- Rekeys from both sides every `--rekey-seconds` (R). charon's come from its lifetimes
  (`rekey_time` = 2R/3 for the IKE SA and the Child SA, no jitter): 2R/3 after each of
  pyike's. pyike's lifetimes cannot go below IOS's minimum of 120 s (`lifetime 120`,
  `set security-association lifetime seconds 120`), so its rekeys are forced every R with
  `test crypto ikev2 rekey` and, 2 s later, `test crypto ipsec rekey`. `--rekeys ike` or
  `child` forces only those rekeys, on both sides (to tell which leaves memory behind; pyike's
  120 s lifetimes still rekey the others).
- DPD: pyike `dpd 10 3 periodic`, charon `dpd_delay = 10s`.

Every `--sample-seconds` a row: pyike's resident memory, open file descriptors and threads
(/proc), its CPU time, the IKE SAs and Child SA pairs each side holds, pings sent and lost,
TCP megabytes moved and connections lost so far. Then a summary: rekeys by initiator (pyike's
`show crypto ikev2 stats exchange`), lost connections, TCP retransmissions, ping loss, RSS
first/last/max and its least-squares slope per hour after the first minute, descriptors and
threads first/last, pyike's `#send errors` / `#recv errors`, and internal errors in its log.
Exit status 0 when no connection was lost, no ping was lost and the log has no internal
error. Root only; installs iperf3 and strongSwan with apt if missing. `--keep` keeps the
scratch directory (logs of pyike, charon, iperf3 and ping) and prints where it is.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlab import (
    A,
    B,
    Charon,
    Lab,
    Namespace,
    ensure_tools,
    lab_session,
    proc_cpu_seconds,
    proc_rss_kib,
    start_charon,
    two_hosts,
    wait_for,
)

from tests.support.daemons import pyike_exec, start_pyike_run, wait_for_control
from tests.support.strongswan import CBC256_SUITE, pyike_config, swanctl_config

SUITE = CBC256_SUITE
IPERF_PORT = 5201
WARM_UP = 60.0  # seconds left out of the RSS slope: imports, first SAs, buffers


# -- configurations ------------------------------------------------------------------------


def configs(rekey_seconds: float, rekeys: str) -> tuple[str, str]:
    """(pyike's configuration, charon's swanctl.conf); charon rekeys the SAs `rekeys` names
    (0s: never)."""
    pyike = pyike_config(
        SUITE,
        profile_extra=" lifetime 120\n dpd 10 3 periodic\n",
        ipsec_extra=" set security-association lifetime seconds 120\n",
    )
    charon_rekey = max(int(rekey_seconds * 2 / 3), 1)
    ike_rekey = charon_rekey if rekeys in ("both", "ike") else 0
    child_rekey = charon_rekey if rekeys in ("both", "child") else 0
    child_life = f"        life_time = {charon_rekey + 60}s\n" if child_rekey else ""
    charon = swanctl_config(
        SUITE,
        conn_extra=(
            f"    rekey_time = {ike_rekey}s\n    over_time = 60s\n    rand_time = 0s\n"
            "    dpd_delay = 10s\n"
        ),
        child_extra=(f"        rekey_time = {child_rekey}s\n{child_life}        rand_time = 0s\n"),
    )
    return pyike, charon


# -- TCP: iperf3 connections ---------------------------------------------------------------

_INTERVAL = re.compile(
    r"^\[\s*\d+\]\s+([\d.]+)-([\d.]+)\s+sec\s+([\d.]+)\s+(\w?)Bytes\s+[\d.]+\s+\w?bits/sec"
    r"(?:\s+(\d+))?"
)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


@dataclass
class TcpStream:
    """One iperf3 client (one TCP data connection at a time) and what its output says."""

    port: int
    reverse: bool
    bitrate: str  # iperf3 -b
    log_dir: Path
    runs: int = 0
    failures: int = 0  # iperf3 exited before its time: the connection broke
    stalls: int = 0  # intervals without a byte for longer than the stall limit
    moved: int = 0  # bytes
    retransmits: int = 0
    longest_stall: float = 0.0
    process: subprocess.Popen[bytes] | None = None
    _offset: int = 0
    _idle: float = 0.0
    _stalled: bool = False
    _ends_at: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def log(self) -> Path:
        return self.log_dir / f"iperf3-{self.port}.{self.runs}.log"

    @property
    def lost(self) -> int:
        return self.failures + self.stalls

    def start(self, lab: Lab, ns: Namespace, seconds: float) -> None:
        self.runs += 1
        self._offset, self._idle, self._stalled = 0, 0.0, False
        self._ends_at = time.monotonic() + seconds
        argv = [
            "iperf3", "-c", B.lan, "-B", A.lan, "-p", str(self.port), "-t", str(int(seconds)),
            "-b", self.bitrate, "--fq-rate", self.bitrate,  # paced by the socket, no bursts
            "-i", "1", "--forceflush", "--connect-timeout", "10000",
        ]  # fmt: skip
        if self.reverse:
            argv.append("-R")
        self.process = lab.start(ns, argv, self.log)

    def poll(self, lab: Lab, ns: Namespace, stall_limit: float) -> None:
        """Reads what iperf3 printed since the last call; restarts a failed client."""
        self._read(stall_limit)
        proc = self.process
        if proc is None or proc.poll() is None:
            return
        if proc.returncode != 0:
            self.failures += 1
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
            self.errors.append(f"port {self.port}: {' '.join(tail) or f'exit {proc.returncode}'}")
            remaining = self._ends_at - time.monotonic()
            if remaining > 5:
                self.start(lab, ns, remaining)
                return
        self.process = None

    def _read(self, stall_limit: float) -> None:
        if not self.log.exists():
            return
        with self.log.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode(errors="replace").splitlines():
            if "sender" in line or "receiver" in line:
                continue  # the summary repeats the intervals
            found = _INTERVAL.match(line)
            if found is None:
                continue
            start, end, amount, unit, retr = found.groups()
            moved = int(float(amount) * _UNITS[unit])
            self.moved += moved
            self.retransmits += int(retr or 0)
            if moved:
                self._idle, self._stalled = 0.0, False
                continue
            self._idle += float(end) - float(start)
            self.longest_stall = max(self.longest_stall, self._idle)
            if self._idle > stall_limit and not self._stalled:
                self._stalled = True
                self.stalls += 1
                self.errors.append(f"port {self.port}: no byte for {self._idle:.0f} s at {end} s")


# -- pings ---------------------------------------------------------------------------------


def ping_counts(log: Path) -> tuple[int, int]:
    """(pings sent, answered) so far, from `ping -O` output: each sequence number gets a
    reply line or a 'no answer yet' line."""
    text = log.read_text(errors="replace") if log.exists() else ""
    seqs = [int(n) for n in re.findall(r"icmp_seq=(\d+)", text)]
    answered = len(set(int(n) for n in re.findall(r"bytes from .*icmp_seq=(\d+)", text)))
    return (max(seqs) if seqs else 0), answered


# -- samples -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the traffic started
    rss_kib: int
    fds: int
    threads: int
    cpu: float
    ike_sas: int
    child_pairs: int
    charon_ike: int
    charon_child: int
    pings: int
    pings_lost: int
    tcp_mb: float
    tcp_lost: int


def proc_threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def pyike_sas(control: Path) -> tuple[int, int]:
    """(IKE SAs READY, Child SA pairs installed) as pyike shows them."""
    shown = pyike_exec(control, "show crypto ikev2 sa", "show crypto ipsec sa")
    return shown.count("READY"), shown.count("Status: ACTIVE") // 2


def charon_sas(charon: Charon) -> tuple[int, int]:
    listed = charon.swan("--list-sas").stdout
    return listed.count("ESTABLISHED"), listed.count("INSTALLED")


HEADER = (
    f"{'time':>6} {'RSS MiB':>8} {'fds':>4} {'thr':>4} {'CPU s':>7} {'IKE':>4} {'child':>5}"
    f" {'sw IKE':>6} {'sw ch':>5} {'pings':>6} {'lost':>5} {'TCP MB':>8} {'TCP lost':>8}"
)


def row(s: Sample) -> str:
    minutes, seconds = divmod(int(s.at), 60)
    return (
        f"{minutes:3d}:{seconds:02d} {s.rss_kib / 1024:8.1f} {s.fds:4d} {s.threads:4d}"
        f" {s.cpu:7.1f} {s.ike_sas:4d} {s.child_pairs:5d} {s.charon_ike:6d} {s.charon_child:5d}"
        f" {s.pings:6d} {s.pings_lost:5d} {s.tcp_mb:8.1f} {s.tcp_lost:8d}"
    )


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per hour; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


# -- the run -------------------------------------------------------------------------------


@dataclass
class Soak:
    lab: Lab
    work: Path
    py: Namespace
    ss: Namespace
    charon: Charon
    control: Path
    pid: int
    streams: list[TcpStream]
    ping_log: Path
    samples: list[Sample] = field(default_factory=list)


def set_up(lab: Lab, work: Path, args: argparse.Namespace) -> Soak:
    py, ss, dev_py, _ = two_hosts(lab, A, B)
    pyike_text, swanctl_text = configs(args.rekey_seconds, args.rekeys)
    charon, _ = start_charon(lab, ss, work, swanctl_text)
    (work / "pyike.cfg").write_text(pyike_text)
    control = work / "pyike.sock"
    proc = start_pyike_run(
        lab, py, work / "pyike.cfg", control, work / "pyike.log", "--bind", f"Ethernet0/0={dev_py}"
    )
    wait_for_control(control, "pyike")
    # a ping before the Child SA would count in `#send errors` (`#pkts no sa (send)`)
    wait_for(lambda: pyike_sas(control) == (1, 1), 30, "pyike's SAs")
    wait_for(
        lambda: py.run("ping", "-c1", "-W1", "-I", A.lan, B.lan, check=False).returncode == 0,
        30,
        "a ping through the tunnel",
    )
    streams = [
        TcpStream(IPERF_PORT + n, bool(n % 2), args.bitrate, work) for n in range(args.streams)
    ]
    for stream in streams:
        lab.start(
            ss,
            ["iperf3", "-s", "-B", B.lan, "-p", str(stream.port)],
            work / f"iperf3-server-{stream.port}.log",
        )
    wait_for(
        lambda: all(
            f"{B.lan}:{s.port}" in ss.run("ss", "-ltn", check=False).stdout for s in streams
        ),
        10,
        "the iperf3 servers",
    )
    return Soak(lab, work, py, ss, charon, control, proc.pid, streams, work / "ping.log")


def run(soak: Soak, args: argparse.Namespace) -> None:
    seconds = args.minutes * 60
    lab, py = soak.lab, soak.py
    lab.start(
        py,
        ["ping", "-n", "-O", "-i", "1", "-W", "2", "-w", str(int(seconds)), "-I", A.lan, B.lan],
        soak.ping_log,
    )
    for stream in soak.streams:
        stream.start(lab, py, seconds)
    started = time.monotonic()
    rng = random.Random(19)
    next_sample = 0.0
    next_rekey = args.rekey_seconds / 2 + rng.uniform(0, 1)
    child_rekey_at: float | None = None
    print(HEADER, flush=True)
    while (now := time.monotonic() - started) < seconds:
        for stream in soak.streams:
            stream.poll(lab, py, args.stall_seconds)
        if now >= next_rekey:
            if args.rekeys != "child":
                pyike_exec(soak.control, "test crypto ikev2 rekey")
            if args.rekeys != "ike":
                child_rekey_at = now + (2 if args.rekeys == "both" else 0)
            next_rekey += args.rekey_seconds
        if child_rekey_at is not None and now >= child_rekey_at:
            pyike_exec(soak.control, "test crypto ipsec rekey")
            child_rekey_at = None
        if now >= next_sample:
            soak.samples.append(sample(soak, now))
            print(row(soak.samples[-1]), flush=True)
            next_sample += args.sample_seconds
        time.sleep(0.25)
    deadline = time.monotonic() + 30
    for stream in soak.streams:
        while stream.process is not None and time.monotonic() < deadline:
            stream.poll(lab, py, args.stall_seconds)
            time.sleep(0.25)
        stream.poll(lab, py, args.stall_seconds)
        if stream.process is not None:  # still running 30 s after its end: hung
            stream.failures += 1
            stream.errors.append(f"port {stream.port}: iperf3 did not finish")
    time.sleep(3)  # the last pings' answers
    soak.samples.append(sample(soak, time.monotonic() - started))
    print(row(soak.samples[-1]), flush=True)


def sample(soak: Soak, at: float) -> Sample:
    pid = soak.pid
    ike, child = pyike_sas(soak.control)
    sw_ike, sw_child = charon_sas(soak.charon)
    sent, answered = ping_counts(soak.ping_log)
    return Sample(
        at=at,
        rss_kib=proc_rss_kib(pid),
        fds=len(os.listdir(f"/proc/{pid}/fd")),
        threads=proc_threads(pid),
        cpu=proc_cpu_seconds(pid),
        ike_sas=ike,
        child_pairs=child,
        charon_ike=sw_ike,
        charon_child=sw_child,
        pings=sent,
        pings_lost=sent - answered,
        tcp_mb=sum(s.moved for s in soak.streams) / 1e6,
        tcp_lost=sum(s.lost for s in soak.streams),
    )


# -- the summary ---------------------------------------------------------------------------


def rekey_counts(control: Path) -> dict[str, tuple[int, int]]:
    """(requests pyike sent, requests it received) per rekey exchange."""
    shown = pyike_exec(control, "show crypto ikev2 stats exchange")
    counts = {}
    for name in ("CREATE_CHILD_SA_IKE_REKEY", "CREATE_CHILD_SA_IPSEC_REKEY", "DPD"):
        found = re.search(rf"^{name}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", shown, re.M)
        counts[name] = (int(found[1]), int(found[3])) if found else (0, 0)
    return counts


def esp_errors(control: Path) -> tuple[int, int]:
    shown = pyike_exec(control, "show crypto ipsec sa")
    found = re.findall(r"#send errors (\d+), #recv errors (\d+)", shown)
    return sum(int(s) for s, _ in found), sum(int(r) for _, r in found)


_KERNEL_DROPS = ("UdpRcvbufErrors", "UdpInErrors", "IpInDiscards", "IpOutDiscards")


def kernel_drops(ns: Namespace) -> str:
    """Where the kernel of `ns` dropped packets: UDP and IP counters, and each device's
    receive and transmit drops (a TUN device's transmit drops: its reader fell behind)."""
    counters = dict.fromkeys(_KERNEL_DROPS, 0)
    for line in ns.run("nstat", "-asz", check=False).stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in counters:
            counters[parts[0]] = int(parts[1])
    parts = [f"{name} {value}" for name, value in counters.items() if value]
    for device, rx, tx in _device_drops(ns.run("ip", "-s", "link", check=False).stdout):
        if rx or tx:
            parts.append(f"{device} dropped rx {rx} tx {tx}")
    return ", ".join(parts) or "none"


def _device_drops(listing: str) -> list[tuple[str, int, int]]:
    """(device, rx dropped, tx dropped) from `ip -s link`."""
    out = []
    lines = listing.splitlines()
    for n, line in enumerate(lines):
        found = re.match(r"^\d+: ([^:@]+)", line)
        if found and n + 5 < len(lines):
            rx = lines[n + 3].split()
            tx = lines[n + 5].split()
            out.append((found[1], int(rx[3]), int(tx[3])))
    return out


def summary(soak: Soak, args: argparse.Namespace) -> bool:
    samples = soak.samples
    first, last = samples[0], samples[-1]
    rss = [s.rss_kib / 1024 for s in samples]
    slope = slope_per_hour([(s.at, s.rss_kib / 1024) for s in samples if s.at >= WARM_UP])
    rekeys = rekey_counts(soak.control)
    send_errors, recv_errors = esp_errors(soak.control)
    log = (soak.work / "pyike.log").read_text(errors="replace")
    internal = log.count("%PYIKE-3-INTERNAL") + log.count("Traceback")
    sent, answered = ping_counts(soak.ping_log)
    lost_pings = sent - answered
    lost_tcp = sum(s.lost for s in soak.streams)
    print(f"\nsummary after {last.at / 60:.1f} min")
    for name, label in (
        ("CREATE_CHILD_SA_IKE_REKEY", "IKE SA rekeys"),
        ("CREATE_CHILD_SA_IPSEC_REKEY", "Child SA rekeys"),
        ("DPD", "DPD exchanges"),
    ):
        by_pyike, by_charon = rekeys[name]
        print(f"  {label + ':':22} {by_pyike} started by pyike, {by_charon} by charon")
    print(
        f"  {'TCP connections lost:':22} {lost_tcp} of {len(soak.streams)} long-lived"
        f" ({sum(s.failures for s in soak.streams)} failed,"
        f" {sum(s.stalls for s in soak.streams)} stalled > {args.stall_seconds:g} s;"
        f" longest pause {max((s.longest_stall for s in soak.streams), default=0):.0f} s),"
        f" {sum(s.moved for s in soak.streams) / 1e6:,.0f} MB moved,"
        f" {sum(s.retransmits for s in soak.streams)} retransmissions"
    )
    for stream in soak.streams:
        for error in stream.errors:
            print(f"    {error}")
    loss = 100 * lost_pings / sent if sent else 0.0
    print(f"  {'pings:':22} {sent} sent, {lost_pings} lost ({loss:.2f} %)")
    print(
        f"  {'pyike RSS:':22} first {rss[0]:.1f} MiB, last {rss[-1]:.1f} MiB, max {max(rss):.1f}"
        f" MiB; slope {slope:+.2f} MiB/h (after the first {WARM_UP:.0f} s)"
    )
    print(
        f"  {'pyike fds:':22} first {first.fds}, last {last.fds}, max {max(s.fds for s in samples)}"
    )
    print(f"  {'pyike threads:':22} first {first.threads}, last {last.threads}")
    print(f"  {'pyike CPU:':22} {last.cpu - first.cpu:.0f} s over the run")
    print(f"  {'ESP errors:':22} #send errors {send_errors}, #recv errors {recv_errors}")
    print(f"  {'kernel drops, pyike:':22} {kernel_drops(soak.py)}")
    print(f"  {'kernel drops, charon:':22} {kernel_drops(soak.ss)}")
    print(f"  {'internal errors:':22} {internal} in pyike's log")
    return lost_tcp == 0 and lost_pings == 0 and internal == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long (60)")
    parser.add_argument("--streams", type=int, default=4, help="TCP connections (4)")
    parser.add_argument("--bitrate", default="2M", help="iperf3 -b per connection (2M)")
    parser.add_argument("--rekey-seconds", type=float, default=30.0, help="per side (30)")
    parser.add_argument(
        "--rekeys", choices=("both", "ike", "child"), default="both", help="which SAs (both)"
    )
    parser.add_argument("--stall-seconds", type=float, default=5.0, help="lost after (5)")
    parser.add_argument("--sample-seconds", type=float, default=10.0, help="row every (10)")
    parser.add_argument("--keep", action="store_true", help="keep the logs")
    args = parser.parse_args(argv)
    ensure_tools("iperf3", "ping", "ss", "charon")
    # SIGTERM (kill, nohup'd runs) ends it as Ctrl-C does: namespaces and processes removed
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit("soak: terminated"))
    print(
        f"soak: pyike against charon, {args.minutes:g} min, {args.streams} TCP x {args.bitrate}"
        f"bit/s, rekeys every {args.rekey_seconds:g} s per side, Python"
        f" {platform.python_version()}, {len(os.sched_getaffinity(0))} CPUs,"
        f" {time.strftime('%Y-%m-%d %H:%M')}\n",
        flush=True,
    )
    with lab_session(keep=args.keep) as (lab, work):
        if args.keep:
            print(f"logs in {work}", flush=True)
        soak = set_up(lab, work, args)
        run(soak, args)
        ok = summary(soak, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
