"""Wireshark's ikev2_decryption_table: read what strongSwan wrote, write it back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.codec.registry import EncrId, IntegId
from pyike.wireshark_keys import (
    IkeSaKeys,
    KeyTableError,
    format_encr_name,
    format_key_line,
    is_esp_sa_line,
    parse_encr_name,
    parse_integ_name,
    parse_key_table,
)


def test_strongswan_tables_round_trip(vector: Path) -> None:
    text = (vector / "ikev2_decryption_table").read_text()
    entries = parse_key_table(text)
    assert len(entries) == 2  # the first IKE SA and its rekeyed successor
    assert [format_key_line(e) for e in entries] == text.splitlines()


def test_esp_sa_lines_are_passed_over(vector: Path) -> None:
    """strongSwan's two key files in one, as `pyike run --keylog` writes them."""
    ike = (vector / "ikev2_decryption_table").read_text()
    esp = (vector / "esp_sa").read_text()
    assert esp and all(is_esp_sa_line(line) for line in esp.splitlines())
    assert not any(is_esp_sa_line(line) for line in ike.splitlines())
    assert parse_key_table(esp + ike + esp) == parse_key_table(ike)


@pytest.mark.parametrize(
    ("encr", "bits"),
    [
        (EncrId.TRIPLE_DES, None),
        (EncrId.NULL, None),
        (EncrId.CHACHA20_POLY1305, None),
        (EncrId.AES_CBC, 128),
        (EncrId.AES_CTR, 192),
        (EncrId.AES_GCM_8, 128),
        (EncrId.AES_GCM_12, 192),
        (EncrId.AES_GCM_16, 256),
        (EncrId.AES_CCM_16, 128),
    ],
)
def test_encryption_names_round_trip(encr: EncrId, bits: int | None) -> None:
    assert parse_encr_name(format_encr_name(encr, bits)) == (encr, bits)


def test_wireshark_spellings() -> None:
    assert format_encr_name(EncrId.AES_GCM_16, 256) == "AES-GCM-256 with 16 octet ICV [RFC5282]"
    assert parse_integ_name("HMAC_SHA2_512_256 [RFC4868]") is IntegId.HMAC_SHA2_512_256
    assert parse_integ_name("NONE [RFC4306]") is IntegId.NONE
    keys = IkeSaKeys(
        bytes(8), bytes(range(8)), EncrId.AES_GCM_16, 128, IntegId.NONE,
        sk_ei=bytes(20), sk_er=bytes(20), sk_ai=b"", sk_ar=b"",
    )  # fmt: skip
    line = format_key_line(keys)
    assert line.endswith(',"AES-GCM-128 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"')
    assert parse_key_table(f"# comment\n\n{line}\n") == [keys]
    assert "sk_ei" not in repr(keys)  # keys stay out of reprs


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a,b,c", "line 1: expected 8 comma-separated fields, got 3"),
        ('00,00,00,00,"3DES",00,00,"NONE"', "line 1: SPIs must be 8 bytes"),
        (
            '0000000000000000,0000000000000000,00,00,"RC5",00,00,"NONE"',
            "unknown encryption algorithm",
        ),
        (
            '0000000000000000,0000000000000000,00,00,"3DES",00,00,"CRC32"',
            "unknown integrity algorithm",
        ),
        (
            '0000000000000000,0000000000000000,0x00,00,"3DES",00,zz,"NONE"',
            "line 1: SK_ar is not hexadecimal",
        ),
        (
            '"IPv4","10.0.0.1","10.0.0.2","0x0badf00d","AES-CBC [RFC3602]","0x00"',
            "line 1: ESP SA line \\(esp_sa format\\): expected 8 comma-separated fields, got 6",
        ),
        (
            '"IPv6","::1","::2","0badf00d","NULL","","NULL",""',
            "line 1: ESP SPI must be 0x followed by 8 hex digits",
        ),
    ],
)
def test_bad_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(KeyTableError, match=message):
        parse_key_table(line)


def test_unnamed_transform_cannot_be_written() -> None:
    with pytest.raises(KeyTableError, match="no name"):
        format_encr_name(EncrId.CAMELLIA_CBC, 128)
