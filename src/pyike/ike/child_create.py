"""CREATE_CHILD_SA for Child SAs (RFC 7296 sections 1.3.1 and 1.3.3): a new Child SA or the
rekey of one (REKEY_SA, optional PFS key exchange), initiator and responder halves. An IKE
SA rekey arriving here is handed to rekey.py."""

from __future__ import annotations

from dataclasses import replace

from pyike.codec import (
    KePayload,
    Message,
    NoncePayload,
    NotifyPayload,
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
from pyike.codec.registry import DhId, ExchangeType, NotifyType, ProtocolId
from pyike.crypto.dh import KeyExchange, new_key_exchange
from pyike.crypto.errors import CryptoError
from pyike.ike import child_duplicates, collisions, informational
from pyike.ike import ts as tsmod
from pyike.ike.child_sa import ChildSa, ChildState, child_keys, refused_rekey_delay
from pyike.ike.child_select import CHILD_ERRORS, ChildChoice, initiator_check, responder_choice
from pyike.ike.collisions import RekeyOutcome
from pyike.ike.events import ChildSaInstalled, NegotiationFailed
from pyike.ike.fsm import Action, Machine
from pyike.ike.ike_init import nonce_size
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import TunnelSpec
from pyike.ike.proposals import esp_sa_payload
from pyike.ike.retransmit import retry_delay
from pyike.ike.states import Event, State
from pyike.ike.task import Task
from pyike.ike.xtrace import ExchangeTracer

CHILD_NONCE = 32


def _nonce(sa: IkeSa) -> bytes:
    return sa.ctx.random_bytes(max(CHILD_NONCE // 2, nonce_size(sa.proposals)))


def install(sa: IkeSa, child: ChildSa, rekey_of: bytes | None = None) -> None:
    sa.ctx.touched.add(sa.sa_id)
    sa.children.append(child)
    sa.ctx.emit(
        ChildSaInstalled(sa.ctx.now, child.info(sa.sa_id, sa.local, sa.remote, sa.nat_t), rekey_of)
    )


def start_new(sa: IkeSa, tunnel: TunnelSpec, *, if_missing: bool = False) -> None:
    sa.enqueue(CreateChildTask(tunnel, None, if_missing=if_missing))


def start_rekey(sa: IkeSa, spi_in: bytes) -> None:
    child = sa.find_child(spi_in, inbound=True)
    if child is None or child.state != ChildState.INSTALLED or child.tunnel is None:
        return
    child.state = ChildState.REKEYING
    child.rekey_pending = True
    child.retry_at = None
    sa.enqueue(CreateChildTask(child.tunnel, child))


class CreateChildTask(Task):
    """Initiator half."""

    name = "CREATE_CHILD_SA"

    def __init__(
        self,
        tunnel: TunnelSpec,
        rekey_of: ChildSa | None,
        group: DhId | None = None,
        *,
        if_missing: bool = False,
    ):
        self.tunnel = tunnel
        self.if_missing = if_missing
        self.rekey_of = rekey_of
        self.group = group if group is not None else tunnel.pfs_group
        self.dh: KeyExchange | None = None
        self.ni = b""
        self.spi = b""
        self.offer: SaPayload | None = None
        self.inbound: list[Payload] = []
        self.shared: bytes | None = None
        self.choice: ChildChoice | None = None

    def start(self, sa: IkeSa) -> None:
        if self.rekey_of is not None and self.rekey_of not in sa.children:
            return
        if self.if_missing and tunnel_covered(sa, self.tunnel):
            sa.info(f"{self.tunnel.name} has a Child SA by now: not creating another")
            return
        self.sa = sa
        self.tracer = ExchangeTracer(
            sa.ctx, sa.sa_id, sa.spi_i, sa.spi_r, True, sa.requests.next_id
        )
        self.machine = Machine(State.READY, self.tracer.record)
        self.machine.run(Event.EV_INIT_CREATE_CHILD, self.transitions())

    def abandon(self, sa: IkeSa, reason: str) -> None:
        if self.rekey_of is not None:
            self.rekey_of.rekey_pending = False

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.READY, e.EV_INIT_CREATE_CHILD): self.init,
            (s.CHILD_I_INIT, e.EV_REKEY_IPSEC): self.ipsec,
            (s.CHILD_I_INIT, e.EV_CREATE_IPSEC): self.ipsec,
            (s.CHILD_I_IPSEC, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.CHILD_I_IPSEC, e.EV_OK_RECD_DH_PUBKEY_RESP): lambda: e.EV_BLD_MSG,
            (s.CHILD_I_IPSEC, e.EV_BLD_MSG): self.build,
            (s.CHILD_I_WAIT, e.EV_RECV_CREATE_CHILD): self.recv,
            (s.CHILD_I_WAIT, e.EV_RE_XMT_EXCEED): self.timed_out,
            (s.CHILD_I_PROC, e.EV_CHK4_NOTIFY): self.chk4_notify,
            (s.CHILD_I_PROC, e.EV_RECV_INVALID_KE): self.invalid_ke,
            (s.CHILD_I_PROC, e.EV_VERIFY_MSG): self.verify_msg,
            (s.CHILD_I_PROC, e.EV_PROC_MSG): self.proc_msg,
            (s.CHILD_I_PROC, e.EV_CHK4_PFS): self.chk4_pfs,
            (s.CHILD_I_PROC, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.CHILD_I_PROC, e.EV_OK_RECD_DH_SECRET_RESP): self.secret_ready,
            (s.CHILD_I_PROC, e.EV_CHK_IKE_REKEY): self.activate_next,
            (s.CHILD_I_DONE, e.EV_ACTIVATE_NEW_SA): self.activate,
            (s.CHILD_I_DONE, e.EV_UPDATE_CAC_STATS): lambda: e.EV_CHECK_DUPE,
            (s.CHILD_I_DONE, e.EV_CHECK_DUPE): lambda: e.EV_OK,
            (s.CHILD_I_DONE, e.EV_OK): self.to_exit,
            (None, e.EV_FAIL): self.failed,
            (s.EXIT, e.EV_CHK_PENDING): self.chk_pending,
        }

    def init(self) -> Event:
        self.machine.enter(State.CHILD_I_INIT)
        return Event.EV_REKEY_IPSEC if self.rekey_of is not None else Event.EV_CREATE_IPSEC

    def ipsec(self) -> Event:
        self.machine.enter(State.CHILD_I_IPSEC)
        return Event.EV_GEN_DH_KEY if self.group is not None else Event.EV_BLD_MSG

    def gen_dh_key(self) -> Event:
        assert self.group is not None
        try:
            self.dh = new_key_exchange(self.group, self.sa.ctx.random_bytes)
        except CryptoError as exc:
            self.reason = f"Failed to generate DH key: {exc}"
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_PUBKEY_RESP)

    def build(self) -> Event:
        sa = self.sa
        self.spi = sa.ctx.new_spi(4)
        self.ni = _nonce(sa)
        self.offer = esp_sa_payload(self.tunnel.transform_sets, self.spi, self.group)
        payloads: list[Payload] = []
        if self.rekey_of is not None:
            payloads.append(rekey_sa_notify(ProtocolId.ESP, self.rekey_of.spi_in))
        payloads += [self.offer, NoncePayload(self.ni)]
        if self.dh is not None and self.group is not None:
            payloads.append(KePayload(self.group, self.dh.public_key()))
        local_ts = self.rekey_of.local_ts if self.rekey_of else self.tunnel.local_ts
        remote_ts = self.rekey_of.remote_ts if self.rekey_of else self.tunnel.remote_ts
        self.proposed = (local_ts, remote_ts)
        payloads += [tsmod.to_payload(local_ts, True), tsmod.to_payload(remote_ts, False)]
        self.machine.enter(State.CHILD_I_WAIT)
        self.tracer.message_id = sa.send_request(
            ExchangeType.CREATE_CHILD_SA,
            payloads,
            self.on_response,
            self.on_timeout,
            child_work=True,
        )
        return Event.EV_NO_EVENT

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.inbound = payloads
        self.machine.run(Event.EV_RECV_CREATE_CHILD, self.transitions())

    def on_timeout(self) -> None:
        self.machine.run(Event.EV_RE_XMT_EXCEED, self.transitions())

    def timed_out(self) -> Event:
        self.sa.error("Maximum number of retransmissions reached (CREATE_CHILD_SA)")
        if self.rekey_of is not None:
            self.rekey_of.rekey_pending = False
        self.sa.close("Peer unreachable: CREATE_CHILD_SA not answered")
        return Event.EV_NO_EVENT

    def recv(self) -> Event:
        self.machine.enter(State.CHILD_I_PROC)
        self.sa.info("Action: Action_Null")
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
                name = self.notify.name if self.notify else str(int(n.notify_type))
                self.reason = f"Received {name} notify"
                return Event.EV_FAIL
        return Event.EV_VERIFY_MSG

    def invalid_ke(self) -> Event:
        sa = self.sa
        try:
            group = invalid_ke_group(self.invalid_ke_notify)
        except DecodeError:
            self.notify, self.reason = NotifyType.INVALID_SYNTAX, "Malformed INVALID_KE_PAYLOAD"
            return Event.EV_FAIL
        if group == self.group or group == DhId.NONE or not isinstance(group, DhId):
            self.notify = NotifyType.INVALID_KE_PAYLOAD
            self.reason = f"Peer requested unusable DH group {int(group)}"
            return Event.EV_FAIL
        sa.info(f"Received INVALID_KE_PAYLOAD, retrying with DH group {int(group)}")
        self.machine.enter(State.EXIT)
        retry = CreateChildTask(self.tunnel, self.rekey_of, group, if_missing=self.if_missing)
        sa.queue.insert(0, retry)
        return Event.EV_CHK_PENDING

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.inbound}
        if not {SaPayload, NoncePayload, TsPayload} <= kinds:
            self.notify, self.reason = (
                NotifyType.INVALID_SYNTAX,
                "CREATE_CHILD_SA response lacks SA, Nonce or TS",
            )
            return Event.EV_FAIL
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        answer = next(p for p in self.inbound if isinstance(p, SaPayload))
        tsi = next(p for p in self.inbound if isinstance(p, TsPayload) and p.initiator)
        tsr = next((p for p in self.inbound if isinstance(p, TsPayload) and not p.initiator), None)
        assert self.offer is not None
        if tsr is None:
            self.notify, self.reason = NotifyType.INVALID_SYNTAX, "response lacks TSr"
            return Event.EV_FAIL
        checked = initiator_check(self.tunnel, self.offer, answer, tsi, tsr, *self.proposed)
        if isinstance(checked, NotifyType):
            self.notify, self.reason = checked, f"Unacceptable answer ({checked.name})"
            return Event.EV_FAIL
        if checked.transform.dh != self.group:
            self.notify = NotifyType.NO_PROPOSAL_CHOSEN
            self.reason = "Responder dropped the PFS group"
            return Event.EV_FAIL
        self.choice = checked
        self.nr = next(p for p in self.inbound if isinstance(p, NoncePayload)).data
        return Event.EV_CHK4_PFS

    def chk4_pfs(self) -> Event:
        return Event.EV_GEN_DH_SECRET if self.dh is not None else Event.EV_CHK_IKE_REKEY

    def gen_dh_secret(self) -> Event:
        assert self.dh is not None
        ke = next((p for p in self.inbound if isinstance(p, KePayload)), None)
        if ke is None or ke.group != self.group:
            self.notify, self.reason = NotifyType.INVALID_SYNTAX, "PFS response without matching KE"
            return Event.EV_FAIL
        try:
            self.shared = self.dh.shared_secret(ke.data)
        except CryptoError as exc:
            self.notify, self.reason = NotifyType.INVALID_SYNTAX, f"Bad KE: {exc}"
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_SECRET_RESP)

    def secret_ready(self) -> Event:
        self.sa.info("Action: Action_Null")
        return Event.EV_CHK_IKE_REKEY

    def activate_next(self) -> Event:
        self.machine.enter(State.CHILD_I_DONE)
        return Event.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        sa, choice = self.sa, self.choice
        assert choice is not None and sa.keys is not None and sa.suite is not None
        keys = child_keys(
            sa.suite.prf, sa.keys.sk_d, self.ni, self.nr, self.shared, choice.transform
        )
        self.shared = None
        old = self.rekey_of
        child = ChildSa.negotiated(
            choice,
            spi_in=self.spi,
            keys=keys,
            initiator=True,
            now=sa.ctx.now,
            tunnel=self.tunnel,
            creation_nonces=None if old is not None else (self.ni, self.nr),
        )
        install(sa, child, None if old is None else old.spi_in)
        if old is None:
            child_duplicates.delete_redundant(sa, child)
        else:
            old.rekey_pending = False
            old.rekey_ours = RekeyOutcome(child, self.ni, self.nr, True)
            child_rekey_settled(sa, old)
        return Event.EV_UPDATE_CAC_STATS

    def to_exit(self) -> Event:
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def failed(self) -> Event:
        sa = self.sa
        notify = getattr(self, "notify", None)
        reason = getattr(self, "reason", "CREATE_CHILD_SA failed")
        temporary = notify == NotifyType.TEMPORARY_FAILURE
        old = self.rekey_of
        if temporary:
            delay = retry_delay(sa.ctx.random_bytes)
            sa.info(f"{reason}: retrying in {delay:.1f} seconds")
            if old is None:
                retry = CreateChildTask(self.tunnel, None, self.group, if_missing=self.if_missing)
                sa.defer(delay, retry)
            else:
                old.retry_at = sa.ctx.now + delay
        else:
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason))
        if notify == NotifyType.CHILD_SA_NOT_FOUND and old is not None and old in sa.children:
            _forget_missing_child(sa, old)
            self.machine.enter(State.EXIT)
            return Event.EV_CHK_PENDING
        if old is not None and old in sa.children:
            old.rekey_pending = False
            if old.state == ChildState.REKEYING:
                old.state = ChildState.INSTALLED
            if not temporary:
                _back_off_refused_rekey(sa, old)
            if old.rekey_theirs is not None:
                child_rekey_settled(sa, old)
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def chk_pending(self) -> Event:
        sa = self.sa
        sa.info(
            f"Processed response with message id {self.tracer.message_id}, Requests can be "
            f"sent from range {sa.requests.next_id} to "
            f"{sa.requests.next_id + sa.requests.peer_window - 1}"
        )
        return Event.EV_NO_EVENT


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
        isinstance(task, CreateChildTask)
        and task.tunnel.name == tunnel.name
        and (task.rekey_of is None or task in in_flight)
        for task in [*queued, *in_flight]
    )


def child_rekey_settled(sa: IkeSa, old: ChildSa) -> None:
    """Decides what happens to the old Child SA (and a redundant new one) once this side's
    rekey is done, applying the nonce rule when the peer rekeyed it at the same time."""
    ours, theirs = old.rekey_ours, old.rekey_theirs
    if old.rekey_pending:
        return  # our own exchange is still running; decide when it ends
    if ours is not None and theirs is not None:
        if collisions.we_lost(ours, theirs):
            sa.info("Child SA rekey collision: ours holds the lowest nonce, deleting it")
            informational.delete_child(sa, ours.new.spi_in, "Redundant rekeyed SA")
            old.state = ChildState.REKEYED  # the peer deletes the old one
        else:
            sa.info("Child SA rekey collision: the peer's SA is redundant, deleting the old SA")
            old.state = ChildState.REKEYED
            informational.delete_child(sa, old.spi_in, "Rekeyed")
    elif ours is not None:
        old.state = ChildState.REKEYED
        informational.delete_child(sa, old.spi_in, "Rekeyed")
    elif theirs is not None:
        old.state = ChildState.REKEYED  # a plain rekey by the peer: it deletes the old SA


# --- responder -------------------------------------------------------------------------


def respond(sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
    offer = next((p for p in payloads if isinstance(p, SaPayload)), None)
    if offer is not None and offer.proposals and offer.proposals[0].protocol == ProtocolId.IKE:
        from pyike.ike import rekey

        rekey.respond(sa, message_id, payloads)
        return
    ChildResponder(sa, message_id, payloads).run()


class ChildResponder:
    def __init__(self, sa: IkeSa, message_id: int, payloads: list[Payload]) -> None:
        self.sa = sa
        self.message_id = message_id
        self.payloads = payloads
        self.tracer = ExchangeTracer(sa.ctx, sa.sa_id, sa.spi_i, sa.spi_r, sa.initiator, message_id)
        self.machine = Machine(State.READY, self.tracer.record)
        self.old: ChildSa | None = None
        self.dh: KeyExchange | None = None
        self.shared: bytes | None = None
        self.error: NotifyType = NotifyType.NO_PROPOSAL_CHOSEN
        self.error_data = b""

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
            (s.CHILD_R_IPSEC, e.EV_REKEY_IPSEC): self.rekey_ipsec,
            (s.CHILD_R_IPSEC, e.EV_CREATE_IPSEC): lambda: e.EV_PROC_MSG,
            (s.CHILD_R_IPSEC, e.EV_PROC_MSG): self.proc_msg,
            (s.CHILD_R_BLD_MSG, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.CHILD_R_BLD_MSG, e.EV_OK_RECD_PUBKEY_RESP): lambda: e.EV_GEN_DH_SECRET,
            (s.CHILD_R_BLD_MSG, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.CHILD_R_BLD_MSG, e.EV_OK_RECD_DH_SECRET_RESP): lambda: e.EV_BLD_MSG,
            (s.CHILD_R_BLD_MSG, e.EV_BLD_MSG): self.build,
            (s.CHILD_R_BLD_MSG, e.EV_CHK_IKE_REKEY): self.to_done,
            (s.CHILD_R_DONE, e.EV_ACTIVATE_NEW_SA): self.activate,
            (s.CHILD_R_DONE, e.EV_UPDATE_CAC_STATS): lambda: e.EV_CHECK_DUPE,
            (s.CHILD_R_DONE, e.EV_CHECK_DUPE): lambda: e.EV_OK,
            (s.CHILD_R_DONE, e.EV_OK): self.to_exit,
            (None, e.EV_FAIL): self.failed,
            (s.EXIT, e.EV_CHK_PENDING): self.chk_pending,
        }

    def recv(self) -> Event:
        self.machine.enter(State.CHILD_R_INIT)
        self.sa.info("Action: Action_Null")
        return Event.EV_RECV_CREATE_CHILD

    def action_null(self) -> Event:
        self.sa.info("Action: Action_Null")
        return Event.EV_VERIFY_MSG

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.payloads}
        if not {SaPayload, NoncePayload, TsPayload} <= kinds:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        sa = self.sa
        if sa.deleting or sa.rekeyed_to is not None or sa.ike_rekey_active:
            sa.info("Unable to create or rekey a Child SA while the IKE SA is being rekeyed")
            self.error = NotifyType.TEMPORARY_FAILURE
            return Event.EV_FAIL
        return Event.EV_CHK_CC_TYPE

    def chk_cc_type(self) -> Event:
        self.machine.enter(State.CHILD_R_IPSEC)
        rekey = next(
            (
                p
                for p in self.payloads
                if isinstance(p, NotifyPayload) and p.notify_type == NotifyType.REKEY_SA
            ),
            None,
        )
        if rekey is None:
            return Event.EV_CREATE_IPSEC
        try:
            _, spi = rekey_sa_spi(rekey)
        except DecodeError:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        self.rekey_spi = spi
        return Event.EV_REKEY_IPSEC

    def rekey_ipsec(self) -> Event:
        sa = self.sa
        old = sa.find_child(self.rekey_spi, inbound=False)
        if old is None:
            self.error = NotifyType.CHILD_SA_NOT_FOUND
            self.error_spi = self.rekey_spi
            return Event.EV_FAIL
        if old.state in (ChildState.DELETING, ChildState.REKEYED):
            self.error = NotifyType.TEMPORARY_FAILURE
            return Event.EV_FAIL
        self.old = old
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        sa = self.sa
        offer = next(p for p in self.payloads if isinstance(p, SaPayload))
        tsi = next(p for p in self.payloads if isinstance(p, TsPayload) and p.initiator)
        tsr = next((p for p in self.payloads if isinstance(p, TsPayload) and not p.initiator), None)
        if tsr is None:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        tunnel = self.old.tunnel if self.old is not None else None
        choice = responder_choice(sa, offer, tsi, tsr, allow_dh=True, tunnel=tunnel)
        if isinstance(choice, NotifyType):
            self.error = choice
            return Event.EV_FAIL
        ke = next((p for p in self.payloads if isinstance(p, KePayload)), None)
        group = choice.transform.dh
        if group is not None and (ke is None or ke.group != group):
            self.error = NotifyType.INVALID_KE_PAYLOAD
            self.error_data = invalid_ke_notify(group).data
            return Event.EV_FAIL
        self.choice = choice
        self.ke = ke
        self.ni = next(p for p in self.payloads if isinstance(p, NoncePayload)).data
        self.machine.enter(State.CHILD_R_BLD_MSG)
        return Event.EV_GEN_DH_KEY if group is not None else Event.EV_BLD_MSG

    def gen_dh_key(self) -> Event:
        group = self.choice.transform.dh
        assert group is not None
        try:
            self.dh = new_key_exchange(group, self.sa.ctx.random_bytes)
        except CryptoError:
            self.error = NotifyType.NO_PROPOSAL_CHOSEN
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_PUBKEY_RESP)

    def gen_dh_secret(self) -> Event:
        assert self.dh is not None and self.ke is not None
        try:
            self.shared = self.dh.shared_secret(self.ke.data)
        except CryptoError:
            self.error = NotifyType.INVALID_SYNTAX
            return Event.EV_FAIL
        return self.machine.complete_later(Event.EV_OK_RECD_DH_SECRET_RESP)

    def build(self) -> Event:
        sa = self.sa
        self.spi = sa.ctx.new_spi(4)
        self.nr = _nonce(sa)
        payloads: list[Payload] = [
            SaPayload((replace(self.choice.proposal, spi=self.spi),)),
            NoncePayload(self.nr),
        ]
        if self.dh is not None and self.choice.transform.dh is not None:
            payloads.append(KePayload(self.choice.transform.dh, self.dh.public_key()))
        payloads += [
            tsmod.to_payload(self.choice.tsi, True),
            tsmod.to_payload(self.choice.tsr, False),
        ]
        sa.respond(ExchangeType.CREATE_CHILD_SA, self.message_id, payloads)
        return Event.EV_CHK_IKE_REKEY

    def to_done(self) -> Event:
        self.machine.enter(State.CHILD_R_DONE)
        return Event.EV_ACTIVATE_NEW_SA

    def activate(self) -> Event:
        sa, choice = self.sa, self.choice
        assert sa.keys is not None and sa.suite is not None
        keys = child_keys(
            sa.suite.prf, sa.keys.sk_d, self.ni, self.nr, self.shared, choice.transform
        )
        self.shared = None
        old = self.old
        child = ChildSa.negotiated(
            choice,
            spi_in=self.spi,
            keys=keys,
            initiator=False,
            now=sa.ctx.now,
            creation_nonces=None if old is not None else (self.ni, self.nr),
        )
        install(sa, child, None if old is None else old.spi_in)
        if old is None:
            child_duplicates.delete_redundant(sa, child)
        else:
            old.rekey_theirs = RekeyOutcome(child, self.ni, self.nr, False)
            if old.rekey_pending or old.rekey_ours is not None:
                sa.info("Child SA rekey collision detected")
            child_rekey_settled(sa, old)
        return Event.EV_UPDATE_CAC_STATS

    def to_exit(self) -> Event:
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def failed(self) -> Event:
        sa = self.sa
        spi = getattr(self, "error_spi", b"")
        notify = NotifyPayload(self.error, self.error_data, ProtocolId.ESP if spi else 0, spi)
        reason = f"CREATE_CHILD_SA refused: {self.error.name}"
        sa.error(reason)
        if self.error not in (NotifyType.TEMPORARY_FAILURE, NotifyType.INVALID_KE_PAYLOAD):
            sa.ctx.emit(
                NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, self.error, reason, True)
            )
        sa.respond(ExchangeType.CREATE_CHILD_SA, self.message_id, [notify])
        self.machine.enter(State.EXIT)
        return Event.EV_CHK_PENDING

    def chk_pending(self) -> Event:
        sa = self.sa
        sa.info(
            f"Sent response with message id {self.message_id}, Requests can be accepted from "
            f"range {sa.responses.range_text}"
        )
        return Event.EV_NO_EVENT


__all__ = [
    "CHILD_ERRORS",
    "CreateChildTask",
    "child_rekey_settled",
    "respond",
    "start_new",
    "start_rekey",
    "tunnel_covered",
]
