"""Wireshark's IKEv2 key table (the `ikev2_decryption_table` UAT file).

One CSV line per IKE SA: I-SPI, R-SPI, SK_ei, SK_er, "encryption name", SK_ai, SK_ar,
"integrity name". The algorithm names are Wireshark's ("name [RFCnnnn]"), kept with each
transform in `pyike.crypto.catalogue`. pyike reads the table for `pyike decode --keys` and
writes it for `--keylog`.

A key log of `pyike run --keylog` also holds ESP SAs in Wireshark's `esp_sa` format, one CSV
line per direction: "IPv4" or "IPv6", "source", "destination", "0xSPI", "encryption name",
"0xkey", "integrity name", "0xkey". The reader recognises those lines and passes over them
(decode shows IKE only), so a key log is read as it is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto import catalogue


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


def parse_encr_name(name: str) -> tuple[EncrId, int | None]:
    """(ENCR id, Key Length attribute) of a Wireshark encryption name, its reference optional."""
    transform = catalogue.wireshark_encryption(name)
    if transform is None:
        raise KeyTableError(f"unknown encryption algorithm {name!r}")
    return transform.id, transform.key_length


def parse_integ_name(name: str) -> IntegId:
    transform = catalogue.wireshark_integrity(name)
    if transform is None:
        raise KeyTableError(f"unknown integrity algorithm {name!r}")
    return transform.id


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
    transform = catalogue.encryption(encr, key_bits)
    if transform is None or transform.wireshark_ike is None:
        raise KeyTableError(f"Wireshark has no name for {encr.name}")
    return transform.wireshark_ike


def format_integ_name(integ: IntegId) -> str:
    transform = catalogue.integrity(integ)
    if transform is None or transform.wireshark_ike is None:
        raise KeyTableError(f"Wireshark has no name for {integ.name}")
    return transform.wireshark_ike


def format_key_line(keys: IkeSaKeys) -> str:
    """One line of the table, as Wireshark reads it (names quoted, keys in bare hex)."""
    encr_name = format_encr_name(keys.encr, keys.encr_key_bits)
    integ_name = format_integ_name(keys.integ)
    return (
        f"{keys.spi_i.hex()},{keys.spi_r.hex()},{keys.sk_ei.hex()},{keys.sk_er.hex()},"
        f'"{encr_name}",{keys.sk_ai.hex()},{keys.sk_ar.hex()},"{integ_name}"'
    )
