"""pyike.net.memory: the `memory` query counts the IKE, Child and ESP SA objects that survive a
full collection: rekeyed SAs, which only the collector frees, are not counted; live ones are."""

from __future__ import annotations

from typing import cast

from pyike.ipsec.sad import REPLACED_INBOUND_GRACE
from pyike.net.memory import MEMORY_SCHEMA, memory_document
from tests.support.harness import Harness, only_sa, pair


def live(document: dict[str, object]) -> tuple[int, int, int]:
    """(IKE SA, Child SA, ESP SA) objects."""
    keys = ("ike_sa_objects", "child_sa_objects", "esp_sa_objects")
    ike, child, esp = (cast(int, document[key]) for key in keys)
    return ike, child, esp


def rekey_both(h: Harness) -> None:
    """R1 rekeys the IKE SA, then R2 the Child SA."""
    h["R1"].engine.rekey_ike_sa(h.now, only_sa(h, "R1").sa_id)
    h.run(until=h.now + 5)
    sa = only_sa(h, "R2")
    h["R2"].engine.rekey_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h.run(until=h.now + 5)


def test_rekeyed_sas_are_freed_and_live_ones_counted() -> None:
    before = live(memory_document())
    h = pair()
    for _ in range(3):
        rekey_both(h)
    for node in ("R1", "R2"):  # the last replaced SA's grace is over, as the host's timer says
        h[node].sad.expire(h.now + REPLACED_INBOUND_GRACE)
    document = memory_document()
    assert document["schema"] == MEMORY_SCHEMA
    ike, child, esp = live(document)
    # on each router one IKE SA, one Child SA and its two ESP SAs; the rekeyed ones are gone
    assert (ike - before[0], child - before[1], esp - before[2]) == (2, 2, 4)
    del h
    assert live(memory_document()) == before
