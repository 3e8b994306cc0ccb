"""Message IDs and windows (RFC 7296 sections 2.2, 2.3)."""

from __future__ import annotations

from pyike.ike.window import RequestWindow, ResponderWindow, Verdict


def test_requests_are_numbered_and_limited_by_the_peers_window() -> None:
    w = RequestWindow(peer_window=2)
    assert [w.allocate(), w.allocate(), w.allocate()] == [0, 1, 2]
    assert w.has_room()
    w.outstanding = {0: object(), 1: object()}  # type: ignore[dict-item]
    assert not w.has_room()
    w.peer_window = 3
    assert w.has_room()


def test_responder_window_accepts_within_and_drops_beyond() -> None:
    w = ResponderWindow(size=3)
    assert [w.classify(i) for i in (0, 1, 2, 3)] == [Verdict.NEW] * 3 + [Verdict.DROP]
    w.answered_with(0, [b"r0"])
    assert w.classify(0) == Verdict.RETRANSMIT
    assert w.classify(3) == Verdict.NEW
    assert w.range_text == "1 to 3"


def test_out_of_order_requests_advance_the_window_once_the_gap_closes() -> None:
    w = ResponderWindow(size=5)
    w.answered_with(2, [b"r2"])
    w.answered_with(1, [b"r1"])
    assert w.expected == 0
    assert w.classify(1) == Verdict.RETRANSMIT
    w.answered_with(0, [b"r0"])
    assert w.expected == 3
    assert w.classify(3) == Verdict.NEW


def test_cached_responses_are_kept_for_the_last_window_only() -> None:
    w = ResponderWindow(size=2)
    for i in range(6):
        w.answered_with(i, [f"r{i}".encode()])
    assert sorted(w.cached) == [4, 5]
    assert w.classify(5) == Verdict.RETRANSMIT
    assert w.classify(3) == Verdict.DROP  # too old to answer again
    assert w.classify(6) == Verdict.NEW and w.classify(8) == Verdict.DROP


def test_window_of_one_is_strictly_sequential() -> None:
    w = ResponderWindow(size=1)
    assert w.classify(1) == Verdict.DROP
    w.answered_with(0, [b"r0"])
    assert (w.classify(0), w.classify(1), w.classify(2)) == (
        Verdict.RETRANSMIT,
        Verdict.NEW,
        Verdict.DROP,
    )
