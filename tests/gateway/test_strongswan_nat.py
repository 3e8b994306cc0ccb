"""NAT traversal against strongSwan: a middle namespace routes between two links and
masquerades (iptables) what leaves its public side; pyike behind it, then charon behind it.
IKE floats to 4500, ESP travels in UDP, the inside side sends NAT keepalives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.interop import Interop, check_traffic, pyike_log, start_pyike
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import (
    PUBLIC_NAT,
    SEED_SUITE,
    Addressing,
    keepalives,
    nat_box,
    pyike_config,
    require_charon,
    start_charon,
    swanctl_config,
)

pytestmark = pytest.mark.interop


def sites_across_nat(netlab: Lab, inside: str) -> tuple[Namespace, Namespace, str]:
    """pyike (LAN 192.168.1.0/24) and charon (192.168.2.0/24) with the NAT box between them,
    `inside` ("pyike" or "charon") behind it; returns pyike's namespace, charon's and the
    device of pyike's link."""
    require_charon()
    py, ss = netlab.namespace("py"), netlab.namespace("ss")
    if inside == "pyike":
        py_dev, _ss_dev = nat_box(netlab, py, ss)
    else:
        _ss_dev, py_dev = nat_box(netlab, ss, py)
    py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    ss.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    return py, ss, py_dev


def test_pyike_behind_nat(netlab: Lab, tmp_path: Path) -> None:
    py, ss, py_dev = sites_across_nat(netlab, inside="pyike")
    where = Addressing(
        pyike="10.0.1.1",
        charon="10.0.0.1",
        charon_sees_pyike_at="%any",
        pyike_sees_charon_at="10.0.0.1",
    )
    charon = start_charon(netlab, ss, tmp_path, SEED_SUITE, swanctl_config(SEED_SUITE, where))
    (tmp_path / "pyike.cfg").write_text(
        pyike_config(SEED_SUITE, where, profile_extra=" nat keepalive 5\n")
    )
    proc = start_pyike(netlab, py, tmp_path, py_dev)
    t = Interop(py, ss, charon, py_dev, tmp_path, proc, netlab)
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "Host is located NAT inside" in log or "Host is located inside NAT" in log
    assert "NAT detected: floating to port 4500" in log
    assert f"{PUBLIC_NAT}[" in charon.sas()  # charon sees pyike at the NAT's address
    assert "UDP-Encaps" in t.exec("show crypto ipsec sa")
    assert "10.0.1.1/4500" in t.exec("show crypto ikev2 sa")
    nat = next(ns for ns in netlab.namespaces if ns.name.startswith("pyike-nat-"))
    wait_for(lambda: keepalives(nat) >= 1, 12, "pyike's NAT keepalives through the NAT")


def test_charon_behind_nat(netlab: Lab, tmp_path: Path) -> None:
    py, ss, py_dev = sites_across_nat(netlab, inside="charon")
    where = Addressing(
        pyike="10.0.0.1",
        charon="10.0.1.1",
        charon_sees_pyike_at="10.0.0.1",
        pyike_sees_charon_at=PUBLIC_NAT,
    )
    conf = swanctl_config(SEED_SUITE, where, conn_extra="    keyingtries = 1\n")
    charon = start_charon(netlab, ss, tmp_path, SEED_SUITE, conf)
    (tmp_path / "pyike.cfg").write_text(pyike_config(SEED_SUITE, where))
    proc = start_pyike(netlab, py, tmp_path, py_dev, "--passive")
    t = Interop(py, ss, charon, py_dev, tmp_path, proc, netlab)
    charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "Peer is located NAT inside" in log or "Peer is located inside NAT" in log
    shown = t.exec("show crypto ikev2 sa")
    assert f"{PUBLIC_NAT}/" in shown  # pyike answers the NAT's public address and port
    assert "local host is behind NAT" in charon.log
    assert "UDP-Encaps" in t.exec("show crypto ipsec sa")
