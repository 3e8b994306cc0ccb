"""EngineDriver: the engine's outputs reach the caller, and its timer fires on time."""

from __future__ import annotations

import random

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
