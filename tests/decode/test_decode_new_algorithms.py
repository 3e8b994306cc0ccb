"""The transforms Wireshark decrypts that pyike gained (AES-CTR, AES-CCM, HMAC-SHA1-160, DH
groups 22, 23 and 25 to 30, pyike extensions of IOS's keywords): two pyike gateways negotiate each, one logging
its keys, and `pyike decode` opens every encrypted message of the capture with that log."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.config import load
from pyike.net.keylog import KeyLog
from pyike.sim.pcap import PcapRecorder
from tests.support.cli import run_cli
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import SEED_CONFIGS
from tests.support.tshark import json_records, pyike_ike, tshark_ike

SEED_PROPOSAL = " encryption 3des aes-cbc-128\n integrity sha1\n group 2\n"
SEED_TRANSFORMS = "crypto ipsec transform-set TS esp-3des esp-sha-hmac"
SUITES = {
    "aes-ctr": (" encryption aes-ctr-256\n integrity sha256\n group 14\n", "esp-aes-ctr 192 esp-sha-hmac"),
    "aes-ccm": (" encryption aes-ccm-128\n prf sha256\n group 19\n", "esp-aes-ccm 256"),
    "sha1-160": (" encryption aes-cbc-192\n integrity sha1-160\n group 14\n", "esp-aes esp-sha1-160-hmac"),
    "group-22": (" encryption aes-cbc-128\n integrity sha1\n group 22\n", "esp-aes esp-sha-hmac"),
    "group-23": (" encryption aes-cbc-128\n integrity sha256\n group 23\n", "esp-aes esp-sha256-hmac"),
    "group-25": (" encryption aes-cbc-128\n integrity sha256\n group 25\n", "esp-aes esp-sha256-hmac"),
    "group-26": (" encryption aes-cbc-128\n integrity sha256\n group 26\n", "esp-aes esp-sha256-hmac"),
    "brainpool-224": (" encryption aes-cbc-256\n integrity sha256\n group 27\n", "esp-gcm 256"),
    "brainpool-512": (" encryption aes-gcm-256\n prf sha512\n group 30\n", "esp-aes esp-sha512-hmac"),
}  # fmt: skip


def _config(router: str, proposal: str, transforms: str) -> str:
    text = (SEED_CONFIGS / f"{router}.cfg").read_text()
    assert SEED_PROPOSAL in text and SEED_TRANSFORMS in text
    text = text.replace(
        SEED_PROPOSAL, proposal + "!\ncrypto ikev2 policy site-pol\n proposal PHASE1-prop\n"
    )
    return text.replace(SEED_TRANSFORMS, f"crypto ipsec transform-set TS {transforms}")


@pytest.mark.parametrize("suite", list(SUITES))
def test_every_message_of_a_new_suite_is_decrypted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suite: str
) -> None:
    proposal, transforms = SUITES[suite]
    configs = []
    for router in ("router1", "router2"):
        result = load(_config(router, proposal, transforms), f"{router}.cfg")
        assert result.ok, [str(d) for d in result.errors]
        configs.append(result.config)
    keys, pcap = tmp_path / "keylog", tmp_path / "ike.pcap"
    log = KeyLog(keys)
    with PcapRecorder(pcap) as capture:
        pair = GatewayPair(*configs, names=("router1", "router2"), capture=capture,
                           options=({"keylog": log}, {}))  # fmt: skip
        for step in (pair.a.start_all, lambda: pair.a.rekey(ike=True), pair.b.clear):
            step()
            pair.pump()
    log.close()
    code, out, err = run_cli(capsys, "decode", "--json", "--keys", str(keys), str(pcap))
    assert (code, err) == (0, "")
    records = json_records(out)
    encrypted = [r for r in records if any(p["payload"] == "ENCR" for p in r["payloads"])]
    assert len(encrypted) >= 6  # IKE_AUTH, the IKE SA rekey, the deletes
    assert all("decrypted" in r and not r["problems"] for r in encrypted), records
    assert any(p["payload"] == "AUTH" for r in encrypted for p in r["decrypted"])
    ike_lines = [line for line in keys.read_text().splitlines() if not line.startswith('"')]
    assert pyike_ike(records) == tshark_ike(pcap, ike_lines)
