"""`--keylog FILE`: the keys Wireshark needs, as they are agreed.

IKE SAs go in its `ikev2_decryption_table` format (`pyike.wireshark_keys`), ESP SAs in its
`esp_sa` format, one line each, appended to one file created with mode 0600. `pyike decode
--keys` reads the file as it is; Wireshark reads each kind from its own UAT file:
`pyike.net.keylog.split_keylog` separates them.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto import catalogue
from pyike.crypto.keys import IkeKeys
from pyike.ike.events import ChildSaInfo
from pyike.wireshark_keys import KeyTableError, format_key_line, ike_sa_keys, is_esp_sa_line

# What an esp_sa line names a transform Wireshark does not know (it then shows ESP undecrypted).
_ESP_UNKNOWN = "NULL"


def ike_key_line(
    spi_i: bytes,
    spi_r: bytes,
    encr: EncrId,
    encr_key_bits: int | None,
    integ: IntegId,
    keys: IkeKeys,
) -> str:
    """The IKE SA's ikev2_decryption_table line; a comment when Wireshark's table has no name
    for its transforms (a legacy cipher), which the table's readers pass over."""
    try:
        sk = (keys.sk_ei, keys.sk_er, keys.sk_ai, keys.sk_ar)
        return format_key_line(ike_sa_keys(spi_i, spi_r, encr, encr_key_bits, integ, sk))
    except KeyTableError as exc:
        return f"# {spi_i.hex()},{spi_r.hex()}: keys not logged: {exc}"


def _esp_name(name: str | None) -> str:
    return _ESP_UNKNOWN if name is None else name


def esp_key_lines(child: ChildSaInfo) -> list[str]:
    """Both directions of a child SA: outbound (local -> remote) first."""
    family = "IPv4" if child.local.address.version == 4 else "IPv6"
    encr_entry = catalogue.encryption_of(child.encr)
    integ_entry = catalogue.integrity(child.integ)
    encr = _esp_name(encr_entry.wireshark_esp if encr_entry else None)
    integ = _esp_name(integ_entry.wireshark_esp if integ_entry else None)

    def line(src: str, dst: str, spi: bytes, encr_key: bytes, integ_key: bytes) -> str:
        return (
            f'"{family}","{src}","{dst}","0x{spi.hex()}","{encr}","0x{encr_key.hex()}",'
            f'"{integ}","0x{integ_key.hex()}"'
        )

    local, remote = str(child.local.address), str(child.remote.address)
    return [
        line(local, remote, child.spi_out, child.encr_key_out, child.integ_key_out),
        line(remote, local, child.spi_in, child.encr_key_in, child.integ_key_in),
    ]


def split_keylog(text: str) -> tuple[list[str], list[str]]:
    """(ikev2_decryption_table lines, esp_sa lines) of a keylog file."""
    ike: list[str] = []
    esp: list[str] = []
    for line in text.splitlines():
        if is_esp_sa_line(line):
            esp.append(line)
        elif line.strip() and not line.startswith("#"):
            ike.append(line)
    return ike, esp


class KeyLog:
    """An append-only key file, readable by its owner alone."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps no wider mode than ours
        self._file = os.fdopen(fd, "a", encoding="ascii")

    def write(self, lines: list[str]) -> None:
        for line in lines:
            self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
