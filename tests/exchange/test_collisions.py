"""Simultaneous rekeys and crossing exchanges (RFC 7296 sections 2.8, 2.8.1, 2.8.2, 2.25).

The first octet of each router's next nonces is forced (SeededRandom.nonce_first_bytes) so
that each of the four nonces is the lowest in turn. Every case ends with both routers holding
the same IKE SA (SPIs, keys) and pairwise consistent Child SAs (check_consistent), with no
internal error, and with the events a user of the engine would see.
"""

from __future__ import annotations

import pytest

from pyike.codec.registry import DhId, EncrId, IntegId, NotifyType
from pyike.ike import (
    ChildSaDeleted,
    ChildSaInstalled,
    ChildSaMoved,
    IkeSaDown,
    IkeSaUp,
    NegotiationFailed,
)
from pyike.ike.policy import ike_proposal
from pyike.ike.trace import InfoTrace
from tests.support.harness import Harness, Node, check_consistent, internal_errors, only_sa, pair
from tests.support.policies import R1, R2, TS_3DES_SHA, Reconfigured, site

# (R1's Ni, R1's Nr, R2's Ni, R2's Nr) first octets; the lowest names the redundant SA.
LOWEST = {
    "r1-ni": ([0x10, 0x90], [0x50, 0x60]),
    "r2-nr": ([0x90, 0x50], [0x60, 0x10]),
    "r2-ni": ([0x90, 0x50], [0x10, 0x60]),
    "r1-nr": ([0x50, 0x10], [0x90, 0x60]),
}


ADDR = {"R1": R1, "R2": R2}


def _force(h: Harness, which: str) -> None:
    r1, r2 = LOWEST[which]
    h["R1"].random.nonce_first_bytes = list(r1)  # type: ignore[union-attr]
    h["R2"].random.nonce_first_bytes = list(r2)  # type: ignore[union-attr]


def _r1_lost(which: str) -> bool:
    return which in ("r1-ni", "r2-nr")  # R1's exchange carried the lowest nonce


def _other(node: str) -> str:
    return "R2" if node == "R1" else "R1"


def _infos(node: Node) -> list[str]:
    return [r.text for r in node.trace if isinstance(r, InfoTrace)]


def _rekey_child(h: Harness, node: str) -> bytes:
    sa = only_sa(h, node)
    spi = sa.children[0].spi_in
    h[node].engine.rekey_child_sa(h.now, sa.sa_id, spi)
    return spi


def _failures(h: Harness) -> list[NegotiationFailed]:
    return [e for n in ("R1", "R2") for e in h[n].of_type(NegotiationFailed)]


def _rekeyed_ike_sa(h: Harness, node: str, times: int = 1) -> None:
    """``node`` saw ``times`` IKE SA rekeys, and its children followed each one."""
    ups = [u for u in h[node].of_type(IkeSaUp) if u.rekeyed_from is not None]
    assert len(ups) == times
    assert only_sa(h, node).sa_id == ups[-1].sa_id
    assert h[node].of_type(ChildSaMoved) or not only_sa(h, node).children


# --- simultaneous rekeys of the same SA ---------------------------------------------------


@pytest.mark.parametrize("which", list(LOWEST))
def test_ike_rekey_collision(which: str) -> None:
    h = pair()
    _force(h, which)
    first = {n: only_sa(h, n).sa_id for n in ("R1", "R2")}
    for n in ("R1", "R2"):
        h[n].engine.rekey_ike_sa(h.now, first[n])
    h.advance(5)
    check_consistent(h)
    survivor = only_sa(h, "R1")
    # the survivor is the SA initiated by the side that did not hold the lowest nonce
    assert survivor.initiator == (not _r1_lost(which))
    loser = "R1" if _r1_lost(which) else "R2"
    redundant = [d for d in h[loser].of_type(IkeSaDown) if d.reason == "Redundant rekeyed IKE SA"]
    assert len(redundant) == 1
    assert not [d for d in h[_other(loser)].of_type(IkeSaDown) if d.reason.startswith("Redun")]
    # both sides made two SAs; each ends with the survivor and the children on it
    for n in ("R1", "R2"):
        assert len([u for u in h[n].of_type(IkeSaUp) if u.rekeyed_from == first[n]]) == 2
        assert [m.to_sa_id for m in h[n].of_type(ChildSaMoved)] == [only_sa(h, n).sa_id]
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("which", list(LOWEST))
def test_child_rekey_collision(which: str) -> None:
    h = pair()
    _force(h, which)
    old = {n: _rekey_child(h, n) for n in ("R1", "R2")}
    h.advance(5)
    check_consistent(h)
    for n in ("R1", "R2"):
        assert len(h[n].of_type(ChildSaDeleted)) == 2  # the old SA and the redundant one
        assert [i.rekey_of for i in h[n].of_type(ChildSaInstalled)[1:]] == [old[n], old[n]]
    survivor = only_sa(h, "R1").children[0]
    assert survivor.initiator == (not _r1_lost(which))
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("which", ["r1-ni", "r2-nr"])
def test_child_rekey_collision_with_pfs_on_both_sides(which: str) -> None:
    h = pair(pfs=DhId.MODP_1024)
    _force(h, which)
    for n in ("R1", "R2"):
        _rekey_child(h, n)
    h.advance(5)
    check_consistent(h)
    survivor = only_sa(h, "R1").children[0]
    assert survivor.transform.dh == DhId.MODP_1024
    assert survivor.initiator == (not _r1_lost(which))
    for n in ("R1", "R2"):
        assert [i.child.pfs_group for i in h[n].of_type(ChildSaInstalled)[1:]] == [2, 2]
    assert _failures(h) == []
    assert internal_errors(h) == []


def test_simultaneous_delete_of_the_same_child() -> None:
    h = pair()
    for n in ("R1", "R2"):
        sa = only_sa(h, n)
        h[n].engine.delete_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h.advance(5)
    check_consistent(h, children=0)
    for n in ("R1", "R2"):
        assert len(h[n].of_type(ChildSaDeleted)) == 1
        assert h[n].of_type(IkeSaDown) == []
    assert internal_errors(h) == []


# --- an IKE SA rekey crossing Child SA work (RFC 7296 section 2.25, strongSwan's rules) ----


@pytest.mark.parametrize("ike_side", ["R1", "R2"])
def test_ike_rekey_crossing_child_rekey(ike_side: str) -> None:
    """Each side refuses the other's request with TEMPORARY_FAILURE and retries after a
    random delay: the IKE SA is rekeyed and the Child SA rekeyed, in whichever order."""
    h = pair()
    child_side = _other(ike_side)
    h[ike_side].engine.rekey_ike_sa(h.now, only_sa(h, ike_side).sa_id)
    old_child = _rekey_child(h, child_side)
    h.advance(10)
    check_consistent(h)
    for n in ("R1", "R2"):
        _rekeyed_ike_sa(h, n)
    assert h[child_side].of_type(ChildSaInstalled)[-1].rekey_of == old_child
    assert only_sa(h, child_side).children[0].spi_in != old_child
    assert any("TEMPORARY_FAILURE" in t and "retrying" in t for t in _infos(h[ike_side]))
    assert any("TEMPORARY_FAILURE" in t and "retrying" in t for t in _infos(h[child_side]))
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("ike_side", ["R1", "R2"])
def test_child_rekey_started_after_answering_an_ike_rekey(ike_side: str) -> None:
    """The peer asks for its Child SA rekey once it has answered the IKE SA rekey but before
    the old IKE SA is deleted: the request waits and runs on the new IKE SA."""
    h = pair()
    child_side = _other(ike_side)
    h[ike_side].engine.rekey_ike_sa(h.now, only_sa(h, ike_side).sa_id)
    h.run(until=h.now + 0.006)  # the rekey request has been answered, the delete not yet sent
    old_sa = next(sa for sa in h[child_side].engine.ike_sas if sa.rekeyed_to is not None)
    old_child = old_sa.children[0].spi_in
    h[child_side].engine.rekey_child_sa(h.now, old_sa.sa_id, old_child)
    h.advance(5)
    check_consistent(h)
    installed = h[child_side].of_type(ChildSaInstalled)[-1]
    assert installed.rekey_of == old_child
    assert installed.child.ike_sa_id == only_sa(h, child_side).sa_id != old_sa.sa_id
    assert not any("TEMPORARY_FAILURE" in t for n in ("R1", "R2") for t in _infos(h[n]))
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("delete_delayed", [False, True])
def test_child_rekey_queued_behind_own_ike_rekey(delete_delayed: bool) -> None:
    """R1 asks for a Child SA rekey while its IKE SA rekey is in flight: the request waits
    and goes out on the new IKE SA. When the old SA's delete is overtaken by it, the peer
    moves its children to the new SA on seeing the request there."""
    h = pair()
    if delete_delayed:
        h.faults[len(h.wire) + 3] = ("delay", 0.05)
    old_sa = only_sa(h, "R1")
    h["R1"].engine.rekey_ike_sa(h.now, old_sa.sa_id)
    old_child = _rekey_child(h, "R1")
    h.advance(5)
    check_consistent(h)
    installed = h["R1"].of_type(ChildSaInstalled)[-1]
    assert installed.rekey_of == old_child
    assert installed.child.ike_sa_id == only_sa(h, "R1").sa_id != old_sa.sa_id
    # the Child SA rekey went out only after the IKE SA rekey and on the new SA
    exchanges = [(w.sender, w.exchange, w.response) for w in h.wire[4:]]
    assert exchanges[:2] == [("R1", "CREATE_CHILD_SA", False), ("R2", "CREATE_CHILD_SA", True)]
    new_spi = only_sa(h, "R1").spi_i
    child_requests = [w for w in h.wire[6:] if w.exchange == "CREATE_CHILD_SA"]
    assert child_requests and all(w.header.spi_i == new_spi for w in child_requests)  # type: ignore[union-attr]
    claimed = "Peer uses the rekeyed IKE SA: moving the Child SAs to it" in _infos(h["R2"])
    assert claimed == delete_delayed
    assert [d.rekeyed_to for d in h["R2"].of_type(IkeSaDown)] == [only_sa(h, "R2").sa_id]
    assert _failures(h) == []
    assert internal_errors(h) == []


def test_child_delete_crossing_ike_rekey() -> None:
    h = pair()
    sa = only_sa(h, "R1")
    h["R1"].engine.delete_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h["R2"].engine.rekey_ike_sa(h.now, only_sa(h, "R2").sa_id)
    h.advance(10)
    check_consistent(h, children=0)
    for n in ("R1", "R2"):
        _rekeyed_ike_sa(h, n)
        assert len(h[n].of_type(ChildSaDeleted)) == 1
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("deleter", ["R1", "R2"])
def test_child_delete_crossing_child_rekey(deleter: str) -> None:
    h = pair()
    rekeyer = _other(deleter)
    d = only_sa(h, deleter)
    h[deleter].engine.delete_child_sa(h.now, d.sa_id, d.children[0].spi_in)
    _rekey_child(h, rekeyer)
    h.advance(5)
    check_consistent(h, children=0)
    assert internal_errors(h) == []


@pytest.mark.parametrize("deleter", ["R1", "R2"])
def test_ike_delete_crossing_ike_rekey(deleter: str) -> None:
    h = pair()
    h[deleter].engine.delete_ike_sa(h.now, only_sa(h, deleter).sa_id)
    h[_other(deleter)].engine.rekey_ike_sa(h.now, only_sa(h, _other(deleter)).sa_id)
    h.advance(10)
    for n in ("R1", "R2"):
        assert h[n].engine.ike_sas == []
        assert [u.rekeyed_from for u in h[n].of_type(IkeSaUp)] == [None]
        assert len(h[n].of_type(ChildSaDeleted)) == 1
    assert internal_errors(h) == []


def test_child_rekey_crossing_dpd() -> None:
    h = pair()
    h["R1"].engine.send_dpd(h.now, only_sa(h, "R1").sa_id)
    old_child = _rekey_child(h, "R2")
    h.advance(5)
    check_consistent(h)
    assert "Received DPD/liveness response" in _infos(h["R1"])
    assert "Received DPD/liveness query" in _infos(h["R2"])
    assert h["R2"].of_type(ChildSaInstalled)[-1].rekey_of == old_child
    assert _failures(h) == []
    assert internal_errors(h) == []


# --- INVALID_KE_PAYLOAD during rekeys -----------------------------------------------------


@pytest.mark.parametrize("rekeyer", ["R1", "R2"])
def test_invalid_ke_during_ike_rekey(rekeyer: str) -> None:
    """The IKE SA came up on group 2; then the peer's operator left only group 5 in its
    proposal. The rekey's KE (group 2) draws INVALID_KE_PAYLOAD(5) and the rekey restarts
    in group 5."""
    both = ike_proposal(
        "g2", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_1024, DhId.MODP_1536)
    )
    only5 = ike_proposal("g5", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_1536,))
    peers = {n: Reconfigured(site(ADDR[n], ADDR[_other(n)], proposals=(both,))) for n in ADDR}
    h = pair(p1=peers["R1"], p2=peers["R2"])  # type: ignore[arg-type]
    assert only_sa(h, rekeyer).suite.dh == DhId.MODP_1024  # type: ignore[union-attr]
    responder = _other(rekeyer)
    peers[responder].current = site(ADDR[responder], ADDR[rekeyer], proposals=(only5,))
    h[rekeyer].engine.rekey_ike_sa(h.now, only_sa(h, rekeyer).sa_id)
    h.advance(5)
    check_consistent(h)
    assert only_sa(h, rekeyer).suite.dh == DhId.MODP_1536  # type: ignore[union-attr]
    assert ("CHILD_I_PROC", "EV_RECV_INVALID_KE") in h[rekeyer].sm()
    requests = [w for w in h.wire if w.exchange == "CREATE_CHILD_SA" and not w.response]
    assert len(requests) == 2
    for n in ("R1", "R2"):
        _rekeyed_ike_sa(h, n)
    assert _failures(h) == []
    assert internal_errors(h) == []


def test_invalid_ke_during_child_rekey_with_pfs() -> None:
    p1 = site(R1, R2, pfs=DhId.MODP_1024)
    p2 = site(R2, R1, pfs=DhId.MODP_1536, transform_sets=(TS_3DES_SHA,))
    h = pair(p1=p1, p2=p2)
    _rekey_child(h, "R1")
    h.advance(5)
    # R2 insists on group 5, which R1 does not offer: the rekey fails, the old SA stays
    check_consistent(h)
    assert [(f.notify, f.sent) for f in h["R2"].of_type(NegotiationFailed)] == [
        (NotifyType.NO_PROPOSAL_CHOSEN, True)
    ]
    assert internal_errors(h) == []


# --- lost, delayed and duplicated messages in a collision ---------------------------------


@pytest.mark.parametrize("lost", [1, 2, 3, 4])
def test_ike_rekey_collision_with_a_lost_message(lost: int) -> None:
    """1, 2: a rekey request is lost, so only the other rekey happens; 3, 4: a response is
    lost: the request is retransmitted and answered from the cache, or the redundant SA the
    peer never learnt about is deleted by the side that made it."""
    h = pair()
    _force(h, "r2-ni")  # R2's exchange holds the lowest nonce: R1's rekey wins
    base = len(h.wire)
    h.faults[base + lost] = "drop"
    for n in ("R1", "R2"):
        h[n].engine.rekey_ike_sa(h.now, only_sa(h, n).sa_id)
    h.advance(30)
    check_consistent(h)
    survivor = only_sa(h, "R1")
    assert survivor.initiator == (lost != 1)  # R1's rekey survives unless R1's request was lost
    if lost == 3:  # R1 retransmitted its request; R2 answered from its cache
        assert any("Retransmitting response" in t for t in _infos(h["R2"]))
    if lost == 4:  # R2 never learnt of the SA R1 made for it: R1 deletes it in the end
        assert "Peer did not delete its redundant rekeyed SA in time" in _infos(h["R1"])
    for n in ("R1", "R2"):
        assert [d.rekeyed_to for d in h[n].of_type(IkeSaDown) if d.rekeyed_to is not None] == [
            only_sa(h, n).sa_id
        ]
    assert _failures(h) == []
    assert internal_errors(h) == []


def test_child_rekey_collision_with_delayed_request() -> None:
    h = pair()
    _force(h, "r1-ni")
    h.faults[len(h.wire) + 1] = ("delay", 0.5)
    for n in ("R1", "R2"):
        _rekey_child(h, n)
    h.advance(10)
    check_consistent(h)
    assert internal_errors(h) == []


@pytest.mark.parametrize("lost", [3, 4])
def test_child_rekey_collision_with_a_lost_response(lost: int) -> None:
    h = pair()
    _force(h, "r2-nr")
    h.faults[len(h.wire) + lost] = "drop"
    for n in ("R1", "R2"):
        _rekey_child(h, n)
    h.advance(20)
    check_consistent(h)
    assert any("Retransmitting packet" in t for n in ("R1", "R2") for t in _infos(h[n]))
    assert _failures(h) == []
    assert internal_errors(h) == []


@pytest.mark.parametrize("duplicated", [1, 2])
def test_ike_rekey_collision_with_duplicate(duplicated: int) -> None:
    h = pair()
    _force(h, "r1-nr")
    h.faults[len(h.wire) + duplicated] = "dup"
    for n in ("R1", "R2"):
        h[n].engine.rekey_ike_sa(h.now, only_sa(h, n).sa_id)
    h.advance(10)
    check_consistent(h)
    answered_twice = "R2" if duplicated == 1 else "R1"
    assert any("Retransmitting response" in t for t in _infos(h[answered_twice]))
    assert _failures(h) == []
    assert internal_errors(h) == []
