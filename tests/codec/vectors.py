"""The strongSwan captures in tests/data/vectors, read with pyike.capture."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyike.capture import CapturedDatagram, read_capture

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"
CAPTURES = sorted(VECTORS.glob("*/handshake.pcap"))

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
