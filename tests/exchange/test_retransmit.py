"""Lost, duplicated, delayed and replayed messages."""

from __future__ import annotations

import pytest

from tests.support.harness import check_consistent, internal_errors, only_sa, pair


@pytest.mark.parametrize("lost", [1, 2, 3, 4])
def test_handshake_survives_one_lost_message(lost: int) -> None:
    h = pair(up=False)
    h.faults[lost] = "drop"
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=10)
    check_consistent(h)
    assert len(h.wire) == (5 if lost % 2 else 6)


@pytest.mark.parametrize("duplicated", [1, 2, 3, 4])
def test_duplicates_are_harmless(duplicated: int) -> None:
    h = pair(up=False)
    h.faults[duplicated] = "dup"
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=10)
    check_consistent(h)
    assert internal_errors(h) == []


def test_retransmitted_request_gets_the_cached_response() -> None:
    h = pair(up=False)
    h.faults[4] = "drop"
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=10)
    assert h.wire[4].datagram.data == h.wire[2].datagram.data  # resent request
    assert h.wire[5].datagram.data == h.wire[3].datagram.data  # cached response


def test_replayed_old_request_is_answered_from_cache_then_dropped_when_stale() -> None:
    h = pair()
    sa = only_sa(h, "R2")
    auth = h.wire[2].datagram
    h.inject("R2", auth.remote, auth.local, auth.data)
    assert h.wire[-1].sender == "R2" and h.wire[-1].datagram.data == h.wire[3].datagram.data
    assert only_sa(h, "R2") is sa


def test_out_of_window_request_dropped() -> None:
    from pyike.codec import IkeHeader, encode_message, make_flags
    from pyike.codec.message import Message
    from pyike.codec.registry import ExchangeType

    h = pair()
    sa = only_sa(h, "R1")
    header = IkeHeader(
        sa.spi_i,
        sa.spi_r,
        exchange_type=ExchangeType.INFORMATIONAL,
        flags=make_flags(initiator=False, response=False),
        message_id=50,
    )
    before = len(h.wire)
    h.inject("R1", sa.local, sa.remote, encode_message(Message(header, [])))
    assert len(h.wire) == before
    check_consistent(h)


def test_delayed_response_reorders_but_completes() -> None:
    h = pair(up=False)
    h.faults[2] = ("delay", 3.0)
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=12)
    check_consistent(h)


def test_lost_rekey_response_is_recovered() -> None:
    h = pair()
    sa = only_sa(h, "R1")
    h.faults[len(h.wire) + 2] = "drop"
    h["R1"].engine.rekey_ike_sa(h.now, sa.sa_id)
    h.advance(10)
    check_consistent(h)
