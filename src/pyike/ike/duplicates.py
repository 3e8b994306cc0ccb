"""Duplicate IKE SAs: two established IKE SAs with the same peer address and the same pair of
identities, neither of them a rekey of the other (IOS checks for them at EV_CHECK_DUPE).

They arise when two gateways start together: each initiates before it hears the other, each
answers the other, and both exchanges complete. They also arise when a peer negotiates again
without INITIAL_CONTACT while an SA is up. One of the two is redundant, and exactly one side
deletes it, so that the deletes never cross and the survivor is the same on both sides:

- negotiations that overlapped (the other SA came up after this one was started): the SA
  whose exchange carried the lowest nonce is redundant, the rule RFC 7296 section 2.8.1 uses
  for rekey collisions, which both peers can evaluate without talking;
- an SA that was up before this one was started is the stale one: the new SA replaces it.

The check runs on both sides whenever an IKE_AUTH exchange completes, but only the responder
of the redundant SA (for a stale SA, the responder of the new one) sends the delete, as IOS
does; the other side just receives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyike.ike.ike_sa import IkeSa


@dataclass(frozen=True)
class Duplicate:
    """``keep`` and ``drop`` are the two SAs; ``ours`` says whether this side deletes."""

    keep: IkeSa
    drop: IkeSa
    ours: bool


def _same_session(a: IkeSa, b: IkeSa) -> bool:
    return (
        a.remote.address == b.remote.address
        and a.local.address == b.local.address
        and a.local_id == b.local_id
        and a.remote_id == b.remote_id
    )


def _lowest_nonce(sa: IkeSa) -> bytes:
    return min(sa.ni, sa.nr)


def find(sa: IkeSa) -> Duplicate | None:
    """The duplicate the newly authenticated ``sa`` makes, if any."""
    for other in sa.ctx.sas.values():
        if (
            other is sa
            or not other.established
            or other.deleting
            or other.rekeyed_to is not None
            or not _same_session(sa, other)
        ):
            continue
        assert other.established_at is not None
        if other.established_at < sa.created_at:
            return Duplicate(keep=sa, drop=other, ours=not sa.initiator)
        if _lowest_nonce(sa) < _lowest_nonce(other):
            keep, drop = other, sa
        else:
            keep, drop = sa, other
        return Duplicate(keep=keep, drop=drop, ours=not drop.initiator)
    return None
