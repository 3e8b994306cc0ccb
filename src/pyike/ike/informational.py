"""INFORMATIONAL exchanges (RFC 7296 section 1.4): deleting Child and IKE SAs, liveness
checks (DPD), error notifies; the requests and the response."""

from __future__ import annotations

from pyike.codec import DeletePayload, Message, NotifyPayload, Payload
from pyike.codec.registry import ExchangeType, NotifyType, ProtocolId
from pyike.ike.child_sa import ChildState
from pyike.ike.events import ChildSaDeleted, NegotiationFailed
from pyike.ike.fsm import transitions
from pyike.ike.ike_sa import IkeSa
from pyike.ike.states import EV, Event
from pyike.ike.succession import retire
from pyike.ike.task import Request, Response, notify_name

DPD_RETRIES = 5
PEER_DEAD = "Peer dead (DPD)"  # why DPD closes an IKE SA (IkeSaDown.reason)
# Notifies that end an IKE SA without a Delete when they come in the INFORMATIONAL exchange
# right after IKE_AUTH (RFC 7296 section 2.21.2).
FATAL_AFTER_AUTH = frozenset(
    {
        NotifyType.AUTHENTICATION_FAILED,
        NotifyType.INVALID_SYNTAX,
        NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
    }
)


def remove_child(sa: IkeSa, spi_in: bytes, reason: str) -> None:
    child = sa.find_child(spi_in, inbound=True)
    if child is None:
        return
    sa.ctx.touched.add(sa.sa_id)
    sa.children.remove(child)
    sa.ctx.emit(ChildSaDeleted(sa.ctx.now, sa.sa_id, child.spi_in, child.spi_out, reason))


# --- requests ----------------------------------------------------------------------------


def delete_ike(sa: IkeSa, reason: str, successor: IkeSa | None = None) -> None:
    """Deletes an IKE SA, telling the peer when the SA is up. ``successor``: the SA that
    replaces it (the children have already moved there)."""
    if sa.closed:
        return
    if not sa.established:
        sa.close(reason)
        return
    if sa.deleting:
        return
    sa.deleting = True
    if successor is not None:
        sa.rekeyed_to = successor

    def finish(*_: object) -> None:
        sa.close(reason, moved=successor is not None)

    sa.info(f"Sending DELETE INFO message for IKEv2 SA: {reason}")
    sa.send_request(
        ExchangeType.INFORMATIONAL,
        [DeletePayload(ProtocolId.IKE, 0)],
        lambda message, payloads: finish(),
        finish,
        limit=2,
    )


def delete_child(sa: IkeSa, spi_in: bytes, reason: str) -> None:
    child = sa.find_child(spi_in, inbound=True)
    if child is None or (child.state == ChildState.DELETING and reason != "Rekeyed"):
        return
    child.state = ChildState.DELETING
    sa.enqueue(DeleteChild(spi_in, reason))


def delete_refused_child(sa: IkeSa, spi_in: bytes, reason: str) -> None:
    """The peer installed a Child SA whose answer this side refused (it never installed its
    half, `spi_in` being the SPI it offered): the peer is told to delete it."""
    sa.enqueue(DeleteChild(spi_in, reason, installed=False))


class DeleteChild(Request):
    name = "delete Child SA"

    def __init__(self, spi_in: bytes, reason: str, *, installed: bool = True) -> None:
        self.spi_in = spi_in
        self.reason = reason
        self.installed = installed

    def start(self, sa: IkeSa) -> None:
        if self.installed and sa.find_child(self.spi_in, inbound=True) is None:
            return
        self.sa = sa
        sa.info(f"Sending DELETE INFO message for IPsec SA [SPI: 0x{self.spi_in.hex().upper()}]")
        sa.send_request(
            ExchangeType.INFORMATIONAL,
            [DeletePayload(ProtocolId.ESP, 4, (self.spi_in,))],
            self.on_response,
            self.on_timeout,
            child_work=True,
        )

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        remove_child(self.sa, self.spi_in, self.reason)

    def on_timeout(self) -> None:
        self.sa.close("Peer unreachable: delete not answered")


def report_auth_failure(sa: IkeSa) -> None:
    """The initiator could not authenticate the responder, which believes the SA is up: tell
    it in a separate INFORMATIONAL (RFC 7296 section 2.21.2), sent once, not waited for."""
    if sa.cipher_out is None:
        return
    payloads: list[Payload] = [NotifyPayload(NotifyType.AUTHENTICATION_FAILED)]
    sa.info("Sending AUTHENTICATION_FAILED notify in INFORMATIONAL exchange")
    sa.transmit(
        sa.seal(ExchangeType.INFORMATIONAL, sa.requests.allocate(), False, payloads), payloads
    )


def start_dpd(sa: IkeSa) -> None:
    if not any(isinstance(t, Dpd) for t in sa.queue) and not sa.requests.outstanding:
        sa.enqueue(Dpd())


class Dpd(Request):
    """An empty INFORMATIONAL request: the peer is alive if it answers. Retransmitted every
    ``retry`` seconds of the profile's `dpd` setting (2 s without one), five times."""

    name = "DPD"

    def start(self, sa: IkeSa) -> None:
        self.sa = sa
        dpd = None if sa.profile is None else sa.profile.dpd
        interval = float(dpd.retry) if dpd is not None else sa.ctx.settings.retransmit_interval
        sa.info("Sending DPD/liveness query")
        sa.send_request(
            ExchangeType.INFORMATIONAL,
            [],
            self.on_response,
            self.on_timeout,
            interval=interval,
            exponential=False,
            limit=DPD_RETRIES,
        )

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.sa.info("Received DPD/liveness response")

    def on_timeout(self) -> None:
        self.sa.error("Peer did not answer the liveness check: peer is dead")
        self.sa.close(PEER_DEAD)


# --- response ----------------------------------------------------------------------------


class InfoResponse(Response):
    TRANSITIONS = transitions(
        """
        READY   EV_RECV_INFO    -> EV_PROC_INFO   INFO_R
        INFO_R  EV_PROC_INFO    proc
        INFO_R  EV_RECV_DEL     recv_del
        INFO_R  EV_BLD_MSG      build             EV_FREE_SA:DELETE EV_CHK_PENDING:EXIT
        EXIT    EV_CHK_PENDING  chk_pending
        DELETE  EV_FREE_SA      free_sa
        """
    )

    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        super().__init__(sa, message_id, payloads)
        self.answer: list[Payload] = []
        self.close_after = False
        self.rejected: NotifyType | None = None  # the peer did not authenticate us

    def respond(self) -> None:
        self.run(EV.EV_RECV_INFO)

    def proc(self) -> Event:
        sa = self.sa
        for n in self.payloads:
            if isinstance(n, NotifyPayload) and n.is_error:
                sa.error(f"Received {notify_name(n.notify_type)} notify in INFORMATIONAL exchange")
                if self._ends_handshake(n.notify_type):
                    self.rejected = NotifyType(n.notify_type)
                    self.close_after = True
        if any(isinstance(p, DeletePayload) for p in self.payloads):
            return EV.EV_RECV_DEL
        if not self.payloads:
            sa.info("Received DPD/liveness query")
        return EV.EV_BLD_MSG

    def _ends_handshake(self, notify_type: int) -> bool:
        """A fatal notify in the first request after IKE_AUTH of an SA we answered."""
        sa = self.sa
        first = not sa.initiator and sa.rekeyed_from is None and self.message_id == 2
        return first and notify_type in FATAL_AFTER_AUTH

    def recv_del(self) -> Event:
        sa = self.sa
        ours: list[bytes] = []
        for delete in (p for p in self.payloads if isinstance(p, DeletePayload)):
            if delete.protocol == ProtocolId.IKE:
                sa.info("Received DELETE for the IKE SA")
                self.close_after = True
                continue
            if delete.protocol != ProtocolId.ESP:
                continue
            for spi in delete.spis:
                child = sa.find_child(spi, inbound=False)
                if child is None:
                    continue
                sa.info(f"Received DELETE for IPsec SA [SPI: 0x{child.spi_in.hex().upper()}]")
                if child.state != ChildState.DELETING:
                    ours.append(child.spi_in)
                remove_child(sa, child.spi_in, "Deleted by the peer")
        if ours and not self.close_after:
            self.answer.append(DeletePayload(ProtocolId.ESP, 4, tuple(ours)))
        return EV.EV_BLD_MSG

    def build(self) -> Event:
        self.sa.respond(ExchangeType.INFORMATIONAL, self.message_id, self.answer)
        return EV.EV_FREE_SA if self.close_after else EV.EV_CHK_PENDING

    def free_sa(self) -> None:
        sa = self.sa
        if self.rejected is not None:
            reason = f"Peer failed to authenticate the IKE SA ({self.rejected.name})"
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, self.rejected, reason))
            sa.close(reason)
            return None
        retire(sa, "Received delete from the peer")
        return None
