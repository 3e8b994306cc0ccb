"""Real charon logs for `pyike explain`: strongSwan's charon in one network namespace and
`pyike run` in another, one misconfiguration per scenario. One run keeps charon's file log at
levels 1 to 4 (a logger per level, side by side), what charon sends to syslog (written as
rsyslog's traditional format writes it), `swanctl --log` and `swanctl --initiate` output,
and pyike's IOS debug of the same exchanges.

`python -m tests.support.charon_logs DIR [SCENARIO...]` (root) writes DIR/SCENARIO/*.log;
tests/explain/corpus/strongswan holds what it wrote, and a gateway test makes one afresh.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.daemons import start_pyike_run, wait_for_control
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import (
    CBC256_SUITE,
    CHARON_KEY,
    DIRECT,
    PLUGINS,
    PUBLIC_NAT,
    PYIKE_KEY,
    SEED_SUITE,
    Addressing,
    Charon,
    Suite,
    crypto_map_config,
    nat_box,
    pyike_config,
    require_charon,
    start_charon,
    swanctl_config,
)
from tests.support.swan_corpus import corpus_args, header, scratch_lab
from tests.support.traffic import ping

LEVELS = (1, 2, 3, 4)
SYSLOG_HOST = "vpn-gw"  # the host name the syslog lines carry

# charon's file loggers, one per level: level 1 as distributions' charon.log has it (a
# timestamp, no connection name), the others with milliseconds and `<conn|uid>`.
_FILELOG = """    level{level} {{
      path = {path}
      time_format = %b %e %T
      time_add_ms = {ms}
      ike_name = {name}
      default = {level}
      flush_line = yes
    }}
"""


def strongswan_conf(run_dir: Path) -> str:
    loggers = "".join(
        _FILELOG.format(
            level=level,
            path=run_dir / f"charon-{level}.log",
            ms="no" if level == 1 else "yes",
            name="no" if level == 1 else "yes",
        )
        for level in LEVELS
    )
    return f"""charon {{
  load = {PLUGINS}
  install_virtual_ip = no
  retransmit_tries = 3
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  filelog {{
{loggers}  }}
  syslog {{
    identifier = charon
    daemon {{
      default = 1
    }}
  }}
}}
"""


def dev_log_prelude(work: Path, sock: Path) -> str:
    """Shell commands for charon's mount namespace: a /dev of its own whose `log` is `sock`
    (the devices charon needs bound from the real /dev), so syslog(3) reaches our reader."""
    host = work / "host-dev"
    host.mkdir(exist_ok=True)
    nodes = " ".join(("null", "zero", "random", "urandom", "net/tun"))
    return (
        f"mount --rbind /dev {host} && mount -t tmpfs none /dev && mkdir /dev/net && "
        f"for n in {nodes}; do touch /dev/$n && mount --bind {host}/$n /dev/$n; done && "
        f"touch /dev/log && mount --bind {sock} /dev/log && "
    )


class SyslogReader:
    """A /dev/log for charon: each datagram (`<PRI>Mmm dd hh:mm:ss TAG: MSG`) becomes a line
    `Mmm dd hh:mm:ss HOST TAG: MSG`, as rsyslog writes it to /var/log/syslog."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            text = data.decode("utf-8", "replace").rstrip("\n")
            if text.startswith("<"):
                text = text[text.index(">") + 1 :]
            self.lines.append(f"{text[:15]} {SYSLOG_HOST} {text[16:]}")

    def close(self) -> str:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
        return "".join(f"{line}\n" for line in self.lines)


@dataclass
class Run:
    """One scenario's namespaces, daemons and files."""

    lab: Lab
    py: Namespace
    ss: Namespace
    device: str
    work: Path
    charon: Charon
    pyike: subprocess.Popen[bytes] | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # extra files: swanctl output

    def start_pyike(self, *args: str) -> None:
        control = self.work / "pyike.sock"
        self.pyike = start_pyike_run(
            self.lab,
            self.py,
            self.work / "pyike.cfg",
            control,
            self.work / "pyike.log",
            "--bind",
            f"Ethernet0/0={self.device}",
            "--debug",
            *args,
        )
        wait_for_control(control, "pyike")

    def charon_says(self, text: str, timeout: float = 20) -> None:
        log = self.charon.run_dir / "charon-1.log"
        wait_for(lambda: log.exists() and text in log.read_text(), timeout, repr(text))

    def initiate(self, timeout: int = 15) -> None:
        """`swanctl --initiate`, its output kept as swanctl-initiate.log."""
        done = self.charon.swan(
            "--initiate", "--child", "net", "--timeout", str(timeout), check=False
        )
        self.outputs["swanctl-initiate"] = done.stdout


@dataclass(frozen=True)
class Scenario:
    name: str
    outcome: str  # what `pyike explain` must say of charon's log
    cause: str
    what: str  # the misconfiguration, in words
    play: Callable[[Run], None]
    pyike_cfg: str = ""
    swanctl_conf: str = ""
    suite: Suite = SEED_SUITE
    levels: tuple[int, ...] = (1, 2)  # the levels kept in the corpus
    behind_nat: bool = False  # charon at 10.0.1.1 behind a masquerading NAT (10.0.0.254)


def _swanctl(suite: Suite = SEED_SUITE, *changes: tuple[str, str], **extra: Any) -> str:
    conf = swanctl_config(suite, **extra)
    for old, new in changes:
        assert old in conf, old
        conf = conf.replace(old, new)
    return conf


def _pyike(suite: Suite = SEED_SUITE, *changes: tuple[str, str], **extra: Any) -> str:
    conf = pyike_config(suite, **extra)
    for old, new in changes:
        assert old in conf, old
        conf = conf.replace(old, new)
    return conf


def _up_rekey_delete(run: Run) -> None:
    run.start_pyike("--passive")
    run.initiate()
    run.charon_says("CHILD_SA net{1} established")
    ping(run.ss, "192.168.2.1", "192.168.1.1", 2)
    run.charon.swan("--rekey", "--child", "net")
    run.charon_says("CHILD_SA net{2} established")
    run.charon.swan("--rekey", "--ike", "pyike")
    run.charon_says("rekeyed")
    run.charon_says("IKE_SA deleted")
    time.sleep(1)


def _up_across_nat(run: Run) -> None:
    run.start_pyike("--passive")
    run.initiate()
    run.charon_says("CHILD_SA net{1} established")
    ping(run.ss, "192.168.2.1", "192.168.1.1", 2)
    time.sleep(1)


def _pyike_initiates_until(text: str) -> Callable[[Run], None]:
    def play(run: Run) -> None:
        run.start_pyike()
        run.charon_says(text)
        time.sleep(1)

    return play


def _charon_initiates_until(text: str) -> Callable[[Run], None]:
    def play(run: Run) -> None:
        run.start_pyike("--passive")
        run.initiate()
        run.charon_says(text)
        time.sleep(1)

    return play


def _pyike_pings(target: str, text: str) -> Callable[[Run], None]:
    def play(run: Run) -> None:
        run.start_pyike()
        log = run.charon.run_dir / "charon-1.log"

        def seen() -> bool:
            ping(run.py, "192.168.1.1", target, 1)  # traffic the crypto map negotiates for
            return text in log.read_text()

        wait_for(seen, 20, repr(text))
        time.sleep(1)

    return play


def _nobody_answers(run: Run) -> None:
    run.initiate(timeout=20)
    run.charon_says("giving up after", 30)


def _dead_peer(run: Run) -> None:
    run.start_pyike("--passive")
    run.initiate()
    run.charon_says("CHILD_SA net{1} established")
    assert run.pyike is not None
    run.pyike.kill()
    run.pyike.wait(10)
    run.charon_says("giving up after", 40)
    time.sleep(1)


_WRONG_KEY = "not-the-key-it-signs-with"
BEHIND_NAT = Addressing(
    pyike="10.0.0.1",
    charon="10.0.1.1",
    charon_sees_pyike_at="10.0.0.1",
    pyike_sees_charon_at=PUBLIC_NAT,
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "success-rekey-delete",
        "success",
        "success",
        "charon initiates, then rekeys the child SA and the IKE SA (deleting the old ones)",
        _up_rekey_delete,
    ),
    Scenario(
        "psk-mismatch-charon-responder",
        "failure",
        "psk_mismatch",
        "pyike initiates; charon holds another key for pyike's identity",
        _pyike_initiates_until("MAC mismatched"),
        swanctl_conf=_swanctl(SEED_SUITE, (f'secret = "{PYIKE_KEY}"', f'secret = "{_WRONG_KEY}"')),
        levels=LEVELS,
    ),
    Scenario(
        "psk-mismatch-charon-initiator",
        "failure",
        "psk_mismatch",
        "charon initiates; pyike's keyring expects another key from charon",
        _charon_initiates_until("AUTHENTICATION_FAILED"),
        pyike_cfg=_pyike(
            SEED_SUITE,
            (f"pre-shared-key remote {CHARON_KEY}", f"pre-shared-key remote {_WRONG_KEY}"),
        ),
    ),
    Scenario(
        "ike-proposal-mismatch-charon-responder",
        "failure",
        "ike_proposal_mismatch",
        "pyike initiates with the seed's proposal (3DES/AES-CBC-128, SHA1, group 2); charon "
        "accepts only AES-CBC-256/SHA-256/MODP-2048",
        _pyike_initiates_until("received proposals unacceptable"),
        swanctl_conf=_swanctl(
            SEED_SUITE, (f"proposals = {SEED_SUITE.ike}", f"proposals = {CBC256_SUITE.ike}")
        ),
    ),
    Scenario(
        "ike-proposal-mismatch-charon-initiator",
        "failure",
        "ike_proposal_mismatch",
        "charon initiates with AES-CBC-256/SHA-256/MODP-2048; pyike has the seed's proposal",
        _charon_initiates_until("NO_PROPOSAL_CHOSEN"),
        swanctl_conf=_swanctl(
            SEED_SUITE, (f"proposals = {SEED_SUITE.ike}", f"proposals = {CBC256_SUITE.ike}")
        ),
    ),
    Scenario(
        "child-proposal-mismatch-charon-responder",
        "partial",
        "child_proposal_mismatch",
        "pyike initiates with transform set esp-aes esp-sha-hmac; charon's child accepts only "
        "AES-CBC-256/SHA-256",
        _pyike_initiates_until("no acceptable proposal found"),
        swanctl_conf=_swanctl(
            SEED_SUITE, (f"esp_proposals = {SEED_SUITE.esp}", f"esp_proposals = {CBC256_SUITE.esp}")
        ),
    ),
    Scenario(
        "ts-mismatch-charon-responder",
        "partial",
        "ts_mismatch",
        "pyike's crypto map ACL protects 192.168.1.0/24 to 192.168.3.0/24; charon's child is "
        "192.168.2.0/24 to 192.168.1.0/24",
        _pyike_pings("192.168.3.1", "unacceptable"),
        pyike_cfg=crypto_map_config(
            SEED_SUITE, "permit ip 192.168.1.0 0.0.0.255 192.168.3.0 0.0.0.255"
        ),
    ),
    Scenario(
        "ts-mismatch-charon-initiator",
        "partial",
        "ts_mismatch",
        "charon's child proposes 192.168.2.0/24 to 192.168.5.0/24; pyike's crypto map ACL "
        "protects 192.168.1.0/24 to 192.168.2.0/24",
        _charon_initiates_until("TS_UNACCEPTABLE"),
        pyike_cfg=crypto_map_config(
            SEED_SUITE, "permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255"
        ),
        swanctl_conf=_swanctl(
            SEED_SUITE, ("remote_ts = 192.168.1.0/24", "remote_ts = 192.168.5.0/24")
        ),
    ),
    Scenario(
        "identity-mismatch-charon-responder",
        "failure",
        "identity_mismatch",
        "pyike initiates with its address as identity; charon expects pyike.example.com",
        _pyike_initiates_until("no matching peer config found"),
        swanctl_conf=_swanctl(
            SEED_SUITE,
            (f"id = {DIRECT.pyike}\n    }}", "id = pyike.example.com\n    }"),
            (f"id-2 = {DIRECT.pyike}", "id-2 = pyike.example.com"),
        ),
    ),
    Scenario(
        "nat-charon-behind",
        "success",
        "success",
        "charon (10.0.1.1) behind a masquerading NAT (10.0.0.254) initiates to pyike",
        _up_across_nat,
        pyike_cfg=pyike_config(SEED_SUITE, BEHIND_NAT),
        swanctl_conf=swanctl_config(SEED_SUITE, BEHIND_NAT),
        behind_nat=True,
    ),
    Scenario(
        "no-response",
        "failure",
        "no_response",
        "charon initiates; pyike is not running",
        _nobody_answers,
    ),
    Scenario(
        "dpd-dead-peer",
        "failure",
        "dpd_timeout",
        "the tunnel comes up with DPD every 2 s on charon; pyike is killed",
        _dead_peer,
        swanctl_conf=swanctl_config(SEED_SUITE, conn_extra="    dpd_delay = 2s\n"),
    ),
)

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def _versions() -> str:
    charon, _ = require_charon()
    swan = subprocess.run([charon, "--version"], capture_output=True, text=True, timeout=10)
    return swan.stdout.strip() or "strongSwan (version not printed)"


def run_scenario(scenario: Scenario, work: Path) -> dict[str, str]:
    """Play `scenario` with fresh namespaces in `work`; its logs by name: charon-1 to
    charon-4, syslog, swanctl-log, pyike (and swanctl-initiate when charon initiated)."""
    work.mkdir(parents=True, exist_ok=True)
    with scratch_lab() as lab:
        py, ss = lab.namespace("py"), lab.namespace("ss")
        if scenario.behind_nat:
            _, device = nat_box(lab, ss, py)
        else:
            device, _ = lab.veth(py, "10.0.0.1/24", ss, "10.0.0.2/24")
        py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
        ss.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
        run_dir = work / "charon-run"
        run_dir.mkdir(mode=0o700, exist_ok=True)
        for old in run_dir.glob("charon-*.log"):
            old.unlink()  # charon appends to its file logs
        syslog = SyslogReader(work / "syslog.sock")
        charon = start_charon(
            lab,
            ss,
            work,
            scenario.suite,
            scenario.swanctl_conf or None,
            conf_text=strongswan_conf(run_dir),
            prelude=dev_log_prelude(work, work / "syslog.sock"),
        )
        (work / "pyike.cfg").write_text(scenario.pyike_cfg or pyike_config(scenario.suite))
        watcher = subprocess.Popen(
            [charon.swanctl, "--log", "--uri", charon.uri],
            stdout=(work / "swanctl-log.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        run = Run(lab, py, ss, device, work, charon)
        # swanctl subscribes asynchronously: until charon has it, early lines never reach it
        debug_log = run_dir / f"charon-{LEVELS[-1]}.log"
        try:
            wait_for(
                lambda: (
                    debug_log.exists()
                    and "registered for: log" in debug_log.read_text(errors="replace")
                ),
                15,
                "swanctl --log to subscribe",
            )
            scenario.play(run)
        finally:
            watcher.terminate()
            watcher.wait(5)
            if run.pyike is not None and run.pyike.poll() is None:
                run.pyike.terminate()
                run.pyike.wait(15)
            charon.process.terminate()
            charon.process.wait(10)
            syslog_text = syslog.close()
    logs = {f"charon-{level}": (run_dir / f"charon-{level}.log").read_text() for level in LEVELS}
    logs["syslog"] = syslog_text
    logs["swanctl-log"] = (work / "swanctl-log.out").read_text(errors="replace")
    pyike_log = work / "pyike.log"
    if pyike_log.exists():
        logs["pyike"] = pyike_log.read_text(errors="replace")
    logs.update(run.outputs)
    return logs


def _pyike_version() -> str:
    from pyike import __version__

    return __version__


def write_corpus(directory: Path, names: list[str], work: Path) -> None:
    versions = _versions()
    for name in names or list(BY_NAME):
        scenario = BY_NAME[name]
        logs = run_scenario(scenario, work / name)
        target = directory / name
        target.mkdir(parents=True, exist_ok=True)
        kept = {f"charon-{level}" for level in scenario.levels} | {
            "syslog",
            "pyike",
            "swanctl-initiate",
            "swanctl-log",
        }
        for log, text in sorted(logs.items()):
            if log in kept and text.strip():
                (target / f"{log}.log").write_text(
                    header(scenario, log, "charon_logs", f"{versions}, pyike {_pyike_version()}")
                    + text
                )
        print(f"{name}: {', '.join(sorted(k for k in logs if k in kept))}", file=sys.stderr)


def main() -> None:
    args = corpus_args(__doc__, BY_NAME, Path("/tmp/pyike-charon-logs"))
    write_corpus(args.directory, args.scenarios, args.work)


if __name__ == "__main__":
    main()
