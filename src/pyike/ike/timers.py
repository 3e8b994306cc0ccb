"""Everything an IKE SA does on its own when time passes: half-open cleanup, IKE and Child SA
rekey and expiry, DPD (periodic and on-demand), NAT keepalives, and the responder's wait for
the old SA's delete after an IKE SA rekey."""

from __future__ import annotations

from pyike.ike import child_create, informational
from pyike.ike.child_sa import ChildState
from pyike.ike.events import NAT_T_PORT
from pyike.ike.ike_sa import IkeSa

NAT_KEEPALIVE = b"\xff"
INFINITY = float("inf")
# The original responder rekeys the IKE SA this much later than the initiator would, so that
# normally only one side starts (IOS offsets its timers the same way).
RESPONDER_REKEY_OFFSET = 0.05
# How soon on-demand DPD looks again at a peer silent for its interval while traffic is
# still being sent to it: the liveness check goes out at most this long after the first
# packet sent past the interval (IOS sends it with that packet).
ON_DEMAND_LOOK = 1.0


def established(sa: IkeSa) -> None:
    now = sa.ctx.now
    dpd = None if sa.profile is None else sa.profile.dpd
    sa.dpd_next = now + dpd.interval if dpd is not None else None
    keepalive = (sa.profile.nat_keepalive if sa.profile else None) or sa.ctx.settings.nat_keepalive
    sa.keepalive_next = now + keepalive if keepalive and sa.nat.local_behind_nat else None


def _dead_peer_detection(sa: IkeSa, now: float) -> None:
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
        return
    if dpd.mode == "periodic" or last_sent >= silent_enough:
        informational.start_dpd(sa)
        sa.dpd_next = now + dpd.interval
        return
    sending = sa.last_heard < last_sent and sa.dpd_sent_seen < last_sent
    sa.dpd_sent_seen = last_sent
    sa.dpd_next = now + (ON_DEMAND_LOOK if sending else dpd.interval)


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


def _ike_rekey_at(sa: IkeSa) -> float | None:
    at = sa.rekey_at
    if at is None or sa.deleting or sa.rekeyed_to is not None or sa.rekey_in_progress is not None:
        return None
    if any(t.exclusive for t in sa.queue):
        return None
    if sa.ike_rekey_retry_at is not None:
        return sa.ike_rekey_retry_at
    return at if sa.initiator else at + sa.lifetime * RESPONDER_REKEY_OFFSET


def next_deadline(sa: IkeSa) -> float | None:
    """The earliest time `check` or a retransmission has something to do for ``sa``. Runs
    after every input for every SA, so it builds no lists."""
    earliest = INFINITY
    for request in sa.requests.outstanding.values():
        if request.next_at < earliest:
            earliest = request.next_at
    if sa.half_open:
        earliest = min(earliest, sa.created_at + sa.ctx.settings.half_open_timeout)
    if sa.established:
        for value in (
            _ike_rekey_at(sa),
            sa.expire_at,
            sa.delete_deadline,
            sa.redundant_deadline,
            sa.dpd_next,
            sa.keepalive_next,
        ):
            if value is not None and value < earliest:
                earliest = value
        for at, _ in sa.deferred:
            if at < earliest:
                earliest = at
        for child in sa.children:
            state = child.state
            if state != ChildState.DELETING:  # its delete is under way: nothing more to do
                earliest = min(earliest, child.expire_at)
            if state == ChildState.INSTALLED:
                earliest = min(earliest, child.next_rekey_at)
    return None if earliest == INFINITY else earliest


def start_ike_rekey(sa: IkeSa) -> None:
    from pyike.ike.rekey import IkeRekeyTask

    if not sa.established or sa.deleting or sa.rekeyed_to is not None:
        return
    if sa.rekey_in_progress is not None:
        return
    sa.ike_rekey_retry_at = None
    sa.rekey_in_progress = "queued"
    sa.enqueue(IkeRekeyTask())


def check(sa: IkeSa, now: float) -> None:
    ctx = sa.ctx
    if sa.half_open and now >= sa.created_at + ctx.settings.half_open_timeout:
        sa.error("Half-open SA timed out waiting for IKE_AUTH")
        sa.close("Negotiation timed out")
        return
    if not sa.established:
        return
    expire = sa.expire_at
    if expire is not None and now >= expire:
        from pyike.ike.rekey import expire as expire_sa

        expire_sa(sa)
        return
    if sa.delete_deadline is not None and now >= sa.delete_deadline and not sa.deleting:
        from pyike.ike.rekey import retire

        sa.delete_deadline = None
        if sa.rekeyed_to is not None:
            sa.info("Peer did not delete the rekeyed SA in time")
            retire(sa)
            return
    if sa.redundant_deadline is not None and now >= sa.redundant_deadline:
        sa.redundant_deadline = None
        sa.info("Peer did not delete its redundant rekeyed SA in time")
        informational.delete_ike(sa, "Redundant rekeyed IKE SA")
        return
    due = [(at, task) for at, task in sa.deferred if now >= at]
    if due:
        sa.deferred = [(at, task) for at, task in sa.deferred if now < at]
        for _, task in due:
            sa.enqueue(task)
    rekey_at = _ike_rekey_at(sa)
    if rekey_at is not None and now >= rekey_at:
        start_ike_rekey(sa)
    for child in list(sa.children):
        if now >= child.expire_at:
            informational.delete_child(sa, child.spi_in, "Lifetime expired")
        elif child.state == ChildState.INSTALLED and (
            now >= child.next_rekey_at
            or (child.retry_at is None and child.soft_kilobytes_reached())
        ):
            child_create.start_rekey(sa, child.spi_in)
    if sa.dpd_next is not None and now >= sa.dpd_next:
        _dead_peer_detection(sa, now)
    if sa.keepalive_next is not None and now >= sa.keepalive_next:
        keepalive = (sa.profile.nat_keepalive if sa.profile else None) or ctx.settings.nat_keepalive
        assert keepalive
        sa.keepalive_next = now + keepalive
        if sa.local.port == NAT_T_PORT:
            ctx.send(sa.local, sa.remote, NAT_KEEPALIVE)
