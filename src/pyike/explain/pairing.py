"""Both ends of a tunnel: the IKE SA in one log that is the same IKE SA in another.

Two timelines from different logs are one IKE SA seen from both ends when their SPIs are the
same, or, where a log shows no SPIs (charon below level 3, pluto), when their exchanges are
the same: the same types and message IDs, one side the requester where the other responds,
at times that differ by one clock offset. The offset is what the second log's clock reads
minus what the first's does for the same message (its median over every message both logs
show, so the network's delay averages out), and it must hold for all pairs of two logs.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from itertools import pairwise

from pyike.explain.lines import Stamp
from pyike.explain.model import Exchange, Message, Timeline
from pyike.explain.timeline import ERROR_NOTIFIES

# How far two message times may stray from the logs' offset and still be the same message:
# one-second log stamps, and a peer's processing time.
_TOLERANCE = 2.0
_DAY = 86400.0


@dataclass
class Pair:
    """One IKE SA in two logs: `first` from the earlier log given, `second` from the other."""

    first: Timeline
    second: Timeline
    how: str  # "SPIs" or "messages"
    exchanges: list[tuple[Exchange, Exchange]] = field(default_factory=list)
    offset: float | None = None  # seconds: the second log's clock minus the first's


@dataclass
class Pairing:
    pairs: list[Pair] = field(default_factory=list)
    offsets: dict[tuple[str, str], float] = field(default_factory=dict)  # by (first, second)
    unpaired: list[tuple[str, str]] = field(default_factory=list)  # logs with nothing in common

    def partner(self, timeline: Timeline) -> tuple[Pair, Timeline] | None:
        for pair in self.pairs:
            if pair.first is timeline:
                return pair, pair.second
            if pair.second is timeline:
                return pair, pair.first
        return None


def absolute(stamp: Stamp | None) -> float | None:
    """A timestamp as seconds that grow across days (a year's order is enough here)."""
    if stamp is None:
        return None
    if stamp.month == 0:
        return stamp.seconds  # an uptime
    return (stamp.month * 31 + stamp.day) * _DAY + stamp.seconds


def _same_exchanges(first: Timeline, second: Timeline) -> list[tuple[Exchange, Exchange]]:
    """Exchanges both timelines show: same type and message ID, opposite parts in them."""
    matched = []
    used: set[int] = set()
    for ours in first.exchanges:
        for index, theirs in enumerate(second.exchanges):
            if index in used or ours.type != theirs.type:
                continue
            if (
                ours.msg_id is not None
                and theirs.msg_id is not None
                and ours.msg_id != theirs.msg_id
            ):
                continue
            if ours.role and theirs.role and ours.role == theirs.role:
                continue
            matched.append((ours, theirs))
            used.add(index)
            break
    return matched


def _message_offsets(exchanges: list[tuple[Exchange, Exchange]]) -> list[float]:
    out = []
    for ours, theirs in exchanges:
        for mine, other in ((ours.request, theirs.request), (ours.response, theirs.response)):
            a, b = _time(mine), _time(other)
            if a is not None and b is not None:
                out.append(b - a)
    return out


def _time(message: Message | None) -> float | None:
    return absolute(message.stamp) if message is not None else None


def _host(address: str) -> str:
    return address.rsplit(":", 1)[0] if address.count(":") == 1 or "]" in address else address


def _addresses_fit(first: Timeline, second: Timeline) -> bool:
    """Each end's peer is the other, by at least one address (the other may be NAT'd)."""
    if not (first.local and first.remote and second.local and second.remote):
        return True
    return _host(first.remote) == _host(second.local) or _host(first.local) == _host(second.remote)


def _same_errors(ours: Exchange, theirs: Exchange) -> bool:
    """A message both logs show carries the same error notifies in both (when both list)."""
    for mine, other in ((ours.request, theirs.request), (ours.response, theirs.response)):
        if mine is None or other is None or not (mine.notifies and other.notifies):
            continue
        if _errors(mine) != _errors(other):
            return False
    return True


def _errors(message: Message) -> set[str]:
    return {name for name in message.notifies if name in ERROR_NOTIFIES}


def _roles_fit(first: Timeline, second: Timeline) -> bool:
    return not first.role or not second.role or first.role != second.role


def _candidate(first: Timeline, second: Timeline) -> Pair | None:
    if first.spi_i and second.spi_i:
        if first.spi_i != second.spi_i:
            return None
        pair = Pair(first, second, "SPIs", _same_exchanges(first, second))
    else:
        if not _roles_fit(first, second) or not _addresses_fit(first, second):
            return None
        exchanges = _same_exchanges(first, second)
        if not exchanges or exchanges[0][0].type != first.exchanges[0].type:
            return None
        if not all(_same_errors(ours, theirs) for ours, theirs in exchanges):
            return None
        pair = Pair(first, second, "messages", exchanges)
    offsets = _message_offsets(pair.exchanges)
    if offsets:
        pair.offset = statistics.median(offsets)
        if max(abs(value - pair.offset) for value in offsets) > _TOLERANCE:
            return None  # the same shapes at times no single clock offset explains
    return pair


def pair_logs(timelines: list[Timeline], sources: list[str]) -> Pairing:
    """Pair the IKE SAs of each two logs given (one per router or daemon)."""
    pairing = Pairing()
    for first_source, second_source in _log_pairs(sources):
        firsts = [tl for tl in timelines if tl.source == first_source]
        seconds = [tl for tl in timelines if tl.source == second_source]
        candidates = [
            pair
            for first in firsts
            for second in seconds
            if (pair := _candidate(first, second)) is not None
        ]
        chosen = _consistent(candidates)
        if not chosen:
            if firsts and seconds:
                pairing.unpaired.append((first_source, second_source))
            continue
        pairing.pairs.extend(chosen)
        offsets = [pair.offset for pair in chosen if pair.offset is not None]
        if offsets:
            pairing.offsets[(first_source, second_source)] = statistics.median(offsets)
    return pairing


def _log_pairs(sources: list[str]) -> list[tuple[str, str]]:
    """Each log with the next one given: two logs are the two ends of one tunnel."""
    return list(pairwise(dict.fromkeys(sources)))


def _consistent(candidates: list[Pair]) -> list[Pair]:
    """Each timeline in at most one pair: the pairs with the most exchanges in common first,
    and only those whose offset agrees with the logs' (the best-matched pair's)."""
    ordered = sorted(candidates, key=lambda pair: (pair.how != "SPIs", -len(pair.exchanges)))
    reference = next((pair.offset for pair in ordered if pair.offset is not None), None)
    chosen: list[Pair] = []
    taken: set[int] = set()
    for pair in ordered:
        if id(pair.first) in taken or id(pair.second) in taken:
            continue
        off = reference is not None and pair.offset is not None
        if off and abs(pair.offset - reference) > _TOLERANCE:  # type: ignore[operator]
            continue
        chosen.append(pair)
        taken.update((id(pair.first), id(pair.second)))
    return sorted(chosen, key=lambda pair: pair.first.first_line)
