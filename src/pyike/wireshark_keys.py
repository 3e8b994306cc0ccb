"""Wireshark's IKEv2 key table (the `ikev2_decryption_table` UAT file).

One CSV line per IKE SA: I-SPI, R-SPI, SK_ei, SK_er, "encryption name", SK_ai, SK_ar,
"integrity name". The algorithm names are Wireshark's, e.g. "AES-CBC-128 [RFC3602]",
"AES-GCM-256 with 16 octet ICV [RFC5282]", "HMAC_SHA1_96 [RFC2404]", "NONE [RFC4306]".
pyike reads the table for `pyike decode --keys` and writes it for `--keylog`.

A key log of `pyike run --keylog` also holds ESP SAs in Wireshark's `esp_sa` format, one CSV
line per direction: "IPv4" or "IPv6", "source", "destination", "0xSPI", "encryption name",
"0xkey", "integrity name", "0xkey". The reader recognises those lines and passes over them
(decode shows IKE only), so a key log is read as it is.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from pyike.codec.registry import EncrId, IntegId


class KeyTableError(ValueError):
    """A line of the key table cannot be understood."""


@dataclass(frozen=True)
class IkeSaKeys:
    """The keys Wireshark needs to decrypt one IKE SA's encrypted payloads."""

    spi_i: bytes
    spi_r: bytes
    encr: EncrId
    encr_key_bits: int | None
    integ: IntegId
    sk_ei: bytes = field(repr=False)
    sk_er: bytes = field(repr=False)
    sk_ai: bytes = field(repr=False)
    sk_ar: bytes = field(repr=False)


# (pattern, EncrId by ICV length or fixed id); key length comes from the first group.
_AEAD_BY_ICV = {
    "GCM": {8: EncrId.AES_GCM_8, 12: EncrId.AES_GCM_12, 16: EncrId.AES_GCM_16},
    "CCM": {8: EncrId.AES_CCM_8, 12: EncrId.AES_CCM_12, 16: EncrId.AES_CCM_16},
}
_INTEG_NAMES = {
    "NONE": IntegId.NONE,
    "HMAC_MD5_96": IntegId.HMAC_MD5_96,
    "HMAC_SHA1_96": IntegId.HMAC_SHA1_96,
    "HMAC_MD5_128": IntegId.HMAC_MD5_128,
    "HMAC_SHA1_160": IntegId.HMAC_SHA1_160,
    "HMAC_SHA2_256_128": IntegId.HMAC_SHA2_256_128,
    "HMAC_SHA2_384_192": IntegId.HMAC_SHA2_384_192,
    "HMAC_SHA2_512_256": IntegId.HMAC_SHA2_512_256,
    "AES_XCBC_96": IntegId.AES_XCBC_96,
}


def _strip_reference(name: str) -> str:
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", name).strip()


def parse_encr_name(name: str) -> tuple[EncrId, int | None]:
    bare = _strip_reference(name).upper()
    if bare == "3DES":
        return EncrId.TRIPLE_DES, None
    if bare == "NULL":
        return EncrId.NULL, None
    if bare.startswith("CHACHA20"):
        return EncrId.CHACHA20_POLY1305, 256
    match = re.fullmatch(r"AES-(CBC|CTR)-(128|192|256)", bare)
    if match:
        encr = EncrId.AES_CBC if match.group(1) == "CBC" else EncrId.AES_CTR
        return encr, int(match.group(2))
    match = re.fullmatch(r"AES-(GCM|CCM)-(128|192|256) WITH (8|12|16) OCTET ICV", bare)
    if match:
        return _AEAD_BY_ICV[match.group(1)][int(match.group(3))], int(match.group(2))
    raise KeyTableError(f"unknown encryption algorithm {name!r}")


def parse_integ_name(name: str) -> IntegId:
    bare = _strip_reference(name).upper()
    try:
        return _INTEG_NAMES[bare]
    except KeyError:
        raise KeyTableError(f"unknown integrity algorithm {name!r}") from None


def _hex(value: str, what: str, line_no: int) -> bytes:
    text = value.strip()
    if text.lower().startswith("0x"):
        text = text[2:]
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise KeyTableError(f"line {line_no}: {what} is not hexadecimal") from None


ESP_SA_PROTOCOLS = frozenset({"IPv4", "IPv6"})  # the first field of an esp_sa line
TABLE_FIELDS = 8  # in an ikev2_decryption_table line, and in an esp_sa line


def _fields(line: str) -> list[str]:
    return next(csv.reader([line], skipinitialspace=True))


def _is_esp_sa(fields: list[str]) -> bool:
    return bool(fields) and fields[0].strip() in ESP_SA_PROTOCOLS


def is_esp_sa_line(line: str) -> bool:
    """Whether a key file line is an ESP SA's (Wireshark's esp_sa format)."""
    return _is_esp_sa(_fields(line)) if line.strip() else False


def parse_key_table(text: str) -> list[IkeSaKeys]:
    """The IKE SAs of a key table or key log; blank lines and '#' comments are skipped,
    ESP SA lines checked for their shape and skipped."""
    entries: list[IkeSaKeys] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = _fields(line)
        if _is_esp_sa(fields):
            _check_esp_sa_line(fields, line_no)
        else:
            entries.append(_ike_sa_line(fields, line_no))
    return entries


def _check_esp_sa_line(fields: list[str], line_no: int) -> None:
    if len(fields) != TABLE_FIELDS:
        raise KeyTableError(
            f"line {line_no}: ESP SA line (esp_sa format): expected {TABLE_FIELDS} "
            f"comma-separated fields, got {len(fields)}"
        )
    spi = fields[3].strip()
    if not spi.lower().startswith("0x") or len(_hex(spi, "ESP SPI", line_no)) != 4:
        raise KeyTableError(f"line {line_no}: ESP SPI must be 0x followed by 8 hex digits")


def _ike_sa_line(fields: list[str], line_no: int) -> IkeSaKeys:
    if len(fields) != TABLE_FIELDS:
        raise KeyTableError(
            f"line {line_no}: expected {TABLE_FIELDS} comma-separated fields, got {len(fields)}"
        )
    spi_i = _hex(fields[0], "initiator SPI", line_no)
    spi_r = _hex(fields[1], "responder SPI", line_no)
    if len(spi_i) != 8 or len(spi_r) != 8:
        raise KeyTableError(f"line {line_no}: SPIs must be 8 bytes (16 hex digits)")
    try:
        encr, key_bits = parse_encr_name(fields[4])
        integ = parse_integ_name(fields[7])
    except KeyTableError as exc:
        raise KeyTableError(f"line {line_no}: {exc}") from None
    return IkeSaKeys(
        spi_i=spi_i,
        spi_r=spi_r,
        encr=encr,
        encr_key_bits=key_bits,
        integ=integ,
        sk_ei=_hex(fields[2], "SK_ei", line_no),
        sk_er=_hex(fields[3], "SK_er", line_no),
        sk_ai=_hex(fields[5], "SK_ai", line_no),
        sk_ar=_hex(fields[6], "SK_ar", line_no),
    )


def format_encr_name(encr: EncrId, key_bits: int | None) -> str:
    if encr is EncrId.TRIPLE_DES:
        return "3DES [RFC2451]"
    if encr is EncrId.NULL:
        return "NULL [RFC2410]"
    if encr is EncrId.CHACHA20_POLY1305:
        return "CHACHA20-POLY1305 [RFC7634]"
    if encr in (EncrId.AES_CBC, EncrId.AES_CTR):
        mode, rfc = ("CBC", "RFC3602") if encr is EncrId.AES_CBC else ("CTR", "RFC5930")
        return f"AES-{mode}-{key_bits} [{rfc}]"
    for mode, by_icv in _AEAD_BY_ICV.items():
        for icv, member in by_icv.items():
            if member is encr:
                return f"AES-{mode}-{key_bits} with {icv} octet ICV [RFC5282]"
    raise KeyTableError(f"Wireshark has no name for {encr.name}")


_INTEG_REFERENCES = {
    IntegId.NONE: "RFC4306",
    IntegId.HMAC_MD5_96: "RFC2403",
    IntegId.HMAC_SHA1_96: "RFC2404",
    IntegId.HMAC_MD5_128: "RFC4595",
    IntegId.HMAC_SHA1_160: "RFC4595",
    IntegId.AES_XCBC_96: "RFC3566",
}


def format_key_line(keys: IkeSaKeys) -> str:
    """One line of the table, as Wireshark reads it (names quoted, keys in bare hex)."""
    integ_ref = _INTEG_REFERENCES.get(keys.integ, "RFC4868")
    encr_name = format_encr_name(keys.encr, keys.encr_key_bits)
    return (
        f"{keys.spi_i.hex()},{keys.spi_r.hex()},{keys.sk_ei.hex()},{keys.sk_er.hex()},"
        f'"{encr_name}",{keys.sk_ai.hex()},{keys.sk_ar.hex()},"{keys.integ.name} [{integ_ref}]"'
    )
