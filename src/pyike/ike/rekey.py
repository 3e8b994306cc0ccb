"""IKE SA rekey by CREATE_CHILD_SA (RFC 7296 sections 1.3.2 and 2.18), initiator and
responder halves: new SPIs, a fresh key exchange, keys from the old SA's SK_d, the Child SAs
moved to the new SA and the old SA deleted by the rekey's initiator."""

from __future__ import annotations

from pyike.codec import KePayload, Message, NoncePayload, NotifyPayload, Payload, SaPayload
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import (
    invalid_ke_group,
    invalid_ke_notify,
    set_window_size_notify,
    window_size,
)
from pyike.codec.registry import DhId, ExchangeType, NotifyType
from pyike.crypto.dh import KeyExchange, new_key_exchange
from pyike.crypto.errors import CryptoError
from pyike.crypto.keys import derive_rekeyed_ike_keys
from pyike.ike import collisions, informational
from pyike.ike.collisions import RekeyOutcome
from pyike.ike.events import ChildSaMoved, IkeSaUp, NegotiationFailed
from pyike.ike.fsm import Action, Machine
from pyike.ike.ike_init import nonce_size
from pyike.ike.ike_sa import IkeSa
from pyike.ike.proposals import accepted_ike, ike_sa_payload, select_ike
from pyike.ike.retransmit import retry_delay
from pyike.ike.states import Event, State
from pyike.ike.task import Task
from pyike.ike.xtrace import ExchangeTracer


def _successor(old: IkeSa, new: IkeSa) -> None:
    """Copies what the new SA inherits from the old one."""
    new.profile = old.profile
    new.local_id = old.local_id
    new.remote_id = old.remote_id
    new.tunnel = old.tunnel
    new.lifetime = old.lifetime
    new.proposals = old.proposals
    new.nat = old.nat
    new.frag_peer = old.frag_peer
    new.peer_vendors = set(old.peer_vendors)
    new.machine.enter(State.READY)


def _activate(old: IkeSa, new: IkeSa) -> None:
    ctx = new.ctx
    from pyike.ike import timers

    new.established_at = ctx.now
    new.last_heard = ctx.now
    ctx.add(new, new.own_spi)
    timers.established(new)
    ctx.info(None, "New ikev2 sa request activated")
    ctx.emit(
        IkeSaUp(
            ctx.now,
            new.sa_id,
            new.spi_i,
            new.spi_r,
            new.local,
            new.remote,
            new.initiator,
            str(new.local_id),
            str(new.remote_id),
            None if new.profile is None else new.profile.name,
            new.lifetime,
            new.nat.nat_detected,
            rekeyed_from=old.sa_id,
        )
    )


def move_children(old: IkeSa, new: IkeSa) -> None:
    """Hands the Child SAs, and the work queued for them, to the new IKE SA."""
    new.ctx.touched.add(new.sa_id)
    for child in old.children:
        new.children.append(child)
        new.ctx.emit(ChildSaMoved(new.ctx.now, child.spi_in, old.sa_id, new.sa_id))
    old.children = []
    old.rekeyed_to = new
    new.adopt_tasks(old)


def _successor_of(old: IkeSa) -> IkeSa | None:
    """The SA that replaces ``old``: the one this side settled on, else the one the peer
    made by its own rekey (when the peer deletes the old SA, the peer's rekey won: either
    ours never reached it or it lost the nonce comparison)."""
    new = old.rekeyed_to
    while new is not None and new.closed and new.rekeyed_to is not None:
        new = new.rekeyed_to  # rekeyed again since: the Child SAs are on its successor
    if new is not None and not new.closed:
        return new
    for outcome in reversed(old.rekey_responded):
        made = outcome.new if isinstance(outcome, RekeyOutcome) else None
        if isinstance(made, IkeSa) and not made.closed:
            return made
    return None


def claim_children(new: IkeSa) -> None:
    """The peer sent a request on ``new``, so it has moved everything there: a rekeyed SA
    still waiting for its delete hands its children over now."""
    for old in list(new.ctx.sas.values()):
        if old is not new and old.rekeyed_to is new and old.children and not old.closed:
            old.info("Peer uses the rekeyed IKE SA: moving the Child SAs to it")
            move_children(old, new)


def retire(old: IkeSa, reason: str = "IKE SA rekeyed") -> None:
    """Closes an old SA whose successor is known, handing the children over first."""
    successor = _successor_of(old)
    if successor is not None:
        move_children(old, successor)
        old.close(reason, moved=True)
    else:
        old.close(reason)


def expire(old: IkeSa, reason: str = "IKE SA lifetime expired") -> None:
    """The hard lifetime of ``old`` is over. When it was rekeyed, its Child SAs go to the new
    SA first: the peer's delete of the old SA (or the request on the new one that would have
    moved them) may have been lost, and the peer keeps those Child SAs on the new SA."""
    successor = _successor_of(old)
    if successor is not None and old.children:
        old.info("IKE SA expired before the peer deleted it: moving the Child SAs to its successor")
        move_children(old, successor)
    informational.delete_ike(old, reason, successor=successor)
    if not old.closed:
        old.close(reason, moved=successor is not None)


def _settle(old: IkeSa) -> None:
    """Once this side's own rekey of ``old`` is done: with no collision, or when it won the
    collision, it deletes the old SA; when it lost, it deletes the SA it made."""
    ours = old.rekey_in_progress
    if not isinstance(ours, RekeyOutcome):
        return
    theirs = next((r for r in old.rekey_responded if isinstance(r, RekeyOutcome)), None)
    if theirs is not None and collisions.we_lost(ours, theirs):
        old.info("IKE SA rekey collision: ours holds the lowest nonce, deleting it")
        old.rekeyed_to = theirs.new
        informational.delete_ike(ours.new, "Redundant rekeyed IKE SA")
        return
    if theirs is not None:
        old.info("IKE SA rekey collision: the peer's SA is redundant")
        redundant = theirs.new
        assert isinstance(redundant, IkeSa)
        if not redundant.closed:
            ctx = redundant.ctx
            redundant.redundant_deadline = ctx.now + ctx.settings.delete_negotiation_timeout
    assert isinstance(ours.new, IkeSa)
    # The delete goes out first so that the peer, which moves its children when it arrives,
    # has them on the new SA before any request this side sends there.
    informational.delete_ike(old, "IKE SA rekeyed", successor=ours.new)
    move_children(old, ours.new)


class IkeRekeyTask(Task):
    """Initiator half."""

    name = "IKE SA rekey"
    exclusive = True

    def __init__(self, group: DhId | None = None) -> None:
        self.group = group
        self.dh: KeyExchange | None = None
        self.inbound: list[Payload] = []

    def start(self, sa: IkeSa) -> None:
        if sa.deleting or sa.rekeyed_to is not None or sa.closed:
            sa.rekey_in_progress = None
            return
        ctx = sa.ctx
        self.old = sa
        self.new = IkeSa(
            ctx, initiator=True, local=sa.local, remote=sa.remote, spi_i=ctx.new_spi(8)
        )
        self.tracer = ExchangeTracer(
            ctx, self.new.sa_id, self.new.spi_i, bytes(8), True, sa.requests.next_id
        )
        self.machine = Machine(State.READY, self.tracer.record)
        sa.rekey_in_progress = self
        self.machine.run(Event.EV_INIT_CREATE_CHILD, self.transitions())

    def abandon(self, sa: IkeSa, reason: str) -> None:
        if sa.rekey_in_progress is self:
            sa.rekey_in_progress = None

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.READY, e.EV_INIT_CREATE_CHILD): self.init,
            (s.CHILD_I_INIT, e.EV_REKEY_IKESA): self.rekey_ikesa,
            (s.CHILD_I_IKE, e.EV_GET_IKE_POLICY): self.get_ike_policy,
            (s.CHILD_I_IKE, e.EV_SET_POLICY): self.set_policy,
            (s.CHILD_I_IKE, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.CHILD_I_IKE, e.EV_OK_RECD_DH_PUBKEY_RESP): lambda: e.EV_BLD_MSG,
            (s.CHILD_I_IKE, e.EV_BLD_MSG): self.build,
            (s.CHILD_I_WAIT, e.EV_RECV_CREATE_CHILD): self.recv,
            (s.CHILD_I_WAIT, e.EV_RE_XMT_EXCEED): self.timed_out,
            (s.CHILD_I_PROC, e.EV_CHK4_NOTIFY): self.chk4_notify,
            (s.CHILD_I_PROC, e.EV_RECV_INVALID_KE): self.invalid_ke,
            (s.CHILD_I_PROC, e.EV_VERIFY_MSG): self.verify_msg,
            (s.CHILD_I_PROC, e.EV_PROC_MSG): self.proc_msg,
            (s.CHILD_I_PROC, e.EV_CHK4_PFS): lambda: e.EV_GEN_DH_SECRET,
            (s.CHILD_I_PROC, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.CHILD_I_PROC, e.EV_OK_RECD_DH_SECRET_RESP): self.secret_ready,
            (s.CHILD_I_PROC, e.EV_CHK_IKE_REKEY): lambda: e.EV_GEN_SKEYID,
            (s.CHILD_I_PROC, e.EV_GEN_SKEYID): self.gen_skeyid,
            (s.CHILD_I_DONE, e.EV_ACTIVATE_NEW_SA): self.activate,
            (s.CHILD_I_DONE, e.EV_UPDATE_CAC_STATS): lambda: e.EV_CHECK_DUPE,
            (s.CHILD_I_DONE, e.EV_CHECK_DUPE): lambda: e.EV_OK,
            (s.CHILD_I_DONE, e.EV_OK): self.to_exit,
            (None, e.EV_FAIL): self.failed,
            (s.EXIT, e.EV_CHK_PENDING): self.chk_pending,
        }

    def init(self) -> Event:
        self.machine.enter(State.CHILD_I_INIT)
        return Event.EV_REKEY_IKESA

    def rekey_ikesa(self) -> Event:
        self.machine.enter(State.CHILD_I_IKE)
        return Event.EV_GET_IKE_POLICY

    def get_ike_policy(self) -> Event:
        old = self.old
        self.specs = list(old.ctx.policy.ike_proposals(old.local))
        for spec in self.specs:
            old.ctx.info(None, f"Adding Proposal {spec.name} to toolkit policy")
        if not self.specs:
            self.reason = "Failed to find a matching policy"
            return Event.EV_FAIL
        if self.group is None:
            self.group = old.suite.dh if old.suite else self.specs[0].groups[0]
        return Event.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.old.info("Setting configured policies")
        return Event.EV_GEN_DH_KEY

    def gen_dh_key(self) -> Event:
        assert self.group is not None
        try:
            self.dh = new_key_exchange(self.group, self.old.ctx.random_bytes)
        except CryptoError as exc:
            self.reason = f"Failed to generate DH key: {exc}"
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_PUBKEY_RESP)

    def build(self) -> Event:
        old, new = self.old, self.new
        assert self.dh is not None and self.group is not None
        self.ni = old.ctx.random_bytes(nonce_size(self.specs))
        self.offer = ike_sa_payload(self.specs, new.spi_i)
        payloads: list[Payload] = [
            self.offer,
            NoncePayload(self.ni),
            KePayload(self.group, self.dh.public_key()),
            set_window_size_notify(old.ctx.settings.window_size),
        ]
        self.machine.enter(State.CHILD_I_WAIT)
        self.tracer.message_id = old.send_request(
            ExchangeType.CREATE_CHILD_SA, payloads, self.on_response, self.on_timeout
        )
        return Event.EV_NO_EVENT

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.inbound = payloads
        self.machine.run(Event.EV_RECV_CREATE_CHILD, self.transitions())

    def on_timeout(self) -> None:
        self.machine.run(Event.EV_RE_XMT_EXCEED, self.transitions())

    def timed_out(self) -> Event:
        self.old.rekey_in_progress = None
        self.old.close("Peer unreachable: IKE SA rekey not answered")
        return Event.EV_NO_EVENT

    def recv(self) -> Event:
        self.machine.enter(State.CHILD_I_PROC)
        self.old.info("Action: Action_Null")
        return Event.EV_CHK4_NOTIFY

    def chk4_notify(self) -> Event:
        for n in self.inbound:
            if isinstance(n, NotifyPayload) and n.is_error:
                if n.notify_type == NotifyType.INVALID_KE_PAYLOAD:
                    self.invalid_ke_notify = n
                    return Event.EV_RECV_INVALID_KE
                try:
                    self.notify: NotifyType | None = NotifyType(n.notify_type)
                except ValueError:
                    self.notify = None
                self.reason = (
                    f"Received {self.notify.name if self.notify else int(n.notify_type)} notify"
                )
                return Event.EV_FAIL
        return Event.EV_VERIFY_MSG

    def invalid_ke(self) -> Event:
        old = self.old
        try:
            group = invalid_ke_group(self.invalid_ke_notify)
        except DecodeError:
            self.reason = "Malformed INVALID_KE_PAYLOAD"
            return Event.EV_FAIL
        offered = {g for spec in self.specs for g in spec.groups}
        if group not in offered or group == self.group:
            self.notify = NotifyType.INVALID_KE_PAYLOAD
            self.reason = f"Peer requested DH group {int(group)}, which was not offered"
            return Event.EV_FAIL
        old.info(
            f"Received INVALID_KE_PAYLOAD, retrying the IKE SA rekey with DH group {int(group)}"
        )
        old.rekey_in_progress = "queued"
        self.machine.enter(State.EXIT)
        retry = IkeRekeyTask(DhId(group))
        old.queue.insert(0, retry)
        return Event.EV_CHK_PENDING

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.inbound}
        if not {SaPayload, NoncePayload, KePayload} <= kinds:
            self.notify, self.reason = (
                NotifyType.INVALID_SYNTAX,
                "IKE rekey response lacks SA, Nonce or KE",
            )
            return Event.EV_FAIL
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        answer = next(p for p in self.inbound if isinstance(p, SaPayload))
        choice = accepted_ike(self.offer, answer)
        ke = next(p for p in self.inbound if isinstance(p, KePayload))
        if choice is None or len(choice.proposal.spi) != 8 or not any(choice.proposal.spi):
            self.notify, self.reason = (
                NotifyType.NO_PROPOSAL_CHOSEN,
                "Unacceptable IKE rekey answer",
            )
            return Event.EV_FAIL
        if ke.group != choice.suite.dh or ke.group != self.group:
            self.notify, self.reason = NotifyType.INVALID_KE_PAYLOAD, "KE group mismatch"
            return Event.EV_FAIL
        self.choice = choice
        self.ke = ke
        self.nr = next(p for p in self.inbound if isinstance(p, NoncePayload)).data
        self.new.spi_r = choice.proposal.spi
        self.tracer.spi_r = choice.proposal.spi
        for n in self.inbound:
            if isinstance(n, NotifyPayload) and n.notify_type == NotifyType.SET_WINDOW_SIZE:
                try:
                    self.new.requests.peer_window = window_size(n)
                except DecodeError:
                    self.old.error("Ignoring malformed SET_WINDOW_SIZE notify")
        return Event.EV_CHK4_PFS

    def gen_dh_secret(self) -> Event:
        assert self.dh is not None
        try:
            self.shared = self.dh.shared_secret(self.ke.data)
        except CryptoError as exc:
            self.notify, self.reason = NotifyType.INVALID_SYNTAX, f"Bad KE: {exc}"
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_SECRET_RESP)

    def secret_ready(self) -> Event:
        self.old.info("Action: Action_Null")
        return Event.EV_CHK_IKE_REKEY

    def gen_skeyid(self) -> Event:
        old, new = self.old, self.new
        assert old.keys is not None and old.suite is not None
        suite = self.choice.suite
        _, keys = derive_rekeyed_ike_keys(
            suite,
            old.keys.sk_d,
            self.shared,
            self.ni,
            self.nr,
            new.spi_i,
            new.spi_r,
            old_prf=old.suite.prf,
        )
        self.shared = b""
        new.install_keys(suite, keys)
        new.ni, new.nr = self.ni, self.nr
        new.proposal_name = self.specs[self.choice.proposal.number - 1].name
        old.info("Generate skeyid")
        self.machine.enter(State.CHILD_I_DONE)
        return Event.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        old, new = self.old, self.new
        _successor(old, new)
        _activate(old, new)
        old.rekey_in_progress = RekeyOutcome(new, self.ni, self.nr, True)
        return Event.EV_UPDATE_CAC_STATS

    def to_exit(self) -> Event:
        self.machine.enter(State.EXIT)
        _settle(self.old)
        return Event.EV_CHK_PENDING

    def failed(self) -> Event:
        old = self.old
        reason = getattr(self, "reason", "IKE SA rekey failed")
        notify = getattr(self, "notify", None)
        delay = retry_delay(old.ctx.random_bytes)
        old.ike_rekey_retry_at = old.ctx.now + delay
        if notify == NotifyType.TEMPORARY_FAILURE:
            old.info(f"{reason}: retrying the IKE SA rekey in {delay:.1f} seconds")
        else:
            old.error(reason)
            old.ctx.emit(NegotiationFailed(old.ctx.now, old.sa_id, old.remote, notify, reason))
        old.rekey_in_progress = None
        theirs = next((r for r in old.rekey_responded if isinstance(r, RekeyOutcome)), None)
        if theirs is not None:
            old.rekeyed_to = theirs.new
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def chk_pending(self) -> Event:
        old = self.old
        old.info(
            f"Processed response with message id {self.tracer.message_id}, Requests can be "
            f"sent from range {old.requests.next_id} to "
            f"{old.requests.next_id + old.requests.peer_window - 1}"
        )
        return Event.EV_NO_EVENT


def respond(sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
    IkeRekeyResponder(sa, message_id, payloads).run()


class IkeRekeyResponder:
    def __init__(self, old: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        self.old = old
        self.message_id = message_id
        self.payloads = payloads
        offer = next(p for p in payloads if isinstance(p, SaPayload))
        self.offer = offer
        ctx = old.ctx
        spi_i = offer.proposals[0].spi if len(offer.proposals[0].spi) == 8 else bytes(8)
        self.new = IkeSa(
            ctx,
            initiator=False,
            local=old.local,
            remote=old.remote,
            spi_i=spi_i,
            spi_r=ctx.new_spi(8),
        )
        self.tracer = ExchangeTracer(ctx, self.new.sa_id, spi_i, self.new.spi_r, False, message_id)
        self.machine = Machine(State.READY, self.tracer.record)
        self.error = NotifyType.NO_PROPOSAL_CHOSEN
        self.error_data = b""
        self.shared = b""

    def run(self) -> None:
        self.machine.run(Event.EV_RECV_CREATE_CHILD, self.transitions())

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.READY, e.EV_RECV_CREATE_CHILD): self.recv,
            (s.CHILD_R_INIT, e.EV_RECV_CREATE_CHILD): self.action_null,
            (s.CHILD_R_INIT, e.EV_VERIFY_MSG): self.verify_msg,
            (s.CHILD_R_INIT, e.EV_CHK_CC_TYPE): self.chk_cc_type,
            (s.CHILD_R_IKE, e.EV_REKEY_IKESA): lambda: e.EV_GET_IKE_POLICY,
            (s.CHILD_R_IKE, e.EV_GET_IKE_POLICY): self.get_ike_policy,
            (s.CHILD_R_IKE, e.EV_PROC_MSG): self.proc_msg,
            (s.CHILD_R_IKE, e.EV_SET_POLICY): self.set_policy,
            (s.CHILD_R_BLD_MSG, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.CHILD_R_BLD_MSG, e.EV_OK_RECD_PUBKEY_RESP): self.null_then(e.EV_GEN_DH_SECRET),
            (s.CHILD_R_BLD_MSG, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.CHILD_R_BLD_MSG, e.EV_OK_RECD_DH_SECRET_RESP): self.null_then(e.EV_BLD_MSG),
            (s.CHILD_R_BLD_MSG, e.EV_BLD_MSG): self.build,
            (s.CHILD_R_BLD_MSG, e.EV_CHK_IKE_REKEY): lambda: e.EV_GEN_SKEYID,
            (s.CHILD_R_BLD_MSG, e.EV_GEN_SKEYID): self.gen_skeyid,
            (s.CHILD_R_DONE, e.EV_ACTIVATE_NEW_SA): self.activate,
            (s.CHILD_R_DONE, e.EV_UPDATE_CAC_STATS): lambda: e.EV_CHECK_DUPE,
            (s.CHILD_R_DONE, e.EV_CHECK_DUPE): lambda: e.EV_OK,
            (s.CHILD_R_DONE, e.EV_OK): lambda: e.EV_START_DEL_NEG_TMR,
            (s.CHILD_R_DONE, e.EV_START_DEL_NEG_TMR): self.start_del_neg_tmr,
            (None, e.EV_FAIL): self.failed,
            (s.EXIT, e.EV_CHK_PENDING): self.chk_pending,
        }

    def null_then(self, then: Event) -> Action:
        def action() -> Event:
            self.old.info("Action: Action_Null")
            return then

        return action

    def recv(self) -> Event:
        self.machine.enter(State.CHILD_R_INIT)
        self.old.info("Action: Action_Null")
        return Event.EV_RECV_CREATE_CHILD

    def action_null(self) -> Event:
        self.old.info("Action: Action_Null")
        return Event.EV_VERIFY_MSG

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.payloads}
        if not {SaPayload, NoncePayload, KePayload} <= kinds:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        if self.new.spi_i == bytes(8):
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        old = self.old
        if (
            old.deleting
            or old.rekeyed_to is not None
            or isinstance(old.rekey_in_progress, RekeyOutcome)
        ):
            self.error = NotifyType.TEMPORARY_FAILURE
            return Event.EV_FAIL
        if old.child_work_in_flight():
            old.info("Peer started an IKE SA rekey while a Child SA exchange is in progress")
            self.error = NotifyType.TEMPORARY_FAILURE
            return Event.EV_FAIL
        return Event.EV_CHK_CC_TYPE

    def chk_cc_type(self) -> Event:
        self.machine.enter(State.CHILD_R_IKE)
        return Event.EV_REKEY_IKESA

    def get_ike_policy(self) -> Event:
        old = self.old
        self.specs = list(old.ctx.policy.ike_proposals(old.local))
        old.ctx.info(None, f"% Getting preshared key from address {old.remote.address}")
        for spec in self.specs:
            old.ctx.info(None, f"Adding Proposal {spec.name} to toolkit policy")
        if old.profile is not None:
            old.info(f"IKEv2 profile '{old.profile.name}' used")
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        old = self.old
        ke = next(p for p in self.payloads if isinstance(p, KePayload))
        choice = select_ike(
            self.specs, self.offer, int(ke.group), old.ctx.settings.prefer_own_order
        )
        if choice is None:
            self.error = NotifyType.NO_PROPOSAL_CHOSEN
            return Event.EV_FAIL
        if ke.group != choice.suite.dh:
            self.error = NotifyType.INVALID_KE_PAYLOAD
            self.error_data = invalid_ke_notify(choice.suite.dh).data
            return Event.EV_FAIL
        self.choice = choice
        self.ke = ke
        self.ni = next(p for p in self.payloads if isinstance(p, NoncePayload)).data
        for n in self.payloads:
            if isinstance(n, NotifyPayload) and n.notify_type == NotifyType.SET_WINDOW_SIZE:
                try:
                    self.new.requests.peer_window = window_size(n)
                except DecodeError:
                    old.error("Ignoring malformed SET_WINDOW_SIZE notify")
        return Event.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.old.info("Setting configured policies")
        self.machine.enter(State.CHILD_R_BLD_MSG)
        return Event.EV_GEN_DH_KEY

    def gen_dh_key(self) -> Event:
        try:
            self.dh = new_key_exchange(self.choice.suite.dh, self.old.ctx.random_bytes)
        except CryptoError:
            self.error = NotifyType.NO_PROPOSAL_CHOSEN
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_PUBKEY_RESP)

    def gen_dh_secret(self) -> Event:
        try:
            self.shared = self.dh.shared_secret(self.ke.data)
        except CryptoError:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_SECRET_RESP)

    def build(self) -> Event:
        old, new = self.old, self.new
        from dataclasses import replace

        self.nr = old.ctx.random_bytes(nonce_size(self.specs))
        payloads: list[Payload] = [
            SaPayload((replace(self.choice.proposal, spi=new.spi_r),)),
            NoncePayload(self.nr),
            KePayload(self.choice.suite.dh, self.dh.public_key()),
            set_window_size_notify(old.ctx.settings.window_size),
        ]
        old.respond(ExchangeType.CREATE_CHILD_SA, self.message_id, payloads)
        return Event.EV_CHK_IKE_REKEY

    def gen_skeyid(self) -> Event:
        old, new = self.old, self.new
        assert old.keys is not None and old.suite is not None
        suite = self.choice.suite
        _, keys = derive_rekeyed_ike_keys(
            suite,
            old.keys.sk_d,
            self.shared,
            self.ni,
            self.nr,
            new.spi_i,
            new.spi_r,
            old_prf=old.suite.prf,
        )
        self.shared = b""
        new.install_keys(suite, keys)
        new.ni, new.nr = self.ni, self.nr
        new.proposal_name = self.choice.spec_name
        old.info("Generate skeyid")
        self.machine.enter(State.CHILD_R_DONE)
        return Event.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        old, new = self.old, self.new
        _successor(old, new)
        old.ctx.info(None, f"Store mib index ikev2 {new.sa_id}")
        _activate(old, new)
        outcome = RekeyOutcome(new, self.ni, self.nr, False)
        old.rekey_responded.append(outcome)
        if not old.ike_rekey_active and old.rekeyed_to is None:
            old.rekeyed_to = new  # a plain rekey: the peer deletes the old SA
        return Event.EV_UPDATE_CAC_STATS

    def start_del_neg_tmr(self) -> Event:
        old = self.old
        settings = old.ctx.settings
        # Our response may be lost: keep the old SA (and its cached response) for as long as
        # the initiator may retransmit the request, or the initiator is left with no SA.
        retransmitting = settings.retransmit_interval * (2 ** (settings.retransmit_limit + 1) - 1)
        old.delete_deadline = old.ctx.now + max(settings.delete_negotiation_timeout, retransmitting)
        old.info("Action: Action_Null")
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def failed(self) -> Event:
        old = self.old
        old.ctx.remove(self.new)
        reason = f"IKE SA rekey refused: {self.error.name}"
        old.error(reason)
        if self.error not in (NotifyType.TEMPORARY_FAILURE, NotifyType.INVALID_KE_PAYLOAD):
            old.ctx.emit(
                NegotiationFailed(old.ctx.now, old.sa_id, old.remote, self.error, reason, True)
            )
        old.respond(
            ExchangeType.CREATE_CHILD_SA,
            self.message_id,
            [NotifyPayload(self.error, self.error_data)],
        )
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def chk_pending(self) -> Event:
        old = self.old
        old.info(
            f"Sent response with message id {self.message_id}, Requests can be accepted from "
            f"range {old.responses.range_text}"
        )
        return Event.EV_NO_EVENT
