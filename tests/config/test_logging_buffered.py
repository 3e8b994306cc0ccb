"""`logging buffered [SIZE] [LEVEL]`: modelled with IOS's sizes and level names or numbers,
written back as IOS writes it; other `logging` lines stay kept and unmodelled."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.model import LoggingBuffer
from pyike.config.writer import render


@pytest.mark.parametrize(
    ("lines", "buffer", "written"),
    [
        ("logging buffered 64000", LoggingBuffer(size=64000), "logging buffered 64000"),
        (
            "logging buffered 51200 informational",
            LoggingBuffer(size=51200, level=6),
            "logging buffered 51200 informational",
        ),
        ("logging buffered 4", LoggingBuffer(level=4), "logging buffered warnings"),
        (
            "logging buffered 64000\nlogging buffered errors",
            LoggingBuffer(size=64000, level=3),
            "logging buffered 64000 errors",
        ),
        ("no logging buffered", LoggingBuffer(enabled=False), "no logging buffered"),
        ("logging buffered", LoggingBuffer(), None),
    ],
)
def test_sizes_and_levels_read_and_written(
    lines: str, buffer: LoggingBuffer, written: str | None
) -> None:
    result = load(f"hostname R1\n{lines}\n")
    assert not result.errors and not result.config.not_modelled
    assert result.config.logging_buffer == buffer
    shown = [line for line in render(result.config).splitlines() if "logging" in line]
    assert shown == ([] if written is None else [written])
    assert load(render(result.config)).config.logging_buffer == buffer


@pytest.mark.parametrize("line", ["logging buffered 4095", "logging buffered 64000 loud"])
def test_what_ios_refuses(line: str) -> None:
    result = load(f"hostname R1\n{line}\n")
    assert [e.message for e in result.errors] == ["% Invalid input detected at '^' marker."]


def test_other_logging_lines_stay_unmodelled() -> None:
    result = load("hostname R1\nlogging host 192.0.2.9\nlogging buffered 16384\n")
    assert [n.command for n in result.config.not_modelled] == ["logging"]
    assert result.config.logging_buffer == LoggingBuffer(size=16384)
    assert "logging host 192.0.2.9" in render(result.config)
