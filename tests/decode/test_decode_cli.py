"""`pyike decode` on the real strongSwan captures, checked against tshark's reading."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.paths import VECTORS
from tests.support.tools import require_tool
from tests.support.tshark import json_records, pyike_ike, tshark_ike


def decoded_json(capsys: pytest.CaptureFixture[str], vector: Path) -> list[dict[str, Any]]:
    code, out, _ = run_cli(
        capsys,
        "decode",
        "--json",
        "--keys",
        str(vector / "ikev2_decryption_table"),
        str(vector / "handshake.pcap"),
    )
    assert code == 0
    return json_records(out)


def test_every_message_is_decrypted(capsys: pytest.CaptureFixture[str], vector: Path) -> None:
    code, out, _ = run_cli(
        capsys,
        "decode",
        "--keys",
        str(vector / "ikev2_decryption_table"),
        str(vector / "handshake.pcap"),
    )
    assert code == 0
    assert "IKEv2-ERROR" not in out
    assert "no keys" not in out
    blocks = [b for b in out.split("\n\n") if b.startswith("Frame ")]
    encrypted = [b for b in blocks if " ENCR  Next payload:" in b]
    assert encrypted, "the captures hold encrypted exchanges"
    for block in encrypted:
        # Something printed after the ENCR line: the decrypted payloads, or an empty
        # INFORMATIONAL response whose ENCR holds nothing (Next payload: NONE).
        encr_line = next(line for line in block.splitlines() if line.startswith(" ENCR "))
        assert encr_line.split("Next payload: ")[1].startswith("NONE") or (
            block.splitlines()[-1] != encr_line
        )


def test_matches_tshark(capsys: pytest.CaptureFixture[str], vector: Path) -> None:
    table = (vector / "ikev2_decryption_table").read_text().splitlines()
    expected = tshark_ike(vector / "handshake.pcap", table)
    assert pyike_ike(decoded_json(capsys, vector)) == expected


def test_seed_style_ike_sa_init_lines(capsys: pytest.CaptureFixture[str]) -> None:
    vector = VECTORS / "strongswan-3des"
    _, out, _ = run_cli(capsys, "decode", str(vector / "handshake.pcap"))
    first = out.split("\n\n")[0].splitlines()
    assert first[1].startswith(
        "IKEv2:Next payload: SA, version: 2.0 Exchange type: IKE_SA_INIT, flags: INITIATOR "
        "Message id: 0, length: "
    )
    assert first[2] == "Payload contents:"
    assert "    type: 1, reserved: 0x0, id: 3DES" in first
    assert "    type: 3, reserved: 0x0, id: SHA96" in first
    assert "    type: 4, reserved: 0x0, id: DH_GROUP_1024_MODP/Group 2" in first


def test_wrong_key_reports_integrity_failure_and_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vector = VECTORS / "strongswan-aes128"
    table = (vector / "ikev2_decryption_table").read_text().splitlines()
    fields = table[0].split(",")
    fields[5] = ("0" if fields[5][0] != "0" else "1") + fields[5][1:]  # corrupt SK_ai
    bad = tmp_path / "keys"
    bad.write_text("\n".join([",".join(fields), *table[1:]]) + "\n")
    code, out, _ = run_cli(capsys, "decode", "--keys", str(bad), str(vector / "handshake.pcap"))
    assert code == 1
    failures = [line for line in out.splitlines() if "integrity check failed" in line]
    # Only messages the initiator sent on the first IKE SA use SK_ai.
    assert len(failures) == 3
    assert "SK_ei/SK_ai" in failures[0]
    assert fields[5] not in out and fields[2] not in out  # keys never printed
    # The responder's messages, and the rekeyed IKE SA, still decrypt.
    assert "Auth method PSK" in out
    assert out.rstrip().endswith("3 with problems (see IKEv2-ERROR lines)")


def test_missing_keys_for_an_sa_is_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vector = VECTORS / "strongswan-aes128"
    first_only = tmp_path / "keys"
    first_only.write_text((vector / "ikev2_decryption_table").read_text().splitlines()[0] + "\n")
    code, out, _ = run_cli(
        capsys, "decode", "--keys", str(first_only), str(vector / "handshake.pcap")
    )
    assert code == 0
    assert out.count("IKEv2:no keys for IKE SA F640D3ADAD6E626C/E6B0B1F460506973") == 2


def test_bad_key_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A line that cannot be used is named (file:line) and passed over; decoding goes on."""
    table = tmp_path / "keys"
    table.write_text(
        'f78c64430c1e03b5,5c4afb6f64dd76ed,zz,00,"AES-CBC-128 [RFC3602]",00,00,"NONE"\n'
    )
    pcap = str(VECTORS / "strongswan-aes128" / "handshake.pcap")
    code, out, err = run_cli(capsys, "decode", "--keys", str(table), pcap)
    assert code == 1
    assert err == f"% {table}:1: SK_ei is not hexadecimal; line skipped\n"
    assert "no keys for IKE SA" in out
    code, _, err = run_cli(capsys, "decode", "--keys", str(tmp_path / "none"), pcap)
    assert code == 2
    assert "Cannot read key table" in err


def test_a_wireshark_table_is_read_line_by_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """As Wireshark's dialog exports it: the first IKE SA with "No Checking" integrity (its
    SK_a keys unknown), a line for an algorithm pyike lacks, then the rekeyed IKE SA."""
    vector = VECTORS / "strongswan-aes128"
    first, rekeyed = (vector / "ikev2_decryption_table").read_text().splitlines()
    fields = first.split(",")
    fields[5] = fields[6] = "00" * 20  # SK_ai, SK_ar unknown
    fields[7] = '"ANY 96-bits of Authentication [No Checking]"'
    lacking = rekeyed.replace('"AES-CBC-128 [RFC3602]"', '"BLOWFISH-CBC [RFC2451]"')
    table = tmp_path / "ikev2_decryption_table"
    table.write_text("\n".join([",".join(fields), lacking, rekeyed]) + "\n")
    code, out, err = run_cli(capsys, "decode", "--keys", str(table), str(vector / "handshake.pcap"))
    assert err == f"% {table}:2: pyike cannot decrypt with BLOWFISH-CBC [RFC2451]; line skipped\n"
    assert code == 1  # a line was skipped
    assert "IKEv2-ERROR" not in out and "no keys" not in out
    assert out.count("IKEv2:ICV not checked") == 6  # every encrypted message of the first SA
    assert "Auth method PSK" in out


def test_example_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "decode", "--example")
    assert code == 0
    assert "Auth method PSK" in out  # decrypted with the shipped keys
    assert out.rstrip().endswith("10 IKEv2 message(s) in " + out.rstrip().split(" in ")[-1])
    code, _, err = run_cli(capsys, "decode")
    assert code == 2 and "Incomplete command" in err
    code, _, err = run_cli(capsys, "decode", "--example", "x.pcap")
    assert code == 2
    for option in ("--keys", "--esp-keys"):  # never silently left unused
        code, out, err = run_cli(capsys, "decode", "--example", option, "my.keys")
        assert code == 2 and out == ""
        assert "--example decodes with the keys shipped with it" in err


def test_pcapng_is_read_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    editcap = shutil.which("editcap")
    if editcap is None:
        require_tool("editcap")
    ng = tmp_path / "handshake.pcapng"
    src = VECTORS / "strongswan-aes128" / "handshake.pcap"
    subprocess.run([str(editcap), "-F", "pcapng", str(src), str(ng)], check=True)
    code_ng, out_ng, _ = run_cli(capsys, "decode", str(ng))
    code, out, _ = run_cli(capsys, "decode", str(src))
    assert code_ng == code == 0
    assert out_ng.replace(str(ng), "") == out.replace(str(src), "")


def test_version_names_the_dh_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert "finite-field DH backend:" in out
