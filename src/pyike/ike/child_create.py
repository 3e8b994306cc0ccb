"""Child SAs by CREATE_CHILD_SA (RFC 7296 sections 1.3.1 and 1.3.3): a new Child SA, or the
rekey of one (REKEY_SA, optional PFS key exchange), which is a creation that names the SA it
replaces. Initiator and responder halves on the shared CREATE_CHILD_SA skeleton."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from pyike.codec import (
    KePayload,
    NoncePayload,
    Payload,
    SaPayload,
    TsPayload,
)
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import (
    invalid_ke_group,
    invalid_ke_notify,
    rekey_sa_notify,
    rekey_sa_spi,
)
from pyike.codec.registry import DhId, NotifyType, ProtocolId
from pyike.ike import child_mode, collisions, informational
from pyike.ike import ts as tsmod
from pyike.ike.child_sa import ChildSa, ChildState, child_keys, refused_rekey_delay
from pyike.ike.child_select import (
    ChildChoice,
    initiator_check,
    initiator_mode,
    responder_choice,
)
from pyike.ike.create_child_sa import CreateChildRequest, CreateChildResponse
from pyike.ike.events import NegotiationFailed
from pyike.ike.fsm import Table, transitions
from pyike.ike.ike_sa import IkeSa
from pyike.ike.keying import Keying, nonce_size
from pyike.ike.policy import TunnelSpec
from pyike.ike.proposals import esp_sa_payload
from pyike.ike.rekey_outcome import RekeyOutcome
from pyike.ike.retransmit import retry_delay
from pyike.ike.states import EV, Event
from pyike.ike.task import first_notify

CHILD_NONCE = 32


def _nonce_size(sa: IkeSa) -> int:
    return max(CHILD_NONCE // 2, nonce_size(sa.proposals))


def _install(
    sa: IkeSa,
    keying: Keying,
    choice: ChildChoice,
    spi_in: bytes,
    *,
    initiator: bool,
    tunnel: TunnelSpec | None,
    old: ChildSa | None,
) -> RekeyOutcome[ChildSa] | None:
    """Installs the Child SA the exchange agreed on, by this side's role in it. A new one
    may make another redundant (creations that crossed); the outcome of a rekey of ``old``
    is returned for the collision rules."""
    assert sa.keys is not None and sa.suite is not None
    ni, nr = (keying.nonce, keying.peer_nonce) if initiator else (keying.peer_nonce, keying.nonce)
    keys = child_keys(sa.suite.prf, sa.keys.sk_d, ni, nr, keying.take_secret(), choice.transform)
    child = ChildSa.negotiated(
        choice,
        spi_in=spi_in,
        keys=keys,
        initiator=initiator,
        now=sa.ctx.now,
        tunnel=tunnel,
        creation_nonces=None if old is not None else (ni, nr),
    )
    sa.install_child(child, None if old is None else old.spi_in)
    if old is None:
        collisions.delete_redundant_children(sa, child)
        return None
    return RekeyOutcome(child, ni, nr, initiator)


def start_new(sa: IkeSa, tunnel: TunnelSpec, *, if_missing: bool = False) -> None:
    sa.enqueue(ChildCreate(tunnel, None, if_missing=if_missing))


def start_rekey(sa: IkeSa, spi_in: bytes) -> None:
    child = sa.find_child(spi_in, inbound=True)
    if child is None or child.state != ChildState.INSTALLED or child.tunnel is None:
        return
    child.state = ChildState.REKEYING
    child.rekey_pending = True
    child.retry_at = None
    sa.enqueue(ChildCreate(child.tunnel, child))


def tunnel_covered(sa: IkeSa, tunnel: TunnelSpec) -> bool:
    """A Child SA for ``tunnel`` is up on ``sa``, or one is being negotiated."""
    for child in sa.children:
        if (
            child.tunnel is not None
            and child.tunnel.name == tunnel.name
            and child.state in (ChildState.INSTALLED, ChildState.REKEYING)
        ):
            return True
    # An exchange in flight makes a Child SA for the tunnel even when it rekeys one that has
    # expired meanwhile; a queued rekey of an expired Child SA will not start.
    queued = [*sa.queue, *(task for _, task in sa.deferred)]
    in_flight = [getattr(r.on_response, "__self__", None) for r in sa.requests.outstanding.values()]
    return any(
        isinstance(task, ChildCreate)
        and task.tunnel.name == tunnel.name
        and (task.rekey_of is None or task in in_flight)
        for task in [*queued, *in_flight]
    )


class ChildCreate(CreateChildRequest):
    """Initiator half: a new Child SA for ``tunnel``, or the rekey of ``rekey_of``."""

    name = "CREATE_CHILD_SA"
    TRANSITIONS: ClassVar[Table] = {
        **CreateChildRequest.COMMON,
        **transitions(
            """
            # state        event                      action       next state
            READY          EV_INIT_CREATE_CHILD       init         CHILD_I_INIT
            CHILD_I_INIT   EV_REKEY_IPSEC             ipsec        CHILD_I_IPSEC
            CHILD_I_INIT   EV_CREATE_IPSEC            ipsec        CHILD_I_IPSEC
            CHILD_I_IPSEC  EV_GEN_DH_KEY              gen_dh_key
            CHILD_I_IPSEC  EV_OK_RECD_DH_PUBKEY_RESP  -> EV_BLD_MSG
            CHILD_I_IPSEC  EV_BLD_MSG                 build        CHILD_I_WAIT
            CHILD_I_PROC   EV_CHK4_PFS                chk4_pfs
            CHILD_I_PROC   EV_CHK_IKE_REKEY           -> EV_ACTIVATE_NEW_SA  CHILD_I_DONE
            """
        ),
    }
    REQUIRED = (SaPayload, NoncePayload, TsPayload)
    LACKING = "CREATE_CHILD_SA response lacks SA, Nonce or TS"
    child_work = True

    def __init__(
        self,
        tunnel: TunnelSpec,
        rekey_of: ChildSa | None,
        group: DhId | None = None,
        *,
        if_missing: bool = False,
    ):
        super().__init__()
        self.tunnel = tunnel
        self.if_missing = if_missing
        self.rekey_of = rekey_of
        self.group = group if group is not None else tunnel.pfs_group
        self.spi = b""
        self.offer: SaPayload | None = None
        self.choice: ChildChoice | None = None
        # a rekey asks for the mode of the SA it replaces: it never changes it
        self.transport = (
            rekey_of.transform.mode == child_mode.TRANSPORT
            if rekey_of is not None
            else child_mode.asks_transport(tunnel.transform_sets)
        )

    def start(self, sa: IkeSa) -> None:
        if self.rekey_of is not None and self.rekey_of not in sa.children:
            return
        if self.if_missing and tunnel_covered(sa, self.tunnel):
            sa.info(f"{self.tunnel.name} has a Child SA by now: not creating another")
            return
        self.sa = sa
        self.keying = Keying(sa.ctx.random_bytes, self.group)
        self.trace_exchange(True, sa.requests.next_id)
        self.run(EV.EV_INIT_CREATE_CHILD)

    def abandon(self, sa: IkeSa, reason: str) -> None:
        if self.rekey_of is not None:
            self.rekey_of.rekey_pending = False

    def init(self) -> Event:
        return EV.EV_REKEY_IPSEC if self.rekey_of is not None else EV.EV_CREATE_IPSEC

    def ipsec(self) -> Event:
        return EV.EV_GEN_DH_KEY if self.group is not None else EV.EV_BLD_MSG

    def build(self) -> Event:
        sa = self.sa
        self.spi = sa.ctx.new_spi(4)
        self.keying.draw_nonce(_nonce_size(sa))
        self.offer = esp_sa_payload(self.tunnel.transform_sets, self.spi, self.group)
        old = self.rekey_of
        self.proposed = (
            old.local_ts if old else self.tunnel.local_ts,
            old.remote_ts if old else self.tunnel.remote_ts,
        )
        return self.send()

    def request_payloads(self) -> list[Payload]:
        assert self.offer is not None
        payloads: list[Payload] = []
        if self.rekey_of is not None:
            payloads.append(rekey_sa_notify(ProtocolId.ESP, self.rekey_of.spi_in))
        payloads += [self.offer, NoncePayload(self.keying.nonce)]
        if self.keying.dh is not None:
            payloads.append(self.keying.ke_payload())
        local_ts, remote_ts = self.proposed
        return [
            *payloads,
            tsmod.to_payload(local_ts, True),
            tsmod.to_payload(remote_ts, False),
            *child_mode.notifies(self.transport),
        ]

    def timed_out(self) -> Event:
        self.sa.error("Maximum number of retransmissions reached (CREATE_CHILD_SA)")
        if self.rekey_of is not None:
            self.rekey_of.rekey_pending = False
        self.sa.close("Peer unreachable: CREATE_CHILD_SA not answered")
        return EV.EV_NO_EVENT

    def invalid_ke(self) -> Event:
        try:
            group = invalid_ke_group(self.invalid_ke_notify)
        except DecodeError:
            return self.stop(NotifyType.INVALID_SYNTAX, "Malformed INVALID_KE_PAYLOAD")
        if group == self.group or group == DhId.NONE or not isinstance(group, DhId):
            return self.stop(
                NotifyType.INVALID_KE_PAYLOAD, f"Peer requested unusable DH group {int(group)}"
            )
        self.sa.info(f"Received INVALID_KE_PAYLOAD, retrying with DH group {int(group)}")
        retry = ChildCreate(self.tunnel, self.rekey_of, group, if_missing=self.if_missing)
        self.sa.queue.insert(0, retry)
        return EV.EV_CHK_PENDING

    def proc_msg(self) -> Event:
        answer = next(p for p in self.inbound if isinstance(p, SaPayload))
        tsi = next(p for p in self.inbound if isinstance(p, TsPayload) and p.initiator)
        tsr = next((p for p in self.inbound if isinstance(p, TsPayload) and not p.initiator), None)
        assert self.offer is not None
        if tsr is None:
            return self.stop(NotifyType.INVALID_SYNTAX, "response lacks TSr")
        checked = initiator_check(self.tunnel, self.offer, answer, tsi, tsr, *self.proposed)
        if isinstance(checked, NotifyType):
            return self.stop(checked, f"Unacceptable answer ({checked.name})")
        if checked.transform.dh != self.group:
            return self.stop(NotifyType.NO_PROPOSAL_CHOSEN, "Responder dropped the PFS group")
        answered = child_mode.carries_transport(self.inbound)
        settled = initiator_mode(self.sa, checked, asked=self.transport, answered=answered)
        if isinstance(settled, ChildChoice) and self.rekey_of is not None:
            settled = (
                child_mode.rekey_refusal(self.rekey_of.transform, settled.transform) or settled
            )
        if isinstance(settled, str):
            informational.delete_refused_child(self.sa, self.spi, settled)
            return self.stop(NotifyType.NO_PROPOSAL_CHOSEN, f"Unacceptable answer: {settled}")
        self.choice = settled
        self.keying.peer_nonce = next(p for p in self.inbound if isinstance(p, NoncePayload)).data
        return EV.EV_CHK4_PFS

    def chk4_pfs(self) -> Event:
        return EV.EV_GEN_DH_SECRET if self.keying.dh is not None else EV.EV_CHK_IKE_REKEY

    def gen_dh_secret(self) -> Event:
        missing = self.take_ke()
        if missing is not None:
            return self.stop(NotifyType.INVALID_SYNTAX, f"PFS {missing}")
        return super().gen_dh_secret()

    def activate(self) -> Event:
        sa, choice, old = self.sa, self.choice, self.rekey_of
        assert choice is not None
        outcome = _install(
            sa, self.keying, choice, self.spi, initiator=True, tunnel=self.tunnel, old=old
        )
        if old is not None:
            old.rekey_pending = False
            old.rekey_ours = outcome
            collisions.child_rekey_settled(sa, old)
        return EV.EV_UPDATE_CAC_STATS

    def failed(self) -> Event:
        sa, notify, reason, old = self.sa, self.notify, self.reason, self.rekey_of
        temporary = notify == NotifyType.TEMPORARY_FAILURE
        if temporary:
            delay = retry_delay(sa.ctx.random_bytes)
            sa.info(f"{reason}: retrying in {delay:.1f} seconds")
            if old is None:
                retry = ChildCreate(self.tunnel, None, self.group, if_missing=self.if_missing)
                sa.defer(delay, retry)
            else:
                old.retry_at = sa.ctx.now + delay
        else:
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason))
        if old is None or old not in sa.children:
            return EV.EV_CHK_PENDING
        if notify == NotifyType.CHILD_SA_NOT_FOUND:
            _forget_missing_child(sa, old)
            return EV.EV_CHK_PENDING
        old.rekey_pending = False
        if old.state == ChildState.REKEYING:
            old.state = ChildState.INSTALLED
        if not temporary:
            _back_off_refused_rekey(sa, old)
        if old.rekey_theirs is not None:
            collisions.child_rekey_settled(sa, old)
        return EV.EV_CHK_PENDING


def _back_off_refused_rekey(sa: IkeSa, child: ChildSa) -> None:
    """The peer refused to rekey ``child`` (or answered what this side cannot accept), and
    asking again at once would be refused again: the next attempt waits, longer after each
    refusal, and never beyond the hard lifetime, when the Child SA is deleted."""
    child.rekey_refusals += 1
    delay = refused_rekey_delay(child.rekey_refusals)
    if sa.ctx.now + delay >= child.expire_at:
        child.retry_at = child.expire_at
        sa.info("Not retrying the Child SA rekey before its lifetime expires")
        return
    child.retry_at = sa.ctx.now + delay
    sa.info(f"Retrying the Child SA rekey in {delay:.0f} seconds")


def _forget_missing_child(sa: IkeSa, child: ChildSa) -> None:
    """The peer answered a rekey with CHILD_SA_NOT_FOUND: it has deleted the Child SA (its
    delete was lost), so this side deletes it too and, if nothing else carries its tunnel,
    negotiates a new one (RFC 7296 section 2.25)."""
    sa.info(f"Peer has no IPsec SA [SPI: 0x{child.spi_in.hex().upper()}]: deleting it")
    informational.remove_child(sa, child.spi_in, "Deleted by the peer")
    tunnel = child.tunnel
    if tunnel is not None and not tunnel_covered(sa, tunnel):
        start_new(sa, tunnel)


class ChildCreateResponse(CreateChildResponse):
    """Responder half."""

    TRANSITIONS: ClassVar[Table] = {
        **CreateChildResponse.COMMON,
        **transitions(
            """
            # state          event                      action       next state
            CHILD_R_INIT     EV_CHK_CC_TYPE             chk_cc_type  CHILD_R_IPSEC!
            CHILD_R_IPSEC    EV_REKEY_IPSEC             rekey_ipsec
            CHILD_R_IPSEC    EV_CREATE_IPSEC            -> EV_PROC_MSG
            CHILD_R_IPSEC    EV_PROC_MSG                proc_msg     CHILD_R_BLD_MSG
            CHILD_R_BLD_MSG  EV_OK_RECD_PUBKEY_RESP     -> EV_GEN_DH_SECRET
            CHILD_R_BLD_MSG  EV_OK_RECD_DH_SECRET_RESP  -> EV_BLD_MSG
            CHILD_R_BLD_MSG  EV_CHK_IKE_REKEY           -> EV_ACTIVATE_NEW_SA  CHILD_R_DONE
            CHILD_R_DONE     EV_OK                      -> EV_CHK_PENDING      EXIT
            """
        ),
    }
    REQUIRED = (SaPayload, NoncePayload, TsPayload)

    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        super().__init__(sa, message_id, payloads)
        self.keying = Keying(sa.ctx.random_bytes)
        self.old: ChildSa | None = None
        self.spi = b""
        self.choice: ChildChoice | None = None

    def check_request(self) -> Event:
        if collisions.refuse_child_request(self.sa):
            return self.refuse(NotifyType.TEMPORARY_FAILURE)
        return EV.EV_CHK_CC_TYPE

    def chk_cc_type(self) -> Event:
        rekey = first_notify(self.payloads, NotifyType.REKEY_SA)
        if rekey is None:
            return EV.EV_CREATE_IPSEC
        try:
            _, spi = rekey_sa_spi(rekey)
        except DecodeError:
            return self.refuse(NotifyType.INVALID_SYNTAX)
        self.rekey_spi = spi
        return EV.EV_REKEY_IPSEC

    def rekey_ipsec(self) -> Event:
        old = self.sa.find_child(self.rekey_spi, inbound=False)
        refusal = collisions.child_rekey_refusal(old)
        if refusal is not None:
            if refusal == NotifyType.CHILD_SA_NOT_FOUND:
                self.error_spi = self.rekey_spi
            return self.refuse(refusal)
        self.old = old
        return EV.EV_PROC_MSG

    def proc_msg(self) -> Event:
        sa = self.sa
        offer = next(p for p in self.payloads if isinstance(p, SaPayload))
        tsi = next(p for p in self.payloads if isinstance(p, TsPayload) and p.initiator)
        tsr = next((p for p in self.payloads if isinstance(p, TsPayload) and not p.initiator), None)
        if tsr is None:
            return self.refuse(NotifyType.INVALID_SYNTAX)
        old = self.old
        transport = child_mode.carries_transport(self.payloads)
        tunnel = old.tunnel if old is not None else None
        choice = responder_choice(
            sa, offer, tsi, tsr, allow_dh=True, transport=transport, tunnel=tunnel
        )
        if isinstance(choice, NotifyType):
            return self.refuse(choice)
        changed = None if old is None else child_mode.rekey_refusal(old.transform, choice.transform)
        if changed is not None:
            sa.error(f"Child SA rekey refused: {changed}")
            return self.refuse(NotifyType.NO_PROPOSAL_CHOSEN)
        ke = next((p for p in self.payloads if isinstance(p, KePayload)), None)
        group = choice.transform.dh
        if group is not None and (ke is None or ke.group != group):
            return self.refuse(NotifyType.INVALID_KE_PAYLOAD, invalid_ke_notify(group).data)
        self.choice = choice
        self.keying.group = group
        self.keying.peer_ke = b"" if ke is None else ke.data
        self.keying.peer_nonce = next(p for p in self.payloads if isinstance(p, NoncePayload)).data
        return EV.EV_GEN_DH_KEY if group is not None else EV.EV_BLD_MSG

    def response_payloads(self) -> list[Payload]:
        assert self.choice is not None
        self.spi = self.sa.ctx.new_spi(4)
        self.keying.draw_nonce(_nonce_size(self.sa))
        payloads: list[Payload] = [
            SaPayload((replace(self.choice.proposal, spi=self.spi),)),
            NoncePayload(self.keying.nonce),
        ]
        if self.keying.dh is not None:
            payloads.append(self.keying.ke_payload())
        return [
            *payloads,
            tsmod.to_payload(self.choice.tsi, True),
            tsmod.to_payload(self.choice.tsr, False),
            *child_mode.notifies(self.choice.transform.mode == child_mode.TRANSPORT),
        ]

    def activate(self) -> Event:
        sa, choice, old = self.sa, self.choice, self.old
        assert choice is not None
        outcome = _install(sa, self.keying, choice, self.spi, initiator=False, tunnel=None, old=old)
        if old is not None:
            old.rekey_theirs = outcome
            if old.rekey_pending or old.rekey_ours is not None:
                sa.info("Child SA rekey collision detected")
            collisions.child_rekey_settled(sa, old)
        return EV.EV_UPDATE_CAC_STATS


__all__ = [
    "ChildCreate",
    "ChildCreateResponse",
    "start_new",
    "start_rekey",
    "tunnel_covered",
]
