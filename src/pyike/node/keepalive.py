"""GRE keepalives on a point-to-point GRE tunnel (`keepalive [PERIOD [RETRIES]]`), as IOS
runs them: every PERIOD seconds the tunnel sends its probe (the peer's reply, built here:
`pyike.node.gre.keepalive_probe`) and counts it; a reply resets the count. Once RETRIES
probes in a row went unanswered the line protocol goes down; it stays down, probes still
going out, until a reply arrives."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.config.model import Keepalive


@dataclass
class KeepaliveState:
    settings: Keepalive
    unanswered: int = 0  # probes sent since the last reply
    down: bool = False  # the line protocol is down for want of replies
    sent: int = 0
    replies: int = 0

    def probe(self) -> bool:
        """A probe is due: counts it. True when the line protocol goes down now."""
        going_down = not self.down and self.unanswered >= self.settings.retries
        if going_down:
            self.down = True
        self.unanswered += 1
        self.sent += 1
        return going_down

    def answered(self) -> bool:
        """A reply arrived: True when the line protocol comes back up."""
        self.replies += 1
        self.unanswered = 0
        coming_up, self.down = self.down, False
        return coming_up


__all__ = ["KeepaliveState"]
