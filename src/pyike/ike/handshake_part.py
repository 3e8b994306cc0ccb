"""What the parts of the IKE SA's own machine (handshake.py) share: the handshake and its SA;
and for the initiator's halves of IKE_SA_INIT and IKE_AUTH, a request whose response or
time-out drives the machine."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pyike.codec import Message, Payload
from pyike.codec.registry import ExchangeType
from pyike.ike.states import EV, Event
from pyike.ike.task import Steps

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake


class HandshakePart(Steps):
    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa


class HandshakeRequest(HandshakePart):
    """The initiator's half of ``exchange``: its response arrives as the event ``received``."""

    exchange: ClassVar[ExchangeType]
    received: ClassVar[Event]

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.h.deliver(message, payloads, self.received)

    def on_timeout(self) -> None:
        self.h.run(EV.EV_RE_XMT_EXCEED)

    def retransmits_exceeded(self) -> Event:
        return self.h.fail(f"Maximum number of retransmissions reached ({self.exchange.name})")
