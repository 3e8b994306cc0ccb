"""Wireshark's key tables: `ikev2_decryption_table` (IKE SAs) and `esp_sa` (ESP SAs).

An IKE SA line: I-SPI, R-SPI, SK_ei, SK_er, "encryption name", SK_ai, SK_ar, "integrity name".
An ESP SA line, one per direction: "IPv4" or "IPv6", "source", "destination", "0xSPI",
"encryption name", "0xkey", "integrity name", "0xkey". The algorithm names are those of
Wireshark's decryption dialogs ("name [RFCnnnn]"), kept with each transform in
`pyike.crypto.catalogue`; besides, both dialogs offer "ANY n-bits of Authentication [No
Checking]" (an ICV of n bits, skipped unverified), and the ESP one an older GCM line whose ICV
length is in its integrity column (`catalogue.WIRESHARK_ESP_GCM_ANY_ICV`).

pyike reads both kinds from one file (a key log of `pyike run --keylog` holds both) for `pyike
decode --keys` and `--esp-keys`, line by line: a line that cannot be used is named and passed
over, never the whole table. It writes IKE SA lines for `--keylog`.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from typing import TypeVar

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto import catalogue
from pyike.crypto.catalogue import EncrTransform, IntegTransform


class KeyTableError(ValueError):
    """A line of the key table cannot be used."""


@dataclass(frozen=True)
class UncheckedIcv:
    """An ICV skipped by its length and never verified: Wireshark's "No Checking"."""

    size: int  # octets

    @property
    def name(self) -> str:
        return f"ANY {self.size * 8}-bits of Authentication [No Checking]"


Integrity = IntegTransform | UncheckedIcv


@dataclass(frozen=True)
class IkeSaKeys:
    """The keys Wireshark needs to decrypt one IKE SA's encrypted payloads."""

    spi_i: bytes
    spi_r: bytes
    encr: EncrTransform
    integ: Integrity  # AUTH_NONE's entry with an AEAD cipher
    sk_ei: bytes = field(repr=False)
    sk_er: bytes = field(repr=False)
    sk_ai: bytes = field(repr=False)
    sk_ar: bytes = field(repr=False)


@dataclass(frozen=True)
class EspSaKeys:
    """One direction of an ESP SA; "*" (any) is allowed for the addresses and the SPI."""

    source: str
    destination: str
    spi: int | None  # None: any
    encr: EncrTransform
    integ: Integrity  # AUTH_NONE's entry without integrity (AEAD ciphers)
    encr_key: bytes = field(repr=False)
    integ_key: bytes = field(repr=False)

    def matches(self, spi: int, source: str, destination: str) -> bool:
        return (
            self.spi in (None, spi)
            and _address_matches(self.source, source)
            and _address_matches(self.destination, destination)
        )


@dataclass
class KeyTable:
    ike: list[IkeSaKeys] = field(default_factory=list)
    esp: list[EspSaKeys] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line N: why", one per unusable line


def ike_sa_keys(
    spi_i: bytes,
    spi_r: bytes,
    encr: EncrId,
    encr_key_bits: int | None,
    integ: IntegId,
    sk: tuple[bytes, bytes, bytes, bytes],
) -> IkeSaKeys:
    """An IKE SA's keys by IANA ids, SK_ei, SK_er, SK_ai, SK_ar; KeyTableError for transforms
    the catalogue does not know."""
    encr_entry = catalogue.encryption(encr, encr_key_bits)
    integ_entry = catalogue.integrity(integ)
    if encr_entry is None or integ_entry is None:
        raise KeyTableError(f"no catalogue entry for {encr.name}/{integ.name}")
    return IkeSaKeys(spi_i, spi_r, encr_entry, integ_entry, *sk)


# --- reading ----------------------------------------------------------------------------------

ESP_SA_PROTOCOLS = frozenset({"IPv4", "IPv6"})  # the first field of an esp_sa line
TABLE_FIELDS = 8  # in an ikev2_decryption_table line, and in an esp_sa line
_NO_CHECKING = re.compile(
    r"ANY (\d+)[- ]bits?(?: of)? authentication \[no checking\]", re.IGNORECASE
)
_NOT_DECRYPTED = {name.upper() for name in catalogue.WIRESHARK_ESP_NOT_IMPLEMENTED}
_Entry = TypeVar("_Entry", EncrTransform, IntegTransform)


def _fields(line: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([line], skipinitialspace=True))]


def _is_esp_sa(fields: list[str]) -> bool:
    return bool(fields) and fields[0] in ESP_SA_PROTOCOLS


def is_esp_sa_line(line: str) -> bool:
    """Whether a key file line is an ESP SA's (Wireshark's esp_sa format)."""
    return _is_esp_sa(_fields(line)) if line.strip() else False


def read_key_table(text: str) -> KeyTable:
    """The IKE and ESP SAs of a key table or key log. Blank lines and '#' comments are passed
    over; so is a line that cannot be used, named in `skipped` with its number and why."""
    table = KeyTable()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            fields = _fields(line)
            if len(fields) != TABLE_FIELDS:
                kind = "ESP SA line (esp_sa format): " if _is_esp_sa(fields) else ""
                raise KeyTableError(
                    f"{kind}expected {TABLE_FIELDS} comma-separated fields, got {len(fields)}"
                )
            if _is_esp_sa(fields):
                table.esp.append(_esp_sa_line(fields))
            else:
                table.ike.append(_ike_sa_line(fields))
        except (KeyTableError, csv.Error) as exc:
            table.skipped.append(f"line {line_no}: {exc}")
    return table


def parse_key_table(text: str) -> list[IkeSaKeys]:
    """The IKE SAs of a key table or key log; KeyTableError at the first unusable line."""
    table = read_key_table(text)
    if table.skipped:
        raise KeyTableError(table.skipped[0])
    return table.ike


def _hex(value: str, what: str) -> bytes:
    text = value[2:] if value.lower().startswith("0x") else value
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise KeyTableError(f"{what} is not hexadecimal") from None


def _ike_sa_line(fields: list[str]) -> IkeSaKeys:
    spi_i, spi_r = _hex(fields[0], "initiator SPI"), _hex(fields[1], "responder SPI")
    if len(spi_i) != 8 or len(spi_r) != 8:
        raise KeyTableError("SPIs must be 8 bytes (16 hex digits)")
    sk_ei, sk_er = _hex(fields[2], "SK_ei"), _hex(fields[3], "SK_er")
    sk_ai, sk_ar = _hex(fields[5], "SK_ai"), _hex(fields[6], "SK_ar")
    encr = _usable(catalogue.wireshark_encryption(fields[4]), "encryption", fields[4])
    integ = _integrity(catalogue.wireshark_integrity(fields[7]), fields[7])
    _check_pair(encr, integ)
    _check_key_sizes(encr, {"SK_ei": sk_ei, "SK_er": sk_er})
    if isinstance(integ, IntegTransform):
        _check_key_sizes(integ, {"SK_ai": sk_ai, "SK_ar": sk_ar})
    return IkeSaKeys(spi_i, spi_r, encr, integ, sk_ei, sk_er, sk_ai, sk_ar)


def _esp_sa_line(fields: list[str]) -> EspSaKeys:
    _, source, destination, spi_text, encr_name, encr_hex, integ_name, integ_hex = fields
    for address in (source, destination):
        if not _address_pattern(address):
            raise KeyTableError(f"{address!r} is not an address, a network or '*'")
    spi = _esp_spi(spi_text)
    encr_key, integ_key = _hex(encr_hex, "encryption key"), _hex(integ_hex, "integrity key")
    integ = _integrity(catalogue.wireshark_esp_integrity(integ_name), integ_name)
    if encr_name.upper() == catalogue.WIRESHARK_ESP_GCM_ANY_ICV.upper():
        encr, integ = _esp_gcm_by_integrity(integ, encr_name, len(encr_key))
    else:
        encr = _esp_encryption(
            catalogue.wireshark_esp_encryption(encr_name), encr_name, len(encr_key)
        )
    _check_pair(encr, integ, esp=True)
    if isinstance(integ, IntegTransform):
        _check_key_sizes(integ, {"integrity key": integ_key})
    return EspSaKeys(source, destination, spi, encr, integ, encr_key, integ_key)


def _esp_spi(text: str) -> int | None:
    if text == "*":
        return None
    if not text.lower().startswith("0x") or len(_hex(text, "ESP SPI")) != 4:
        raise KeyTableError("ESP SPI must be 0x followed by 8 hex digits, or '*'")
    return int(text, 16)


def _esp_encryption(
    entries: tuple[EncrTransform, ...], name: str, key_octets: int
) -> EncrTransform:
    """The entry of `name` whose key size is the key's."""
    if not entries:
        raise KeyTableError(
            f"pyike cannot decrypt with {name}"
            if name.upper() in _NOT_DECRYPTED
            else f"unknown encryption algorithm {name!r}"
        )
    for entry in entries:
        if entry.key_size == key_octets:
            return entry
    sizes = ", ".join(str(e.key_size) for e in entries)
    raise KeyTableError(f"a {key_octets}-octet key does not fit {name} (it takes {sizes} octets)")


def _esp_gcm_by_integrity(
    integ: Integrity, name: str, key_octets: int
) -> tuple[EncrTransform, Integrity]:
    if not isinstance(integ, UncheckedIcv):
        raise KeyTableError(f"{name} takes its ICV length from 'ANY n bit authentication'")
    entries = catalogue.wireshark_esp_gcm(integ.size)
    if not entries:
        raise KeyTableError(f"{name} has no {integ.size}-octet ICV")
    return _esp_encryption(entries, name, key_octets), _no_integrity()


def _integrity(entry: IntegTransform | None, name: str) -> Integrity:
    unchecked = _NO_CHECKING.fullmatch(name)
    if unchecked is not None:
        return UncheckedIcv(int(unchecked.group(1)) // 8)
    if entry is not None and entry.id == IntegId.NONE:
        return entry
    return _usable(entry, "integrity", name)


def _no_integrity() -> IntegTransform:
    entry = catalogue.integrity(IntegId.NONE)
    assert entry is not None
    return entry


def _usable(entry: _Entry | None, kind: str, name: str) -> _Entry:
    if entry is None and name.upper() not in _NOT_DECRYPTED:
        raise KeyTableError(f"unknown {kind} algorithm {name!r}")
    if entry is None or not entry.implemented:
        raise KeyTableError(f"pyike cannot decrypt with {name}")
    return entry


def _check_pair(encr: EncrTransform, integ: Integrity, *, esp: bool = False) -> None:
    """AEAD ciphers take no integrity algorithm; IKE's other ciphers need one (ESP may go
    without, RFC 4303 section 3.2)."""
    none = isinstance(integ, IntegTransform) and integ.id == IntegId.NONE
    if encr.is_aead and not none:
        raise KeyTableError(f"{encr.name} is combined-mode: its integrity must be NONE")
    if none and not encr.is_aead and not esp:
        raise KeyTableError(f"{encr.name} needs an integrity algorithm")


def _check_key_sizes(transform: EncrTransform | IntegTransform, keys: dict[str, bytes]) -> None:
    for what, key in keys.items():
        if len(key) != transform.key_size:
            raise KeyTableError(
                f"{what} is {len(key)} octets, {transform.name} takes {transform.key_size}"
            )


def _address_pattern(text: str) -> bool:
    if text == "*":
        return True
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _address_matches(pattern: str, address: str) -> bool:
    if pattern == "*":
        return True
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False


# --- writing ----------------------------------------------------------------------------------


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
    if keys.encr.wireshark_ike is None:
        raise KeyTableError(f"Wireshark has no name for {keys.encr.name}")
    integ_name = keys.integ.name if isinstance(keys.integ, UncheckedIcv) else None
    if isinstance(keys.integ, IntegTransform):
        integ_name = keys.integ.wireshark_ike
    if integ_name is None:
        raise KeyTableError(f"Wireshark has no name for {keys.integ.name}")
    return (
        f"{keys.spi_i.hex()},{keys.spi_r.hex()},{keys.sk_ei.hex()},{keys.sk_er.hex()},"
        f'"{keys.encr.wireshark_ike}",{keys.sk_ai.hex()},{keys.sk_ar.hex()},"{integ_name}"'
    )
