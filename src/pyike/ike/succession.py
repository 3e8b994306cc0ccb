"""An IKE SA and the SA that replaces it after a rekey (RFC 7296 sections 1.3.2 and 2.8): what
the new SA inherits, how the Child SAs and the queued work move over, and how the old SA
leaves once it is replaced."""

from __future__ import annotations

from pyike.ike.events import ChildSaMoved
from pyike.ike.ike_sa import IkeSa
from pyike.ike.states import State


def inherit(old: IkeSa, new: IkeSa) -> None:
    """Copies what the new SA inherits from the old one."""
    new.profile = old.profile
    new.local_id = old.local_id
    new.remote_id = old.remote_id
    new.tunnel = old.tunnel
    new.lifetime = old.lifetime
    new.proposals = old.proposals
    new.nat = old.nat
    new.frag_peer = old.frag_peer
    new.peer_vendors = set(old.peer_vendors)
    new.machine.state = State.READY


def activate(old: IkeSa, new: IkeSa) -> None:
    """The rekeyed SA is up: it joins the SA table and starts its own timers."""
    ctx = new.ctx
    inherit(old, new)
    new.rekeyed_from = old.sa_id
    new.established_at = ctx.now
    new.last_heard = ctx.now
    ctx.add(new, new.own_spi)
    ctx.info(None, "New ikev2 sa request activated")
    new.announce(rekeyed_from=old.sa_id)


def move_children(old: IkeSa, new: IkeSa) -> None:
    """Hands the Child SAs, and the work queued for them, to the new IKE SA."""
    new.ctx.touched.add(new.sa_id)
    for child in old.children:
        new.children.append(child)
        new.ctx.emit(ChildSaMoved(new.ctx.now, child.spi_in, old.sa_id, new.sa_id))
    old.children = []
    old.rekeyed_to = new
    new.adopt_tasks(old)


def successor_of(old: IkeSa) -> IkeSa | None:
    """The SA that replaces ``old``: the one this side settled on, else the one the peer
    made by its own rekey (when the peer deletes the old SA, the peer's rekey won: either
    ours never reached it or it lost the nonce comparison)."""
    new = old.rekeyed_to
    while new is not None and new.closed and new.rekeyed_to is not None:
        new = new.rekeyed_to  # rekeyed again since: the Child SAs are on its successor
    if new is not None and not new.closed:
        return new
    for outcome in reversed(old.rekeys_answered):
        if not outcome.new.closed:
            return outcome.new
    return None


def claim_children(new: IkeSa) -> None:
    """The peer sent a request on ``new``, so it has moved everything there: a rekeyed SA
    still waiting for its delete hands its children over now."""
    for old in new.ctx.by_successor.get(new.sa_id):
        if old is not new and old.rekeyed_to is new and old.children and not old.closed:
            old.info("Peer uses the rekeyed IKE SA: moving the Child SAs to it")
            move_children(old, new)


def retire(old: IkeSa, reason: str = "IKE SA rekeyed") -> None:
    """Closes an old SA whose successor is known, handing the children over first."""
    successor = successor_of(old)
    if successor is not None:
        move_children(old, successor)
        old.close(reason, moved=True)
    else:
        old.close(reason)
