"""Simultaneous rekeys (RFC 7296 section 2.8.1), resolved in one place.

When both peers rekey the same SA at once, each answers the other's request, so two new SAs
exist. The one whose exchange carried the lowest of the four nonces is redundant: the peer
that initiated it deletes it, and the other peer deletes the old SA. Nonces compare as
octet strings.
"""

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


def we_lost(ours: RekeyOutcome[T], theirs: RekeyOutcome[T]) -> bool:
    """True when our exchange holds the lowest nonce, so the SA we created is redundant."""
    return ours.lowest_nonce < theirs.lowest_nonce
