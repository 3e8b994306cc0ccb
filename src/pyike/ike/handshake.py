"""The IKE SA's own machine: IKE_SA_INIT then IKE_AUTH, which IOS runs as one state machine
(I_BLD_INIT ... READY on the initiator, R_INIT ... READY on the responder). Its table is the
tables of the two exchanges' halves, of the AUTH_DONE tail and of the failure path, each run
by the part that declares it."""

from __future__ import annotations

from typing import ClassVar

from pyike.codec import Message, NotifyPayload, Payload, SaPayload
from pyike.codec.registry import NotifyType
from pyike.ike.aaa_authorization import AaaAuthorization
from pyike.ike.aaa_keys import AaaKeys
from pyike.ike.child_sa import ChildSa
from pyike.ike.eap_auth import EapInitiator, EapResponder
from pyike.ike.eap_directory import AuthorizationAnswer, EapRelayAnswer, PskAnswer
from pyike.ike.events import NegotiationFailed
from pyike.ike.fsm import Step, Table, delegate, transitions
from pyike.ike.ike_auth import AuthDone, AuthInitiator, AuthResponder
from pyike.ike.ike_init import InitInitiator, InitResponder
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import TunnelSpec
from pyike.ike.signatures import PeerInit
from pyike.ike.states import EV, Event, State
from pyike.ike.task import Steps


class Failure(Steps):
    """How a failed handshake ends, as IOS ends it: EV_FAIL takes the machine to EXIT, which
    aborts pending work and deletes the SA."""

    TRANSITIONS = transitions(
        """
        *     EV_FAIL               -> EV_ABORT              EXIT
        EXIT  EV_ABORT              abort
        EXIT  EV_CHK_PENDING_ABORT  -> EV_UPDATE_CAC_STATS
        EXIT  EV_UPDATE_CAC_STATS   delete
        """
    )

    def __init__(self, sa: IkeSa) -> None:
        self.sa = sa
        self.reason = "negotiation failed"

    def fail(self, reason: str, notify: NotifyType | None = None, *, sent: bool = False) -> Event:
        """Records why, tells the host, and returns the event that ends the machine."""
        sa = self.sa
        self.reason = reason
        sa.error(reason)
        sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason, sent))
        return EV.EV_FAIL

    def abort(self) -> Event:
        self.sa.info("Abort exchange")
        return EV.EV_CHK_PENDING_ABORT

    def delete(self) -> None:
        self.sa.close(self.reason)
        return None


def _parts(*tables: tuple[str, Table]) -> dict[tuple[State | None, Event], Step]:
    merged: dict[tuple[State | None, Event], Step] = {}
    for part, table in tables:
        merged.update(delegate(table, part))
    return merged


class Handshake:
    INITIATOR: ClassVar[Table] = _parts(
        ("failure", Failure.TRANSITIONS),
        ("init", InitInitiator.TRANSITIONS),
        ("auth", AuthInitiator.TRANSITIONS),
        ("eap", EapInitiator.TRANSITIONS),
        ("done", AuthDone.TRANSITIONS),
    )
    RESPONDER: ClassVar[Table] = _parts(
        ("failure", Failure.TRANSITIONS),
        ("init", InitResponder.TRANSITIONS),
        ("auth", AuthResponder.TRANSITIONS),
        ("eap", EapResponder.TRANSITIONS),
        ("keys", AaaKeys.TRANSITIONS),
        ("authz", AaaAuthorization.TRANSITIONS),
        ("done", AuthDone.TRANSITIONS),
    )

    def __init__(self, sa: IkeSa, tunnel: TunnelSpec | None) -> None:
        self.sa = sa
        self.tunnel = tunnel
        self.inbound: Message | None = None
        self.payloads: list[Payload] = []
        self.child_offer: SaPayload | None = None
        self.child_spi = b""
        self.first_child: ChildSa | None = None
        self.peer_initial_contact = False
        self.peer_init = PeerInit()  # the peer's CERTREQ and hash algorithms
        self.failure = Failure(sa)
        self.init: InitInitiator | InitResponder
        self.auth: AuthInitiator | AuthResponder
        self.eap: EapInitiator | EapResponder
        if sa.initiator:
            self.init, self.auth = InitInitiator(self), AuthInitiator(self)
            self.eap = EapInitiator(self)
        else:
            self.init, self.auth = InitResponder(self), AuthResponder(self)
            self.eap = EapResponder(self)
        self.keys = AaaKeys(self)
        self.authz = AaaAuthorization(self)
        self.done = AuthDone(self)
        self.table = self.INITIATOR if sa.initiator else self.RESPONDER

    def run(self, event: Event) -> None:
        self.sa.machine.run(event, self.table, self)

    def close(self) -> None:
        """Empties the handshake once the engine has dropped it (its SA is up or gone, and
        nothing reaches it any more). Its parts refer back to it: emptied, it no longer refers
        to them, so reference counting frees its messages, keys and parts at once instead of
        leaving some thirty objects per IKE SA to the cyclic collector (DESIGN.md, Per-SA
        cost)."""
        vars(self).clear()

    def info(self, text: str) -> None:
        self.sa.info(text)

    def deliver(self, message: Message, payloads: list[Payload], event: Event) -> None:
        self.inbound = message
        self.payloads = payloads
        if not message.header.response:
            # IOS traces a request under the message id it arrived with (IKE_AUTH: 1).
            self.sa.trace_msg_id = message.header.message_id
        self.run(event)

    @property
    def eap_client(self) -> EapInitiator:
        assert isinstance(self.eap, EapInitiator)
        return self.eap

    @property
    def aaa_attributes(self) -> tuple[str, ...]:
        """What AAA gave with its Access-Accept of the peer's EAP or of its pre-shared keys
        (`aaa authorization user eap|psk cached`); none for other peers."""
        eap = self.eap.attributes if isinstance(self.eap, EapResponder) else ()
        return eap or self.keys.attributes

    def psk_answer(self, answer: PskAnswer) -> None:
        if self.keys.take_answer(answer):
            self.run(EV.EV_AAA_ANSWER)

    def authorization_answer(self, answer: AuthorizationAnswer) -> None:
        if self.authz.take_answer(answer):
            self.run(EV.EV_AAA_AUTHOR_ANSWER)

    def eap_answer(self, answer: EapRelayAnswer) -> None:
        if isinstance(self.eap, EapResponder) and self.eap.take_answer(answer):
            self.run(EV.EV_AAA_ANSWER)

    def auth_request_event(self, message_id: int) -> Event | None:
        """What an IKE_AUTH request with ``message_id`` brings now: the first (message 1),
        or an EAP round (ike/eap_auth.py); None when none is expected."""
        if self.sa.machine.state == State.R_WAIT_AUTH:
            return EV.EV_RECV_AUTH if message_id == 1 else None
        return self.eap.awaited() if isinstance(self.eap, EapResponder) else None

    def fail(self, reason: str, notify: NotifyType | None = None, *, sent: bool = False) -> Event:
        return self.failure.fail(reason, notify, sent=sent)

    def notifies(self) -> list[NotifyPayload]:
        return [p for p in self.payloads if isinstance(p, NotifyPayload)]

    def notify(self, kind: NotifyType) -> NotifyPayload:
        """The received notify of type `kind` (the caller has seen that there is one)."""
        return next(p for p in self.notifies() if p.notify_type == kind)
