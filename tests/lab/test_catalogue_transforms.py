"""Transforms added through the catalogue come up in the lab: DH group 24 (RFC 5114 MODP-2048
with a 256-bit subgroup) for the IKE SA and as PFS, and single DES for IKE and ESP."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import SEED_CONFIGS

# Past the child SA's 3600 s lifetime, so that its rekey runs a group 24 PFS exchange.
CHECKS = (
    "! lab: run 65m\n"
    "! lab: expect Router1: show crypto ikev2 sa detailed => Encr: DES, keysize: 0, PRF: SHA1, "
    "Hash: SHA96, DH Grp:24\n"
    "! lab: expect Router2: show crypto ikev2 sa detailed => DH Grp:24\n"
    "! lab: expect Router1: show crypto ipsec sa => transform: esp-des esp-sha-hmac\n"
    "! lab: expect Router1: show crypto ipsec sa => PFS (Y/N): Y, DH group: group24\n"
    "! lab: expect Router1: ping 192.168.2.1 source Loopback0 => Success rate is 100 percent\n"
)


def _legacy_des_group_24(text: str) -> str:
    """A seed router with DES and group 24 for IKE, and esp-des with PFS group 24 for ESP."""
    text = text.replace(" encryption 3des aes-cbc-128\n integrity sha1\n group 2\n",
                        " encryption des\n integrity sha1\n group 24\n")  # fmt: skip
    text = text.replace(
        "transform-set TS esp-3des esp-sha-hmac", "transform-set TS esp-des esp-sha-hmac"
    )
    text = text.replace(" set transform-set TS\n", " set transform-set TS\n set pfs group24\n")
    if "crypto ikev2 policy" not in text:  # the seed's Router2 answers with the default policy
        text = text.replace(
            "crypto ikev2 keyring",
            "crypto ikev2 policy P\n proposal PHASE1-prop\n!\ncrypto ikev2 keyring",
        )
    return text


def test_des_and_group_24_tunnels_come_up_in_the_lab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for name in ("router1.cfg", "router2.cfg"):
        path = tmp_path / name
        header = CHECKS if name == "router1.cfg" else ""
        path.write_text(header + _legacy_des_group_24((SEED_CONFIGS / name).read_text()))
        files.append(str(path))
    code = main(["lab", *files])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2" in captured.out
    assert "did not print" not in captured.err
