"""With nothing debugged the formatter prints nothing and formats nothing (the gateway hands
it every trace record, so this is per-SA CPU); with `debug crypto ikev2 error` only errors."""

from __future__ import annotations

from datetime import datetime

import pytest

from pyike.ike.trace import ErrorTrace, InfoTrace
from pyike.trace.ios_debug import Debug, DebugFormatter

RECORDS = [
    InfoTrace(1.0, 3, "Generate my authentication data"),
    ErrorTrace(2.0, 3, "Dropping packet: bad SPI"),
]


def test_nothing_debugged_formats_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = DebugFormatter(datetime(2026, 11, 11, 19, 30), Debug.NONE)

    def no_stamp(now: float) -> str:
        raise AssertionError("a timestamp was formatted for a line nobody prints")

    monkeypatch.setattr(formatter, "stamp", no_stamp)
    assert formatter.lines(RECORDS) == []


def test_only_printed_records_get_a_timestamp() -> None:
    formatter = DebugFormatter(datetime(2026, 11, 11, 19, 30), Debug.ERROR)
    assert formatter.lines(RECORDS) == [
        "*Nov 11 19:30:02.000: IKEv2-ERROR:(SA ID = 3):Dropping packet: bad SPI"
    ]
