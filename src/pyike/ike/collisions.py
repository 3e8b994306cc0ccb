"""Exchanges that meet, decided in one place.

**Simultaneous rekeys (RFC 7296 section 2.8.1).** When both peers rekey the same SA at once,
each answers the other's request, so two new SAs exist. The one whose exchange carried the
lowest of the four nonces is redundant: the peer that initiated it deletes it, and the other
peer deletes the old SA. Nonces compare as octet strings. If the peer never deletes a
redundant IKE SA (its answer was lost, so it never learnt of it), the side that made it
deletes it after the delete-negotiation timeout.

**Crossing creations.** Two Child SA pairs for the same tunnel and selectors on one IKE SA,
neither a rekey of the other, arise when both peers lose a tunnel's Child SA and each creates
one before it hears of the other's, or when a peer's DELETE was lost and it creates a new
one while this side still holds the stale one. Two IKE SAs with the same peer and identities
arise when two gateways start together, or when a peer negotiates again without
INITIAL_CONTACT. One of each pair is redundant and both sides keep the same one without
talking: a pair that already existed when the other was started is the stale one; pairs
that overlapped fall to the nonce rule above. For Child SAs, the side that answers a
creation while it holds a pair for the tunnel deletes that pair (the peer asked because it
has none). For IKE SAs only the responder of the redundant SA sends the delete, as IOS does
at EV_CHECK_DUPE, so the deletes never cross.

**Exchanges crossing an IKE SA rekey (RFC 7296 section 2.25), as strongSwan does:** an IKE
SA rekey runs alone: this side starts it only with no other request outstanding and starts
nothing else on the SA until it is settled; what was queued meanwhile moves to the new SA
with the Child SAs (IkeSa.pump, IkeSa.adopt_tasks). A Child SA request arriving while this
side rekeys the IKE SA, an IKE SA rekey arriving while this side has a Child SA exchange
outstanding, and a rekey of a Child SA being deleted are refused with TEMPORARY_FAILURE; the
refused side retries after a random 2-5 s (retransmit.retry_delay). A peer's request on the
new IKE SA, arriving before the old SA's delete, moves the Child SAs there at once
(succession.claim_children).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pyike.codec.registry import NotifyType
from pyike.ike import informational
from pyike.ike.child_sa import ChildSa, ChildState
from pyike.ike.ike_sa import IkeSa
from pyike.ike.rekey_outcome import RekeyOutcome
from pyike.ike.states import State
from pyike.ike.succession import move_children

T = TypeVar("T")
DUPLICATE_CHILD = "Duplicate IPsec SA"


def we_lost(ours: RekeyOutcome[T], theirs: RekeyOutcome[T]) -> bool:
    """True when our exchange holds the lowest nonce, so the SA we created is redundant."""
    return ours.lowest_nonce < theirs.lowest_nonce


# --- simultaneous rekeys ------------------------------------------------------------------


def child_rekey_settled(sa: IkeSa, old: ChildSa) -> None:
    """What happens to the old Child SA (and a redundant new one) once this side's rekey is
    done, applying the nonce rule when the peer rekeyed it at the same time."""
    ours, theirs = old.rekey_ours, old.rekey_theirs
    if old.rekey_pending:
        return  # our own exchange is still running; decide when it ends
    if ours is not None and theirs is not None:
        if we_lost(ours, theirs):
            sa.info("Child SA rekey collision: ours holds the lowest nonce, deleting it")
            informational.delete_child(sa, ours.new.spi_in, "Redundant rekeyed SA")
            old.state = ChildState.REKEYED  # the peer deletes the old one
        else:
            sa.info("Child SA rekey collision: the peer's SA is redundant, deleting the old SA")
            old.state = ChildState.REKEYED
            informational.delete_child(sa, old.spi_in, "Rekeyed")
    elif ours is not None:
        old.state = ChildState.REKEYED
        informational.delete_child(sa, old.spi_in, "Rekeyed")
    elif theirs is not None:
        old.state = ChildState.REKEYED  # a plain rekey by the peer: it deletes the old SA


def ike_rekey_settled(old: IkeSa) -> None:
    """Once this side's own rekey of ``old`` is done: with no collision, or when it won the
    collision, it deletes the old SA; when it lost, it deletes the SA it made."""
    own = old.own_rekey
    ours = None if own is None else own.outcome
    if ours is None:
        return
    theirs = old.rekeys_answered[0] if old.rekeys_answered else None
    if theirs is not None and we_lost(ours, theirs):
        old.info("IKE SA rekey collision: ours holds the lowest nonce, deleting it")
        old.rekeyed_to = theirs.new
        informational.delete_ike(ours.new, "Redundant rekeyed IKE SA")
        return
    if theirs is not None:
        old.info("IKE SA rekey collision: the peer's SA is redundant")
        redundant = theirs.new
        if not redundant.closed:
            ctx = redundant.ctx
            redundant.redundant_deadline = ctx.now + ctx.settings.delete_negotiation_timeout
    # The delete goes out first so that the peer, which moves its children when it arrives,
    # has them on the new SA before any request this side sends there.
    informational.delete_ike(old, "IKE SA rekeyed", successor=ours.new)
    move_children(old, ours.new)


def answered_ike_rekey(old: IkeSa, outcome: RekeyOutcome[IkeSa]) -> None:
    """The peer rekeyed ``old`` and we answered: with no rekey of ours under way it is a plain
    rekey, after which the peer deletes the old SA."""
    old.rekeys_answered.append(outcome)
    if not old.ike_rekey_active and old.rekeyed_to is None:
        old.rekeyed_to = outcome.new


# --- exchanges crossing a rekey or a delete (RFC 7296 section 2.25) -----------------------


def refuse_child_request(sa: IkeSa) -> bool:
    """A Child SA exchange the peer starts now must wait: this IKE SA is being rekeyed or
    deleted (TEMPORARY_FAILURE)."""
    if sa.deleting or sa.rekeyed_to is not None or sa.ike_rekey_active:
        sa.info("Unable to create or rekey a Child SA while the IKE SA is being rekeyed")
        return True
    return False


def refuse_ike_rekey(sa: IkeSa) -> bool:
    """An IKE SA rekey the peer starts now must wait: this SA is being deleted or was rekeyed
    by us already, or a Child SA exchange of ours is outstanding (TEMPORARY_FAILURE)."""
    own = sa.own_rekey
    if sa.deleting or sa.rekeyed_to is not None or (own is not None and own.outcome is not None):
        return True
    if sa.child_work_in_flight():
        sa.info("Peer started an IKE SA rekey while a Child SA exchange is in progress")
        return True
    return False


def child_rekey_refusal(old: ChildSa | None) -> NotifyType | None:
    """Why a peer's rekey of ``old`` is refused: it does not exist (CHILD_SA_NOT_FOUND), or
    it is being deleted or already rekeyed (TEMPORARY_FAILURE)."""
    if old is None:
        return NotifyType.CHILD_SA_NOT_FOUND
    if old.state in (ChildState.DELETING, ChildState.REKEYED):
        return NotifyType.TEMPORARY_FAILURE
    return None


# --- crossing creations: Child SAs ----------------------------------------------------------


def _duplicate_of(new: ChildSa, other: ChildSa) -> bool:
    return (
        other is not new
        and other.state in (ChildState.INSTALLED, ChildState.REKEYING)
        and other.tunnel is not None
        and new.tunnel is not None
        and other.tunnel.name == new.tunnel.name
        and other.local_ts == new.local_ts
        and other.remote_ts == new.remote_ts
    )


def _lowest_creation_nonce(child: ChildSa) -> bytes:
    assert child.creation_nonces is not None
    return min(child.creation_nonces)


def redundant_children(sa: IkeSa, new: ChildSa) -> list[ChildSa]:
    """The Child SAs this side deletes now that the creation of ``new`` has completed."""
    duplicates = [c for c in sa.children if _duplicate_of(new, c)]
    if not new.initiator:
        return duplicates
    if new.creation_nonces is None:
        return []
    return [
        c
        for c in duplicates
        if not c.initiator
        and c.creation_nonces is not None
        and _lowest_creation_nonce(c) < _lowest_creation_nonce(new)
    ]


def delete_redundant_children(sa: IkeSa, new: ChildSa) -> None:
    for child in redundant_children(sa, new):
        tunnel = "" if child.tunnel is None else f" for {child.tunnel.name}"
        sa.info(
            f"{DUPLICATE_CHILD} found{tunnel}: deleting IPsec SA "
            f"[SPI: 0x{child.spi_in.hex().upper()}]"
        )
        informational.delete_child(sa, child.spi_in, DUPLICATE_CHILD)


# --- crossing creations: IKE SAs ----------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """``keep`` and ``drop`` are the two SAs; ``ours`` says whether this side deletes."""

    keep: IkeSa
    drop: IkeSa
    ours: bool


def predates(other: IkeSa, sa: IkeSa) -> bool:
    """``other`` was up before ``sa`` was started: the peer knew of it when it negotiated
    ``sa``. Otherwise the two negotiations overlapped, and the peer may not have known."""
    return other.established_at is not None and other.established_at < sa.created_at


def find_duplicate(sa: IkeSa) -> Duplicate | None:
    """The duplicate the newly authenticated ``sa`` makes, if any."""
    for other in sa.ctx.by_session.group_of(sa):  # same addresses and identities
        if other is sa or not other.established or other.deleting or other.rekeyed_to is not None:
            continue
        if predates(other, sa):
            return Duplicate(keep=sa, drop=other, ours=not sa.initiator)
        if min(sa.ni, sa.nr) < min(other.ni, other.nr):
            keep, drop = other, sa
        else:
            keep, drop = sa, other
        return Duplicate(keep=keep, drop=drop, ours=not drop.initiator)
    return None


def waiting_attempts(sa: IkeSa) -> list[IkeSa]:
    """This side's attempts at the session the newly authenticated ``sa`` belongs to that
    have not heard from the peer yet: ``sa`` makes them redundant (the peer holds no more
    than a half-open SA for them, which expires)."""
    profile = None if sa.profile is None else sa.profile.name
    return [
        other
        for other in sa.ctx.attempts.get((sa.remote.host, sa.local.host))
        if other is not sa
        and not other.closed
        and other.machine.state == State.I_WAIT_INIT
        and other.tunnel is not None
        and other.tunnel.profile == profile
    ]


def check_duplicate_ike(sa: IkeSa) -> Duplicate | None:
    """EV_CHECK_DUPE: gives up this side's attempts that ``sa`` supersedes and returns the
    duplicate this side must delete once ``sa`` is up, if any."""
    for attempt in waiting_attempts(sa):
        attempt.info(f"Abandoning the negotiation: SA ID {sa.sa_id} with the peer is up")
        attempt.close("Superseded by an IKE SA with the same peer")
    found = find_duplicate(sa)
    if found is None:
        return None
    sa.info(
        f"Duplicate IKEv2 SA found (SA ID {found.drop.sa_id} and {found.keep.sa_id}): "
        f"keeping SA ID {found.keep.sa_id}" + ("" if found.ours else ", the peer deletes the other")
    )
    return found if found.ours else None


def initial_contact(sa: IkeSa) -> None:
    """INITIAL_CONTACT: the peer has lost the SAs it had with us. Only SAs the peer must have
    known of are gone: one that came up while this exchange ran (both peers initiating at
    once) may be held by the peer, which sent INITIAL_CONTACT before it had it; the duplicate
    check decides about that one."""
    for other in sa.ctx.sas_with_peer(sa.remote):
        if (
            other is not sa
            and other.remote_id == sa.remote_id
            and other.established
            and predates(other, sa)
        ):
            sa.info(f"INITIAL_CONTACT: deleting SA {other.sa_id} with the same peer")
            other.close("Initial contact received from the peer")
