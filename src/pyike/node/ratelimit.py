"""IOS's ICMP unreachable rate limit (`ip icmp rate-limit unreachable [df] MS`): at most one
unreachable per interval, with a separate allowance for fragmentation-needed messages."""

from __future__ import annotations

UNREACHABLE_INTERVAL = 0.5  # IOS default: 500 ms


class IntervalLimiter:
    def __init__(self, interval: float = UNREACHABLE_INTERVAL) -> None:
        self.interval = interval
        self._last: float | None = None
        self.suppressed = 0

    def allow(self, now: float) -> bool:
        if self._last is not None and now - self._last < self.interval:
            self.suppressed += 1
            return False
        self._last = now
        return True
