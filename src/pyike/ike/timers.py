"""Everything an IKE SA does on its own when time passes, each declared once in DEADLINES:
half-open cleanup, IKE SA expiry, the responder's wait for the old SA's delete after an IKE
SA rekey, the redundant SA of a lost rekey collision, deferred requests, IKE and Child SA
rekey and expiry, DPD (periodic and on-demand) and NAT keepalives. Retransmissions are the
request window's (IkeSa.retransmit_due)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyike.codec.udp_encap import NAT_KEEPALIVE, NAT_T_PORT
from pyike.ike import child_create, informational
from pyike.ike.child_sa import ChildState
from pyike.ike.ike_rekey import start_ike_rekey
from pyike.ike.ike_sa import IkeSa
from pyike.ike.succession import move_children, retire, successor_of

INFINITY = float("inf")
# The original responder rekeys the IKE SA this much later than the initiator would, so that
# normally only one side starts (IOS offsets its timers the same way).
RESPONDER_REKEY_OFFSET = 0.05
# How soon on-demand DPD looks again at a peer silent for its interval while traffic is
# still being sent to it: the liveness check goes out at most this long after the first
# packet sent past the interval (IOS sends it with that packet).
ON_DEMAND_LOOK = 1.0
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_INSTALLED, _DELETING = ChildState.INSTALLED, ChildState.DELETING


@dataclass(frozen=True)
class Deadline:
    """A time at which an SA has something to do: when (``at``, None when not armed), what
    (``fire``: True when the SA is gone or must not be looked at further now), and which
    IkeSa attributes it depends on (setting one marks the SA for a new look)."""

    inputs: tuple[str, ...]
    at: Callable[[IkeSa], float | None]
    fire: Callable[[IkeSa, float], bool]
    established_only: bool = True


# --- half-open SAs --------------------------------------------------------------------------


def _half_open_at(sa: IkeSa) -> float | None:
    return sa.created_at + sa.ctx.settings.half_open_timeout if sa.half_open else None


def _half_open_expired(sa: IkeSa, now: float) -> bool:
    sa.error("Half-open SA timed out waiting for IKE_AUTH")
    sa.close("Negotiation timed out")
    return True


# --- the IKE SA's lifetime ------------------------------------------------------------------


def expire(old: IkeSa, now: float) -> bool:
    """The hard lifetime of ``old`` is over. When it was rekeyed, its Child SAs go to the new
    SA first: the peer's delete of the old SA (or the request on the new one that would have
    moved them) may have been lost, and the peer keeps those Child SAs on the new SA."""
    reason = "IKE SA lifetime expired"
    successor = successor_of(old)
    if successor is not None and old.children:
        old.info("IKE SA expired before the peer deleted it: moving the Child SAs to its successor")
        move_children(old, successor)
    informational.delete_ike(old, reason, successor=successor)
    if not old.closed:
        old.close(reason, moved=successor is not None)
    return True


def _delete_wait_over(sa: IkeSa, now: float) -> bool:
    """The peer rekeyed this SA and should have deleted it by now."""
    if sa.deleting:
        return False
    sa.delete_deadline = None
    if sa.rekeyed_to is None:
        return False
    sa.info("Peer did not delete the rekeyed SA in time")
    retire(sa)
    return True


def _redundant_not_deleted(sa: IkeSa, now: float) -> bool:
    sa.redundant_deadline = None
    sa.info("Peer did not delete its redundant rekeyed SA in time")
    informational.delete_ike(sa, "Redundant rekeyed IKE SA")
    return True


def _ike_rekey_at(sa: IkeSa) -> float | None:
    at = sa.rekey_at
    if at is None or sa.deleting or sa.rekeyed_to is not None or sa.own_rekey is not None:
        return None
    if sa.queue and any(t.exclusive for t in sa.queue):
        return None
    if sa.ike_rekey_retry_at is not None:
        return sa.ike_rekey_retry_at
    return at if sa.initiator else at + sa.lifetime * RESPONDER_REKEY_OFFSET


def _rekey(sa: IkeSa, now: float) -> bool:
    start_ike_rekey(sa)
    return False


# --- requests waiting for their time --------------------------------------------------------


def _deferred_at(sa: IkeSa) -> float | None:
    if not sa.deferred:  # the rule: no generator made to find nothing
        return None
    return min(at for at, _ in sa.deferred)


def _start_deferred(sa: IkeSa, now: float) -> bool:
    due = [task for at, task in sa.deferred if now >= at]
    sa.deferred = [(at, task) for at, task in sa.deferred if now < at]
    for task in due:
        sa.enqueue(task)
    return False


# --- Child SAs ------------------------------------------------------------------------------


def _children_at(sa: IkeSa) -> float | None:
    earliest = INFINITY
    for child in sa.children:
        state = child.state
        if state != _DELETING:  # its delete is under way: nothing more to do
            earliest = min(earliest, child.expire_at)
        if state == _INSTALLED:
            earliest = min(earliest, child.next_rekey_at)
            if child.retry_at is None and child.soft_kilobytes_reached():
                earliest = min(earliest, sa.ctx.now)  # its volume calls for a rekey now
    return None if earliest == INFINITY else earliest


def _children_due(sa: IkeSa, now: float) -> bool:
    for child in list(sa.children):
        if now >= child.expire_at:
            informational.delete_child(sa, child.spi_in, "Lifetime expired")
        elif child.state == ChildState.INSTALLED and (
            now >= child.next_rekey_at
            or (child.retry_at is None and child.soft_kilobytes_reached())
        ):
            child_create.start_rekey(sa, child.spi_in)
    return False


# --- liveness -------------------------------------------------------------------------------


def _dead_peer_detection(sa: IkeSa, now: float) -> bool:
    """IOS DPD. A peer not heard from (no IKE message, no ESP on a Child SA of ``sa``) for
    `dpd INTERVAL` seconds gets a liveness check: in periodic mode at once; on-demand only
    once traffic is sent to it after those INTERVAL seconds of silence (a reply sent just
    after its last packet does not count). Looked at again when the silence reaches
    INTERVAL, then every INTERVAL seconds, or every second while traffic goes out to a
    peer silent that long."""
    dpd = sa.profile.dpd if sa.profile else None
    assert dpd is not None
    last_sent = _note_esp(sa)
    silent_enough = sa.last_heard + dpd.interval
    if now < silent_enough:
        sa.dpd_next = silent_enough
        return False
    if dpd.mode == "periodic" or last_sent >= silent_enough:
        informational.start_dpd(sa)
        sa.dpd_next = now + dpd.interval
        return False
    sending = sa.last_heard < last_sent and sa.dpd_sent_seen < last_sent
    sa.dpd_sent_seen = last_sent
    sa.dpd_next = now + (ON_DEMAND_LOOK if sending else dpd.interval)
    return False


def _note_esp(sa: IkeSa) -> float:
    """Counts ESP from the peer on ``sa``'s Child SAs as hearing from it; returns when ESP
    was last sent on them (-inf for never, or when no ESP layer tells)."""
    last_sent = -INFINITY
    traffic = sa.ctx.traffic
    if traffic is None:
        return last_sent
    for child in sa.children:
        seen = traffic.last_traffic(child.spi_in)
        if seen is None:
            continue
        sent, received = seen
        last_sent = max(last_sent, sent)
        if received > sa.last_heard:
            sa.last_heard = received
    return last_sent


def _keepalive(sa: IkeSa, now: float) -> bool:
    """RFC 3948 section 2.3: a one-octet datagram keeps this side's NAT mapping open."""
    keepalive = sa.nat_keepalive
    assert keepalive
    sa.keepalive_next = now + keepalive
    if sa.local.port == NAT_T_PORT:
        sa.ctx.send(sa.local, sa.remote, NAT_KEEPALIVE)
    return False


DEADLINES = (
    Deadline(("established_at", "closed", "initiator"), _half_open_at, _half_open_expired, False),
    Deadline(("established_at", "lifetime"), lambda sa: sa.expire_at, expire),
    Deadline(("delete_deadline",), lambda sa: sa.delete_deadline, _delete_wait_over),
    Deadline(("redundant_deadline",), lambda sa: sa.redundant_deadline, _redundant_not_deleted),
    Deadline(("deferred",), _deferred_at, _start_deferred),
    Deadline(
        (
            "established_at",
            "lifetime",
            "deleting",
            "rekeyed_to",
            "own_rekey",
            "ike_rekey_retry_at",
            "queue",
            "initiator",
        ),
        _ike_rekey_at,
        _rekey,
    ),
    Deadline(("children",), _children_at, _children_due),
    Deadline(("dpd_next",), lambda sa: sa.dpd_next, _dead_peer_detection),
    Deadline(("keepalive_next",), lambda sa: sa.keepalive_next, _keepalive),
)
# An established SA stops having deadlines when it closes or starts deleting.
DEADLINE_INPUTS = frozenset({"closed", "deleting", *(i for d in DEADLINES for i in d.inputs)})
# What next_deadline reads of an established SA, and of one that is not: gathered once, as it
# runs after every input for every SA the input touched.
_ESTABLISHED_AT = tuple(deadline.at for deadline in DEADLINES)
_NOT_ESTABLISHED_AT = tuple(deadline.at for deadline in DEADLINES if not deadline.established_only)


def next_deadline(sa: IkeSa) -> float | None:
    """The earliest time `check` or a retransmission has something to do for ``sa``. Runs
    after every input for every SA it touched."""
    earliest = INFINITY
    for request in sa.requests.outstanding.values():
        if request.next_at < earliest:
            earliest = request.next_at
    for deadline_at in _ESTABLISHED_AT if sa.established else _NOT_ESTABLISHED_AT:
        at = deadline_at(sa)
        if at is not None and at < earliest:
            earliest = at
    return None if earliest == INFINITY else earliest


def check(sa: IkeSa, now: float) -> None:
    """Does what is due for ``sa`` at ``now``, in DEADLINES order."""
    for deadline in DEADLINES:
        if deadline.established_only and not sa.established:
            return
        at = deadline.at(sa)
        if at is not None and now >= at and deadline.fire(sa, now):
            return
