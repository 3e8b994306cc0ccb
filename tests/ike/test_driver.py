"""EngineDriver: the engine's outputs reach the caller, and its timer fires on time: never
after the engine's next deadline (a deadline that moves later keeps the timer armed sooner,
which finds nothing due and arms the next)."""

from __future__ import annotations

import random
from typing import cast

from pyike.ike.driver import EngineDriver
from pyike.ike.engine import IkeEngine
from pyike.ike.events import Datagram
from pyike.ike.trace import TraceRecord
from pyike.sim.clock import VirtualClock
from tests.support.policies import seed_router1, tunnel_of


def test_unanswered_request_is_retransmitted_by_the_timer() -> None:
    clock = VirtualClock()
    policy = seed_router1()
    engine = IkeEngine(policy, random.Random(1).randbytes)
    sent: list[tuple[float, Datagram]] = []
    traces: list[TraceRecord] = []
    driver = EngineDriver(
        engine,
        lambda: clock.now,
        clock.call_later,
        lambda d: sent.append((clock.now, d)),
        lambda e: None,
        traces.extend,
    )
    engine.initiate(clock.now, tunnel_of(policy))
    driver.flush()
    assert [t for t, _ in sent] == [0.0]
    clock.run_for(7.0)
    # IKE_SA_INIT goes out again after 2 s and then 4 s more, the same bytes each time.
    assert [t for t, _ in sent] == [0.0, 2.0, 6.0]
    assert len({d.data for _, d in sent}) == 1
    assert traces
    driver.stop()
    clock.run_for(100.0)
    assert len(sent) == 3  # stopped: no more retransmissions


class _Deadlines:
    """An engine with nothing to send, whose next deadline the test sets."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.woken: list[float] = []

    def datagrams_to_send(self) -> list[Datagram]:
        return []

    def events(self) -> list[object]:
        return []

    def trace(self) -> list[TraceRecord]:
        return []

    def next_deadline(self) -> float | None:
        return self.at

    def handle_timer(self, now: float) -> None:
        self.woken.append(now)
        if self.at is not None and now >= self.at:  # done
            self.at = None


def test_the_timer_fires_no_later_than_the_deadline_as_it_moves() -> None:
    clock = VirtualClock()
    engine = _Deadlines()
    driver = EngineDriver(
        cast(IkeEngine, engine), lambda: clock.now, clock.call_later, print, print, print
    )
    engine.at = 5.0
    driver.flush()
    engine.at = 8.0  # later: the timer armed for 5 s stays
    driver.flush()
    assert clock.pending() == 1
    clock.run_for(6.0)
    assert engine.woken == [5.0]  # nothing due yet: armed again for 8 s
    clock.run_for(3.0)
    assert engine.woken == [5.0, 8.0] and clock.pending() == 0
    engine.at = 20.0
    driver.flush()
    engine.at = 12.0  # sooner: armed again
    driver.flush()
    assert clock.pending() == 1
    clock.run_for(4.0)
    assert engine.woken == [5.0, 8.0, 12.0] and clock.pending() == 0
    engine.at = 30.0
    driver.flush()
    engine.at = None  # nothing left to do: no timer
    driver.flush()
    assert clock.pending() == 0
