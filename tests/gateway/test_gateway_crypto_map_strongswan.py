"""pyike's crypto map against strongSwan's charon (policy-based on both sides: charon's
local_ts/remote_ts are the mirror of pyike's ACL): pyike initiating when traffic meets the
map, charon initiating with `swanctl --initiate`; ping both ways either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.interop import check_traffic, pyike_log, topology
from tests.support.netns import Lab, wait_for
from tests.support.strongswan import (
    GCM_SUITE,
    SEED_SUITE,
    Suite,
    crypto_map_config,
    swanctl_config,
)
from tests.support.traffic import ping

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("suite", [SEED_SUITE, GCM_SUITE], ids=lambda s: s.name)
def test_pyike_crypto_map_initiates_on_traffic_to_charon(
    netlab: Lab, tmp_path: Path, suite: Suite
) -> None:
    t = topology(netlab, tmp_path, suite, pyike_cfg=crypto_map_config(suite))
    assert "READY" not in t.exec("show crypto ikev2 sa")  # nothing until traffic
    check_traffic(t)  # pings from 192.168.1.1 until one crosses, then both ways
    log = pyike_log(tmp_path)
    assert "(I) MsgID = 00000001 CurState: READY" in log
    shown = t.exec("show crypto ipsec sa")
    assert "Crypto map tag: CMAP" in shown
    assert "local  ident (addr/mask/prot/port): (192.168.1.0/255.255.255.0/0/0)" in shown
    assert "local  192.168.2.0/24\n    remote 192.168.1.0/24" in t.charon.sas()


def test_charon_initiates_to_pyike_crypto_map(netlab: Lab, tmp_path: Path) -> None:
    t = topology(netlab, tmp_path, SEED_SUITE, pyike_cfg=crypto_map_config(SEED_SUITE))
    t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    assert "(R) MsgID = 00000001 CurState: READY" in pyike_log(tmp_path)
    shown = t.exec("show crypto session")
    assert "Interface: Ethernet0/0\nSession status: UP-ACTIVE" in shown
    assert "origin: crypto map" in shown


SECOND_LINE = " permit ip 192.168.11.0 0.0.0.255 192.168.12.0 0.0.0.255\n"


def two_children_conf(suite: Suite) -> str:
    """charon's `net` child and a second one, `lab`, mirroring the ACL's second line."""
    lab = f"""      lab {{
        local_ts = 192.168.12.0/24
        remote_ts = 192.168.11.0/24
        esp_proposals = {suite.esp}
        start_action = none
      }}
"""
    conf = swanctl_config(suite)
    return conf.replace("    children {\n", "    children {\n" + lab, 1)


def test_two_acl_lines_are_two_child_sas_with_charon(netlab: Lab, tmp_path: Path) -> None:
    """IOS negotiates one Child SA per permit line; charon, with one child per line, drops
    what arrives on the wrong one, so the second line's traffic crosses only on its own."""
    t = topology(
        netlab,
        tmp_path,
        SEED_SUITE,
        pyike_cfg=crypto_map_config(SEED_SUITE) + SECOND_LINE,
        swanctl_conf=two_children_conf(SEED_SUITE),
    )
    t.py.ip("addr", "add", "192.168.11.1/24", "dev", "lo")
    t.ss.ip("addr", "add", "192.168.12.1/24", "dev", "lo")
    check_traffic(t)  # line 1 brings up the IKE SA and child `net`
    wait_for(
        lambda: ping(t.py, "192.168.11.1", "192.168.12.1", 1).returncode == 0,
        20,
        "ping pyike -> charon on the second ACL line",
    )
    assert " 0% packet loss" in ping(t.py, "192.168.11.1", "192.168.12.1", 4).stdout
    assert " 0% packet loss" in ping(t.ss, "192.168.12.1", "192.168.11.1", 4).stdout
    sas = t.charon.sas()
    assert "net:" in sas and "lab:" in sas
    assert "local  192.168.12.0/24\n    remote 192.168.11.0/24" in sas
    shown = t.exec("show crypto ipsec sa")
    assert shown.count("local  ident") == 2
    assert "local  ident (addr/mask/prot/port): (192.168.11.0/255.255.255.0/0/0)" in shown
    session = t.exec("show crypto session")
    assert "IPSEC FLOW: permit ip 192.168.11.0/255.255.255.0 192.168.12.0/255.255.255.0" in session
    assert session.count("Active SAs: 2") == 2
    assert "Traceback" not in pyike_log(tmp_path)
