"""Message IDs and windows (RFC 7296 sections 2.2 and 2.3).

Each side numbers its own requests. A responder accepts requests from ``expected`` up to
``expected + size - 1`` (its advertised window), answers each once and keeps the answers of
the last ``size`` requests to resend them when a request is retransmitted; anything below
the window without a cached answer, or beyond it, is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyike.ike.retransmit import Outstanding


@dataclass
class RequestWindow:
    """This side's requests."""

    next_id: int = 0
    peer_window: int = 1
    outstanding: dict[int, Outstanding] = field(default_factory=dict)

    def has_room(self) -> bool:
        return len(self.outstanding) < self.peer_window

    def allocate(self) -> int:
        message_id = self.next_id
        self.next_id += 1
        return message_id


class Verdict:
    NEW = "new"
    RETRANSMIT = "retransmit"
    DROP = "drop"


@dataclass
class ResponderWindow:
    """The peer's requests."""

    size: int = 1
    expected: int = 0
    answered: set[int] = field(default_factory=set)
    cached: dict[int, list[bytes]] = field(default_factory=dict)

    def classify(self, message_id: int) -> str:
        if message_id in self.cached:
            return Verdict.RETRANSMIT
        if message_id < self.expected or message_id in self.answered:
            return Verdict.DROP
        if message_id >= self.expected + self.size:
            return Verdict.DROP
        return Verdict.NEW

    def answered_with(self, message_id: int, datagrams: list[bytes]) -> None:
        self.answered.add(message_id)
        self.cached[message_id] = datagrams
        while self.expected in self.answered:
            self.answered.discard(self.expected)
            self.expected += 1
        for old in [m for m in self.cached if m < self.expected - self.size]:
            del self.cached[old]

    @property
    def range_text(self) -> str:
        return f"{self.expected} to {self.expected + self.size - 1}"
