"""pyike run against strongSwan's charon, pyike in one namespace and charon in another:
the seed's proposals and modern ones, asymmetric PSKs, pyike as responder and as initiator,
ping through the tunnel both ways. Runs in CI (scripts/install-system-deps installs
strongSwan; with PYIKE_REQUIRE_TOOLS set a missing charon fails the run)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.gateway.netns import PYIKE, Lab, Namespace, wait_for
from tests.gateway.strongswan import (
    CBC256_SUITE,
    GCM_SUITE,
    GROUP24_SUITE,
    SEED_3DES_SUITE,
    SEED_SUITE,
    Charon,
    Suite,
    pyike_config,
    require_charon,
    start_charon,
)
from tests.gateway.test_pyike_pair import ping, pyike_exec

pytestmark = pytest.mark.interop


def start_pyike(
    netlab: Lab, ns: Namespace, tmp_path: Path, device: str, *args: str
) -> subprocess.Popen[bytes]:
    """`pyike run` on tmp_path/pyike.cfg; each run logs to its own tmp_path/pyike.N.log."""
    (tmp_path / "pyike.sock").unlink(missing_ok=True)
    runs = len(list(tmp_path.glob("pyike.*.log")))
    proc = netlab.start(
        ns,
        [
            *PYIKE,
            "run",
            str(tmp_path / "pyike.cfg"),
            "--bind",
            f"Ethernet0/0={device}",
            "--control",
            str(tmp_path / "pyike.sock"),
            "--debug",
            *args,
        ],
        tmp_path / f"pyike.{runs}.log",
    )
    wait_for(lambda: (tmp_path / "pyike.sock").exists(), 15, "pyike's control socket")
    return proc


@dataclass
class Interop:
    """pyike in one namespace, charon in another, and where their files are."""

    py: Namespace
    ss: Namespace
    charon: Charon
    device: str  # pyike's side of the link
    work: Path
    pyike: subprocess.Popen[bytes]

    @property
    def control(self) -> Path:
        return self.work / "pyike.sock"

    def exec(self, *commands: str) -> str:
        return pyike_exec(self.control, *commands)

    def restart_pyike(self, *args: str) -> None:
        """SIGKILL pyike and start it again: no delete reaches charon."""
        self.pyike.kill()
        self.pyike.wait(10)
        self.pyike = start_pyike(self.lab, self.py, self.work, self.device, *args)

    lab: Lab = field(repr=False)


def topology(
    netlab: Lab,
    tmp_path: Path,
    suite: Suite,
    *pyike_args: str,
    pyike_cfg: str | None = None,
    swanctl_conf: str | None = None,
) -> Interop:
    """pyike at 10.0.0.1 and charon at 10.0.0.2, joined by a veth pair."""
    require_charon()
    py, ss = netlab.namespace("py"), netlab.namespace("ss")
    left, _right = netlab.veth(py, "10.0.0.1/24", ss, "10.0.0.2/24")
    py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    ss.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    charon = start_charon(netlab, ss, tmp_path, suite, swanctl_conf)
    (tmp_path / "pyike.cfg").write_text(pyike_cfg or pyike_config(suite))
    proc = start_pyike(netlab, py, tmp_path, left, *pyike_args)
    return Interop(py, ss, charon, left, tmp_path, proc, netlab)


def pyike_log(tmp_path: Path) -> str:
    """Everything pyike printed, across restarts."""
    logs = sorted(tmp_path.glob("pyike.*.log"), key=lambda p: int(p.suffixes[0][1:]))
    return "".join(p.read_text(errors="replace") for p in logs)


def check_traffic(t: Interop) -> None:
    py, ss, tmp_path, charon = t.py, t.ss, t.work, t.charon
    try:
        wait_for(
            lambda: ping(py, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
            20,
            "ping pyike -> charon",
        )
    except AssertionError:
        raise AssertionError(
            "no ping through the tunnel\n--- pyike ---\n"
            + pyike_log(tmp_path)[-6000:]
            + "\n--- charon ---\n"
            + charon.log[-6000:]
        ) from None
    assert " 0% packet loss" in ping(py, "192.168.1.1", "192.168.2.1", 4).stdout
    assert " 0% packet loss" in ping(ss, "192.168.2.1", "192.168.1.1", 4).stdout
    assert "ESTABLISHED" in charon.sas() and "INSTALLED" in charon.sas()
    shown = pyike_exec(tmp_path / "pyike.sock", "show crypto ikev2 sa", "show crypto ipsec sa")
    assert "READY" in shown and "/4500" in shown  # NAT-T: charon's libipsec always encapsulates
    decaps = int(shown.split("#pkts decaps: ")[1].split(",")[0])
    assert decaps >= 8
    assert "Traceback" not in pyike_log(tmp_path)


@pytest.mark.parametrize(
    "suite", [SEED_SUITE, SEED_3DES_SUITE, GCM_SUITE, GROUP24_SUITE], ids=lambda s: s.name
)
def test_pyike_responds_to_charon(netlab: Lab, tmp_path: Path, suite: Suite) -> None:
    t = topology(netlab, tmp_path, suite, "--passive")
    t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "(R) MsgID = 00000001 CurState: READY" in log


@pytest.mark.parametrize(
    "suite", [SEED_SUITE, CBC256_SUITE, GCM_SUITE, GROUP24_SUITE], ids=lambda s: s.name
)
def test_pyike_initiates_to_charon(netlab: Lab, tmp_path: Path, suite: Suite) -> None:
    t = topology(netlab, tmp_path, suite)
    check_traffic(t)
    assert "(I) MsgID = 00000001 CurState: READY" in pyike_log(tmp_path)
