"""Real Libreswan pluto logs for `pyike explain`, made as tests/support/charon_logs.py makes
charon's: pluto in one network namespace, `pyike run` in another, one misconfiguration per
scenario; pluto's syslog lines (rsyslog's traditional format) and pyike's IOS debug.

Libreswan conflicts with strongSwan's Debian packages, so pluto runs from the unpacked
package (scripts/install-system-deps puts it in /opt/pyike/libreswan; PYIKE_LIBRESWAN names
another root, "/" an installed one); its own /usr/libexec/ipsec is bound over the system's in
pluto's mount namespace. This kernel has XFRM but no ESP: IKE runs and Child SAs are
negotiated, but installing one fails (`netlink response for Add SA ...: Protocol not
supported`) and pluto then deletes its IKE SA, so only the causes that stop a negotiation
before that point are made here: no success, no DPD.

`python -m tests.support.pluto_logs DIR [SCENARIO...]` (root) writes DIR/SCENARIO/*.log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.charon_logs import SyslogReader, dev_log_prelude
from tests.support.daemons import start_pyike_run, wait_for_control
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import (
    CBC256_SUITE,
    CHARON_KEY,
    PYIKE_KEY,
    SEED_SUITE,
    crypto_map_config,
    pyike_config,
)
from tests.support.swan_corpus import corpus_args, header, scratch_lab
from tests.support.tools import missing_tool
from tests.support.traffic import ping

DEFAULT_ROOT = Path("/opt/pyike/libreswan")
KEY = CHARON_KEY  # Libreswan has one key per pair of identities: pyike uses it both ways


def libreswan_root() -> Path:
    """Where Libreswan's files are; skipped without it unless PYIKE_REQUIRE_TOOLS is set."""
    root = Path(os.environ.get("PYIKE_LIBRESWAN", DEFAULT_ROOT))
    if not os.access(root / "usr/libexec/ipsec/pluto", os.X_OK):
        missing_tool("Libreswan (pluto)")
    return root


def ipsec_conf(extra: str = "", ike: str = "aes256-sha2_256;modp2048") -> str:
    return f"""config setup
    logappend=no
conn pyike
    ikev2=insist
    left=10.0.0.2
    leftid=10.0.0.2
    leftsubnet=192.168.2.0/24
    right=10.0.0.1
    rightid=10.0.0.1
    rightsubnet=192.168.1.0/24
    authby=secret
    ike={ike}
    esp=aes256-sha2_256
    retransmit-interval=500
    retransmit-timeout=5s
    auto=add
{extra}"""


def secrets(key: str = KEY) -> str:
    return f'10.0.0.2 10.0.0.1 : PSK "{key}"\n'


def pyike_symmetric(config: str) -> str:
    """pyike's configuration with one key both ways, as Libreswan has it."""
    return config.replace(PYIKE_KEY, KEY)


@dataclass
class PlutoRun:
    lab: Lab
    py: Namespace
    ls: Namespace
    device: str
    work: Path
    root: Path
    pyike: subprocess.Popen[bytes] | None = None
    syslog: SyslogReader | None = field(default=None, repr=False)

    @property
    def ctl(self) -> Path:
        return self.work / "run" / "pluto" / "pluto.ctl"

    def whack(self, *args: str, timeout: float = 40) -> str:
        done = self.ls.run(
            str(self.root / "usr/libexec/ipsec/whack"),
            "--ctlsocket",
            str(self.ctl),
            *args,
            check=False,
            timeout=timeout,
        )
        return done.stdout + done.stderr

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

    def pluto_says(self, text: str, timeout: float = 30) -> None:
        assert self.syslog is not None
        reader = self.syslog
        wait_for(lambda: any(text in line for line in reader.lines), timeout, repr(text))


@dataclass(frozen=True)
class Scenario:
    name: str
    outcome: str
    cause: str
    what: str
    play: Callable[[PlutoRun], None]
    pyike_cfg: str = ""
    conf: str = ""
    key: str = KEY


def _pluto_initiates_until(text: str) -> Callable[[PlutoRun], None]:
    def play(run: PlutoRun) -> None:
        run.start_pyike("--passive")
        run.whack("--name", "pyike", "--initiate", "--asynchronous")
        run.pluto_says(text)
        time.sleep(1)

    return play


def _pyike_initiates_until(text: str) -> Callable[[PlutoRun], None]:
    def play(run: PlutoRun) -> None:
        run.start_pyike()
        run.pluto_says(text)
        time.sleep(1)

    return play


def _pyike_pings_until(target: str, text: str) -> Callable[[PlutoRun], None]:
    def play(run: PlutoRun) -> None:
        run.start_pyike()
        assert run.syslog is not None
        reader = run.syslog

        def seen() -> bool:
            ping(run.py, "192.168.1.1", target, 1)
            return any(text in line for line in reader.lines)

        wait_for(seen, 30, repr(text))
        time.sleep(1)

    return play


def _nobody_answers(run: PlutoRun) -> None:
    run.whack("--name", "pyike", "--initiate", "--asynchronous")
    run.pluto_says("timeout", 30)
    time.sleep(1)


_SYMMETRIC = pyike_symmetric(pyike_config(CBC256_SUITE))
_WRONG = "not-the-key-it-signs-with"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "psk-mismatch-pluto-responder",
        "failure",
        "psk_mismatch",
        "pyike initiates; pluto holds another key",
        _pyike_initiates_until("authentication failed"),
        pyike_cfg=_SYMMETRIC,
        key=_WRONG,
    ),
    Scenario(
        "psk-mismatch-pluto-initiator",
        "failure",
        "psk_mismatch",
        "pluto initiates; pyike's keyring holds another key",
        _pluto_initiates_until("AUTHENTICATION_FAILED"),
        pyike_cfg=_SYMMETRIC.replace(
            f"pre-shared-key remote {KEY}", f"pre-shared-key remote {_WRONG}"
        ),
    ),
    Scenario(
        "ike-proposal-mismatch-pluto-responder",
        "failure",
        "ike_proposal_mismatch",
        "pyike initiates with AES-CBC-256/SHA-256/MODP-2048; pluto accepts only "
        "AES-GCM-256/ECP-384",
        _pyike_initiates_until("NO_PROPOSAL_CHOSEN"),
        pyike_cfg=_SYMMETRIC,
        conf=ipsec_conf(ike="aes_gcm256-sha2_384;dh20"),
    ),
    Scenario(
        "ike-proposal-mismatch-pluto-initiator",
        "failure",
        "ike_proposal_mismatch",
        "pluto initiates with AES-CBC-256/SHA-256/MODP-2048; pyike has the seed's proposal",
        _pluto_initiates_until("NO_PROPOSAL_CHOSEN"),
        pyike_cfg=pyike_symmetric(pyike_config(SEED_SUITE)),
    ),
    Scenario(
        "ts-mismatch-pluto-responder",
        "partial",
        "ts_mismatch",
        "pyike's crypto map ACL protects 192.168.1.0/24 to 192.168.3.0/24; pluto's "
        "connection is 192.168.2.0/24 to 192.168.1.0/24",
        _pyike_pings_until("192.168.3.1", "TS_UNACCEPTABLE"),
        pyike_cfg=pyike_symmetric(
            crypto_map_config(CBC256_SUITE, "permit ip 192.168.1.0 0.0.0.255 192.168.3.0 0.0.0.255")
        ),
    ),
    Scenario(
        "identity-mismatch-pluto-responder",
        "failure",
        "identity_mismatch",
        "pyike initiates with its address as identity; pluto expects @pyike.example.com",
        _pyike_initiates_until("AUTHENTICATION_FAILED"),
        pyike_cfg=_SYMMETRIC,
        conf=ipsec_conf().replace("rightid=10.0.0.1", "rightid=@pyike.example.com"),
    ),
    Scenario(
        "no-response",
        "failure",
        "no_response",
        "pluto initiates; pyike is not running",
        _nobody_answers,
    ),
)

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def _start_pluto(run: PlutoRun, scenario: Scenario) -> subprocess.Popen[bytes]:
    work, root = run.work, run.root
    (work / "ipsec.conf").write_text(scenario.conf or ipsec_conf())
    (work / "ipsec.secrets").write_text(secrets(scenario.key))
    nss = work / "nss"
    shutil.rmtree(nss, ignore_errors=True)  # certutil asks for the password of an old one
    nss.mkdir()
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"],
        check=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    rundir = work / "run"
    rundir.mkdir(exist_ok=True)
    pluto = root / "usr/libexec/ipsec/pluto"
    prelude = dev_log_prelude(work, work / "syslog.sock") + (
        f"mount --bind {root}/usr/libexec /usr/libexec && mount --bind {rundir} /run && "
        "mkdir -p /run/pluto && "
    )
    command = (
        f"exec {pluto} --nofork --config {work}/ipsec.conf --secretsfile {work}/ipsec.secrets "
        f"--nssdir {nss} --ipsecdir {work} --rundir /run/pluto --no-dnssec"
    )
    process = run.lab.start(run.ls, ["sh", "-c", prelude + command], work / "pluto.out")
    wait_for(run.ctl.exists, 20, "pluto's control socket")
    addconn = run.ls.run(
        str(root / "usr/libexec/ipsec/addconn"),
        "--config",
        f"{work}/ipsec.conf",
        "--ctlsocket",
        str(run.ctl),
        "--autoall",
        check=False,
    )
    assert addconn.returncode == 0, addconn.stdout + addconn.stderr
    return process


def run_scenario(scenario: Scenario, work: Path) -> dict[str, str]:
    """Play `scenario` in fresh namespaces; its logs by name: syslog (pluto's) and pyike."""
    root = libreswan_root()
    work.mkdir(parents=True, exist_ok=True)
    with scratch_lab() as lab:
        py, ls = lab.namespace("py"), lab.namespace("ls")
        device, _ = lab.veth(py, "10.0.0.1/24", ls, "10.0.0.2/24")
        py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
        ls.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
        run = PlutoRun(lab, py, ls, device, work, root)
        run.syslog = SyslogReader(work / "syslog.sock")
        (work / "pyike.cfg").write_text(scenario.pyike_cfg or _SYMMETRIC)
        pluto = _start_pluto(run, scenario)
        try:
            scenario.play(run)
        finally:
            if run.pyike is not None and run.pyike.poll() is None:
                run.pyike.terminate()
                run.pyike.wait(15)
            pluto.terminate()
            pluto.wait(10)
            syslog = run.syslog.close()
            (work / "syslog.log").write_text(syslog)  # kept when the scenario failed
    logs = {"syslog": syslog}
    if (work / "pyike.log").exists():
        logs["pyike"] = (work / "pyike.log").read_text(errors="replace")
    return logs


def _version(root: Path) -> str:
    done = subprocess.run(
        [str(root / "usr/libexec/ipsec/pluto"), "--version"], capture_output=True, text=True
    )
    return done.stdout.split("\n")[0].split(" IKEv2")[0].strip() or "Libreswan"


def write_corpus(directory: Path, names: list[str], work: Path) -> None:
    version = _version(libreswan_root())
    for name in names or list(BY_NAME):
        scenario = BY_NAME[name]
        logs = run_scenario(scenario, work / name)
        target = directory / name
        target.mkdir(parents=True, exist_ok=True)
        for log, text in sorted(logs.items()):
            (target / f"{log}.log").write_text(header(scenario, log, "pluto_logs", version) + text)
        print(f"{name}: {', '.join(sorted(logs))}", file=sys.stderr)


def main() -> None:
    args = corpus_args(__doc__, BY_NAME, Path("/tmp/pyike-pluto-logs"))
    write_corpus(args.directory, args.scenarios, args.work)


if __name__ == "__main__":
    main()
