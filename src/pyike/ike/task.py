"""The one shape every exchange has: an initiator half (`Request`: build the request, process
the response) and a responder half (`Response`: process the request, build the response),
each a state machine whose table is data (fsm.py).

A request waits in its IKE SA's queue until the peer's window has room (RFC 7296 section
2.3); a response is made for one request and answers it. Each half runs on its own machine,
traced with the identity IOS prints for it (ExchangeTracer); the IKE SA's own handshake runs
IKE_SA_INIT and IKE_AUTH on the SA's machine (handshake.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pyike.codec import Message, NotifyPayload, Payload
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import window_size
from pyike.codec.registry import NotifyType
from pyike.ike.context import Context
from pyike.ike.fsm import Machine, Table, check_actions
from pyike.ike.states import EV, Event, State
from pyike.ike.trace import SmTracing

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa

# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_SET_WINDOW_SIZE = NotifyType.SET_WINDOW_SIZE


@dataclass
class ExchangeTracer(SmTracing):
    """The identity an exchange's SM Trace lines carry: for a Child SA exchange the parent IKE
    SA; for an IKE SA rekey the new SA (IOS prints the new SA's id and SPIs, as the seed's
    rekey shows)."""

    ctx: Context
    sa_id: int
    spi_i: bytes
    spi_r: bytes
    initiator: bool
    trace_msg_id: int = 0


class Steps:
    """A table of transitions and the actions it names (checked when the class is made)."""

    TRANSITIONS: ClassVar[Table] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        check_actions(cls, cls.TRANSITIONS)


class Exchange(Steps):
    """One half of an exchange on the IKE SA ``sa``, on a machine of its own."""

    sa: IkeSa
    machine: Machine

    def run(self, event: Event) -> None:
        self.machine.run(event, self.TRANSITIONS, self)

    def info(self, text: str) -> None:
        self.sa.info(text)

    def trace_exchange(self, initiator: bool, message_id: int) -> None:
        """A machine of its own, traced under the IKE SA's identity."""
        sa = self.sa
        self.tracer = ExchangeTracer(sa.ctx, sa.sa_id, sa.spi_i, sa.spi_r, initiator, message_id)
        self.machine = Machine(State.READY, self.tracer)


class Request(Exchange):
    """The initiator half. ``exclusive``: starts only when no other request is outstanding
    (an IKE SA rekey)."""

    name: ClassVar[str] = "request"
    exclusive: ClassVar[bool] = False

    def start(self, sa: IkeSa) -> None:
        """Builds and sends the request (or finds there is nothing left to do)."""
        raise NotImplementedError

    def abandon(self, sa: IkeSa, reason: str) -> None:
        """The SA goes away before the exchange finished."""

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        raise NotImplementedError

    def on_timeout(self) -> None:
        raise NotImplementedError


class Response(Exchange):
    """The responder half, made for the request ``payloads`` with ``message_id``."""

    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        self.sa = sa
        self.message_id = message_id
        self.payloads = payloads
        self.trace_exchange(sa.initiator, message_id)

    def respond(self) -> None:
        """Processes the request and answers it."""
        raise NotImplementedError

    def chk_pending(self) -> Event:
        sa = self.sa
        sa.info(
            f"Sent response with message id {self.message_id}, Requests can be accepted from "
            f"range {sa.responses.range_text}"
        )
        return EV.EV_NO_EVENT


def error_notify(payloads: list[Payload]) -> NotifyPayload | None:
    """The first error notify of a message."""
    return next((p for p in payloads if isinstance(p, NotifyPayload) and p.is_error), None)


def notify_name(value: int) -> str:
    try:
        return NotifyType(value).name
    except ValueError:
        return str(int(value))


def as_notify(value: int) -> NotifyType | None:
    try:
        return NotifyType(value)
    except ValueError:
        return None


def first_notify(payloads: list[Payload], kind: NotifyType) -> NotifyPayload | None:
    """The received notify of type ``kind``, if any."""
    return next(
        (p for p in payloads if isinstance(p, NotifyPayload) and p.notify_type == kind), None
    )


def take_peer_window(sa: IkeSa, payloads: list[Payload]) -> None:
    """The SET_WINDOW_SIZE the peer sent (with IKE_AUTH, or with the rekey that made ``sa``):
    how many of ``sa``'s requests it accepts at once."""
    notify = first_notify(payloads, _SET_WINDOW_SIZE)
    if notify is not None:
        try:
            sa.requests.peer_window = window_size(notify)
        except DecodeError:
            sa.error("Ignoring malformed SET_WINDOW_SIZE notify")
