"""The SA's own state machine (IKE_SA_INIT then IKE_AUTH, as IOS runs them as one machine):
the state both exchanges share and the merged transition table."""

from __future__ import annotations

from pyike.codec import Message, NotifyPayload, Payload, SaPayload
from pyike.codec.registry import DhId, NotifyType
from pyike.ike.child_sa import ChildSa
from pyike.ike.failure import Failure
from pyike.ike.fsm import Action
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import TunnelSpec
from pyike.ike.states import Event, State


class Handshake:
    def __init__(self, sa: IkeSa, tunnel: TunnelSpec | None) -> None:
        from pyike.ike import ike_auth, ike_init

        self.sa = sa
        self.tunnel = tunnel
        self.inbound: Message | None = None
        self.payloads: list[Payload] = []
        self.failure = Failure(sa)
        self.group: DhId | None = None
        self.child_offer: SaPayload | None = None
        self.child_spi = b""
        self.first_child: ChildSa | None = None
        self.child_error: NotifyType | None = None
        self.peer_initial_contact = False
        self.table: dict[tuple[State | None, Event], Action] = {}
        self.table.update(self.failure.transitions())
        if sa.initiator:
            self.table.update(ike_init.InitInitiator(self).transitions())
            self.table.update(ike_auth.AuthInitiator(self).transitions())
        else:
            self.table.update(ike_init.InitResponder(self).transitions())
            self.table.update(ike_auth.AuthResponder(self).transitions())
        self.table.update(ike_auth.AuthDone(self).transitions())

    def run(self, event: Event) -> None:
        self.sa.machine.run(event, self.table)

    def deliver(self, message: Message, payloads: list[Payload], event: Event) -> None:
        self.inbound = message
        self.payloads = payloads
        if not message.header.response:
            # IOS traces a request under the message id it arrived with (IKE_AUTH: 1).
            self.sa.trace_msg_id = message.header.message_id
        self.run(event)

    def fail(self, reason: str, notify: NotifyType | None = None, *, sent: bool = False) -> Event:
        return self.failure.fail(reason, notify, sent=sent)

    def notifies(self) -> list[Payload]:
        return [p for p in self.payloads if isinstance(p, NotifyPayload)]

    def notify(self, kind: NotifyType) -> NotifyPayload:
        """The received notify of type `kind` (the caller has seen that there is one)."""
        return next(
            p for p in self.payloads if isinstance(p, NotifyPayload) and p.notify_type == kind
        )
