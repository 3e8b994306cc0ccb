"""`pyike run` daemons for the gateway tests: started in a namespace or on loopback, asked
with `pyike exec`, their logs across restarts, and the seed's two routers as a pair of
namespaces joined by a veth link."""

from __future__ import annotations

import json
import pwd
import random
import shutil
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.support.netns import PYIKE, Lab, Namespace, wait_for
from tests.support.paths import ROOT, SEED_CONFIGS
from tests.support.privilege import make_private


def pyike_exec(control: Path, *commands: str) -> str:
    done = subprocess.run(
        [*PYIKE, "exec", "--control", str(control), *commands],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def pyike_query(control: Path, name: str) -> dict[str, Any]:
    """The daemon's structured answer `name` (`pyike exec --query NAME`)."""
    done = subprocess.run(
        [*PYIKE, "exec", "--control", str(control), "--query", name],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def start_pyike_run(
    lab: Lab, ns: Namespace, config: Path, control: Path, log: Path, *args: str
) -> subprocess.Popen[bytes]:
    """`pyike run CONFIG --control CONTROL ARGS...` in `ns`, printing to `log`; as root
    (`--no-drop`) unless ARGS name a `--user`."""
    config = private_for_user(config, args, control.parent)
    argv = [*PYIKE, "run", str(config), "--control", str(control), *stay_root(args)]
    return lab.start(ns, argv, log)


def private_for_user(config: Path, args: tuple[str, ...], work: Path) -> Path:
    """With `--user NAME` in `args`, `config` made readable by root and NAME's group only (a
    daemon that drops privileges refuses keys others can read); one of the repository's is
    copied into `work` first. Without, `config` as it is."""
    if "--user" not in args:
        return config
    gid = pwd.getpwnam(args[args.index("--user") + 1]).pw_gid
    if config.resolve().is_relative_to(ROOT):
        copy = work / config.name
        shutil.copyfile(config, copy)
        config = copy
    make_private(config, gid)
    return config


def stay_root(args: tuple[str, ...]) -> tuple[str, ...]:
    """`args`, with `--no-drop` unless they choose a user to become."""
    return args if "--user" in args or "--no-drop" in args else (*args, "--no-drop")


def wait_for_control(control: Path, who: str) -> None:
    wait_for(control.exists, 15, f"{who}'s control socket")


def numbered_log(work: Path, name: str) -> Path:
    """work/NAME.N.log, N the number of earlier runs: a restarted daemon keeps its old logs."""
    return work / f"{name}.{len(list(work.glob(f'{name}.*.log')))}.log"


def numbered_logs(work: Path, name: str) -> str:
    """Everything the daemon NAME printed, across restarts."""
    logs = sorted(work.glob(f"{name}.*.log"), key=lambda p: int(p.suffixes[0][1:]))
    return "".join(p.read_text(errors="replace") for p in logs)


def packets(shown: str, counter: str) -> int:
    """The first `#pkts COUNTER:` figure (encaps, decaps) of `show crypto ipsec sa`."""
    return int(shown.split(f"#pkts {counter}: ")[1].split(",")[0])


def terminate_cleanly(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each daemon; each must exit with 0 within 15 s."""
    procs = list(procs)
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        assert proc.wait(15) == 0


def ready_sas(control: Path) -> list[str]:
    shown = pyike_exec(control, "show crypto ikev2 sa")
    return [line for line in shown.splitlines() if "READY" in line]


# -- the seed's routers in two namespaces ------------------------------------------------------

# A second tunnel for router1 toward 10.0.0.3, where nobody answers: an IKE SA that stays in
# negotiation, its IKE_SA_INIT retransmitted.
TUNNEL_TO_NOBODY = """interface Tunnel1
 ip address 172.16.1.101 255.255.255.0
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.3
 tunnel protection ipsec profile phse2-prof
"""


def seed_hosts(
    netlab: Lab, names: tuple[str, str] = ("r1", "r2")
) -> tuple[Namespace, Namespace, str, str]:
    """The seed's two hosts: namespaces on 10.0.0.0/24 (.1 and .2), their LANs
    (192.168.1.1/24, 192.168.2.1/24) on loopback; returns them and their veth devices."""
    r1, r2 = netlab.namespace(names[0]), netlab.namespace(names[1])
    left, right = netlab.veth(r1, "10.0.0.1/24", r2, "10.0.0.2/24")
    r1.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    r2.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    return r1, r2, left, right


def seed_pair(
    netlab: Lab,
    tmp_path: Path,
    *extra: str,
    r1_extra: tuple[str, ...] = (),
    r2_extra: tuple[str, ...] = (),
) -> tuple[Namespace, Namespace, list[subprocess.Popen[bytes]]]:
    """Router1 (r1, with --debug) and Router2 (r2) on 10.0.0.0/24, their LANs on loopback;
    control sockets tmp_path/rN.sock, logs tmp_path/rN.log. Not waited for."""
    r1, r2, left, right = seed_hosts(netlab)
    sides = (
        (r1, "r1", "router1.cfg", left, ("--debug", *extra, *r1_extra)),
        (r2, "r2", "router2.cfg", right, (*extra, *r2_extra)),
    )
    procs = [
        start_pyike_run(
            netlab,
            ns,
            SEED_CONFIGS / config,
            tmp_path / f"{name}.sock",
            tmp_path / f"{name}.log",
            "--bind",
            f"Ethernet0/0={device}",
            *args,
        )
        for ns, name, config, device, args in sides
    ]
    return r1, r2, procs


def pair_state(tmp_path: Path) -> str:
    """Both daemons' SAs and debug logs, for a failure message."""
    parts = []
    for name in ("r1", "r2"):
        control = tmp_path / f"{name}.sock"
        for command in ("show crypto ikev2 sa detailed", "show crypto ipsec sa"):
            try:
                shown = pyike_exec(control, command)
            except (AssertionError, subprocess.TimeoutExpired) as exc:
                shown = f"({exc})"
            parts.append(f"--- {name}: {command}\n{shown}")
        debug = tmp_path / f"{name}.debug"
        parts.append(f"--- {name}: debug\n{debug.read_text() if debug.exists() else '(none)'}")
    return "\n".join(parts)


# -- a responder on loopback, no namespace -----------------------------------------------------

LOOPBACK_RESPONDER = """hostname Lo
interface Ethernet0/0
 ip address 127.0.0.1 255.0.0.0
crypto ikev2 keyring KR
 peer any
  address 0.0.0.0 0.0.0.0
  pre-shared-key cisco
crypto ikev2 profile P
 match identity remote address 0.0.0.0
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
"""


def start_loopback_responder(
    work: Path, *args: str, **popen: Any
) -> tuple[subprocess.Popen[bytes], int]:
    """`pyike run` of LOOPBACK_RESPONDER (work/lo.cfg) with IKE on a random unprivileged
    port, which it returns; control socket work/lo.sock. `popen`: stdout, stderr."""
    (work / "lo.cfg").write_text(LOOPBACK_RESPONDER)
    port = random.Random().randrange(21000, 29000)
    argv = [*PYIKE, "run", str(work / "lo.cfg"), "--ike-port", str(port)]
    proc = subprocess.Popen([*argv, "--control", str(work / "lo.sock"), *stay_root(args)], **popen)
    return proc, port
