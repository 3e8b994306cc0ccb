"""Traffic selectors: wire conversion and narrowing (RFC 7296 section 2.9).

A responder narrows the initiator's selectors to the intersection with its own policy (for a
VTI both are any/any, so nothing narrows). An initiator accepts an answer only if every
selector in it lies within what it proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pyike.bounded import remember
from pyike.codec import TrafficSelector as WireSelector
from pyike.codec import TsPayload
from pyike.traffic_selector import TrafficSelector


def to_payload(selectors: Sequence[TrafficSelector], initiator: bool) -> TsPayload:
    return _payload(tuple(selectors), initiator)


@lru_cache(maxsize=256)  # a tunnel's selectors go out in each of its negotiations
def _payload(selectors: tuple[TrafficSelector, ...], initiator: bool) -> TsPayload:
    wire = tuple(
        WireSelector(s.protocol, s.start_port, s.end_port, s.start, s.end) for s in selectors
    )
    return TsPayload(wire, initiator)


def from_payload(payload: TsPayload) -> tuple[TrafficSelector, ...]:
    """The address-range selectors of a TS payload (others cannot be enforced, so are
    dropped: the result may narrow to nothing)."""
    return tuple(
        TrafficSelector(s.start_address, s.end_address, s.ip_protocol, s.start_port, s.end_port)
        for s in payload.selectors
        if isinstance(s, WireSelector)
    )


def intersect(a: TrafficSelector, b: TrafficSelector) -> TrafficSelector | None:
    if a.start.version != b.start.version:
        return None
    if a.protocol and b.protocol and a.protocol != b.protocol:
        return None
    protocol = a.protocol or b.protocol
    start_port, end_port = max(a.start_port, b.start_port), min(a.end_port, b.end_port)
    # compared as integers: an address's own comparisons are Python code
    a_start, a_end, b_start, b_end = int(a.start), int(a.end), int(b.start), int(b.end)
    start = a.start if a_start >= b_start else b.start
    end = a.end if a_end <= b_end else b.end
    if start_port > end_port or max(a_start, b_start) > min(a_end, b_end):
        return None
    within = start is a.start and end is a.end and protocol == a.protocol
    if within and (start_port, end_port) == (a.start_port, a.end_port):
        return a  # a lies within b: the commonest case (narrowed by any/any, or by itself)
    return TrafficSelector(start, end, protocol, start_port, end_port)


def narrow(
    proposed: Sequence[TrafficSelector], configured: Sequence[TrafficSelector]
) -> tuple[TrafficSelector, ...]:
    """The parts of ``proposed`` that ``configured`` allows, without duplicates."""
    result: list[TrafficSelector] = []
    for c in configured:
        for p in proposed:
            narrowed = intersect(p, c)
            if narrowed is not None and narrowed not in result:
                result.append(narrowed)
    return tuple(result)


# narrowed's results by the identity of their two inputs, each kept with its entry (so that
# neither id is reused while the entry exists). Bounded: the payloads come from the network.
_NARROWED_LIMIT = 256
_narrowed: dict[
    tuple[int, int],
    tuple[TsPayload, Sequence[TrafficSelector], tuple[TrafficSelector, ...]],
] = {}


def narrowed(
    payload: TsPayload, configured: Sequence[TrafficSelector]
) -> tuple[TrafficSelector, ...]:
    """``narrow(from_payload(payload), configured)``, worked out once per pair of objects: a
    payload decoded from the same octets is the same object SA after SA (the codec shares it),
    and a tunnel's selectors are its own, so peers that offer the same selectors each time
    (any/any for a VTI) cost a lookup, not two selector conversions and intersections."""
    key = (id(payload), id(configured))
    known = _narrowed.get(key)
    if known is not None and known[0] is payload and known[1] is configured:
        return known[2]
    result = narrow(from_payload(payload), configured)
    remember(_narrowed, key, (payload, configured, result), _NARROWED_LIMIT)
    return result


def contains(outer: TrafficSelector, inner: TrafficSelector) -> bool:
    return intersect(outer, inner) == inner


def within(answer: Sequence[TrafficSelector], proposed: Sequence[TrafficSelector]) -> bool:
    return bool(answer) and all(any(contains(p, a) for p in proposed) for a in answer)
