"""Wireshark's key tables: read what strongSwan wrote and write it back unchanged; every name
Wireshark's IKEv2 and ESP decryption dialogs offer is read; a line that cannot be used is
named and passed over, never the whole table."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto import catalogue
from pyike.wireshark_keys import (
    KeyTableError,
    UncheckedIcv,
    format_encr_name,
    format_key_line,
    ike_sa_keys,
    is_esp_sa_line,
    parse_key_table,
    read_key_table,
)


def test_strongswan_tables_round_trip(vector: Path) -> None:
    text = (vector / "ikev2_decryption_table").read_text()
    entries = parse_key_table(text)
    assert len(entries) == 2  # the first IKE SA and its rekeyed successor
    assert [format_key_line(e) for e in entries] == text.splitlines()


def test_ike_and_esp_lines_are_read_from_one_file(vector: Path) -> None:
    """strongSwan's two key files in one, as `pyike run --keylog` writes them."""
    ike = (vector / "ikev2_decryption_table").read_text()
    esp = (vector / "esp_sa").read_text()
    assert esp and all(is_esp_sa_line(line) for line in esp.splitlines())
    assert not any(is_esp_sa_line(line) for line in ike.splitlines())
    table = read_key_table(esp + ike)
    assert table.ike == parse_key_table(ike) and not table.skipped
    assert [f"0x{sa.spi:08x}" for sa in table.esp] == [
        line.split(",")[3].strip('"') for line in esp.splitlines()
    ]


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
    entry = catalogue.wireshark_encryption(format_encr_name(encr, bits))
    assert entry is not None and (entry.id, entry.key_length) == (encr, bits)


def test_wireshark_spellings() -> None:
    assert format_encr_name(EncrId.AES_GCM_16, 256) == "AES-GCM-256 with 16 octet ICV [RFC5282]"
    sha512 = catalogue.wireshark_integrity("HMAC_SHA2_512_256 [RFC4868]")
    assert sha512 is not None and sha512.id is IntegId.HMAC_SHA2_512_256
    sk = (bytes(20), bytes(20), b"", b"")
    keys = ike_sa_keys(bytes(8), bytes(range(8)), EncrId.AES_GCM_16, 128, IntegId.NONE, sk)
    line = format_key_line(keys)
    assert line.endswith(',"AES-GCM-128 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"')
    assert parse_key_table(f"# comment\n\n{line}\n") == [keys]
    assert "sk_ei" not in repr(keys)  # keys stay out of reprs


SPIS = "0000000000000001,0000000000000002"
# Every name of Wireshark's IKEv2 decryption dialog, with the key sizes each takes.
WIRESHARK_IKE = [
    ("3DES [RFC2451]", 24),
    ("AES-CBC-128 [RFC3602]", 16),
    ("AES-CBC-192 [RFC3602]", 24),
    ("AES-CBC-256 [RFC3602]", 32),
    *((f"AES-CTR-{bits} [RFC5930]", bits // 8 + 4) for bits in (128, 192, 256)),
    *(
        (f"AES-{mode}-{bits} with {icv} octet ICV [RFC5282]", bits // 8 + salt)
        for mode, salt in (("GCM", 4), ("CCM", 3))
        for icv in (8, 12, 16)
        for bits in (128, 192, 256)
    ),
    ("CHACHA20-POLY1305 [RFC7634]", 36),
]
WIRESHARK_IKE_INTEGRITY = [
    ("HMAC_MD5_96 [RFC2403]", 16),
    ("HMAC_SHA1_96 [RFC2404]", 20),
    ("HMAC_MD5_128 [RFC4595]", 16),
    ("HMAC_SHA1_160 [RFC4595]", 20),
    ("HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]", 32),
    ("HMAC_SHA2_256_128 [RFC4868]", 32),
    ("HMAC_SHA2_384_192 [RFC4868]", 48),
    ("HMAC_SHA2_512_256 [RFC4868]", 64),
    *(
        (f"ANY {bits}-bits of Authentication [No Checking]", 3)
        for bits in (64, 96, 128, 160, 192, 256)
    ),
]


@pytest.mark.parametrize(("name", "key_size"), WIRESHARK_IKE, ids=lambda v: str(v))
def test_every_ike_encryption_wireshark_offers(name: str, key_size: int) -> None:
    aead = "GCM" in name or "CCM" in name or "CHACHA" in name
    integ = "NONE [RFC4306]" if aead else "HMAC_SHA1_96 [RFC2404]"
    sk_a = "" if aead else "00" * 20
    (sa,) = parse_key_table(
        f'{SPIS},{"11" * key_size},{"22" * key_size},"{name}",{sk_a},{sk_a},"{integ}"'
    )
    assert sa.encr.wireshark_ike == name and sa.encr.implemented


@pytest.mark.parametrize(("name", "key_size"), WIRESHARK_IKE_INTEGRITY, ids=lambda v: str(v))
def test_every_ike_integrity_wireshark_offers(name: str, key_size: int) -> None:
    sk_a = "33" * key_size
    (sa,) = parse_key_table(
        f'{SPIS},{"11" * 16},{"22" * 16},"AES-CBC-128 [RFC3602]",{sk_a},{sk_a},"{name}"'
    )
    if "No Checking" in name:
        bits = int(name.split()[1].split("-")[0])
        assert sa.integ == UncheckedIcv(bits // 8)
    else:
        assert not isinstance(sa.integ, UncheckedIcv) and sa.integ.wireshark_ike == name


ESP = '"IPv4","10.0.0.1","10.0.0.2","0x01020304"'
# Every name of Wireshark's ESP decryption dialog pyike decrypts, with a key of a size it takes.
WIRESHARK_ESP = [
    ("NULL", 0, "NULL"),
    ("TripleDES-CBC [RFC2451]", 24, "3DES"),
    ("AES-CBC [RFC3602]", 32, "AES-CBC-256"),
    ("AES-CTR [RFC3686]", 20, "AES-CTR-128"),
    ("DES-CBC [RFC2405]", 8, "DES"),
    ("AES-GCM with 8 octet ICV [RFC4106]", 28, "AES-GCM-192-ICV8"),
    ("AES-GCM with 12 octet ICV [RFC4106]", 36, "AES-GCM-256-ICV12"),
    ("AES-GCM with 16 octet ICV [RFC4106]", 20, "AES-GCM-128-ICV16"),
    ("ChaCha20 with Poly1305 [RFC7634]", 36, "CHACHA20-POLY1305"),
]
WIRESHARK_ESP_INTEGRITY = [
    ("HMAC-SHA-1-96 [RFC2404]", 20),
    ("HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]", 32),
    ("HMAC-SHA-256-128 [RFC4868]", 32),
    ("HMAC-SHA-384-192 [RFC4868]", 48),
    ("HMAC-SHA-512-256 [RFC4868]", 64),
    ("HMAC-MD5-96 [RFC2403]", 16),
    *((f"ANY {bits} bit authentication [no checking]", 5) for bits in (64, 96, 128, 192, 256)),
]


@pytest.mark.parametrize(("name", "key_size", "entry"), WIRESHARK_ESP, ids=lambda v: str(v))
def test_every_esp_encryption_wireshark_offers(name: str, key_size: int, entry: str) -> None:
    aead = "GCM" in name or "Poly1305" in name
    integ = '"NULL",""' if aead else '"HMAC-SHA-1-96 [RFC2404]","0x' + "00" * 20 + '"'
    table = read_key_table(f'{ESP},"{name}","0x{"11" * key_size}",{integ}')
    assert table.skipped == [] and [sa.encr.name for sa in table.esp] == [entry]


@pytest.mark.parametrize(("name", "key_size"), WIRESHARK_ESP_INTEGRITY, ids=lambda v: str(v))
def test_every_esp_integrity_wireshark_offers(name: str, key_size: int) -> None:
    table = read_key_table(
        f'{ESP},"AES-CBC [RFC3602]","0x{"11" * 16}","{name}","0x{"22" * key_size}"'
    )
    (sa,) = table.esp
    if "no checking" in name:
        assert sa.integ == UncheckedIcv(int(name.split()[1]) // 8)
    else:
        assert not isinstance(sa.integ, UncheckedIcv) and sa.integ.wireshark_esp == name


@pytest.mark.parametrize(("bits", "entry"), [(64, "AES-GCM-128-ICV8"), (128, "AES-GCM-128-ICV16")])
def test_wiresharks_older_esp_gcm_takes_its_icv_from_the_integrity_column(
    bits: int, entry: str
) -> None:
    """What strongSwan's save-keys plugin writes for AES-GCM."""
    line = f'{ESP},"AES-GCM [RFC4106]","0x{"11" * 20}","ANY {bits} bit authentication [no checking]","0x"'
    (sa,) = read_key_table(line).esp
    assert sa.encr.name == entry and not isinstance(sa.integ, UncheckedIcv)


def test_esp_wildcards_match_any_address_and_spi() -> None:
    line = f'"IPv6","*","2001:db8::/64","*","AES-CBC [RFC3602]","0x{"11" * 16}","NULL",""'
    (sa,) = read_key_table(line).esp
    assert sa.matches(7, "2001:db8:1::1", "2001:db8::2")
    assert not sa.matches(7, "2001:db8:1::1", "2001:db9::2")


def test_a_table_is_read_line_by_line() -> None:
    """Unknown algorithms, algorithms pyike lacks and broken lines are each named and passed
    over; the lines around them are read."""
    good = f'{SPIS},{"11" * 16},{"22" * 16},"AES-CBC-128 [RFC3602]",{"33" * 20},{"44" * 20},"HMAC_SHA1_96 [RFC2404]"'
    lines = [
        good,
        good.replace("HMAC_SHA1_96 [RFC2404]", "CRC32"),
        f'{ESP},"CAST5-CBC [RFC2144]","0x{"11" * 16}","NULL",""',
        f'{ESP},"AES-CBC [RFC3602]","0x{"11" * 15}","NULL",""',
        good.replace("AES-CBC-128", "AES-CBC-256"),
        f'{ESP},"AES-CTR [RFC3686]","0x{"11" * 20}","MAC-RIPEMD-160-96 [RFC2857]","0x00"',
        f'{ESP},"AES-CBC [RFC3602]","0x{"11" * 16}","HMAC-MD5-96 [RFC2403]","0x{"22" * 16}"',
    ]
    table = read_key_table("\n".join(lines))
    assert len(table.ike) == 1 and len(table.esp) == 1
    assert table.skipped == [
        "line 2: unknown integrity algorithm 'CRC32'",
        "line 3: pyike cannot decrypt with CAST5-CBC [RFC2144]",
        "line 4: a 15-octet key does not fit AES-CBC [RFC3602] (it takes 16, 24, 32 octets)",
        "line 5: SK_ei is 16 octets, AES-CBC-256 takes 32",
        "line 6: pyike cannot decrypt with MAC-RIPEMD-160-96 [RFC2857]",
    ]


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
            "line 1: ESP SPI must be 0x followed by 8 hex digits, or '\\*'",
        ),
    ],
)
def test_bad_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(KeyTableError, match=message):
        parse_key_table(line)


def test_unnamed_transform_cannot_be_written() -> None:
    with pytest.raises(KeyTableError, match="no name"):
        format_encr_name(EncrId.CAMELLIA_CBC, 128)
