"""GRE over IPsec between `pyike run` and strongSwan's charon. pyike's tunnel is GRE with a
transport-mode transform set; charon (kernel-libipsec, which has no transport mode) protects
GRE between the two peers in tunnel mode, and a userspace GRE endpoint of the tests'
(`tests.support.gre_endpoint`) plays charon's GRE tunnel. So pyike must take IOS's fallback:
asked for transport, charon answers tunnel mode, and the whole GRE packet travels in ESP.
Traffic both ways, pyike initiating and charon initiating, across child and IKE SA rekeys."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.support import strongswan
from tests.support.gre_endpoint import start_gre_endpoint
from tests.support.interop import Interop, pyike_log, topology
from tests.support.netns import Lab, wait_for
from tests.support.strongswan import SEED_SUITE, pyike_config, strongswan_conf, swanctl_config
from tests.support.traffic import ping, ping_stream

KEY = 9
SUITE = SEED_SUITE


def _pyike_gre_config() -> str:
    text = pyike_config(SUITE)
    for old, new in (
        (" tunnel mode ipsec ipv4\n", f" tunnel mode gre ip\n tunnel key {KEY}\n"),
        (f"{SUITE.ios_transform}\n", f"{SUITE.ios_transform}\n mode transport\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


def _swanctl(start: str) -> str:
    """charon protects GRE between the peers (in tunnel mode: libipsec has no other)."""
    selectors = ("10.0.0.2/32[gre]", "10.0.0.1/32[gre]")
    mode = "        mode = tunnel\n"
    return swanctl_config(SUITE, child="gre", selectors=selectors, start=start, child_extra=mode)


# The remote selector is the peer itself: IKE and ESP must stay out of libipsec's routes,
# which charon's own packets do by their mark.
_PLUGINS = """  plugins {
    kernel-libipsec {
      allow_peer_ts = yes
    }
    kernel-netlink {
      fwmark = !0x42
    }
    socket-default {
      fwmark = 0x42
    }
  }
"""


def _strongswan_conf(log: Path) -> str:
    return strongswan_conf(log, _PLUGINS)


def gre_interop(
    netlab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, charon_starts: bool
) -> Interop:
    monkeypatch.setattr(strongswan, "strongswan_conf", _strongswan_conf)
    t = topology(
        netlab,
        tmp_path,
        SUITE,
        *(["--passive"] if charon_starts else []),
        pyike_cfg=_pyike_gre_config(),
        swanctl_conf=_swanctl("start" if charon_starts else "none"),
    )
    start_gre_endpoint(
        netlab,
        t.ss,
        tmp_path / "gre.log",
        device="gre0",
        local="10.0.0.2",
        remote="10.0.0.1",
        address="172.16.0.102/24",
        routes=("192.168.1.0/24",),
        key=KEY,
    )
    return t


def _failure(t: Interop) -> str:
    return f"--- pyike ---\n{pyike_log(t.work)[-5000:]}\n--- charon ---\n{t.charon.log[-5000:]}"


@pytest.mark.parametrize(
    "charon_starts", [False, True], ids=["pyike-initiates", "charon-initiates"]
)
def test_gre_over_ipsec_with_strongswan_falls_back_to_tunnel_mode(
    netlab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, charon_starts: bool
) -> None:
    t = gre_interop(netlab, tmp_path, monkeypatch, charon_starts=charon_starts)
    if charon_starts:
        wait_for(lambda: "INSTALLED" in t.charon.sas(), 20, "charon's GRE child SA")
    try:
        wait_for(
            lambda: ping(t.py, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 25, "GRE ping"
        )
    except AssertionError:
        raise AssertionError(_failure(t)) from None
    assert " 0% packet loss" in ping(t.py, "192.168.1.1", "192.168.2.1", 5).stdout
    assert " 0% packet loss" in ping(t.ss, "192.168.2.1", "192.168.1.1", 5).stdout
    shown = t.exec("show crypto ipsec sa")
    assert shown.count("in use settings ={Tunnel UDP-Encaps, }") == 2, shown
    assert "(10.0.0.1/255.255.255.255/47/0)" in shown
    assert "TUNNEL" in t.charon.sas()

    # child and IKE SA rekeys, from either side, with pings crossing all along
    stream = ping_stream(
        netlab, t.py, "192.168.1.1", "192.168.2.1", tmp_path / "stream.log", count=150
    )
    for rekey in (
        lambda: t.exec("test crypto ipsec rekey"),
        lambda: t.exec("test crypto ikev2 rekey"),
        lambda: t.charon.swan("--rekey", "--child", "gre"),
        lambda: t.charon.swan("--rekey", "--ike", "pyike"),
    ):
        time.sleep(1.5)
        rekey()
    sent, received = stream.result(timeout=90)
    assert sent == 150 and received >= 146, (sent, received, _failure(t))
    assert " 0% packet loss" in ping(t.ss, "192.168.2.1", "192.168.1.1", 5).stdout
    shown = t.exec("show crypto ipsec sa")
    assert set(re.findall(r"in use settings =\{(\w+)", shown)) == {"Tunnel"}
    assert "Traceback" not in pyike_log(tmp_path)
