"""Parse pyike's show output with Cisco's genie IOS-XE parsers, as a router's output would be."""

from __future__ import annotations

from typing import Any

import pytest


def parse(command: str, lines: list[str]) -> dict[str, Any]:
    pytest.importorskip("genie.conf.base")
    from genie.conf.base import Device  # type: ignore[import-untyped]

    device = Device("pyike", os="iosxe")
    device.custom.abstraction = {"order": ["os"]}
    result: dict[str, Any] = device.parse(command, output="\n".join(lines) + "\n")
    return result
