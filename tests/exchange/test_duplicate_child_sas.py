"""Duplicate Child SAs (pyike.ike.child_duplicates): both routers lose a tunnel's Child SA and
create one each, their exchanges cross, and both end with the same single Child SA pair; a
router that deleted its Child SA (the DELETE lost) and creates a new one replaces the stale one
on its peer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pyike.ike import ChildSaDeleted, ChildSaInstalled
from pyike.ike.informational import remove_child
from pyike.ike.trace import InfoTrace
from tests.support.harness import (
    Harness,
    WireRecord,
    check_consistent,
    check_data_path,
    internal_errors,
    only_sa,
    pair,
)

OTHER = {"R1": "R2", "R2": "R1"}

# First octets of (R1's nonces, R2's nonces) when both create at once: each router draws the
# Ni of its own request, then the Nr of its answer to the peer's. Exchange "e1" is R1's.
LOWEST = {
    "e1-ni": (([0x10, 0x90], [0x50, 0x60]), "e1"),
    "e1-nr": (([0x90, 0x50], [0x60, 0x10]), "e1"),
    "e2-ni": (([0x90, 0x50], [0x10, 0x60]), "e2"),
    "e2-nr": (([0x50, 0x10], [0x90, 0x60]), "e2"),
}


def _lose_child_sas(h: Harness, *names: str) -> None:
    """The routers forget the tunnel's Child SA without telling the peer (a lost DELETE)."""
    for name in names:
        sa = only_sa(h, name)
        for child in list(sa.children):
            remove_child(sa, child.spi_in, "Deleted by user")


def _create(h: Harness, name: str) -> None:
    """What a tunnel that has no SA asks for (TunnelStarter)."""
    tunnel = h.policies[(0 if name == "R1" else 1)].tunnels[0]  # type: ignore[attr-defined]
    h[name].engine.create_child_sa(h.now, only_sa(h, name).sa_id, tunnel, if_missing=True)


def _nonces(h: Harness, r1: list[int], r2: list[int]) -> None:
    h["R1"].random.nonce_first_bytes = list(r1)  # type: ignore[union-attr]
    h["R2"].random.nonce_first_bytes = list(r2)  # type: ignore[union-attr]


def _deleters(h: Harness) -> list[str]:
    """The routers that deleted a Child SA as a duplicate."""
    return [
        name
        for name in ("R1", "R2")
        for r in h[name].trace
        if isinstance(r, InfoTrace) and r.text.startswith("Duplicate IPsec SA found")
    ]


def _drop_first_create_from(sender: str) -> Callable[[WireRecord], str | None]:
    dropped: list[int] = []

    def rule(record: WireRecord) -> str | None:
        if (
            not dropped
            and record.sender == sender
            and record.exchange == "CREATE_CHILD_SA"
            and not record.response
        ):
            dropped.append(record.number)
            return "drop"
        return None

    return rule


def _survivor_initiated_by(h: Harness) -> str:
    child = only_sa(h, "R1").children[0]
    return "R1" if child.initiator else "R2"


@pytest.mark.parametrize("which", list(LOWEST))
def test_simultaneous_creations_keep_the_pair_without_the_lowest_nonce(which: str) -> None:
    (r1_nonces, r2_nonces), redundant = LOWEST[which]
    h = pair()
    _lose_child_sas(h, "R1", "R2")
    h.advance(1)
    _nonces(h, r1_nonces, r2_nonces)
    _create(h, "R1")
    _create(h, "R2")
    h.advance(3)

    # each router answered the other's request before its own was answered: both pairs were
    # installed on both sides, then the redundant one was deleted by its responder only
    assert len(h["R1"].of_type(ChildSaInstalled)) == 3
    assert len(h["R2"].of_type(ChildSaInstalled)) == 3
    responder_of_redundant = "R2" if redundant == "e1" else "R1"
    assert _deleters(h) == [responder_of_redundant]
    check_consistent(h)
    check_data_path(h)
    assert _survivor_initiated_by(h) == ("R2" if redundant == "e1" else "R1")
    (gone,) = [e for e in h[responder_of_redundant].of_type(ChildSaDeleted)][-1:]
    assert gone.reason == "Duplicate IPsec SA"
    assert internal_errors(h) == []


@pytest.mark.parametrize("which", list(LOWEST))
@pytest.mark.parametrize("lossy", ["R1", "R2"])
def test_retransmitted_creation_after_the_peers_completed_one_wins(lossy: str, which: str) -> None:
    # The first copy of `lossy`'s request is lost. Its peer's creation completes meanwhile on
    # both sides ("answered while its own was in flight"); then the retransmission reaches
    # the peer, which answers it although it has just installed a pair for the tunnel. That
    # pair goes, whatever the nonces: the peer cannot tell this from a stale Child SA.
    (r1_nonces, r2_nonces), _ = LOWEST[which]
    h = pair(child_seconds=120)
    _lose_child_sas(h, "R1", "R2")
    h.advance(1)
    h.rules.append(_drop_first_create_from(lossy))
    _nonces(h, r1_nonces, r2_nonces)
    _create(h, "R1")
    _create(h, "R2")
    h.advance(10)

    check_consistent(h)
    check_data_path(h)
    assert _survivor_initiated_by(h) == lossy
    assert OTHER[lossy] in _deleters(h)
    h.advance(200)  # the survivor is rekeyed, and no second pair alongside it
    assert len(h[lossy].of_type(ChildSaInstalled)) >= 4
    check_consistent(h)
    check_data_path(h)
    assert internal_errors(h) == []


@pytest.mark.parametrize("made_by", ["IKE_AUTH", "CREATE_CHILD_SA"])
@pytest.mark.parametrize("forgetful", ["R1", "R2"])
def test_new_child_sa_replaces_the_one_the_peer_deleted(forgetful: str, made_by: str) -> None:
    h = pair()
    if made_by == "CREATE_CHILD_SA":
        # the stale pair comes from an exchange holding the lowest nonce there can be
        h["R1"].engine.delete_child_sa(h.now, only_sa(h, "R1").sa_id, _child(h, "R1").spi_in)
        h.advance(1)
        _nonces(h, [0x00], [0x00])
        _create(h, "R1")
        h.advance(1)
    stale = _child(h, OTHER[forgetful])
    assert stale.creation_nonces is None or min(stale.creation_nonces)[0] == 0
    _lose_child_sas(h, forgetful)
    _nonces(h, [0xF0], [0xF0])
    _create(h, forgetful)
    h.advance(2)

    check_consistent(h)
    check_data_path(h)
    fresh = _child(h, forgetful)
    assert _child(h, OTHER[forgetful]).spi_in == fresh.spi_out != stale.spi_in
    (gone,) = [e for e in h[OTHER[forgetful]].of_type(ChildSaDeleted) if e.spi_in == stale.spi_in]
    assert gone.reason == "Duplicate IPsec SA"
    assert _deleters(h) == [OTHER[forgetful]]
    assert internal_errors(h) == []


def _child(h: Harness, name: str):  # type: ignore[no-untyped-def]
    (child,) = only_sa(h, name).children
    return child
