"""`pyike decode` on captures made for real: `pyike run` against strongSwan's charon in network
namespaces, dumpcap on the link, pyike's key log as the key table. Every IKE message and every
ESP packet is opened and read as tshark reads them with the same keys (where tshark can), for
the transforms pyike gained with Wireshark's (AES-CTR, AES-CCM, Brainpool groups) and with IKE
messages the kernel sent in IP fragments over a small MTU."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.interop import Interop, check_traffic, start_pyike
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.strongswan import (
    PLUGINS,
    Suite,
    pyike_config,
    start_charon,
    strongswan_conf,
)
from tests.support.tools import require_tool
from tests.support.tshark import json_records, pyike_esp, pyike_ike, tshark_esp, tshark_ike

pytestmark = pytest.mark.interop

CTR = Suite(
    "aes-ctr",
    " encryption aes-ctr-256\n integrity sha256\n group 14\n",
    "esp-aes-ctr 256 esp-sha256-hmac",
    "aes256ctr-sha256-modp2048",
    "aes256ctr-sha256",
)
CCM = Suite(
    "aes-ccm",
    " encryption aes-ccm-256\n prf sha256\n group 19\n",
    "esp-aes-ccm",
    "aes256ccm16-prfsha256-ecp256",
    "aes128ccm16",
)
CCM_SHORT = [
    Suite(
        f"aes-ccm-{icv}",
        f" encryption aes-ccm{icv}-128\n prf sha256\n group 14\n",
        f"esp-aes-ccm{icv}",
        f"aes128ccm{icv}-prfsha256-modp2048",
        f"aes128ccm{icv}",
    )
    for icv in (8, 12)
]
SHA1_160 = Suite(
    "sha1-160",
    " encryption aes-cbc-128\n integrity sha1-160\n group 14\n",
    "esp-aes esp-sha1-160-hmac",
    "aes128-sha1_160-modp2048",
    "aes128-sha1_160",
)
BRAINPOOL_256 = Suite(
    "brainpool-256",
    " encryption aes-cbc-128\n integrity sha256\n group 28\n",
    "esp-aes esp-sha256-hmac",
    "aes128-sha256-ecp256bp",
    "aes128-sha256",
)
BRAINPOOL_224 = Suite(  # the curve pyike computes itself (crypto/weierstrass.py)
    "brainpool-224",
    " encryption aes-cbc-128\n integrity sha256\n group 27\n",
    "esp-aes esp-sha256-hmac",
    "aes128-sha256-ecp224bp",
    "aes128-sha256",
)
# The other groups Wireshark decrypts with: RFC 5114's MODP groups with subgroups and ECP
# 192/224, and the larger Brainpool curves.
OTHER_GROUPS = [
    Suite(
        f"group-{group}",
        f" encryption aes-cbc-128\n integrity sha256\n group {group}\n",
        "esp-aes esp-sha256-hmac",
        f"aes128-sha256-{name}",
        "aes128-sha256",
    )
    for group, name in (
        (22, "modp1024s160"),
        (23, "modp2048s224"),
        (25, "ecp192"),
        (26, "ecp224"),
        (29, "ecp384bp"),
        (30, "ecp512bp"),
    )
]
# MODP-4096's 512-octet KE makes IKE_SA_INIT too big for a 576-octet MTU: the kernel fragments.
FRAGMENTED = Suite(
    "ip-fragments",
    " encryption aes-cbc-256\n integrity sha256\n group 16\n",
    "esp-aes 256 esp-sha256-hmac",
    "aes256-sha256-modp4096",
    "aes256-sha256",
)
SMALL_MTU = 576
# AES-CTR and AES-CCM are in strongSwan's ctr and ccm plugins.
CHARON_PLUGINS = f"{PLUGINS} ctr ccm"


def _capture(netlab: Lab, ns: Namespace, device: str, pcap: Path) -> subprocess.Popen[bytes]:
    """Wireshark's dumpcap on `device` (it comes with tshark), writing pcapng."""
    log = pcap.with_suffix(".log")
    dumpcap = require_tool("dumpcap")
    proc = netlab.start(ns, [dumpcap, "-i", device, "-w", str(pcap)], log)
    wait_for(lambda: "Capturing on" in log.read_text(errors="replace"), 15, "dumpcap")
    return proc


def _tunnel_captured(netlab: Lab, tmp_path: Path, suite: Suite, mtu: int | None) -> Path:
    """pyike (initiator, logging its keys) and charon with `suite`, pings both ways through
    the tunnel, all of it captured on pyike's link; returns the capture."""
    py, ss = netlab.namespace("py"), netlab.namespace("ss")
    left, right = netlab.veth(py, "10.0.0.1/24", ss, "10.0.0.2/24")
    if mtu is not None:
        py.ip("link", "set", "dev", left, "mtu", str(mtu))
        ss.ip("link", "set", "dev", right, "mtu", str(mtu))
    py.ip("addr", "add", "192.168.1.1/24", "dev", "lo")
    ss.ip("addr", "add", "192.168.2.1/24", "dev", "lo")
    pcap = tmp_path / "tunnel.pcapng"
    capture = _capture(netlab, py, left, pcap)
    conf = strongswan_conf(tmp_path / "charon-run" / "charon.log").replace(PLUGINS, CHARON_PLUGINS)
    charon = start_charon(netlab, ss, tmp_path, suite, conf_text=conf)
    (tmp_path / "pyike.cfg").write_text(pyike_config(suite))
    keylog = tmp_path / "keylog"
    proc = start_pyike(netlab, py, tmp_path, left, "--keylog", str(keylog))
    check_traffic(Interop(py, ss, charon, left, tmp_path, proc, netlab))
    capture.send_signal(signal.SIGINT)
    capture.wait(15)
    return pcap


def _decoded(capsys: pytest.CaptureFixture[str], pcap: Path, keylog: Path) -> list[dict[str, Any]]:
    keys = str(keylog)
    code, out, err = run_cli(
        capsys, "decode", "--json", "--keys", keys, "--esp-keys", keys, str(pcap)
    )
    assert (code, err) == (0, ""), out[-3000:]
    return json_records(out)


def _check_all_opened(records: list[dict[str, Any]]) -> None:
    ike = [r for r in records if "header" in r]
    esp = [r for r in records if "esp" in r]
    encrypted = [r for r in ike if any(p["payload"] == "ENCR" for p in r["payloads"])]
    assert len(ike) >= 4 and len(encrypted) >= 2 and len(esp) >= 16
    assert all("decrypted" in r for r in encrypted)
    assert all(not r["problems"] and not r.get("error") for r in records)
    pings = [r["inner"] for r in esp if r["inner"] and r["inner"]["protocol"] == 1]
    assert {(p["src"], p["dst"], p["icmp_type"]) for p in pings} >= {
        ("192.168.1.1", "192.168.2.1", 8),
        ("192.168.2.1", "192.168.1.1", 0),
        ("192.168.2.1", "192.168.1.1", 8),
        ("192.168.1.1", "192.168.2.1", 0),
    }


@pytest.mark.parametrize(
    "suite",
    [CTR, CCM, *CCM_SHORT, SHA1_160, BRAINPOOL_256, BRAINPOOL_224, *OTHER_GROUPS],
    ids=lambda s: s.name,
)
def test_a_tunnel_with_a_new_suite_decodes_end_to_end(
    capsys: pytest.CaptureFixture[str], netlab: Lab, tmp_path: Path, suite: Suite
) -> None:
    pcap = _tunnel_captured(netlab, tmp_path, suite, None)
    keylog = tmp_path / "keylog"
    records = _decoded(capsys, pcap, keylog)
    _check_all_opened(records)
    lines = keylog.read_text().splitlines()
    ike_lines = [line for line in lines if not line.startswith('"')]
    esp_lines = [line for line in lines if line.startswith('"')]
    assert pyike_ike(records) == tshark_ike(pcap, ike_lines)
    if suite not in (CCM, *CCM_SHORT, SHA1_160):  # Wireshark has neither for ESP
        assert pyike_esp(records) == tshark_esp(pcap, esp_lines)


def test_ike_sent_in_ip_fragments_decodes_as_tshark_reads_it(
    capsys: pytest.CaptureFixture[str], netlab: Lab, tmp_path: Path
) -> None:
    pcap = _tunnel_captured(netlab, tmp_path, FRAGMENTED, SMALL_MTU)
    keylog = tmp_path / "keylog"
    records = _decoded(capsys, pcap, keylog)
    _check_all_opened(records)
    reassembled = [r for r in records if any("IP fragments" in n for n in r["notes"])]
    assert len(reassembled) >= 2  # IKE_SA_INIT both ways at least
    lines = keylog.read_text().splitlines()
    ike_lines = [line for line in lines if not line.startswith('"')]
    assert pyike_ike(records) == tshark_ike(pcap, ike_lines)
