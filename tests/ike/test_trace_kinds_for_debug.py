"""DebugFormatter.record_kinds: an engine that makes only those records loses no debug line."""

from __future__ import annotations

from datetime import datetime

import pytest

from pyike.trace.ios_debug import Debug, DebugFormatter
from tests.support.harness import pair

_CASES = [
    Debug.NONE,
    Debug.BASIC,
    Debug.PACKET,
    Debug.INTERNAL,
    Debug.ERROR,
    Debug.BASIC | Debug.PACKET,
    Debug.ALL,
]


@pytest.mark.parametrize("enabled", _CASES, ids=str)
def test_narrowed_trace_prints_the_same_lines(enabled: Debug) -> None:
    formatter = DebugFormatter(datetime(2026, 1, 1), enabled)
    full = pair()
    narrow = pair(up=False)
    narrow["R2"].engine.trace_kinds = formatter.record_kinds()
    narrow["R1"].engine.initiate(0.0, narrow.policies[0].tunnels[0])  # type: ignore[attr-defined]
    narrow.run(until=1.0)
    assert formatter.lines(narrow["R2"].trace) == formatter.lines(full["R2"].trace)
    if enabled not in (Debug.NONE, Debug.ERROR):  # a clean handshake has no error lines
        assert formatter.lines(full["R2"].trace)


def test_change_is_announced() -> None:
    formatter = DebugFormatter(datetime(2026, 1, 1), Debug.NONE)
    seen: list[frozenset[type]] = []
    formatter.on_change = lambda: seen.append(formatter.record_kinds())
    formatter.enabled |= Debug.PACKET
    formatter.enabled = Debug.NONE
    assert [len(kinds) for kinds in seen] == [1, 0]
