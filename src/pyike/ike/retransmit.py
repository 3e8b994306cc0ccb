"""Requests in flight and their retransmission (RFC 7296 section 2.1).

IOS retransmits an unanswered request with exponential back-off and gives the peer up after
the retry limit (pyike models 5 retransmissions starting at 2 s: 2, 4, 8, 16, 32 s, then
the SA is deleted 64 s after the last one). DPD requests use the profile's fixed retry
interval instead, as `dpd INTERVAL RETRY` configures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyike.codec import Message, Payload


@dataclass
class Outstanding:
    """One request waiting for its response."""

    message_id: int
    exchange: int
    datagrams: list[bytes]
    on_response: Callable[[Message, list[Payload]], None]
    on_timeout: Callable[[], None]
    sent_at: float
    interval: float
    limit: int
    exponential: bool = True
    child_work: bool = False  # creates, rekeys or deletes a Child SA
    attempts: int = 0
    next_at: float = field(init=False)

    def __post_init__(self) -> None:
        self.next_at = self.sent_at + self.interval

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def exhausted(self) -> bool:
        return self.attempts >= self.limit

    def retransmitted(self, now: float) -> None:
        self.attempts += 1
        factor = 2**self.attempts if self.exponential else 1
        self.next_at = now + self.interval * factor


# After a TEMPORARY_FAILURE (RFC 7296 section 2.25) an exchange is tried again after a
# random delay, so that two peers that refused each other do not collide again.
RETRY_BASE = 2.0
RETRY_JITTER = 3.0


def retry_delay(random_bytes: Callable[[int], bytes]) -> float:
    return RETRY_BASE + RETRY_JITTER * int.from_bytes(random_bytes(2), "big") / 65536
