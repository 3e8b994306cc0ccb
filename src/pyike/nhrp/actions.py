"""What the NHRP engine asks its host to do, and what it needs to ask the host's routing.

Every engine method returns a list of actions, in order; the host carries them out:

- `SendNhrp`: send `packet` to `nbma` inside GRE (protocol type 0x2001) from the tunnel's
  source. With `tunnel protection`, hold it until the crypto SA to that NBMA is up.
- `NeedCryptoSa`: bring up IKE/IPsec to `nbma` (GRE between the tunnel source and it) if it
  is not up; the engine asks once per NBMA until it releases it.
- `ReleaseCryptoSa`: no NHRP entry leads to `nbma` any more: its SAs may go (spoke to spoke).
- `InstallRoute` / `RemoveRoute`: an NHRP route (`H`, administrative distance 250) for
  `prefix` via `next_hop` out the tunnel, or, when `override`, the next-hop override of the
  routing table's own route for that prefix (`%` in `show ip route`).
- `Debug`: a line of `debug nhrp` output; shown when any of its `kinds` is being debugged.
- `Syslog`: a message IOS logs whatever is debugged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from pyike.nhrp.codec import IPAddress, IPNetwork


class DebugKind(enum.Enum):
    """The `debug nhrp` variant a line belongs to."""

    GENERAL = "debug nhrp"
    PACKET = "debug nhrp packet"
    CACHE = "debug nhrp cache"
    ERROR = "debug nhrp error"


@dataclass(frozen=True)
class SendNhrp:
    nbma: IPAddress
    packet: bytes = field(repr=False)  # it carries the cleartext `ip nhrp authentication`


@dataclass(frozen=True)
class NeedCryptoSa:
    nbma: IPAddress


@dataclass(frozen=True)
class ReleaseCryptoSa:
    nbma: IPAddress


@dataclass(frozen=True)
class InstallRoute:
    prefix: IPNetwork
    next_hop: IPAddress
    nbma: IPAddress
    override: bool = False


@dataclass(frozen=True)
class RemoveRoute:
    prefix: IPNetwork
    next_hop: IPAddress
    override: bool = False


@dataclass(frozen=True)
class Debug:
    text: str
    kinds: frozenset[DebugKind] = frozenset({DebugKind.GENERAL})


@dataclass(frozen=True)
class Syslog:
    text: str


Action = SendNhrp | NeedCryptoSa | ReleaseCryptoSa | InstallRoute | RemoveRoute | Debug | Syslog


@dataclass(frozen=True)
class Route:
    """The routing table's answer for a destination: the matching prefix, its next hop (None
    when the destination is directly connected), whether it leaves by this NHRP tunnel, and
    whether it is an NHRP route itself."""

    prefix: IPNetwork
    next_hop: IPAddress | None
    via_tunnel: bool
    nhrp: bool = False


class Routing(Protocol):
    """The host's routing table, asked (never changed) by the engine."""

    def lookup(self, destination: IPAddress) -> Route | None: ...


@dataclass(frozen=True)
class Forwarding:
    """Where a data packet for an overlay next hop goes: the NBMA address (None: nowhere, drop
    it), and what the engine wants done meanwhile (a resolution started, ...)."""

    nbma: IPAddress | None
    actions: list[Action]
