"""IKE SAs (each with a child SA) set up per second by a pyike and a strongSwan responder.

    .venv/bin/python bench/ike_setup_rate.py [--sas 1000] [--concurrency 32]
                                             [--groups 2,19] [--responders pyike,charon]
                                             [--rounds 1] [--charon-ike-sa-table N]

A load generator in namespace L (10.0.0.1) drives many concurrent IKE SAs at a responder in
namespace R (10.0.0.2): pyike's own sans-IO IkeEngine as the initiator, every SA in one
process, over one pair of UDP sockets (500 and 4500). Each SA is IKE_SA_INIT plus IKE_AUTH
with one child SA (PSK; ESP aes-cbc-128/sha1). The responder is `pyike run --passive` or
charon with kernel-libipsec (`dos_protection = no`, so it starts no cookies); both with the
same proposals: aes-cbc-128/sha1/group 2 (the seed's) or aes-cbc-128/sha256/group 19.

Every SA is a session of its own, as many branch routers behind one address would be: SA n
presents IDi `sa-n.load.example` (ID_FQDN). pyike's responder matches them IOS's way
(`match identity remote fqdn domain load.example`, the key found by address in the keyring),
charon with `id = *.load.example`; neither responder then finds a duplicate SA to delete, so
both do the same work per SA: IKE_SA_INIT, IKE_AUTH, one child SA installed. charon keeps its
default IKE SA table (one bucket, so its cost per SA grows with the SAs it holds) unless
`--charon-ike-sa-table` sizes it.

The first SA is set up alone (it carries INITIAL_CONTACT); then `--concurrency` SAs are kept
in flight until `--sas` are up or `--timeout` passes. Reported, for the responder process
(from /proc): SAs per second (wall clock, first to last of the concurrent phase), CPU
seconds per SA (user + system, threads included) and its ratio to charon's in the same run,
and memory per SA (RSS growth / SAs). The load generator's own CPU is shown too: both share
the machine's CPUs. With `--rounds 5` or more, the summary gives a 95% interval of the
round-by-round ratio (a bootstrap of the rounds) and reads it: below charon's, above it, or at
it when the interval holds 1.00x.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import platform
import random
import selectors
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from benchlab import (
    SUITES,
    A,
    B,
    Charon,
    Namespace,
    Suite,
    ensure_tools,
    lab_session,
    proc_cpu_seconds,
    proc_rss_kib,
    pyike_config,
    start_charon,
    start_pyike,
    swanctl_config,
    two_hosts,
)

from pyike.host.live_policy import PolicyProxy

if TYPE_CHECKING:
    from pyike.ike.events import Endpoint
    from pyike.ike.policy import Identity, Policy, ProfileSpec, TunnelSpec

LOADGEN, RESPONDER = A, B  # the load generator on the left, the responder on the right
GROUP_SUITES = {"2": SUITES["group2"], "19": SUITES["group19"]}
LOAD_DOMAIN = "load.example"


# -- one session per SA ------------------------------------------------------------------


def session_name(n: int) -> str:
    return f"sa-{n:06d}.{LOAD_DOMAIN}"


class DistinctSessions(PolicyProxy):
    """The load generator's Policy: profile `PROF#n` is the configured profile PROF with
    `identity local fqdn sa-n.load.example`, so each SA started on `session_tunnel(tunnel, n)`
    is its own session (its own IDi; and the initiator never takes one attempt for a repeat
    of another). Keys and everything else come from PROF."""

    def __init__(self, inner: Policy) -> None:
        super().__init__(inner)
        self._profiles: dict[str, ProfileSpec] = {}

    def profile(self, name: str) -> ProfileSpec | None:
        base, _, n = name.partition("#")
        if not n:
            return self.inner.profile(name)
        spec = self._profiles.get(name)
        if spec is None:
            from pyike.ike.policy import Identity

            configured = self.inner.profile(base)
            if configured is None:
                return None
            spec = replace(
                configured, name=name, local_identity=Identity.fqdn(session_name(int(n)))
            )
            self._profiles[name] = spec
        return spec

    def _base(self, profile: ProfileSpec) -> ProfileSpec:
        return self.inner.profile(profile.name.partition("#")[0]) or profile

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.inner.signing_key(self._base(profile), remote, remote_id)

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        return self.inner.verification_key(self._base(profile), remote, remote_id)

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        return self.inner.tunnels_for_peer(
            local, remote, None if profile is None else self._base(profile)
        )


def session_tunnel(tunnel: TunnelSpec, n: int) -> TunnelSpec:
    return replace(tunnel, profile=f"{tunnel.profile}#{n}")


def _swap_line(text: str, old: str, new: str) -> str:
    if old not in text:
        raise RuntimeError(f"benchlab's configuration has no line {old.strip()!r}")
    return text.replace(old, new)


def responder_pyike_config(suite: Suite) -> str:
    """The responder accepts any `*.load.example` peer; its keyring finds the key by address."""
    return _swap_line(
        pyike_config(RESPONDER, LOADGEN, suite, peer_any=True),
        " match identity remote address 0.0.0.0\n",
        f" match identity remote fqdn domain {LOAD_DOMAIN}\n",
    )


def responder_swanctl_config(suite: Suite) -> str:
    """charon's counterpart: any `*.load.example` identity; one PSK for every peer."""
    return _swap_line(
        swanctl_config(RESPONDER, LOADGEN, suite, loadtest=True),
        "      id = %any\n",
        f"      id = *.{LOAD_DOMAIN}\n",
    )


# -- the load generator (runs inside namespace L) ----------------------------------------


@dataclass
class LoadResult:
    established: int
    failed: int
    seconds: float  # concurrent phase: first initiate to last child installed
    cpu_seconds: float  # the load generator's own CPU in that phase
    retransmits_sent: int


def load_generate(group: str, total: int, concurrency: int, timeout: float) -> LoadResult:
    from pyike.adapter.config_policy import policy_for_config
    from pyike.config import load
    from pyike.ike.engine import IkeEngine
    from pyike.ike.events import ChildSaInstalled, Endpoint, NegotiationFailed

    config = load(pyike_config(LOADGEN, RESPONDER, GROUP_SUITES[group])).config
    policy, tunnels = policy_for_config(config)
    tunnel = tunnels[0]
    engine = IkeEngine(DistinctSessions(policy), os.urandom)
    local = tunnel.local.address
    sockets: dict[int, socket.socket] = {}
    selector = selectors.DefaultSelector()
    for port in (500, 4500):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((str(local), port))
        sock.setblocking(False)
        sockets[port] = sock
        selector.register(sock, selectors.EVENT_READ, Endpoint(local, port))

    sent = 0
    seen: set[bytes] = set()

    def flush() -> tuple[int, int]:
        nonlocal sent
        for datagram in engine.datagrams_to_send():
            key = datagram.data[:64]
            if key in seen:
                sent += 1  # the same bytes again: a retransmission
            elif len(seen) < 100_000:
                seen.add(key)
            sock = sockets[datagram.local.port]
            remote = datagram.remote
            with contextlib.suppress(OSError):
                sock.sendto(datagram.data, (str(remote.address), remote.port))
        up = failed = 0
        for event in engine.events():
            if isinstance(event, ChildSaInstalled):
                up += 1
            elif isinstance(event, NegotiationFailed):
                failed += 1
        engine.trace()  # dropped: nobody reads it here
        return up, failed

    sessions = 0

    def pump(until_up: int, deadline: float, in_flight_target: int) -> tuple[int, int]:
        nonlocal sessions
        up = failed = started = 0
        next_timer = time.monotonic() + 0.25
        while up + failed < until_up and time.monotonic() < deadline:
            while started < until_up and started - up - failed < in_flight_target:
                engine.initiate(time.monotonic(), session_tunnel(tunnel, sessions))
                started += 1
                sessions += 1
            n_up, n_failed = flush()
            up, failed = up + n_up, failed + n_failed
            for key, _ in selector.select(0.05):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                for _ in range(64):
                    try:
                        data, source = sock.recvfrom(65535)
                    except BlockingIOError:
                        break
                    remote = Endpoint(ipaddress.ip_address(source[0]), source[1])
                    engine.receive_datagram(time.monotonic(), key.data, remote, data)
                n_up, n_failed = flush()
                up, failed = up + n_up, failed + n_failed
            now = time.monotonic()
            if now >= next_timer:  # retransmissions; cheaper than asking for next_deadline
                engine.handle_timer(now)
                next_timer = now + 0.25
        return up, failed

    first_up, _ = pump(1, time.monotonic() + 20, 1)
    if not first_up:
        return LoadResult(0, 1, 0.0, 0.0, 0)
    cpu0, start = time.process_time(), time.monotonic()
    up, failed = pump(total - 1, start + timeout, concurrency)
    elapsed = time.monotonic() - start
    return LoadResult(up + 1, failed, elapsed, time.process_time() - cpu0, sent)


# -- the orchestration -------------------------------------------------------------------


@dataclass
class Figures:
    responder: str
    group: str
    load: LoadResult
    responder_cpu: float
    rss_growth_kib: int
    sas_held: int  # the responder's IKE SAs after the run: none deleted if == SAs up
    informational: int | None  # INFORMATIONAL messages the responder exchanged (pyike)

    @property
    def rate(self) -> float:
        return (self.load.established - 1) / self.load.seconds if self.load.seconds else 0.0


def measure(
    responder: str,
    group: str,
    total: int,
    concurrency: int,
    timeout: float,
    ike_sa_table: int | None = None,
) -> Figures:
    suite = GROUP_SUITES[group]
    with lab_session() as (lab, work):
        ns_l, ns_r, _, dev_r = two_hosts(lab, LOADGEN, RESPONDER)
        charon: Charon | None = None
        control: Path | None = None
        if responder == "pyike":
            config = responder_pyike_config(suite)
            control, proc = start_pyike(lab, ns_r, work, config, dev_r, "--passive")
        else:
            swanctl = responder_swanctl_config(suite)
            charon, proc = start_charon(
                lab, ns_r, work, swanctl, loadtest=True, ike_sa_table=ike_sa_table
            )
        time.sleep(0.5)
        cpu0, rss0 = proc_cpu_seconds(proc.pid), proc_rss_kib(proc.pid)
        done = ns_l.run(
            sys.executable,
            __file__,
            "--loadgen",
            group,
            str(total),
            str(concurrency),
            str(timeout),
            check=False,
            timeout=timeout + 60,
        )
        cpu = proc_cpu_seconds(proc.pid) - cpu0
        rss = proc_rss_kib(proc.pid) - rss0
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
        load = LoadResult(**json.loads(done.stdout.strip().splitlines()[-1]))
        if os.environ.get("BENCH_VERBOSE"):
            print(load, file=sys.stderr)
        if charon is not None:
            held, informational = charon_sas(charon), None
        else:
            assert control is not None
            held, informational = pyike_sas(ns_r, control)
        return Figures(responder, group, load, cpu, rss, held, informational)


def pyike_sas(ns: Namespace, control: Path) -> tuple[int, int]:
    """(IKE SAs up, INFORMATIONAL messages sent and received) from the gateway's exec."""

    def exec_lines(command: str) -> list[str]:
        done = ns.run(
            sys.executable, "-m", "pyike", "exec", "--control", str(control), command, timeout=60
        )
        return done.stdout.splitlines()

    held = sum(1 for line in exec_lines("show crypto ikev2 sa | include READY"))
    row = next(
        (
            line.split()
            for line in exec_lines("show crypto ikev2 stats exchange")
            if line.startswith("INFORMATIONAL")
        ),
        [],
    )
    return held, sum(int(v) for v in row[1:5])


def charon_sas(charon: Charon) -> int:
    """charon's IKE SAs (`swanctl --stats`: "IKE_SAs: N total, M half-open")."""
    for line in charon.swan("--stats").stdout.splitlines():
        words = line.split()
        if words[:1] == ["IKE_SAs:"]:
            return int(words[1])
    raise RuntimeError("swanctl --stats shows no IKE_SAs line")


# Fewer rounds give no interval worth printing: with 4 the bootstrap's median can take
# only a handful of values.
_MIN_ROUNDS_FOR_INTERVAL = 5
_RESAMPLES = 10_000


def median_interval(ratios: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """A percentile-bootstrap interval of the median of `ratios` (the rounds resampled with
    replacement; a fixed seed, so the same rounds always give the same interval)."""
    draw = random.Random(0).choices
    medians = sorted(statistics.median(draw(ratios, k=len(ratios))) for _ in range(_RESAMPLES))
    tail = (1 - level) / 2
    return medians[int(tail * _RESAMPLES)], medians[int((1 - tail) * _RESAMPLES) - 1]


def verdict(ratios: Sequence[float]) -> str:
    """Where pyike's cost stands against charon's, read from the 95% interval of the
    round-by-round ratio: below or above when the whole interval is, otherwise at charon's
    (the rounds cannot tell the two apart)."""
    if len(ratios) < _MIN_ROUNDS_FOR_INTERVAL:
        return ""
    low, high = median_interval(ratios)
    if high < 1:
        where = "below charon's"
    elif low > 1:
        where = "above charon's"
    else:
        where = "at charon's (not told apart)"
    return f"; 95% interval {low:.2f}x-{high:.2f}x: {where}"


def print_medians(
    cpu_by_run: dict[tuple[str, str], list[float]],
    paired: dict[str, list[float]],
    rounds: int,
) -> None:
    """The median CPU ms per SA of each responder over the rounds, and pyike's against
    charon's: the ratio of the medians, and the median of `paired`, each round's own ratio
    (charon and pyike one right after the other, in turns which first: steadier when the
    machine's speed drifts)."""
    print(f"\nmedian of {rounds} rounds, CPU ms per SA:")
    for (group, responder), runs in cpu_by_run.items():
        median = statistics.median(runs)
        charon = cpu_by_run.get((group, "charon"))
        versus = ""
        if responder != "charon" and charon and paired.get(group):
            ratios = paired[group]
            above = sum(ratio > 1 for ratio in ratios)
            versus = (
                f"  {median / statistics.median(charon):.2f}x charon's median;"
                f" round by round {statistics.median(ratios):.2f}x ({above} of {len(ratios)} above)"
                f"{verdict(ratios)}"
            )
        spread = f"{min(runs):.2f}-{max(runs):.2f}, {len(runs)} runs"
        print(f"  {responder:9} group {group:>3}: {median:.2f} ({spread}){versus}")


def print_pair(
    group: str,
    named: list[str],
    figures: dict[str, Figures],
    cpu_by_run: dict[tuple[str, str], list[float]],
    paired: dict[str, list[float]],
) -> None:
    """One round's rows of a group, in the order the responders were named, each against
    charon's run of the same round; the CPU figures kept in `cpu_by_run` and `paired`."""
    charon = figures.get("charon")
    charon_cpu = None
    if charon is not None:
        charon_cpu = 1000 * charon.responder_cpu / max(charon.load.established, 1)
    for responder in named:
        f = figures.get(responder)
        if f is None:
            continue
        n = max(f.load.established, 1)
        cpu = 1000 * f.responder_cpu / n
        cpu_by_run.setdefault((group, responder), []).append(cpu)
        rate_ratio = f"{f.rate / charon.rate:8.2f}x" if charon is not None and charon.rate else ""
        cpu_ratio = ""
        if charon_cpu:
            cpu_ratio = f"{cpu / charon_cpu:12.2f}x"
            if responder != "charon":
                paired.setdefault(group, []).append(cpu / charon_cpu)
        print(
            f"{responder:9} {group:>5} {f.load.established:7} {f.load.failed:6}"
            f" {f.rate:7.0f} {cpu:9.2f} {cpu_ratio:>13} {f.rss_growth_kib / n:7.1f}"
            f" {1000 * f.load.cpu_seconds / n:17.2f} {rate_ratio:>9}"
            f" {f.sas_held:8} {'-' if f.informational is None else f.informational:>9}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 6 and sys.argv[1] == "--loadgen":
        _, _, group, total, concurrency, timeout = sys.argv
        result = load_generate(group, int(total), int(concurrency), float(timeout))
        print(json.dumps(result.__dict__))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sas", type=int, default=1000, help="IKE SAs per run (1000)")
    parser.add_argument("--concurrency", type=int, default=32, help="SAs in flight (32)")
    parser.add_argument("--groups", default="2,19", help="DH groups (2,19)")
    parser.add_argument("--responders", default="charon,pyike")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run (60)")
    parser.add_argument(
        "--charon-ike-sa-table",
        type=int,
        metavar="N",
        help="charon's IKE SA hash table size (charon.ikesa_table_size; its default is 1,"
        " one list of every SA, so its cost per SA grows with the SAs it holds)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every group and responder this many times, alternating (each other round"
        " in the other order), and end with the median CPU per SA of each (1)",
    )
    args = parser.parse_args(argv)
    if args.sas < 2 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--sas must be at least 2, --concurrency and --rounds at least 1")
    if args.charon_ike_sa_table is not None and args.charon_ike_sa_table < 1:
        parser.error("--charon-ike-sa-table must be at least 1")
    ensure_tools("charon")
    print(
        f"IKE SA setup rate: {args.sas} SAs each with a child SA, {args.concurrency} in flight,"
        f" Python {platform.python_version()}, {len(os.sched_getaffinity(0))} CPUs,"
        f" charon's IKE SA table {args.charon_ike_sa_table or 'its default (1)'},"
        f" {time.strftime('%Y-%m-%d')}\n",
        flush=True,
    )
    header = (
        f"{'responder':9} {'group':>5} {'SAs up':>7} {'failed':>6} {'SAs/s':>7}"
        f" {'CPU ms/SA':>9} {'CPU vs charon':>13} {'KiB/SA':>7} {'loadgen CPU ms/SA':>17}"
        f" {'vs charon':>9} {'SAs held':>8} {'INFO msgs':>9}"
    )
    print(header)
    print("-" * len(header))
    cpu_by_run: dict[tuple[str, str], list[float]] = {}  # (group, responder): ms per SA
    paired: dict[str, list[float]] = {}  # group: pyike's CPU per SA / charon's, each round
    named = args.responders.split(",")
    for round_index in range(args.rounds):
        # every other round the other way round, so that neither runs first every time
        order = named[::-1] if round_index % 2 else named
        for group in args.groups.split(","):
            figures: dict[str, Figures] = {}
            for responder in order:
                try:
                    figures[responder] = measure(
                        responder,
                        group,
                        args.sas,
                        args.concurrency,
                        args.timeout,
                        args.charon_ike_sa_table,
                    )
                except (RuntimeError, AssertionError, subprocess.SubprocessError) as exc:
                    print(f"{responder:9} {group:>5} failed: {exc}", flush=True)
            print_pair(group, named, figures, cpu_by_run, paired)
    if args.rounds > 1:
        print_medians(cpu_by_run, paired, args.rounds)
    print(
        "\nSAs/s: SAs up / wall time of the concurrent phase; CPU ms/SA and KiB/SA: the"
        " responder process\n(/proc, user+system; RSS growth over the run / SAs up); CPU vs"
        " charon: CPU ms/SA ratio, same group,\nsame run; vs charon: SAs/s ratio, same group,"
        " same run; SAs held: the responder's IKE SAs after the run\n(= SAs up: none was"
        " deleted); INFO msgs: INFORMATIONAL messages pyike's responder sent or received\n"
        "(show crypto ikev2 stats exchange)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
