"""IKE_SA_INIT (RFC 7296 section 1.2), initiator and responder halves: proposals, KE with
INVALID_KE_PAYLOAD retry, nonces, NAT detection, cookies, vendor IDs, fragmentation support.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pyike.codec import (
    KePayload,
    Message,
    NoncePayload,
    NotifyPayload,
    Payload,
    SaPayload,
    VendorPayload,
    encode_message,
)
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import (
    NAT_DETECTION_HASH_SIZE,
    cookie_notify,
    cookie_value,
    fragmentation_supported_notify,
    invalid_ke_group,
    invalid_ke_notify,
)
from pyike.codec.registry import DhId, ExchangeType, NotifyType, PrfId
from pyike.crypto.dh import new_key_exchange
from pyike.crypto.errors import CryptoError
from pyike.crypto.keys import derive_ike_keys
from pyike.ike import natd
from pyike.ike.events import NAT_T_PORT, Endpoint
from pyike.ike.fsm import Action
from pyike.ike.policy import IkeProposalSpec
from pyike.ike.proposals import accepted_ike, ike_sa_payload, select_ike
from pyike.ike.states import Event, State
from pyike.ike.vendor import own_vendor_ids, vendor_name

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake
    from pyike.ike.ike_sa import IkeSa

_PRF_KEY_SIZES = {
    PrfId.HMAC_MD5: 16,
    PrfId.HMAC_SHA1: 20,
    PrfId.HMAC_SHA2_256: 32,
    PrfId.HMAC_SHA2_384: 48,
    PrfId.HMAC_SHA2_512: 64,
}
MIN_NONCE = 20  # what IOS sends (the seed's Nonce payloads are 24 octets long)


def nonce_size(specs: list[IkeProposalSpec]) -> int:
    """At least half the key size of the strongest PRF offered (RFC 7296 section 2.10)."""
    sizes = [_PRF_KEY_SIZES.get(p, 32) for spec in specs for p in spec.prf]
    return max([MIN_NONCE, *[s // 2 for s in sizes]])


def _record_vendors(h: Handshake) -> None:
    for vid in (p for p in h.payloads if isinstance(p, VendorPayload)):
        name = vendor_name(vid)
        h.sa.peer_vendors.add(name)
        h.sa.ctx.info(None, f"Parse Vendor Specific Payload: {name}")


def _detect_nat(h: Handshake) -> None:
    sa = h.sa
    assert h.inbound is not None
    sa.info("Process NAT discovery notify")
    notifies = [p for p in h.payloads if isinstance(p, NotifyPayload)]
    spi_r = h.inbound.header.spi_r
    result = natd.detect(notifies, sa.spi_i, spi_r, sa.local, sa.remote)
    sa.nat = result
    if not result.checked:
        sa.info("NAT detection notifies not received")
        return
    if sa.ctx.settings.force_encap and not result.nat_detected:
        sa.nat = result.forced()
        sa.info("Faking NAT to force UDP encapsulation")
    sa.info("Processing nat detect src notify")
    sa.info("Remote address matched" if result.remote_matches else "Remote address not matched")
    sa.info("Processing nat detect dst notify")
    sa.info("Local address matched" if result.local_matches else "Local address not matched")
    if not result.nat_detected:
        sa.info("NAT not found")
    elif result.local_behind_nat:
        sa.info("Host is located NAT inside")
    else:
        sa.info("Peer is located NAT inside")


def _fake_natd_source(sa: IkeSa) -> bytes | None:
    """A source hash that cannot match when UDP encapsulation is forced (the same trick as
    strongSwan's ``encap = yes``)."""
    if not sa.ctx.settings.force_encap:
        return None
    return sa.ctx.random_bytes(NAT_DETECTION_HASH_SIZE)


def _frag_notify(h: Handshake) -> list[Payload]:
    return [fragmentation_supported_notify()] if h.sa.ctx.settings.fragmentation_mtu else []


def _peer_supports_fragmentation(h: Handshake) -> bool:
    return any(
        isinstance(p, NotifyPayload) and p.notify_type == NotifyType.IKEV2_FRAGMENTATION_SUPPORTED
        for p in h.payloads
    )


def _action_null(sa: IkeSa, then: Event) -> Action:
    """A step IOS takes with nothing to do but say so ("Action: Action_Null")."""

    def action() -> Event:
        sa.info("Action: Action_Null")
        return then

    return action


class InitInitiator:
    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.IDLE, e.EV_INIT_SA): self.init_sa,
            (s.I_BLD_INIT, e.EV_GET_IKE_POLICY): self.get_ike_policy,
            (s.I_BLD_INIT, e.EV_SET_POLICY): self.set_policy,
            (s.I_BLD_INIT, e.EV_CHK_AUTH4PKI): self.chk_auth4pki,
            (s.I_BLD_INIT, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.I_BLD_INIT, e.EV_OK_RECD_DH_PUBKEY_RESP): _action_null(
                self.sa, e.EV_GET_CONFIG_MODE
            ),
            (s.I_BLD_INIT, e.EV_GET_CONFIG_MODE): self.get_config_mode,
            (s.I_BLD_INIT, e.EV_BLD_MSG): self.build,
            (s.I_WAIT_INIT, e.EV_RECV_INIT): self.recv_init,
            (s.I_WAIT_INIT, e.EV_RE_XMT_EXCEED): self.retransmits_exceeded,
            (s.I_PROC_INIT, e.EV_CHK4_NOTIFY): self.chk4_notify,
            (s.I_PROC_INIT, e.EV_RECV_COOKIE): self.recv_cookie,
            (s.I_PROC_INIT, e.EV_RECV_INVALID_KE): self.recv_invalid_ke,
            (s.I_PROC_INIT, e.EV_VERIFY_MSG): self.verify_msg,
            (s.I_PROC_INIT, e.EV_PROC_MSG): self.proc_msg,
            (s.I_PROC_INIT, e.EV_DETECT_NAT): self.detect_nat,
            (s.I_PROC_INIT, e.EV_CHK_NAT_T): self.chk_nat_t,
            (s.I_PROC_INIT, e.EV_CHK_CONFIG_MODE): self.chk_config_mode,
            (s.INIT_DONE, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.INIT_DONE, e.EV_OK_RECD_SECRET_RESP): _action_null(self.sa, e.EV_GEN_SKEYID),
            (s.INIT_DONE, e.EV_GEN_SKEYID): self.gen_skeyid,
            (s.INIT_DONE, e.EV_DONE): self.done,
            (s.INIT_DONE, e.EV_CHK4_ROLE): self.chk4_role,
        }

    def init_sa(self) -> Event:
        self.sa.machine.enter(State.I_BLD_INIT)
        return Event.EV_GET_IKE_POLICY

    def get_ike_policy(self) -> Event:
        sa = self.sa
        specs = list(sa.ctx.policy.ike_proposals(sa.local))
        if not specs:
            return self.h.fail("Failed to find a matching policy")
        for spec in specs:
            sa.ctx.info(None, f"Adding Proposal {spec.name} to toolkit policy")
        sa.proposals = specs
        self.h.group = specs[0].groups[0]
        return Event.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.sa.info("Setting configured policies")
        return Event.EV_CHK_AUTH4PKI

    def chk_auth4pki(self) -> Event:
        return Event.EV_GEN_DH_KEY  # PSK on both sides: no PKI session

    def gen_dh_key(self) -> Event:
        sa = self.sa
        assert self.h.group is not None
        try:
            sa.dh = new_key_exchange(self.h.group, sa.ctx.random_bytes)
        except CryptoError as exc:
            return self.h.fail(f"Failed to generate DH key: {exc}")
        if not sa.ni:
            sa.ni = sa.ctx.random_bytes(nonce_size(sa.proposals))
        return sa.machine.complete_later(Event.EV_OK_RECD_DH_PUBKEY_RESP)

    def get_config_mode(self) -> Event:
        self.sa.ctx.info(None, "IKEv2 initiator - no config data to send in IKE_SA_INIT exch")
        return Event.EV_BLD_MSG

    def build(self) -> None:
        sa = self.sa
        assert sa.dh is not None and self.h.group is not None
        offer = ike_sa_payload(sa.proposals)
        sa.offered_sa = offer
        payloads: list[Payload] = []
        if sa.cookie is not None:
            payloads.append(cookie_notify(sa.cookie))
        payloads += [offer, KePayload(self.h.group, sa.dh.public_key()), NoncePayload(sa.ni)]
        payloads += own_vendor_ids()
        payloads += natd.natd_notifies(
            sa.spi_i, bytes(8), sa.local, sa.remote, _fake_natd_source(sa)
        )
        payloads += _frag_notify(self.h)
        sa.machine.enter(State.I_WAIT_INIT)
        sa.requests.outstanding.pop(0, None)
        sa.send_request(
            ExchangeType.IKE_SA_INIT, payloads, self.on_response, self.on_timeout, message_id=0
        )
        sa.init_request = sa.requests.outstanding[0].datagrams[0]
        return None

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.h.deliver(message, payloads, Event.EV_RECV_INIT)

    def on_timeout(self) -> None:
        self.h.run(Event.EV_RE_XMT_EXCEED)

    def retransmits_exceeded(self) -> Event:
        return self.h.fail("Maximum number of retransmissions reached (IKE_SA_INIT)")

    def recv_init(self) -> Event:
        self.sa.machine.enter(State.I_PROC_INIT)
        self.sa.info("Processing IKE_SA_INIT message")
        _record_vendors(self.h)
        return Event.EV_CHK4_NOTIFY

    def chk4_notify(self) -> Event:
        h = self.h
        for n in h.notifies():
            assert isinstance(n, NotifyPayload)
            if n.notify_type == NotifyType.COOKIE:
                return Event.EV_RECV_COOKIE
            if n.notify_type == NotifyType.INVALID_KE_PAYLOAD:
                return Event.EV_RECV_INVALID_KE
            if n.is_error:
                notify = as_notify(n.notify_type)
                name = notify.name if notify is not None else str(int(n.notify_type))
                return h.fail(f"Received {name} notify", notify)
        return Event.EV_VERIFY_MSG

    def recv_cookie(self) -> Event:
        sa = self.sa
        notify = self.h.notify(NotifyType.COOKIE)
        try:
            cookie = cookie_value(notify)
        except DecodeError as exc:
            return self.h.fail(f"Malformed COOKIE notify: {exc.detail}", NotifyType.INVALID_SYNTAX)
        if sa.cookie is not None and sa.cookie == cookie:
            return self.h.fail("Responder repeated the same cookie challenge")
        sa.info("Received cookie challenge, resending IKE_SA_INIT with the cookie")
        sa.cookie = cookie
        sa.machine.enter(State.I_BLD_INIT)
        return Event.EV_BLD_MSG

    def recv_invalid_ke(self) -> Event:
        sa = self.sa
        notify = self.h.notify(NotifyType.INVALID_KE_PAYLOAD)
        try:
            group = invalid_ke_group(notify)
        except DecodeError as exc:
            return self.h.fail(f"Malformed INVALID_KE_PAYLOAD: {exc.detail}")
        offered = {g for spec in sa.proposals for g in spec.groups}
        if group not in offered or group == self.h.group or sa.invalid_ke_retries >= 2:
            return self.h.fail(
                f"Peer requested DH group {int(group)}, which was not offered",
                NotifyType.INVALID_KE_PAYLOAD,
            )
        sa.invalid_ke_retries += 1
        sa.info(f"Received INVALID_KE_PAYLOAD, retrying with DH group {int(group)}")
        self.h.group = DhId(group)
        sa.machine.enter(State.I_BLD_INIT)
        return Event.EV_GEN_DH_KEY

    def verify_msg(self) -> Event:
        h = self.h
        assert h.inbound is not None
        if h.inbound.header.spi_r == bytes(8):
            return h.fail("IKE_SA_INIT response without a responder SPI", NotifyType.INVALID_SYNTAX)
        kinds = {type(p) for p in h.payloads}
        if not {SaPayload, KePayload, NoncePayload} <= kinds:
            return h.fail("IKE_SA_INIT response lacks SA, KE or Nonce", NotifyType.INVALID_SYNTAX)
        self.sa.spi_r = h.inbound.header.spi_r
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        h, sa = self.h, self.sa
        assert h.inbound is not None and sa.offered_sa is not None
        answer = h.inbound.first(SaPayload)
        ke = h.inbound.first(KePayload)
        nonce = h.inbound.first(NoncePayload)
        assert answer is not None and ke is not None and nonce is not None
        choice = accepted_ike(sa.offered_sa, answer)
        if choice is None:
            return h.fail(
                "Responder chose a proposal that was not offered", NotifyType.NO_PROPOSAL_CHOSEN
            )
        if ke.group != choice.suite.dh or ke.group != h.group:
            return h.fail(
                "Responder KE group does not match the chosen proposal",
                NotifyType.INVALID_KE_PAYLOAD,
            )
        sa.suite = choice.suite
        sa.proposal_name = sa.proposals[choice.proposal.number - 1].name
        sa.nr = nonce.data
        sa.peer_ke = ke.data
        sa.init_response = encode_message(h.inbound)
        sa.frag_peer = bool(sa.ctx.settings.fragmentation_mtu) and _peer_supports_fragmentation(h)
        return Event.EV_DETECT_NAT

    def detect_nat(self) -> Event:
        try:
            _detect_nat(self.h)
        except DecodeError as exc:
            return self.h.fail(
                f"Malformed NAT detection notify: {exc.detail}", NotifyType.INVALID_SYNTAX
            )
        return Event.EV_CHK_NAT_T

    def chk_nat_t(self) -> Event:
        sa = self.sa
        if sa.nat.nat_detected:
            sa.info("NAT detected: floating to port 4500")
            sa.local = Endpoint(sa.local.address, NAT_T_PORT)
            sa.remote = Endpoint(sa.remote.address, NAT_T_PORT)
        return Event.EV_CHK_CONFIG_MODE

    def chk_config_mode(self) -> Event:
        self.sa.machine.enter(State.INIT_DONE)
        return Event.EV_GEN_DH_SECRET

    def gen_dh_secret(self) -> Event:
        sa = self.sa
        assert sa.dh is not None
        try:
            self.shared = sa.dh.shared_secret(sa.peer_ke)
        except CryptoError as exc:
            return self.h.fail(f"Failed to compute DH secret: {exc}", NotifyType.INVALID_SYNTAX)
        return sa.machine.complete_later(Event.EV_OK_RECD_SECRET_RESP)

    def gen_skeyid(self) -> Event:
        sa = self.sa
        assert sa.suite is not None
        _, keys = derive_ike_keys(sa.suite, self.shared, sa.ni, sa.nr, sa.spi_i, sa.spi_r)
        self.shared = b""
        sa.install_keys(sa.suite, keys)
        sa.info("Generate skeyid")
        return Event.EV_DONE

    def done(self) -> Event:
        if "CISCO-DELETE-REASON" in self.sa.peer_vendors:
            self.sa.info("Cisco DeleteReason Notify is enabled")
        return Event.EV_CHK4_ROLE

    def chk4_role(self) -> Event:
        self.sa.requests.next_id = 1
        self.sa.machine.enter(State.I_BLD_AUTH)
        return Event.EV_GET_CONFIG_MODE


def as_notify(value: int) -> NotifyType | None:
    try:
        return NotifyType(value)
    except ValueError:
        return None


class InitResponder:
    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa
        self.shared = b""

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.IDLE, e.EV_RECV_INIT): self.recv_init,
            (s.R_INIT, e.EV_VERIFY_MSG): self.verify_msg,
            (s.R_INIT, e.EV_INSERT_SA): self.insert_sa,
            (s.R_INIT, e.EV_GET_IKE_POLICY): self.get_ike_policy,
            (s.R_INIT, e.EV_PROC_MSG): self.proc_msg,
            (s.R_INIT, e.EV_DETECT_NAT): self.detect_nat,
            (s.R_INIT, e.EV_CHK_CONFIG_MODE): self.chk_config_mode,
            (s.R_BLD_INIT, e.EV_SET_POLICY): self.set_policy,
            (s.R_BLD_INIT, e.EV_CHK_AUTH4PKI): self.chk_auth4pki,
            (s.R_BLD_INIT, e.EV_PKI_SESH_OPEN): self.pki_sesh_open,
            (s.R_BLD_INIT, e.EV_GEN_DH_KEY): self.gen_dh_key,
            (s.R_BLD_INIT, e.EV_OK_RECD_PUBKEY_RESP): _action_null(self.sa, e.EV_GEN_DH_SECRET),
            (s.R_BLD_INIT, e.EV_GEN_DH_SECRET): self.gen_dh_secret,
            (s.R_BLD_INIT, e.EV_OK_RECD_DH_SECRET_RESP): _action_null(self.sa, e.EV_GEN_SKEYID),
            (s.R_BLD_INIT, e.EV_GEN_SKEYID): self.gen_skeyid,
            (s.R_BLD_INIT, e.EV_GET_CONFIG_MODE): self.get_config_mode,
            (s.R_BLD_INIT, e.EV_BLD_MSG): self.build,
            (s.INIT_DONE, e.EV_DONE): self.done,
            (s.INIT_DONE, e.EV_CHK4_ROLE): self.chk4_role,
            (s.INIT_DONE, e.EV_START_TMR): self.start_tmr,
        }

    def recv_init(self) -> Event:
        self.sa.machine.enter(State.R_INIT)
        _record_vendors(self.h)
        return Event.EV_VERIFY_MSG

    def verify_msg(self) -> Event:
        kinds = {type(p) for p in self.h.payloads}
        if not {SaPayload, KePayload, NoncePayload} <= kinds:
            self._answer_error(NotifyType.INVALID_SYNTAX)
            return self.h.fail(
                "IKE_SA_INIT request lacks SA, KE or Nonce", NotifyType.INVALID_SYNTAX, sent=True
            )
        return Event.EV_INSERT_SA

    def insert_sa(self) -> Event:
        return Event.EV_GET_IKE_POLICY  # the engine inserted it when the request arrived

    def get_ike_policy(self) -> Event:
        sa = self.sa
        sa.proposals = list(sa.ctx.policy.ike_proposals(sa.local))
        for spec in sa.proposals:
            sa.ctx.info(None, f"Adding Proposal {spec.name} to toolkit policy")
        return Event.EV_PROC_MSG

    def _answer_error(self, notify: NotifyType, data: bytes = b"") -> None:
        assert self.h.inbound is not None
        sa = self.sa
        sa.info(f"Sending {notify.name} notify")
        # No state survives this answer, so it carries no responder SPI (RFC 7296 2.6).
        header = replace(sa.header(ExchangeType.IKE_SA_INIT, 0, True), spi_r=bytes(8))
        sa.transmit([encode_message(Message(header, [NotifyPayload(notify, data)]))], None)

    def proc_msg(self) -> Event:
        h, sa = self.h, self.sa
        assert h.inbound is not None
        offered = h.inbound.first(SaPayload)
        ke = h.inbound.first(KePayload)
        nonce = h.inbound.first(NoncePayload)
        assert offered is not None and ke is not None and nonce is not None
        choice = select_ike(sa.proposals, offered, int(ke.group), sa.ctx.settings.prefer_own_order)
        if choice is None:
            self._answer_error(NotifyType.NO_PROPOSAL_CHOSEN)
            return h.fail(
                "Failed to find a matching policy", NotifyType.NO_PROPOSAL_CHOSEN, sent=True
            )
        if ke.group != choice.suite.dh:
            sa.info(f"Requesting DH group {int(choice.suite.dh)} with INVALID_KE_PAYLOAD")
            self._answer_error(
                NotifyType.INVALID_KE_PAYLOAD, invalid_ke_notify(choice.suite.dh).data
            )
            return h.fail(
                f"KE payload group {int(ke.group)} is not the selected group "
                f"{int(choice.suite.dh)}",
                NotifyType.INVALID_KE_PAYLOAD,
                sent=True,
            )
        sa.suite = choice.suite
        sa.proposal_name = choice.spec_name
        self.chosen = choice.proposal
        sa.ni = nonce.data
        sa.peer_ke = ke.data
        sa.init_request = encode_message(h.inbound)
        sa.frag_peer = bool(sa.ctx.settings.fragmentation_mtu) and _peer_supports_fragmentation(h)
        return Event.EV_DETECT_NAT

    def detect_nat(self) -> Event:
        try:
            _detect_nat(self.h)
        except DecodeError as exc:
            self._answer_error(NotifyType.INVALID_SYNTAX)
            return self.h.fail(
                f"Malformed NAT detection notify: {exc.detail}",
                NotifyType.INVALID_SYNTAX,
                sent=True,
            )
        return Event.EV_CHK_CONFIG_MODE

    def chk_config_mode(self) -> Event:
        self.sa.machine.enter(State.R_BLD_INIT)
        return Event.EV_SET_POLICY

    def set_policy(self) -> Event:
        self.sa.info("Setting configured policies")
        return Event.EV_CHK_AUTH4PKI

    def chk_auth4pki(self) -> Event:
        return Event.EV_PKI_SESH_OPEN

    def pki_sesh_open(self) -> Event:
        self.sa.info("Opening a PKI session")
        return Event.EV_GEN_DH_KEY

    def gen_dh_key(self) -> Event:
        sa = self.sa
        assert sa.suite is not None
        try:
            sa.dh = new_key_exchange(sa.suite.dh, sa.ctx.random_bytes)
        except CryptoError as exc:
            return self.h.fail(f"Failed to generate DH key: {exc}")
        sa.nr = sa.ctx.random_bytes(nonce_size(sa.proposals))
        return sa.machine.complete_later(Event.EV_OK_RECD_PUBKEY_RESP)

    def gen_dh_secret(self) -> Event:
        sa = self.sa
        assert sa.dh is not None
        try:
            self.shared = sa.dh.shared_secret(sa.peer_ke)
        except CryptoError as exc:
            self._answer_error(NotifyType.INVALID_SYNTAX)
            return self.h.fail(
                f"Failed to compute DH secret: {exc}", NotifyType.INVALID_SYNTAX, sent=True
            )
        return sa.machine.complete_later(Event.EV_OK_RECD_DH_SECRET_RESP)

    def gen_skeyid(self) -> Event:
        sa = self.sa
        assert sa.suite is not None
        _, keys = derive_ike_keys(sa.suite, self.shared, sa.ni, sa.nr, sa.spi_i, sa.spi_r)
        self.shared = b""
        sa.install_keys(sa.suite, keys)
        sa.info("Generate skeyid")
        return Event.EV_GET_CONFIG_MODE

    def get_config_mode(self) -> Event:
        self.sa.ctx.info(None, "IKEv2 responder - no config data to send in IKE_SA_INIT exch")
        return Event.EV_BLD_MSG

    def build(self) -> Event:
        sa = self.sa
        assert sa.dh is not None and sa.suite is not None and self.h.inbound is not None
        payloads: list[Payload] = [
            SaPayload((self.chosen,)),
            KePayload(sa.suite.dh, sa.dh.public_key()),
            NoncePayload(sa.nr),
        ]
        payloads += own_vendor_ids()
        payloads += natd.natd_notifies(
            sa.spi_i, sa.spi_r, sa.local, sa.remote, _fake_natd_source(sa)
        )
        if sa.frag_peer:
            payloads += _frag_notify(self.h)
        sa.respond(ExchangeType.IKE_SA_INIT, 0, payloads)
        sa.init_response = sa.responses.cached[0][0]
        sa.machine.enter(State.INIT_DONE)
        return Event.EV_DONE

    def done(self) -> Event:
        if "CISCO-DELETE-REASON" in self.sa.peer_vendors:
            self.sa.info("Cisco DeleteReason Notify is enabled")
        return Event.EV_CHK4_ROLE

    def chk4_role(self) -> Event:
        return Event.EV_START_TMR

    def start_tmr(self) -> Event:
        self.sa.machine.enter(State.R_WAIT_AUTH)
        return Event.EV_NO_EVENT
