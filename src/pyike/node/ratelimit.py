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


ICMPV6_ERROR_INTERVAL = 0.1  # IOS `ipv6 icmp error-interval 100 10`
ICMPV6_ERROR_BUCKET = 10


class TokenBucket:
    """IOS's ICMPv6 error limit: a bucket of `size` tokens, one more every `interval`."""

    def __init__(
        self, interval: float = ICMPV6_ERROR_INTERVAL, size: int = ICMPV6_ERROR_BUCKET
    ) -> None:
        self.interval = interval
        self.size = size
        self._tokens = float(size)
        self._at: float | None = None
        self.suppressed = 0

    def allow(self, now: float) -> bool:
        if self._at is not None:
            self._tokens = min(self.size, self._tokens + (now - self._at) / self.interval)
        self._at = now
        if self._tokens < 1:
            self.suppressed += 1
            return False
        self._tokens -= 1
        return True
