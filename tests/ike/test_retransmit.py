"""The retransmission schedule (RFC 7296 section 2.1) and the retry delay after
TEMPORARY_FAILURE."""

from __future__ import annotations

import random

from pyike.codec.registry import ExchangeType
from pyike.ike.retransmit import RETRY_BASE, RETRY_JITTER, Outstanding, retry_delay


def _request(interval: float, limit: int, exponential: bool = True) -> Outstanding:
    return Outstanding(
        0,
        ExchangeType.INFORMATIONAL,
        [b"x"],
        lambda m, p: None,
        lambda: None,
        100.0,
        interval,
        limit,
        exponential,
    )


def _schedule(request: Outstanding) -> tuple[list[float], float]:
    """The times of the retransmissions and of giving up."""
    sent: list[float] = []
    now = request.next_at
    while not request.exhausted():
        assert request.due(now) and not request.due(now - 0.001)
        request.retransmitted(now)
        sent.append(now - 100.0)
        now = request.next_at
    return sent, now - 100.0


def test_exponential_back_off_five_retries() -> None:
    sent, give_up = _schedule(_request(2.0, 5))
    assert sent == [2, 6, 14, 30, 62]  # gaps of 2, 4, 8, 16, 32 s
    assert give_up == 126  # 64 s after the last one


def test_fixed_interval_for_dpd() -> None:
    sent, give_up = _schedule(_request(3.0, 5, exponential=False))
    assert sent == [3, 6, 9, 12, 15]
    assert give_up == 18


def test_no_retransmission_with_a_limit_of_zero() -> None:
    request = _request(2.0, 0)
    assert request.exhausted() and request.next_at == 102.0


def test_retry_delay_is_jittered_within_its_range() -> None:
    rng = random.Random(7)
    delays = [retry_delay(rng.randbytes) for _ in range(200)]
    assert all(RETRY_BASE <= d < RETRY_BASE + RETRY_JITTER for d in delays)
    assert len(set(delays)) > 150  # two peers rarely retry at the same moment
    assert retry_delay(lambda n: bytes(n)) == RETRY_BASE
