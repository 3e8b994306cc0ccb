"""The CREATE_CHILD_SA exchange (RFC 7296 section 1.3), the part its three uses share: a new
Child SA, the rekey of a Child SA (child_create.py) and the rekey of the IKE SA
(ike_rekey.py) send, check and answer it the same way, with the states IOS names CHILD_I_*
and CHILD_R_*. Each use adds what it negotiates: its rows, its payloads, its keys."""

from __future__ import annotations

from typing import ClassVar

from pyike.codec import KePayload, Message, NotifyPayload, Payload
from pyike.codec.registry import ExchangeType, NotifyType, ProtocolId
from pyike.ike.events import NegotiationFailed
from pyike.ike.fsm import transitions
from pyike.ike.ike_sa import IkeSa
from pyike.ike.keying import Keying, KeyingError
from pyike.ike.states import EV, Event
from pyike.ike.task import Request, Response, as_notify, error_notify, notify_name


class CreateChildRequest(Request):
    """The initiator half."""

    COMMON = transitions(
        """
        # state        event                      action               next state
        CHILD_I_WAIT   EV_RECV_CREATE_CHILD       Action_Null -> EV_CHK4_NOTIFY  CHILD_I_PROC
        CHILD_I_WAIT   EV_RE_XMT_EXCEED           timed_out
        CHILD_I_PROC   EV_CHK4_NOTIFY             chk4_notify
        CHILD_I_PROC   EV_RECV_INVALID_KE         invalid_ke           EXIT
        CHILD_I_PROC   EV_VERIFY_MSG              verify_msg
        CHILD_I_PROC   EV_PROC_MSG                proc_msg
        CHILD_I_PROC   EV_GEN_DH_SECRET           gen_dh_secret
        CHILD_I_PROC   EV_OK_RECD_DH_SECRET_RESP  Action_Null -> EV_CHK_IKE_REKEY
        CHILD_I_DONE   EV_ACTIVATE_NEW_SA         activate
        CHILD_I_DONE   EV_UPDATE_CAC_STATS        -> EV_CHECK_DUPE
        CHILD_I_DONE   EV_CHECK_DUPE              -> EV_OK
        CHILD_I_DONE   EV_OK                      done                 EXIT
        *              EV_FAIL                    failed               EXIT
        EXIT           EV_CHK_PENDING             chk_pending
        """
    )
    REQUIRED: ClassVar[tuple[type[Payload], ...]] = ()  # what a response must carry
    LACKING: ClassVar[str] = ""  # what a response without them lacks, said
    child_work: ClassVar[bool] = False
    keying: Keying

    def __init__(self) -> None:
        self.inbound: list[Payload] = []
        self.notify: NotifyType | None = None
        self.reason = "CREATE_CHILD_SA failed"

    def request_payloads(self) -> list[Payload]:
        raise NotImplementedError

    def send(self) -> Event:
        self.tracer.trace_msg_id = self.sa.send_request(
            ExchangeType.CREATE_CHILD_SA,
            self.request_payloads(),
            self.on_response,
            self.on_timeout,
            child_work=self.child_work,
        )
        return EV.EV_NO_EVENT

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.inbound = payloads
        self.run(EV.EV_RECV_CREATE_CHILD)

    def on_timeout(self) -> None:
        self.run(EV.EV_RE_XMT_EXCEED)

    def stop(self, notify: NotifyType | None, reason: str) -> Event:
        self.notify, self.reason = notify, reason
        return EV.EV_FAIL

    def chk4_notify(self) -> Event:
        error = error_notify(self.inbound)
        if error is None:
            return EV.EV_VERIFY_MSG
        if error.notify_type == NotifyType.INVALID_KE_PAYLOAD:
            self.invalid_ke_notify = error
            return EV.EV_RECV_INVALID_KE
        return self.stop(
            as_notify(error.notify_type), f"Received {notify_name(error.notify_type)} notify"
        )

    def invalid_ke(self) -> Event:
        """The responder wants another DH group: the request is made again with it (at the
        head of the queue), or the exchange fails when that group cannot be used."""
        raise NotImplementedError

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.inbound}
        if not set(self.REQUIRED) <= kinds:
            return self.stop(NotifyType.INVALID_SYNTAX, self.LACKING)
        return EV.EV_PROC_MSG

    def gen_dh_key(self) -> Event:
        try:
            self.keying.generate()
        except KeyingError as error:
            return self.stop(None, error.reason)
        return self.machine.complete_later(EV.EV_OK_RECD_DH_PUBKEY_RESP)

    def take_ke(self) -> str | None:
        """The responder's KE for our group, or why there is none."""
        ke = next((p for p in self.inbound if isinstance(p, KePayload)), None)
        if ke is None or ke.group != self.keying.group:
            return "response without a KE payload for our DH group"
        self.keying.peer_ke = ke.data
        return None

    def gen_dh_secret(self) -> Event:
        try:
            self.keying.compute_secret()
        except KeyingError as error:
            return self.stop(NotifyType.INVALID_SYNTAX, error.reason)
        return self.machine.complete_later(EV.EV_OK_RECD_DH_SECRET_RESP)

    def done(self) -> Event:
        return EV.EV_CHK_PENDING

    def chk_pending(self) -> Event:
        sa = self.sa
        sa.info(
            f"Processed response with message id {self.tracer.trace_msg_id}, Requests can be "
            f"sent from range {sa.requests.next_id} to "
            f"{sa.requests.next_id + sa.requests.peer_window - 1}"
        )
        return EV.EV_NO_EVENT


class CreateChildResponse(Response):
    """The responder half."""

    COMMON = transitions(
        """
        # state          event                  action               next state
        READY            EV_RECV_CREATE_CHILD   Action_Null -> EV_RECV_CREATE_CHILD  CHILD_R_INIT
        CHILD_R_INIT     EV_RECV_CREATE_CHILD   Action_Null -> EV_VERIFY_MSG
        CHILD_R_INIT     EV_VERIFY_MSG          verify_msg
        CHILD_R_BLD_MSG  EV_GEN_DH_KEY          gen_dh_key
        CHILD_R_BLD_MSG  EV_GEN_DH_SECRET       gen_dh_secret
        CHILD_R_BLD_MSG  EV_BLD_MSG             build
        CHILD_R_DONE     EV_ACTIVATE_NEW_SA     activate
        CHILD_R_DONE     EV_UPDATE_CAC_STATS    -> EV_CHECK_DUPE
        CHILD_R_DONE     EV_CHECK_DUPE          -> EV_OK
        *                EV_FAIL                failed               EXIT
        EXIT             EV_CHK_PENDING         chk_pending
        """
    )
    REQUIRED: ClassVar[tuple[type[Payload], ...]] = ()
    refused: ClassVar[str] = "CREATE_CHILD_SA refused"
    keying: Keying

    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        super().__init__(sa, message_id, payloads)
        self.error = NotifyType.NO_PROPOSAL_CHOSEN
        self.error_data = b""
        self.error_spi = b""  # a CHILD_SA_NOT_FOUND names the SPI it did not find

    def respond(self) -> None:
        self.run(EV.EV_RECV_CREATE_CHILD)

    def response_payloads(self) -> list[Payload]:
        raise NotImplementedError

    def refuse(self, error: NotifyType, data: bytes = b"") -> Event:
        self.error, self.error_data = error, data
        return EV.EV_FAIL

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.payloads}
        if not set(self.REQUIRED) <= kinds:
            return self.refuse(NotifyType.INVALID_SYNTAX)
        return self.check_request()

    def check_request(self) -> Event:
        """May the request be answered now? (collisions.py)"""
        raise NotImplementedError

    def gen_dh_key(self) -> Event:
        try:
            self.keying.generate()
        except KeyingError:
            return self.refuse(NotifyType.NO_PROPOSAL_CHOSEN)
        return self.machine.complete_later(EV.EV_OK_RECD_PUBKEY_RESP)

    def gen_dh_secret(self) -> Event:
        try:
            self.keying.compute_secret()
        except KeyingError:
            return self.refuse(NotifyType.INVALID_SYNTAX)
        return self.machine.complete_later(EV.EV_OK_RECD_DH_SECRET_RESP)

    def build(self) -> Event:
        self.sa.respond(ExchangeType.CREATE_CHILD_SA, self.message_id, self.response_payloads())
        return EV.EV_CHK_IKE_REKEY

    def failed(self) -> Event:
        sa = self.sa
        self.forget()
        reason = f"{self.refused}: {self.error.name}"
        sa.error(reason)
        if self.error not in (NotifyType.TEMPORARY_FAILURE, NotifyType.INVALID_KE_PAYLOAD):
            sa.ctx.emit(
                NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, self.error, reason, True)
            )
        spi = self.error_spi
        notify = NotifyPayload(self.error, self.error_data, ProtocolId.ESP if spi else 0, spi)
        sa.respond(ExchangeType.CREATE_CHILD_SA, self.message_id, [notify])
        return EV.EV_CHK_PENDING

    def forget(self) -> None:
        """Drops what the refused exchange had made."""
