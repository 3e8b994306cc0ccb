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

A duplicate is also avoided where it can be: when an SA comes up while this side's own
attempt with the same peer still waits for its IKE_SA_INIT response (typically a request
sent before the peer was listening, to be retransmitted), that attempt is given up. The
peer holds no more than a half-open SA for it, which expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyike.ike.ike_sa import IkeSa
from pyike.ike.states import State


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


def predates(other: IkeSa, sa: IkeSa) -> bool:
    """``other`` was up before ``sa`` was started: the peer knew of it when it negotiated
    ``sa``. Otherwise the two negotiations overlapped, and the peer may not have known."""
    return other.established_at is not None and other.established_at < sa.created_at


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
        if predates(other, sa):
            return Duplicate(keep=sa, drop=other, ours=not sa.initiator)
        if _lowest_nonce(sa) < _lowest_nonce(other):
            keep, drop = other, sa
        else:
            keep, drop = sa, other
        return Duplicate(keep=keep, drop=drop, ours=not drop.initiator)
    return None


def waiting_attempts(sa: IkeSa) -> list[IkeSa]:
    """This side's attempts at the session the newly authenticated ``sa`` belongs to that
    have not heard from the peer yet: ``sa`` makes them redundant."""
    profile = None if sa.profile is None else sa.profile.name
    return [
        other
        for other in sa.ctx.sas.values()
        if other is not sa
        and other.initiator
        and not other.closed
        and other.machine.state == State.I_WAIT_INIT
        and other.tunnel is not None
        and other.tunnel.profile == profile
        and other.remote.address == sa.remote.address
        and other.local.address == sa.local.address
    ]
