"""Duplicate Child SAs: two Child SA pairs for the same tunnel and selectors on one IKE SA,
neither a rekey of the other.

They arise when both peers lose the tunnel's Child SA and each creates a new one
(CREATE_CHILD_SA without REKEY_SA) before it hears of the other's, and lost messages make the
two exchanges cross. They also arise when a peer deleted its Child SA and the DELETE was
lost: the peer creates a new one while this side still holds the stale one. One pair is
redundant and is deleted, and both sides keep the same one without talking, as for duplicate
IKE SAs (duplicates.py):

- the side that answers a creation while it holds a Child SA for the tunnel deletes that one:
  the peer asked because it has none (it deleted it, or its request crossed this side's
  creation), so the new pair replaces it;
- the side whose own creation completes while it holds a pair it answered for the peer's
  crossing creation applies the rule of RFC 7296 section 2.8.1: the pair whose exchange
  carried the lowest nonce is redundant, and its responder deletes it.

In every order the messages can take, exactly one of the two pairs is deleted, sometimes by
both sides at once (a harmless crossing of deletes for the same SA). A crypto map entry may
hold several Child SAs that differ in their selectors: those are not duplicates.
"""

from __future__ import annotations

from pyike.ike import informational
from pyike.ike.child_sa import ChildSa, ChildState
from pyike.ike.ike_sa import IkeSa

REASON = "Duplicate IPsec SA"


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


def _lowest_nonce(child: ChildSa) -> bytes:
    assert child.creation_nonces is not None
    return min(child.creation_nonces)


def redundant(sa: IkeSa, new: ChildSa) -> list[ChildSa]:
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
        and _lowest_nonce(c) < _lowest_nonce(new)
    ]


def delete_redundant(sa: IkeSa, new: ChildSa) -> None:
    for child in redundant(sa, new):
        tunnel = "" if child.tunnel is None else f" for {child.tunnel.name}"
        sa.info(f"{REASON} found{tunnel}: deleting IPsec SA [SPI: 0x{child.spi_in.hex().upper()}]")
        informational.delete_child(sa, child.spi_in, REASON)
