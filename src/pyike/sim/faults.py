"""Fault injection on a virtual link: drop, duplicate or delay chosen packets.

A rule applies to the packets its `match` selects (all packets without one), counted from 1
in the order they are sent: `nth=3` hits the third matching packet, `nth=None` every one.
`probability` makes a rule random, drawn from the random source the network was given.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, field

PacketMatch = Callable[[bytes], bool]


class FaultAction(enum.Enum):
    DROP = "drop"
    DUPLICATE = "duplicate"
    DELAY = "delay"


@dataclass
class FaultRule:
    action: FaultAction
    nth: int | None = None
    match: PacketMatch | None = None
    delay: float = 0.0  # DELAY: extra seconds; DUPLICATE: gap before the copy
    probability: float | None = None
    seen: int = 0
    hits: int = 0

    def applies(self, packet: bytes, rng: random.Random) -> bool:
        if self.match is not None and not self.match(packet):
            return False
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.hits += 1
        return True


@dataclass(frozen=True)
class Fate:
    """What happens to one packet: the delays at which copies arrive (empty: dropped)."""

    arrivals: tuple[float, ...]

    @property
    def dropped(self) -> bool:
        return not self.arrivals


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def drop_nth(self, n: int, match: PacketMatch | None = None) -> FaultRule:
        return self.add(FaultRule(FaultAction.DROP, nth=n, match=match))

    def duplicate_nth(
        self, n: int, match: PacketMatch | None = None, gap: float = 0.0
    ) -> FaultRule:
        return self.add(FaultRule(FaultAction.DUPLICATE, nth=n, match=match, delay=gap))

    def delay_nth(self, n: int, seconds: float, match: PacketMatch | None = None) -> FaultRule:
        return self.add(FaultRule(FaultAction.DELAY, nth=n, match=match, delay=seconds))

    def loss(self, rate: float, match: PacketMatch | None = None) -> FaultRule:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("loss rate must be between 0 and 1")
        return self.add(FaultRule(FaultAction.DROP, match=match, probability=rate))

    def block(self, match: PacketMatch) -> FaultRule:
        """Drop every packet `match` selects (e.g. UDP 500 between two addresses)."""
        return self.add(FaultRule(FaultAction.DROP, match=match))

    def clear(self) -> None:
        self.rules.clear()

    def fate(self, packet: bytes, base_delay: float, rng: random.Random) -> Fate:
        arrivals = [base_delay]
        for rule in self.rules:
            if not rule.applies(packet, rng):
                continue
            if rule.action is FaultAction.DROP:
                return Fate(())
            if rule.action is FaultAction.DELAY:
                arrivals = [t + rule.delay for t in arrivals]
            else:
                arrivals.append(arrivals[-1] + rule.delay)
        return Fate(tuple(arrivals))
