"""The virtual clock and its real-time pacer."""

from __future__ import annotations

import pytest

from pyike.sim.clock import ClockRunaway, RealTimePacer, VirtualClock


def test_events_run_in_time_order_and_ties_in_scheduling_order() -> None:
    clock = VirtualClock()
    seen: list[tuple[float, str]] = []
    clock.call_later(2.0, lambda: seen.append((clock.now, "b")))
    clock.call_at(1.0, lambda: seen.append((clock.now, "a")))
    clock.call_at(2.0, lambda: seen.append((clock.now, "c")))
    clock.call_soon(lambda: seen.append((clock.now, "now")))
    assert clock.pending() == 4 and clock.next_deadline() == 0.0
    assert clock.run_until_idle() == 4
    assert seen == [(0.0, "now"), (1.0, "a"), (2.0, "b"), (2.0, "c")]
    assert clock() == 2.0 and clock.events_run == 4


def test_cancel_and_run_until() -> None:
    clock = VirtualClock(start=10.0)
    fired: list[int] = []
    handle = clock.call_later(1, lambda: fired.append(1))
    clock.call_later(5, lambda: fired.append(5))
    clock.cancel(handle)
    clock.cancel(None)
    assert clock.run_until(12.0) == 0 and clock.now == 12.0
    assert clock.run_for(10) == 1 and fired == [5] and clock.now == 22.0
    assert clock.next_deadline() is None and not clock.step()
    clock.call_at(0.0, lambda: fired.append(0))  # the past means now
    clock.step()
    assert fired == [5, 0] and clock.now == 22.0


def test_runaway_is_bounded() -> None:
    clock = VirtualClock()

    def again() -> None:
        clock.call_later(1, again)

    again()
    with pytest.raises(ClockRunaway):
        clock.run_until_idle(limit=100)
    with pytest.raises(ClockRunaway):
        clock.run_until(1e9, limit=10)
    with pytest.raises(ClockRunaway):
        clock.run_while(lambda: True, 1e9, limit=10)


def test_run_while_stops_on_condition_or_timeout() -> None:
    clock = VirtualClock()
    box = {"done": False}
    clock.call_later(3, lambda: box.update(done=True))
    assert clock.run_while(lambda: not box["done"], timeout=10) and clock.now == 3
    assert not clock.run_while(lambda: True, timeout=5) and clock.now == 8


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def test_real_time_pacing_at_ten_times_speed() -> None:
    clock = VirtualClock()
    wall = FakeTime()
    pacer = RealTimePacer(clock, wall, speed=10)
    fired: list[float] = []
    clock.call_at(5.0, lambda: fired.append(wall.t))
    assert pacer.seconds_until_next() == pytest.approx(0.5)
    pacer.run_for_real(1.0, wall.sleep)
    assert fired == [pytest.approx(100.5)]
    assert clock.now == pytest.approx(10.0) and wall.t == pytest.approx(101.0)
    assert pacer.seconds_until_next() is None
    pacer.set_speed(1)
    wall.t += 2
    pacer.advance()
    assert clock.now == pytest.approx(12.0)
    with pytest.raises(ValueError):
        pacer.set_speed(0)
    with pytest.raises(ValueError):
        RealTimePacer(clock, wall, speed=-1)


def test_a_pacer_with_a_budget_lets_the_clock_slip_instead_of_owing_the_lag() -> None:
    clock = VirtualClock()
    wall = FakeTime()
    pacer = RealTimePacer(clock, wall, speed=1)

    def busy() -> None:  # each event takes 10 ms of real time, one is due every 1 ms
        wall.t += 0.01
        clock.call_later(0.001, busy)

    clock.call_later(0.001, busy)
    wall.t += 1.0  # a second late: a thousand events due
    assert pacer.advance(budget=0.05) == 5  # the budget is spent after five
    assert clock.now == pytest.approx(0.005)
    # The clock carries on from there at the same speed, not a second behind.
    assert pacer.virtual_time() == pytest.approx(0.005)
    wall.t += 0.1
    assert pacer.advance(budget=0.05) == 5 and clock.now == pytest.approx(0.010)
