"""Tunnel or transport mode for a Child SA, as IOS negotiates it (RFC 7296 section 1.3.1,
USE_TRANSPORT_MODE), in IKE_AUTH and CREATE_CHILD_SA alike:

- the initiator asks for transport mode when its first transform set says `mode transport`
  (a rekey asks for the mode of the SA it replaces, so a rekey never changes the mode);
- a responder answers transport mode when asked and its chosen set allows it, tunnel mode
  (no notify) otherwise; a set with `mode transport require` is chosen only when asked;
- the initiator takes tunnel mode when the answer has no USE_TRANSPORT_MODE, unless its set
  requires transport mode;
- transport mode only ever carries the peers' own traffic: selectors host to host between
  the two IKE endpoints (behind a NAT, the peer's inner address may differ from the one it
  is seen at); an SA in transport mode for anything else is never installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pyike.codec import Payload
from pyike.codec.notify_data import empty_notify
from pyike.codec.registry import NotifyType
from pyike.ike.events import IPAddress
from pyike.ike.policy import TransformSetSpec
from pyike.ike.proposals import ChildTransform
from pyike.ike.task import first_notify
from pyike.traffic_selector import TrafficSelector

# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_USE_TRANSPORT_MODE = NotifyType.USE_TRANSPORT_MODE

TRANSPORT = "transport"
TUNNEL = "tunnel"


def asks_transport(transform_sets: Sequence[TransformSetSpec]) -> bool:
    """Whether an initiator offering `transform_sets` asks for transport mode."""
    return bool(transform_sets) and transform_sets[0].mode == TRANSPORT


def notifies(transport: bool) -> list[Payload]:
    """The USE_TRANSPORT_MODE notify a request or response carries, if any."""
    return [empty_notify(NotifyType.USE_TRANSPORT_MODE)] if transport else []


def carries_transport(payloads: Sequence[Payload]) -> bool:
    return first_notify(list(payloads), _USE_TRANSPORT_MODE) is not None


def peers_own(
    local_ts: Sequence[TrafficSelector],
    remote_ts: Sequence[TrafficSelector],
    local: IPAddress,
    remote: IPAddress,
    nat: bool,
) -> bool:
    """One selector each side, each a single host: this side's and the peer's addresses
    (behind a NAT the addresses may be the hosts' own, not those seen on the wire)."""
    if len(local_ts) != 1 or len(remote_ts) != 1:
        return False
    mine, theirs = local_ts[0], remote_ts[0]
    if mine.start != mine.end or theirs.start != theirs.end:
        return False
    return nat or (mine.start == local and theirs.start == remote)


def settle(transform: ChildTransform, transport: bool) -> ChildTransform:
    mode = TRANSPORT if transport else TUNNEL
    return transform if transform.mode == mode else replace(transform, mode=mode)


def responder_transport(transform: ChildTransform, asked: bool, own_traffic: bool) -> bool:
    """A responder answers transport mode when asked, its set allows it and the selectors
    are the peers' own."""
    return asked and transform.mode == TRANSPORT and own_traffic


def initiator_refusal(
    transform: ChildTransform, asked: bool, answered: bool, own_traffic: bool
) -> str | None:
    """Why the initiator cannot take the mode the responder answered, or None."""
    if answered and not asked:
        return "the peer answered USE_TRANSPORT_MODE, which was not asked for"
    if answered and not own_traffic:
        return "the peer answered transport mode for more than the peers' own traffic"
    if transform.transport_required and not answered:
        return (
            f"transform set {transform.transform_set} requires transport mode (mode "
            "transport require) and the peer answered tunnel mode"
        )
    return None


def rekey_refusal(old: ChildTransform, new: ChildTransform) -> str | None:
    """A rekey keeps the mode of the SA it replaces."""
    if old.mode == new.mode:
        return None
    return f"the rekey would change the mode from {old.mode} to {new.mode}"


__all__ = [
    "TRANSPORT",
    "TUNNEL",
    "asks_transport",
    "carries_transport",
    "initiator_refusal",
    "notifies",
    "peers_own",
    "rekey_refusal",
    "responder_transport",
    "settle",
]
