"""Virtual time: a clock and scheduler that runs callbacks in deadline order.

Events at the same instant run in the order they were scheduled, so a simulation replays
identically. Nothing here reads the wall clock; `RealTimePacer` maps virtual time onto a time
source the caller injects (the lab's interactive mode), at a chosen speed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_EVENT_LIMIT = 1_000_000
MONITOR_EVERY = 16  # events between two calls of VirtualClock.monitor


class ClockRunaway(RuntimeError):
    """More events than the safety bound ran without the clock going idle."""


@dataclass(order=True)
class TimerHandle:
    when: float
    seq: int
    callback: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._queue: list[TimerHandle] = []
        self._seq = itertools.count()
        self.events_run = 0
        # Called every MONITOR_EVERY events (a progress display); it must not schedule events.
        self.monitor: Callable[[], None] | None = None

    @property
    def now(self) -> float:
        return self._now

    def __call__(self) -> float:
        """The clock as a time source: `clock()` is `clock.now`."""
        return self._now

    def call_at(self, when: float, callback: Callable[[], object]) -> TimerHandle:
        """Run `callback` at virtual time `when` (now, if `when` is in the past)."""
        handle = TimerHandle(max(when, self._now), next(self._seq), callback)
        heapq.heappush(self._queue, handle)
        return handle

    def call_later(self, delay: float, callback: Callable[[], object]) -> TimerHandle:
        return self.call_at(self._now + max(delay, 0.0), callback)

    def call_soon(self, callback: Callable[[], object]) -> TimerHandle:
        return self.call_at(self._now, callback)

    @staticmethod
    def cancel(handle: TimerHandle | None) -> None:
        if handle is not None:
            handle.cancel()

    def next_deadline(self) -> float | None:
        """When the next pending event is due, or None when nothing is scheduled."""
        self._drop_cancelled()
        return self._queue[0].when if self._queue else None

    def pending(self) -> int:
        return sum(1 for h in self._queue if not h.cancelled)

    def step(self) -> bool:
        """Run the next event, advancing time to it. False when there was none."""
        self._drop_cancelled()
        if not self._queue:
            return False
        handle = heapq.heappop(self._queue)
        self._now = handle.when
        self.events_run += 1
        handle.callback()
        if self.monitor is not None and self.events_run % MONITOR_EVERY == 0:
            self.monitor()
        return True

    def run_until(self, when: float, limit: int = DEFAULT_EVENT_LIMIT) -> int:
        """Run every event due up to `when`, then set the clock to `when`."""
        ran = 0
        while True:
            deadline = self.next_deadline()
            if deadline is None or deadline > when:
                break
            self._bounded(ran, limit)
            self.step()
            ran += 1
        self._now = max(self._now, when)
        return ran

    def run_for(self, duration: float, limit: int = DEFAULT_EVENT_LIMIT) -> int:
        return self.run_until(self._now + duration, limit)

    def run_until_idle(self, limit: int = DEFAULT_EVENT_LIMIT) -> int:
        """Run until nothing is scheduled; `ClockRunaway` after `limit` events."""
        ran = 0
        while self.next_deadline() is not None:
            self._bounded(ran, limit)
            self.step()
            ran += 1
        return ran

    def run_while(
        self, condition: Callable[[], bool], timeout: float, limit: int = DEFAULT_EVENT_LIMIT
    ) -> bool:
        """Run events while `condition()` holds, for at most `timeout` virtual seconds.
        Returns True when the condition became false."""
        end = self._now + timeout
        ran = 0
        while condition():
            deadline = self.next_deadline()
            if deadline is None or deadline > end:
                self._now = max(self._now, end)
                return not condition()
            self._bounded(ran, limit)
            self.step()
            ran += 1
        return True

    def _bounded(self, ran: int, limit: int) -> None:
        if ran >= limit:
            raise ClockRunaway(f"more than {limit} events without going idle")

    def _drop_cancelled(self) -> None:
        while self._queue and self._queue[0].cancelled:
            heapq.heappop(self._queue)


class RealTimePacer:
    """Runs a virtual clock in step with an injected time source, `speed` times faster.

    `time_source` returns seconds (e.g. `time.monotonic`, passed in by the shell); the pacer
    never calls it on its own initiative beyond `advance()` and `run_for_real()`.
    """

    def __init__(
        self, clock: VirtualClock, time_source: Callable[[], float], speed: float = 1.0
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.clock = clock
        self.time_source = time_source
        self.speed = speed
        self._real_start = time_source()
        self._virtual_start = clock.now

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._virtual_start = self.virtual_time()
        self._real_start = self.time_source()
        self.speed = speed

    def virtual_time(self, real: float | None = None) -> float:
        """The virtual time that corresponds to real time `real` (default: now)."""
        if real is None:
            real = self.time_source()
        return self._virtual_start + (real - self._real_start) * self.speed

    def advance(self, budget: float | None = None) -> int:
        """Run every event that is due by now; returns how many ran.

        With a `budget` (real seconds), stop when it is spent even if events are still due:
        the clock has fallen behind, and rather than owe the lag (and spend ever longer
        catching up) it slips, carrying on from where it stopped at the same speed."""
        target = max(self.virtual_time(), self.clock.now)
        if budget is None:
            return self.clock.run_until(target)
        stop = self.time_source() + budget
        ran = 0
        while (deadline := self.clock.next_deadline()) is not None and deadline <= target:
            if ran and self.time_source() >= stop:
                self._slip()
                return ran
            self.clock.step()
            ran += 1
        self.clock.run_until(target)
        return ran

    def _slip(self) -> None:
        self._virtual_start = self.clock.now
        self._real_start = self.time_source()

    def seconds_until_next(self) -> float | None:
        """Real seconds to wait before the next event is due (0 when overdue), None if idle."""
        deadline = self.clock.next_deadline()
        if deadline is None:
            return None
        return max(0.0, (deadline - self.virtual_time()) / self.speed)

    def run_for_real(self, real_seconds: float, sleep: Callable[[float], object]) -> None:
        """Advance in real time for `real_seconds`, sleeping with the injected `sleep`."""
        end = self.time_source() + real_seconds
        while True:
            self.advance()
            remaining = end - self.time_source()
            if remaining <= 0:
                return
            wait = self.seconds_until_next()
            sleep(remaining if wait is None else min(wait, remaining))
