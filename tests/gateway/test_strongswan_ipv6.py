"""pyike run against strongSwan's charon over IPv6: IKEv2 on UDP 500/4500 between IPv6
addresses, ESP in UDP (charon's libipsec always encapsulates), and an IPv6 VTI
(`tunnel mode ipsec ipv6`) carrying IPv6 between the two sites' LANs, pyike as initiator
and as responder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.daemons import packets, pyike_exec
from tests.support.interop import no_tunnel, pyike_log, start_pyike
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.paths import EXAMPLES
from tests.support.strongswan import (
    CHARON_KEY,
    PYIKE_KEY,
    SEED_SUITE,
    Charon,
    require_charon,
    start_charon,
)
from tests.support.traffic import ping6

pytestmark = pytest.mark.interop

SITE_A = EXAMPLES / "ipv6" / "site-a.cfg"

PYIKE_WAN, CHARON_WAN = "2001:db8:0:12::1", "2001:db8:0:12::2"
PYIKE_LAN, CHARON_LAN = "2001:db8:a::1", "2001:db8:b::1"


def pyike_v6_config() -> str:
    """The IPv6 example's SiteA6, signing with its own key and verifying charon's."""
    text = SITE_A.read_text()
    keyring = "  pre-shared-key v6-site-key\n"
    assert keyring in text
    return text.replace(
        keyring, f"  pre-shared-key local {PYIKE_KEY}\n  pre-shared-key remote {CHARON_KEY}\n"
    ).replace("GigabitEthernet0/0", "Ethernet0/0")


def swanctl_v6_config() -> str:
    return f"""connections {{
  pyike {{
    version = 2
    local_addrs = {CHARON_WAN}
    remote_addrs = {PYIKE_WAN}
    proposals = aes256-sha384-ecp256
    encap = yes
    local {{
      auth = psk
      id = {CHARON_WAN}
    }}
    remote {{
      auth = psk
      id = {PYIKE_WAN}
    }}
    children {{
      net {{
        local_ts = 2001:db8:b::/64
        remote_ts = 2001:db8:a::/64
        esp_proposals = aes256gcm16
        start_action = none
      }}
    }}
  }}
}}
secrets {{
  ike-charon {{
    id-1 = {CHARON_WAN}
    id-2 = {PYIKE_WAN}
    secret = "{CHARON_KEY}"
  }}
  ike-pyike {{
    id-1 = {PYIKE_WAN}
    secret = "{PYIKE_KEY}"
  }}
}}
"""


def v6_topology(
    netlab: Lab, tmp_path: Path, *pyike_args: str
) -> tuple[Namespace, Namespace, Charon, subprocess.Popen[bytes]]:
    require_charon()
    py, ss = netlab.namespace("p6"), netlab.namespace("s6")
    left, _right = netlab.veth(py, f"{PYIKE_WAN}/64", ss, f"{CHARON_WAN}/64", "6", nodad=True)
    py.ip("addr", "add", f"{PYIKE_LAN}/64", "dev", "lo")
    ss.ip("addr", "add", f"{CHARON_LAN}/64", "dev", "lo")
    # the suite only names charon's default configuration, which ours replaces
    charon = start_charon(netlab, ss, tmp_path, SEED_SUITE, swanctl_v6_config())
    (tmp_path / "pyike.cfg").write_text(pyike_v6_config())
    proc = start_pyike(netlab, py, tmp_path, left, *pyike_args)
    return py, ss, charon, proc


def check_v6_traffic(py: Namespace, ss: Namespace, charon: Charon, tmp_path: Path) -> str:
    try:
        wait_for(
            lambda: ping6(py, PYIKE_LAN, CHARON_LAN, 1).startswith("PING"),
            20,
            "ping -6 pyike -> charon",
        )
    except AssertionError:
        raise no_tunnel("IPv6 ping", tmp_path, charon) from None
    assert " 0% packet loss" in ping6(py, PYIKE_LAN, CHARON_LAN, 4)
    assert " 0% packet loss" in ping6(ss, CHARON_LAN, PYIKE_LAN, 4)
    assert "INSTALLED" in charon.sas()
    shown = pyike_exec(tmp_path / "pyike.sock", "show crypto ikev2 sa", "show crypto ipsec sa")
    v6_part = shown.split("IPv6 Crypto IKEv2  SA")[1]
    assert "READY" in v6_part and "2001:DB8:0:12::2/4500" in v6_part
    assert "UDP-Encaps" in shown
    assert packets(shown, "decaps") >= 8
    assert "Traceback" not in pyike_log(tmp_path)
    return pyike_log(tmp_path)


def test_pyike_initiates_to_charon_over_ipv6(netlab: Lab, tmp_path: Path) -> None:
    py, ss, charon, _proc = v6_topology(netlab, tmp_path)
    log = check_v6_traffic(py, ss, charon, tmp_path)
    assert "(I) MsgID = 00000001 CurState: READY" in log


def test_pyike_responds_to_charon_over_ipv6(netlab: Lab, tmp_path: Path) -> None:
    py, ss, charon, _proc = v6_topology(netlab, tmp_path, "--passive")
    charon.swan("--initiate", "--child", "net", "--timeout", "20")
    log = check_v6_traffic(py, ss, charon, tmp_path)
    assert "(R) MsgID = 00000001 CurState: READY" in log
