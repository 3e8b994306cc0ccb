"""IkeEngine.trace_kinds: an engine whose trace nobody prints makes only the records asked for,
and negotiates exactly as it does with every record made."""

from __future__ import annotations

from pyike.ike.trace import (
    ALL_TRACE_KINDS,
    ErrorTrace,
    InfoTrace,
    PacketTrace,
    SmTrace,
    TraceKind,
)
from tests.support.harness import check_consistent, pair
from tests.support.policies import tunnel_of


def _bring_up(narrow: frozenset[TraceKind]) -> tuple[list[type], list[int]]:
    h = pair(up=False)
    h["R2"].engine.trace_kinds = narrow
    h["R1"].engine.initiate(0.0, tunnel_of(h.policies[0]))  # type: ignore[attr-defined]
    h.run(until=1.0)
    check_consistent(h)
    return [type(r) for r in h["R2"].trace], [
        r.message.header.exchange_type for r in h["R2"].trace if isinstance(r, PacketTrace)
    ]


def test_every_kind_is_made_by_default() -> None:
    h = pair()
    assert h["R2"].engine.trace_kinds == ALL_TRACE_KINDS
    assert {type(r) for r in h["R2"].trace} == {SmTrace, InfoTrace, PacketTrace}


def test_packets_only_still_counts_every_message() -> None:
    kinds, exchanges = _bring_up(frozenset({PacketTrace}))
    full_kinds, full_exchanges = _bring_up(ALL_TRACE_KINDS)
    assert set(kinds) == {PacketTrace}
    assert exchanges == full_exchanges == [34, 34, 35, 35]  # IKE_SA_INIT, IKE_AUTH in and out
    assert set(full_kinds) > set(kinds)


def test_nothing_traced_and_widened_again() -> None:
    h = pair(up=False)
    engine = h["R2"].engine
    engine.trace_kinds = frozenset()
    h["R1"].engine.initiate(0.0, tunnel_of(h.policies[0]))  # type: ignore[attr-defined]
    h.run(until=1.0)
    check_consistent(h)
    assert h["R2"].trace == []
    engine.trace_kinds = ALL_TRACE_KINDS
    sa = next(iter(engine.ike_sas))
    engine.send_dpd(h.now, sa.sa_id)
    h.run(until=h.now + 1.0)
    kinds = {type(r) for r in h["R2"].trace}
    assert {PacketTrace, InfoTrace} <= kinds and ErrorTrace not in kinds
