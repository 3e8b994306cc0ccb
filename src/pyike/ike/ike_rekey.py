"""The IKE SA rekey by CREATE_CHILD_SA (RFC 7296 sections 1.3.2 and 2.18), initiator and
responder halves: IKE_SA_INIT's proposals, key exchange and nonces (keying.py) on the
CREATE_CHILD_SA skeleton, keys from the old SA's SK_d, the Child SAs moved to the new SA and
the old SA deleted by the rekey's initiator (collisions.py decides when both rekeyed)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from pyike.codec import KePayload, NoncePayload, Payload, SaPayload
from pyike.codec.notify_data import set_window_size_notify
from pyike.codec.registry import DhId, NotifyType
from pyike.ike import collisions, succession
from pyike.ike.create_child_sa import CreateChildRequest, CreateChildResponse
from pyike.ike.events import NegotiationFailed
from pyike.ike.fsm import Machine, Table, transitions
from pyike.ike.ike_sa import IkeSa
from pyike.ike.keying import IkeKeying, KeyingError
from pyike.ike.rekey_outcome import OwnIkeRekey, RekeyOutcome
from pyike.ike.retransmit import retry_delay
from pyike.ike.states import EV, Event, State
from pyike.ike.task import ExchangeTracer, take_peer_window


def start_ike_rekey(sa: IkeSa) -> None:
    if not sa.established or sa.deleting or sa.rekeyed_to is not None:
        return
    if sa.own_rekey is not None:
        return
    sa.ike_rekey_retry_at = None
    sa.own_rekey = OwnIkeRekey()
    sa.enqueue(IkeRekey())


class IkeRekey(CreateChildRequest):
    """Initiator half; ``sa`` is the SA being rekeyed, ``new`` the SA it makes."""

    name = "IKE SA rekey"
    exclusive = True
    TRANSITIONS: ClassVar[Table] = {
        **CreateChildRequest.COMMON,
        **transitions(
            """
            # state       event                      action          next state
            READY         EV_INIT_CREATE_CHILD       -> EV_REKEY_IKESA     CHILD_I_INIT
            CHILD_I_INIT  EV_REKEY_IKESA             -> EV_GET_IKE_POLICY  CHILD_I_IKE
            CHILD_I_IKE   EV_GET_IKE_POLICY          get_ike_policy
            CHILD_I_IKE   EV_SET_POLICY              set_policy
            CHILD_I_IKE   EV_GEN_DH_KEY              gen_dh_key
            CHILD_I_IKE   EV_OK_RECD_DH_PUBKEY_RESP  -> EV_BLD_MSG
            CHILD_I_IKE   EV_BLD_MSG                 build           CHILD_I_WAIT
            CHILD_I_PROC  EV_CHK4_PFS                -> EV_GEN_DH_SECRET
            CHILD_I_PROC  EV_CHK_IKE_REKEY           -> EV_GEN_SKEYID
            CHILD_I_PROC  EV_GEN_SKEYID              gen_skeyid      CHILD_I_DONE
            """
        ),
    }
    REQUIRED = (SaPayload, NoncePayload, KePayload)
    LACKING = "IKE rekey response lacks SA, Nonce or KE"
    keying: IkeKeying

    def __init__(self, group: DhId | None = None, retries: int = 0) -> None:
        super().__init__()
        self.group = group
        self.retries = retries
        self.reason = "IKE SA rekey failed"

    def start(self, sa: IkeSa) -> None:
        if sa.deleting or sa.rekeyed_to is not None or sa.closed:
            sa.own_rekey = None
            return
        ctx = sa.ctx
        self.sa = sa
        self.keying = IkeKeying(ctx.random_bytes, self.group, retries=self.retries)
        self.new = IkeSa(
            ctx, initiator=True, local=sa.local, remote=sa.remote, spi_i=ctx.new_spi(8)
        )
        new = self.new
        self.tracer = ExchangeTracer(ctx, new.sa_id, new.spi_i, bytes(8), True, sa.requests.next_id)
        self.machine = Machine(State.READY, self.tracer)
        sa.own_rekey = OwnIkeRekey(sent=True)
        self.run(EV.EV_INIT_CREATE_CHILD)

    def abandon(self, sa: IkeSa, reason: str) -> None:
        if sa.own_rekey is not None and sa.own_rekey.outcome is None:
            sa.own_rekey = None

    def get_ike_policy(self) -> Event:
        old, keying = self.sa, self.keying
        if not keying.load_specs(old):
            return self.stop(None, "Failed to find a matching policy")
        if keying.group is None:
            keying.group = old.suite.dh if old.suite else keying.specs[0].groups[0]
        return EV.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.sa.info("Setting configured policies")
        return EV.EV_GEN_DH_KEY

    def build(self) -> Event:
        return self.send()

    def request_payloads(self) -> list[Payload]:
        keying = self.keying
        nonce = keying.nonce_payload()
        return [
            keying.offer_payload(self.new.spi_i),
            nonce,
            keying.ke_payload(),
            set_window_size_notify(self.sa.ctx.settings.window_size),
        ]

    def timed_out(self) -> Event:
        self.sa.own_rekey = None
        self.sa.close("Peer unreachable: IKE SA rekey not answered")
        return EV.EV_NO_EVENT

    def invalid_ke(self) -> Event:
        old = self.sa
        try:
            group = self.keying.retry_group(self.invalid_ke_notify)
        except KeyingError as error:
            return self.stop(error.notify, error.reason)
        old.info(f"Received INVALID_KE_PAYLOAD, retrying with DH group {int(group)}")
        old.own_rekey = OwnIkeRekey()
        old.queue.insert(0, IkeRekey(group, self.keying.retries))
        return EV.EV_CHK_PENDING

    def proc_msg(self) -> Event:
        answer = next(p for p in self.inbound if isinstance(p, SaPayload))
        ke = next(p for p in self.inbound if isinstance(p, KePayload))
        nonce = next(p for p in self.inbound if isinstance(p, NoncePayload))
        try:
            choice = self.keying.accept(answer, ke, nonce)
        except KeyingError as error:
            return self.stop(error.notify, error.reason)
        spi = choice.proposal.spi
        if len(spi) != 8 or not any(spi):
            return self.stop(NotifyType.NO_PROPOSAL_CHOSEN, "Unacceptable IKE rekey answer")
        self.new.spi_r = self.tracer.spi_r = spi
        take_peer_window(self.new, self.inbound)
        return EV.EV_CHK4_PFS

    def gen_skeyid(self) -> Event:
        choice = self.keying.choice
        assert choice is not None
        self.keying.install(self.new, self.sa)
        self.sa.info("Generate skeyid")
        self.new.proposal_name = self.keying.specs[choice.proposal.number - 1].name
        return EV.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        old, new, keying = self.sa, self.new, self.keying
        succession.activate(old, new)
        old.own_rekey = OwnIkeRekey(True, RekeyOutcome(new, keying.nonce, keying.peer_nonce, True))
        return EV.EV_UPDATE_CAC_STATS

    def done(self) -> Event:
        collisions.ike_rekey_settled(self.sa)
        return EV.EV_CHK_PENDING

    def failed(self) -> Event:
        old, notify, reason = self.sa, self.notify, self.reason
        delay = retry_delay(old.ctx.random_bytes)
        old.ike_rekey_retry_at = old.ctx.now + delay
        if notify == NotifyType.TEMPORARY_FAILURE:
            old.info(f"{reason}: retrying the IKE SA rekey in {delay:.1f} seconds")
        else:
            old.error(reason)
            old.ctx.emit(NegotiationFailed(old.ctx.now, old.sa_id, old.remote, notify, reason))
        old.own_rekey = None
        if old.rekeys_answered:
            old.rekeyed_to = old.rekeys_answered[0].new
        return EV.EV_CHK_PENDING


class IkeRekeyResponse(CreateChildResponse):
    """Responder half; ``sa`` is the SA being rekeyed, ``new`` the SA the peer makes."""

    TRANSITIONS: ClassVar[Table] = {
        **CreateChildResponse.COMMON,
        **transitions(
            """
            # state          event                      action       next state
            CHILD_R_INIT     EV_CHK_CC_TYPE             -> EV_REKEY_IKESA  CHILD_R_IKE
            CHILD_R_IKE      EV_REKEY_IKESA             -> EV_GET_IKE_POLICY
            CHILD_R_IKE      EV_GET_IKE_POLICY          get_ike_policy
            CHILD_R_IKE      EV_PROC_MSG                proc_msg
            CHILD_R_IKE      EV_SET_POLICY              set_policy   CHILD_R_BLD_MSG
            CHILD_R_BLD_MSG  EV_OK_RECD_PUBKEY_RESP     Action_Null -> EV_GEN_DH_SECRET
            CHILD_R_BLD_MSG  EV_OK_RECD_DH_SECRET_RESP  Action_Null -> EV_BLD_MSG
            CHILD_R_BLD_MSG  EV_CHK_IKE_REKEY           -> EV_GEN_SKEYID
            CHILD_R_BLD_MSG  EV_GEN_SKEYID              gen_skeyid   CHILD_R_DONE
            CHILD_R_DONE     EV_OK                      -> EV_START_DEL_NEG_TMR
            CHILD_R_DONE     EV_START_DEL_NEG_TMR       start_del_neg_tmr  EXIT
            """
        ),
    }
    REQUIRED = (SaPayload, NoncePayload, KePayload)
    refused = "IKE SA rekey refused"
    keying: IkeKeying

    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        super().__init__(sa, message_id, payloads)
        ctx = sa.ctx
        self.offer = next(p for p in payloads if isinstance(p, SaPayload))
        spi = self.offer.proposals[0].spi
        spi_i = spi if len(spi) == 8 else bytes(8)
        self.new = IkeSa(
            ctx,
            initiator=False,
            local=sa.local,
            remote=sa.remote,
            spi_i=spi_i,
            spi_r=ctx.new_spi(8),
        )
        self.tracer = ExchangeTracer(ctx, self.new.sa_id, spi_i, self.new.spi_r, False, message_id)
        self.machine = Machine(State.READY, self.tracer)
        self.keying = IkeKeying(ctx.random_bytes)

    def check_request(self) -> Event:
        if self.new.spi_i == bytes(8):
            return self.refuse(NotifyType.INVALID_SYNTAX)
        if collisions.refuse_ike_rekey(self.sa):
            return self.refuse(NotifyType.TEMPORARY_FAILURE)
        return EV.EV_CHK_CC_TYPE

    def get_ike_policy(self) -> Event:
        old = self.sa
        old.ctx.info(None, f"% Getting preshared key from address {old.remote.address}")
        self.keying.load_specs(old)
        if old.profile is not None:
            old.info(f"IKEv2 profile '{old.profile.name}' used")
        return EV.EV_PROC_MSG

    def proc_msg(self) -> Event:
        old = self.sa
        ke = next(p for p in self.payloads if isinstance(p, KePayload))
        nonce = next(p for p in self.payloads if isinstance(p, NoncePayload))
        try:
            self.keying.select(self.offer, ke, nonce, old.ctx.settings.prefer_own_order)
        except KeyingError as error:
            assert error.notify is not None
            return self.refuse(error.notify, error.data)
        take_peer_window(self.new, self.payloads)
        return EV.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.sa.info("Setting configured policies")
        return EV.EV_GEN_DH_KEY

    def response_payloads(self) -> list[Payload]:
        keying = self.keying
        assert keying.choice is not None
        return [
            SaPayload((replace(keying.choice.proposal, spi=self.new.spi_r),)),
            keying.nonce_payload(),
            keying.ke_payload(),
            set_window_size_notify(self.sa.ctx.settings.window_size),
        ]

    def gen_skeyid(self) -> Event:
        choice = self.keying.choice
        assert choice is not None
        self.keying.install(self.new, self.sa)
        self.sa.info("Generate skeyid")
        self.new.proposal_name = choice.spec_name
        return EV.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        old, new = self.sa, self.new
        old.ctx.info(None, f"Store mib index ikev2 {new.sa_id}")
        succession.activate(old, new)
        outcome = RekeyOutcome(new, self.keying.peer_nonce, self.keying.nonce, False)
        collisions.answered_ike_rekey(old, outcome)
        return EV.EV_UPDATE_CAC_STATS

    def start_del_neg_tmr(self) -> Event:
        old = self.sa
        settings = old.ctx.settings
        # Our response may be lost: keep the old SA (and its cached response) for as long as
        # the initiator may retransmit the request, or the initiator is left with no SA.
        retransmitting = settings.retransmit_interval * (2 ** (settings.retransmit_limit + 1) - 1)
        old.delete_deadline = old.ctx.now + max(settings.delete_negotiation_timeout, retransmitting)
        old.info("Action: Action_Null")
        return EV.EV_CHK_PENDING

    def forget(self) -> None:
        self.sa.ctx.remove(self.new)
