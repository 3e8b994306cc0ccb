"""The real strongSwan exchanges in tests/data/vectors: their captures read with pyike.capture,
tshark's summaries of them, Wireshark's esp_sa tables and the pings tshark decrypted."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pyike.capture import CapturedDatagram, read_capture
from pyike.codec.registry import EncrId, IntegId
from pyike.ipsec import EspTransform, esp_transform
from tests.support.paths import VECTORS

CAPTURES = sorted(VECTORS.glob("*/handshake.pcap"))

# -- IKE ---------------------------------------------------------------------------------------

_SUMMARY_LINE = re.compile(
    r"^\s*(?P<frame>\d+)\s.*\sISAKMP\s+\d+\s+(?P<exchange>\w+)\s+MID=(?P<mid>[0-9a-fA-F]+)\s+"
    r"(?P<role>Initiator|Responder)\s+(?P<kind>Request|Response)"
)


@dataclass(frozen=True)
class SummaryLine:
    frame: int
    exchange: str
    message_id: int
    initiator: bool
    response: bool


def ike_datagrams(capture: Path) -> list[CapturedDatagram]:
    return [d for d in read_capture(capture) if d.is_ike]


def all_ike_messages() -> list[bytes]:
    return [d.payload for capture in CAPTURES for d in ike_datagrams(capture)]


def tshark_summary(capture: Path) -> dict[int, SummaryLine]:
    lines: dict[int, SummaryLine] = {}
    text = capture.with_name("handshake.tshark-summary.txt").read_text()
    for raw in text.splitlines():
        match = _SUMMARY_LINE.match(raw)
        if match:
            frame = int(match["frame"])
            lines[frame] = SummaryLine(
                frame,
                match["exchange"],
                int(match["mid"], 16),
                match["role"] == "Initiator",
                match["kind"] == "Response",
            )
    return lines


# -- ESP ---------------------------------------------------------------------------------------

_ENCR = {"AES-CBC [RFC3602]": EncrId.AES_CBC, "TripleDES-CBC [RFC2451]": EncrId.TRIPLE_DES}
_INTEG = {
    "HMAC-SHA-1-96 [RFC2404]": IntegId.HMAC_SHA1_96,
    "HMAC-SHA-256-128 [RFC4868]": IntegId.HMAC_SHA2_256_128,
}


@dataclass(frozen=True)
class WiresharkEspSa:
    src: str
    dst: str
    spi: int
    transform: EspTransform
    encr_key: bytes
    integ_key: bytes


def read_esp_sa(path: Path) -> dict[int, WiresharkEspSa]:
    """The esp_sa UAT file, by SPI."""
    sas = {}
    with path.open(newline="") as f:
        for family, src, dst, spi, encr, encr_key, integ, integ_key in csv.reader(f):
            assert family == "IPv4"
            key = bytes.fromhex(encr_key.removeprefix("0x"))
            encr_id = _ENCR[encr]
            bits = len(key) * 8 if encr_id == EncrId.AES_CBC else None
            sa = WiresharkEspSa(
                src,
                dst,
                int(spi, 16),
                esp_transform(encr_id, bits, _INTEG[integ]),
                key,
                bytes.fromhex(integ_key.removeprefix("0x")),
            )
            sas[sa.spi] = sa
    return sas


@dataclass(frozen=True)
class Ping:
    frame: int
    src: str
    dst: str
    icmp_type: int  # 8 request, 0 reply
    ident: int
    seq: int
    ttl: int


_PING = re.compile(
    r"^\s*(\d+) \S+ \S+\s+(\S+) → (\S+)\s+ICMP \d+ Echo \(ping\) (request|reply)\s+"
    r"id=0x([0-9a-f]+), seq=(\d+)/\d+, ttl=(\d+)"
)


def read_pings(path: Path) -> dict[int, Ping]:
    """The ICMP echoes tshark decrypted, by frame number."""
    pings = {}
    for line in path.read_text().splitlines():
        m = _PING.match(line)
        if m:
            frame, src, dst, kind, ident, seq, ttl = m.groups()
            pings[int(frame)] = Ping(
                int(frame),
                src,
                dst,
                8 if kind == "request" else 0,
                int(ident, 16),
                int(seq),
                int(ttl),
            )
    return pings
