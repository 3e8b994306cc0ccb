"""Simultaneous rekeys (RFC 7296 section 2.8.1), resolved in one place.

When both peers rekey the same SA at once, each answers the other's request, so two new SAs
exist. The one whose exchange carried the lowest of the four nonces is redundant: the peer
that initiated it deletes it, and the other peer deletes the old SA. Nonces compare as
octet strings. If the peer never deletes a redundant IKE SA (its answer was lost, so it never
learnt of it), the side that made it deletes it after the delete-negotiation timeout.

Other exchanges crossing an IKE SA rekey follow RFC 7296 section 2.25 as strongSwan does:
- an IKE SA rekey runs alone: this side starts it only with no other request outstanding,
  and starts nothing else on the SA until it is settled; what was queued meanwhile moves to
  the new SA with the Child SAs (IkeSa.pump, IkeSa.adopt_tasks);
- a Child SA request arriving while this side rekeys the IKE SA, and an IKE SA rekey arriving
  while this side has a Child SA exchange outstanding, are refused with TEMPORARY_FAILURE;
  the refused side retries after a random 2-5 s (retransmit.retry_delay), on whichever IKE
  SA then holds the Child SA;
- a peer's request on the new IKE SA, arriving before the old SA's delete, moves the Child
  SAs there at once (rekey.claim_children).
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
