"""What a completed rekey exchange leaves behind for the collision rules (collisions.py), and
the state of this side's own IKE SA rekey."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class RekeyOutcome(Generic[T]):
    """One completed rekey exchange of an SA: the SA it made and its two nonces."""

    new: T
    ni: bytes
    nr: bytes
    initiated_by_us: bool

    @property
    def lowest_nonce(self) -> bytes:
        return min(self.ni, self.nr)


@dataclass
class OwnIkeRekey(Generic[T]):
    """This side's rekey of an IKE SA: queued until the SA is free of other requests, then
    sent, then done (``outcome``) until the collision rule has settled which SA survives."""

    sent: bool = False
    outcome: RekeyOutcome[T] | None = None

    @property
    def started(self) -> bool:
        return self.sent or self.outcome is not None
