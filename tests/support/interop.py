"""pyike against strongSwan's charon: pyike in one namespace, charon in another, joined by a
veth pair; pyike's runs, its logs across restarts, and the check that traffic crosses."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.daemons import (
    numbered_log,
    numbered_logs,
    packets,
    pyike_exec,
    start_pyike_run,
    wait_for_control,
)
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import Charon, Suite, pyike_config, require_charon, start_charon
from tests.support.traffic import ping


def start_pyike(
    netlab: Lab, ns: Namespace, tmp_path: Path, device: str, *args: str, debug: bool = True
) -> subprocess.Popen[bytes]:
    """`pyike run` on tmp_path/pyike.cfg; each run logs to its own tmp_path/pyike.N.log;
    with `debug`, `debug crypto ikev2` on from the start."""
    control = tmp_path / "pyike.sock"
    control.unlink(missing_ok=True)
    proc = start_pyike_run(
        netlab,
        ns,
        tmp_path / "pyike.cfg",
        control,
        numbered_log(tmp_path, "pyike"),
        "--bind",
        f"Ethernet0/0={device}",
        *(("--debug",) if debug else ()),
        *args,
    )
    wait_for_control(control, "pyike")
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
    charon_conf: str | None = None,
    debug: bool = True,
) -> Interop:
    """pyike at 10.0.0.1 and charon at 10.0.0.2, joined by a veth pair."""
    require_charon()
    py, ss = netlab.namespace("py"), netlab.namespace("ss")
    left, _right = netlab.veth(py, "10.0.0.1/24", ss, "10.0.0.2/24")
    py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    ss.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    charon = start_charon(netlab, ss, tmp_path, suite, swanctl_conf, conf_text=charon_conf)
    (tmp_path / "pyike.cfg").write_text(pyike_cfg or pyike_config(suite))
    proc = start_pyike(netlab, py, tmp_path, left, *pyike_args, debug=debug)
    return Interop(py, ss, charon, left, tmp_path, proc, netlab)


def charon_ids(charon: Charon) -> tuple[list[int], list[int]]:
    """The unique ids of charon's established IKE SAs and installed Child SAs."""
    sas = charon.sas()
    ike = [int(n) for n in re.findall(r"pyike: #(\d+), ESTABLISHED", sas)]
    child = [int(n) for n in re.findall(r"net: #(\d+), reqid \d+, INSTALLED", sas)]
    return ike, child


def ready_sas(t: Interop) -> int:
    return t.exec("show crypto ikev2 sa").count("READY")


def settled(t: Interop, ike: int, child: int) -> bool:
    """charon holds exactly the IKE SA `ike` and the Child SA `child`; pyike one IKE SA."""
    return charon_ids(t.charon) == ([ike], [child]) and ready_sas(t) == 1


def pyike_log(tmp_path: Path) -> str:
    """Everything pyike printed, across restarts."""
    return numbered_logs(tmp_path, "pyike")


def no_tunnel(what: str, tmp_path: Path, charon: Charon) -> AssertionError:
    """The failure of a ping that never crossed, with the tail of both sides' logs."""
    return AssertionError(
        f"no {what} through the tunnel\n--- pyike ---\n"
        + pyike_log(tmp_path)[-6000:]
        + "\n--- charon ---\n"
        + charon.log[-6000:]
    )


def check_traffic(t: Interop) -> None:
    py, ss, tmp_path, charon = t.py, t.ss, t.work, t.charon
    try:
        wait_for(
            lambda: ping(py, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
            20,
            "ping pyike -> charon",
        )
    except AssertionError:
        raise no_tunnel("ping", tmp_path, charon) from None
    assert " 0% packet loss" in ping(py, "192.168.1.1", "192.168.2.1", 4).stdout
    assert " 0% packet loss" in ping(ss, "192.168.2.1", "192.168.1.1", 4).stdout
    assert "ESTABLISHED" in charon.sas() and "INSTALLED" in charon.sas()
    shown = pyike_exec(tmp_path / "pyike.sock", "show crypto ikev2 sa", "show crypto ipsec sa")
    assert "READY" in shown and "/4500" in shown  # NAT-T: charon's libipsec always encapsulates
    assert packets(shown, "decaps") >= 8
    assert "Traceback" not in pyike_log(tmp_path)
