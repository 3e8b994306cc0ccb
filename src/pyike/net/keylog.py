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
from pyike.crypto.keys import IkeKeys
from pyike.ike.events import ChildSaInfo
from pyike.wireshark_keys import IkeSaKeys, format_key_line, is_esp_sa_line

_ESP_ENCR = {
    EncrId.NULL: "NULL",
    EncrId.TRIPLE_DES: "TripleDES-CBC [RFC2451]",
    EncrId.AES_CBC: "AES-CBC [RFC3602]",
    EncrId.AES_CTR: "AES-CTR [RFC3686]",
    EncrId.AES_GCM_8: "AES-GCM with 8 octet ICV [RFC4106]",
    EncrId.AES_GCM_12: "AES-GCM with 12 octet ICV [RFC4106]",
    EncrId.AES_GCM_16: "AES-GCM with 16 octet ICV [RFC4106]",
    EncrId.CHACHA20_POLY1305: "ChaCha20 with Poly1305 [RFC7634]",
}
_ESP_INTEG = {
    IntegId.NONE: "NULL",
    IntegId.HMAC_MD5_96: "HMAC-MD5-96 [RFC2403]",
    IntegId.HMAC_SHA1_96: "HMAC-SHA-1-96 [RFC2404]",
    IntegId.HMAC_SHA2_256_128: "HMAC-SHA-256-128 [RFC4868]",
    IntegId.HMAC_SHA2_384_192: "HMAC-SHA-384-192 [RFC4868]",
    IntegId.HMAC_SHA2_512_256: "HMAC-SHA-512-256 [RFC4868]",
}


def ike_key_line(
    spi_i: bytes,
    spi_r: bytes,
    encr: EncrId,
    encr_key_bits: int | None,
    integ: IntegId,
    keys: IkeKeys,
) -> str:
    return format_key_line(
        IkeSaKeys(
            spi_i, spi_r, encr, encr_key_bits, integ, keys.sk_ei, keys.sk_er, keys.sk_ai, keys.sk_ar
        )
    )


def esp_key_lines(child: ChildSaInfo) -> list[str]:
    """Both directions of a child SA: outbound (local -> remote) first."""
    family = "IPv4" if child.local.address.version == 4 else "IPv6"
    encr = _ESP_ENCR.get(child.encr, "NULL")
    integ = _ESP_INTEG.get(child.integ, "NULL")

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
