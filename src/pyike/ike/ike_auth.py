"""IKE_AUTH with pre-shared keys (RFC 7296 sections 1.2 and 2.15), initiator and responder
halves, and the AUTH_DONE tail both share: identities, the profile chosen by the peer's
identity, AUTH signed with the local key and verified with the remote key, INITIAL_CONTACT,
the first Child SA, SET_WINDOW_SIZE and the notifies IOS sends with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyike.codec import (
    AuthPayload,
    IdPayload,
    NotifyPayload,
    Payload,
    SaPayload,
    TsPayload,
)
from pyike.codec.errors import DecodeError
from pyike.codec.notify_data import empty_notify, set_window_size_notify, window_size
from pyike.codec.registry import AuthMethod, ExchangeType, IdType, NotifyType
from pyike.crypto.auth import psk_auth, signed_octets, verify_psk_auth
from pyike.ike import duplicates, informational
from pyike.ike import ts as tsmod
from pyike.ike.child_sa import ChildSa, child_keys
from pyike.ike.child_select import CHILD_ERRORS, initiator_check, responder_choice
from pyike.ike.events import NAT_T_PORT, ChildSaInstalled, IkeSaUp, NegotiationFailed
from pyike.ike.fsm import Action
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import Identity
from pyike.ike.proposals import esp_sa_payload
from pyike.ike.states import Event, State
from pyike.ike.vendor import own_vendor_ids

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake


def _id_payload(identity: Identity, initiator: bool) -> IdPayload:
    return IdPayload(identity.id_type, identity.data, initiator)


def _identity_of(payload: IdPayload) -> Identity:
    try:
        kind = IdType(payload.id_type)
    except ValueError:
        kind = IdType.ID_KEY_ID
    return Identity(kind, payload.data)


def _auth_data(sa: IkeSa, psk: bytes, identity: Identity, *, as_initiator: bool) -> bytes:
    assert sa.suite is not None and sa.keys is not None
    message = sa.init_request if as_initiator else sa.init_response
    peer_nonce = sa.nr if as_initiator else sa.ni
    sk_p = sa.keys.sk_pi if as_initiator else sa.keys.sk_pr
    body = _id_payload(identity, as_initiator).encode_body()
    return psk_auth(sa.suite.prf, psk, signed_octets(message, peer_nonce, sa.suite.prf, sk_p, body))


def _verify(
    sa: IkeSa, psk: bytes, payload: IdPayload, auth: AuthPayload, *, peer_is_initiator: bool
) -> bool:
    assert sa.suite is not None and sa.keys is not None
    message = sa.init_request if peer_is_initiator else sa.init_response
    peer_nonce = sa.nr if peer_is_initiator else sa.ni
    sk_p = sa.keys.sk_pi if peer_is_initiator else sa.keys.sk_pr
    octets = signed_octets(message, peer_nonce, sa.suite.prf, sk_p, payload.encode_body())
    return verify_psk_auth(sa.suite.prf, psk, octets, auth.data)


# The AUTH methods each `authentication remote` keyword lets a peer use (RFC 7296 3.8,
# RFC 7427 for Digital Signature).
_ACCEPTED_METHODS = {
    "pre-share": frozenset({AuthMethod.SHARED_KEY_MIC}),
    "rsa-sig": frozenset({AuthMethod.RSA_SIG, AuthMethod.DIGITAL_SIGNATURE}),
    "ecdsa-sig": frozenset(
        {
            AuthMethod.ECDSA_SHA256_P256,
            AuthMethod.ECDSA_SHA384_P384,
            AuthMethod.ECDSA_SHA512_P521,
            AuthMethod.DIGITAL_SIGNATURE,
        }
    ),
}
METHOD_MISMATCH = (
    "Peer authentication method configured is mismatching with the method proposed by peer"
)


def peer_method_accepted(sa: IkeSa, method: int) -> bool:
    """The profile's `authentication remote` allows ``method``, and pyike can verify it (a
    pre-shared key; signatures need certificates, not supported yet). Never accepts a PSK
    where the profile demands a signature."""
    assert sa.profile is not None
    allowed = frozenset().union(*(_ACCEPTED_METHODS.get(m, ()) for m in sa.profile.auth_remote))
    if method not in allowed:
        sa.error(METHOD_MISMATCH)
        return False
    if method != AuthMethod.SHARED_KEY_MIC:
        sa.error("Cannot verify the peer's signature: certificates are not supported")
        return False
    return True


def local_method_usable(sa: IkeSa) -> bool:
    """Our own AUTH can be computed: the profile signs with a pre-shared key."""
    assert sa.profile is not None
    if sa.profile.auth_local == "pre-share":
        return True
    sa.error(
        f"Cannot sign with 'authentication local {sa.profile.auth_local}': certificates are "
        "not supported"
    )
    return False


def _ios_notifies(sa: IkeSa) -> list[Payload]:
    return [
        set_window_size_notify(sa.ctx.settings.window_size),
        empty_notify(NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED),
        empty_notify(NotifyType.NON_FIRST_FRAGMENTS_ALSO),
    ]


def _apply_window(h: Handshake) -> None:
    for n in h.payloads:
        if isinstance(n, NotifyPayload) and n.notify_type == NotifyType.SET_WINDOW_SIZE:
            try:
                h.sa.requests.peer_window = window_size(n)
            except DecodeError:
                h.sa.error("Ignoring malformed SET_WINDOW_SIZE notify")


def _notify(h: Handshake, notify_type: NotifyType) -> NotifyPayload | None:
    for n in h.payloads:
        if isinstance(n, NotifyPayload) and n.notify_type == notify_type:
            return n
    return None


def _transport_requested(h: Handshake) -> bool:
    return _notify(h, NotifyType.USE_TRANSPORT_MODE) is not None


class AuthInitiator:
    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa
        self.psk = b""

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.I_BLD_AUTH, e.EV_GET_CONFIG_MODE): self.get_config_mode,
            (s.I_BLD_AUTH, e.EV_CHK_EAP): lambda: e.EV_GEN_AUTH,
            (s.I_BLD_AUTH, e.EV_GEN_AUTH): self.gen_auth,
            (s.I_BLD_AUTH, e.EV_CHK_AUTH_TYPE): self.chk_auth_type,
            (s.I_BLD_AUTH, e.EV_OK_AUTH_GEN): lambda: e.EV_SEND_AUTH,
            (s.I_BLD_AUTH, e.EV_SEND_AUTH): self.send_auth,
            (s.I_WAIT_AUTH, e.EV_RECV_AUTH): self.recv_auth,
            (s.I_WAIT_AUTH, e.EV_RE_XMT_EXCEED): self.retransmits_exceeded,
            (s.I_PROC_AUTH, e.EV_CHK4_NOTIFY): self.chk4_notify,
            (s.I_PROC_AUTH, e.EV_PROC_MSG): self.proc_msg,
            (s.I_PROC_AUTH, e.EV_CHK_IF_PEER_CERT_FETCHED): lambda: e.EV_GET_POLICY_BY_PEERID,
            (s.I_PROC_AUTH, e.EV_GET_POLICY_BY_PEERID): self.get_policy_by_peerid,
            (s.I_PROC_AUTH, e.EV_VERIFY_POLICY_BY_PEERID): lambda: e.EV_CHK_AUTH_TYPE,
            (s.I_PROC_AUTH, e.EV_CHK_AUTH_TYPE): self.proc_chk_auth_type,
            (s.I_PROC_AUTH, e.EV_GET_PRESHR_KEY): self.get_preshr_key,
            (s.I_PROC_AUTH, e.EV_VERIFY_AUTH): self.verify_auth,
            (s.I_PROC_AUTH, e.EV_AUTH_FAIL): self.auth_fail,
            (s.I_PROC_AUTH, e.EV_CHK_EAP): lambda: e.EV_NOTIFY_AUTH_DONE,
            (s.I_PROC_AUTH, e.EV_NOTIFY_AUTH_DONE): self.notify_auth_done,
            (s.I_PROC_AUTH, e.EV_CHK_CONFIG_MODE): lambda: e.EV_CHK4_IC,
            (s.I_PROC_AUTH, e.EV_CHK4_IC): lambda: e.EV_CHK_IKE_ONLY,
            (s.I_PROC_AUTH, e.EV_CHK_IKE_ONLY): lambda: e.EV_PROC_SA_TS,
            (s.I_PROC_AUTH, e.EV_PROC_SA_TS): self.proc_sa_ts,
        }

    def get_config_mode(self) -> Event:
        self.sa.ctx.info(None, "Sending config data to toolkit")
        return Event.EV_CHK_EAP

    def gen_auth(self) -> Event:
        sa = self.sa
        tunnel = self.h.tunnel
        assert tunnel is not None
        profile = sa.ctx.policy.profile(tunnel.profile)
        if profile is None:
            return self.h.fail(f"IKEv2 profile {tunnel.profile} not found")
        sa.profile = profile
        sa.lifetime = profile.lifetime
        sa.local_id = sa.ctx.policy.local_identity(profile, sa.local)
        return Event.EV_CHK_AUTH_TYPE

    def chk_auth_type(self) -> Event:
        sa = self.sa
        assert sa.profile is not None and sa.local_id is not None
        if not local_method_usable(sa):
            return self.h.fail("Failed to compute our AUTH payload")
        sa.ctx.info(None, f"% Getting preshared key from address {sa.remote.address}")
        key = sa.ctx.policy.signing_key(sa.profile, sa.remote, None)
        if key is None:
            return self.h.fail(f"Failed to find a preshared key for peer {sa.remote.address}")
        self.auth = _auth_data(sa, key, sa.local_id, as_initiator=True)
        return Event.EV_OK_AUTH_GEN

    def send_auth(self) -> Event:
        sa, h = self.sa, self.h
        tunnel = h.tunnel
        assert tunnel is not None and sa.local_id is not None
        h.child_spi = sa.ctx.new_spi(4)
        h.child_offer = esp_sa_payload(tunnel.transform_sets, h.child_spi)
        payloads: list[Payload] = [
            *own_vendor_ids(),
            _id_payload(sa.local_id, True),
            AuthPayload(AuthMethod.SHARED_KEY_MIC, self.auth),
            h.child_offer,
            tsmod.to_payload(tunnel.local_ts, True),
            tsmod.to_payload(tunnel.remote_ts, False),
        ]
        if not any(
            other is not sa and other.established for other in sa.ctx.sas_with_peer(sa.remote)
        ):
            payloads.append(empty_notify(NotifyType.INITIAL_CONTACT))
            sa.initial_contact_sent = True
        payloads += _ios_notifies(sa)
        if tunnel.transform_sets and tunnel.transform_sets[0].mode == "transport":
            payloads.append(empty_notify(NotifyType.USE_TRANSPORT_MODE))
        sa.trace_msg_id = 1
        sa.machine.enter(State.I_WAIT_AUTH)
        sa.send_request(ExchangeType.IKE_AUTH, payloads, self.on_response, self.on_timeout)
        return Event.EV_NO_EVENT

    def on_response(self, message: object, payloads: list[Payload]) -> None:
        from pyike.codec import Message

        assert isinstance(message, Message)
        self.h.deliver(message, payloads, Event.EV_RECV_AUTH)

    def on_timeout(self) -> None:
        self.h.run(Event.EV_RE_XMT_EXCEED)

    def retransmits_exceeded(self) -> Event:
        return self.h.fail("Maximum number of retransmissions reached (IKE_AUTH)")

    def recv_auth(self) -> Event:
        self.sa.machine.enter(State.I_PROC_AUTH)
        self.sa.info("Action: Action_Null")
        return Event.EV_CHK4_NOTIFY

    def chk4_notify(self) -> Event:
        h = self.h
        has_auth = any(isinstance(p, AuthPayload) for p in h.payloads)
        for n in h.payloads:
            if not isinstance(n, NotifyPayload) or not n.is_error:
                continue
            if n.notify_type in CHILD_ERRORS and has_auth:
                continue
            try:
                notify = NotifyType(n.notify_type)
            except ValueError:
                notify = None
            name = notify.name if notify is not None else str(int(n.notify_type))
            return h.fail(f"Received {name} notify", notify)
        return Event.EV_PROC_MSG

    def proc_msg(self) -> Event:
        h = self.h
        idr = next((p for p in h.payloads if isinstance(p, IdPayload) and not p.initiator), None)
        auth = next((p for p in h.payloads if isinstance(p, AuthPayload)), None)
        if idr is None or auth is None:
            return h.fail("IKE_AUTH response lacks IDr or AUTH", NotifyType.INVALID_SYNTAX)
        self.idr, self.auth_payload = idr, auth
        self.sa.remote_id = _identity_of(idr)
        _apply_window(h)
        return Event.EV_CHK_IF_PEER_CERT_FETCHED

    def get_policy_by_peerid(self) -> Event:
        sa = self.sa
        assert sa.profile is not None and sa.remote_id is not None
        if not any(m.matches(sa.remote_id) for m in sa.profile.match_remote):
            informational.report_auth_failure(sa)
            return self.h.fail(
                f"Peer identity {sa.remote_id} does not match profile {sa.profile.name}",
                NotifyType.AUTHENTICATION_FAILED,
            )
        sa.info(f"IKEv2 profile '{sa.profile.name}' used")
        return Event.EV_VERIFY_POLICY_BY_PEERID

    def proc_chk_auth_type(self) -> Event:
        if not peer_method_accepted(self.sa, self.auth_payload.method):
            return Event.EV_AUTH_FAIL
        return Event.EV_GET_PRESHR_KEY

    def get_preshr_key(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        key = sa.ctx.policy.verification_key(sa.profile, sa.remote, sa.remote_id)
        if key is None:
            return Event.EV_AUTH_FAIL
        self.psk = key
        return Event.EV_VERIFY_AUTH

    def verify_auth(self) -> Event:
        sa = self.sa
        ok = _verify(sa, self.psk, self.idr, self.auth_payload, peer_is_initiator=False)
        self.psk = b""
        if not ok:
            return Event.EV_AUTH_FAIL
        sa.info("Verification of peer's authentication data PASSED")
        return Event.EV_CHK_EAP

    def auth_fail(self) -> Event:
        self.sa.info("Verification of peer's authentication data FAILED")
        informational.report_auth_failure(self.sa)
        return self.h.fail("Auth exchange failed", NotifyType.AUTHENTICATION_FAILED)

    def notify_auth_done(self) -> Event:
        self.sa.ctx.info(None, "AAA group authorization is not configured")
        self.sa.ctx.info(None, "AAA user authorization is not configured")
        return Event.EV_CHK_CONFIG_MODE

    def proc_sa_ts(self) -> Event:
        sa, h = self.sa, self.h
        assert h.tunnel is not None and h.child_offer is not None
        error = next(
            (
                n
                for n in h.payloads
                if isinstance(n, NotifyPayload) and n.is_error and n.notify_type in CHILD_ERRORS
            ),
            None,
        )
        answer = next((p for p in h.payloads if isinstance(p, SaPayload)), None)
        tsi = next((p for p in h.payloads if isinstance(p, TsPayload) and p.initiator), None)
        tsr = next((p for p in h.payloads if isinstance(p, TsPayload) and not p.initiator), None)
        if error is not None or answer is None or tsi is None or tsr is None:
            notify = NotifyType(error.notify_type) if error is not None else None
            reason = f"Child SA not created: {notify.name if notify else 'no SA in response'}"
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason))
        else:
            checked = initiator_check(
                h.tunnel, h.child_offer, answer, tsi, tsr, h.tunnel.local_ts, h.tunnel.remote_ts
            )
            if isinstance(checked, NotifyType):
                reason = (
                    f"Child SA not created: responder's answer is unacceptable ({checked.name})"
                )
                sa.error(reason)
                sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, checked, reason))
            else:
                assert sa.keys is not None and sa.suite is not None
                keys = child_keys(sa.suite.prf, sa.keys.sk_d, sa.ni, sa.nr, None, checked.transform)
                h.first_child = ChildSa.negotiated(
                    checked,
                    spi_in=h.child_spi,
                    keys=keys,
                    initiator=True,
                    now=sa.ctx.now,
                    tunnel=h.tunnel,
                )
        sa.machine.enter(State.AUTH_DONE)
        return Event.EV_OK


class AuthResponder:
    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa
        self.psk = b""
        self.error: NotifyType | None = None

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.R_WAIT_AUTH, e.EV_RECV_AUTH): lambda: e.EV_CHK_NAT_T,
            (s.R_WAIT_AUTH, e.EV_CHK_NAT_T): self.chk_nat_t,
            (s.R_WAIT_AUTH, e.EV_PROC_ID): self.proc_id,
            (s.R_WAIT_AUTH, e.EV_CHK_IF_PEER_CERT_FETTED): lambda: e.EV_GET_POLICY_BY_PEERID,
            (s.R_WAIT_AUTH, e.EV_GET_POLICY_BY_PEERID): self.get_policy_by_peerid,
            (s.R_WAIT_AUTH, e.EV_SET_POLICY): self.set_policy,
            (s.R_WAIT_AUTH, e.EV_VERIFY_POLICY_BY_PEERID): lambda: e.EV_CHK_AUTH4EAP,
            (s.R_WAIT_AUTH, e.EV_CHK_AUTH4EAP): lambda: e.EV_CHK_POLREQEAP,
            (s.R_WAIT_AUTH, e.EV_CHK_POLREQEAP): self.chk_polreqeap,
            (s.R_WAIT_AUTH, e.EV_AUTH_FAIL): self.auth_fail,
            (s.R_VERIFY_AUTH, e.EV_CHK_AUTH_TYPE): self.chk_auth_type,
            (s.R_VERIFY_AUTH, e.EV_GET_PRESHR_KEY): self.get_verify_key,
            (s.R_VERIFY_AUTH, e.EV_VERIFY_AUTH): self.verify_auth,
            (s.R_VERIFY_AUTH, e.EV_AUTH_FAIL): self.auth_fail,
            (s.R_VERIFY_AUTH, e.EV_CHK4_IC): self.chk4_ic,
            (s.R_VERIFY_AUTH, e.EV_CHK_REDIRECT): self.chk_redirect,
            (s.R_VERIFY_AUTH, e.EV_NOTIFY_AUTH_DONE): self.notify_auth_done,
            (s.R_VERIFY_AUTH, e.EV_CHK_CONFIG_MODE): lambda: e.EV_SET_RECD_CONFIG_MODE,
            (s.R_VERIFY_AUTH, e.EV_SET_RECD_CONFIG_MODE): self.set_recd_config_mode,
            (s.R_VERIFY_AUTH, e.EV_PROC_SA_TS): self.proc_sa_ts,
            (s.R_VERIFY_AUTH, e.EV_GET_CONFIG_MODE): self.get_config_mode,
            (s.R_BLD_AUTH, e.EV_MY_AUTH_METHOD): lambda: e.EV_GET_PRESHR_KEY,
            (s.R_BLD_AUTH, e.EV_GET_PRESHR_KEY): self.get_sign_key,
            (s.R_BLD_AUTH, e.EV_AUTH_FAIL): self.auth_fail,
            (s.R_BLD_AUTH, e.EV_GEN_AUTH): self.gen_auth,
            (s.R_BLD_AUTH, e.EV_CHK4_SIGN): lambda: e.EV_OK_AUTH_GEN,
            (s.R_BLD_AUTH, e.EV_OK_AUTH_GEN): lambda: e.EV_SEND_AUTH,
            (s.R_BLD_AUTH, e.EV_SEND_AUTH): self.send_auth,
        }

    def _message_id(self) -> int:
        assert self.h.inbound is not None
        return self.h.inbound.header.message_id

    def chk_nat_t(self) -> Event:
        sa = self.sa
        if sa.nat.nat_detected and sa.local.port != NAT_T_PORT:
            sa.info("NAT detected but the peer did not float to port 4500")
        return Event.EV_PROC_ID

    def proc_id(self) -> Event:
        h = self.h
        idi = next((p for p in h.payloads if isinstance(p, IdPayload) and p.initiator), None)
        auth = next((p for p in h.payloads if isinstance(p, AuthPayload)), None)
        if idi is None or auth is None:
            self._send_error(NotifyType.INVALID_SYNTAX)
            return h.fail(
                "IKE_AUTH request lacks IDi or AUTH", NotifyType.INVALID_SYNTAX, sent=True
            )
        self.idi, self.auth_payload = idi, auth
        self.sa.remote_id = _identity_of(idi)
        self.sa.info("Recieved valid parameteres in process id")
        _apply_window(h)
        return Event.EV_CHK_IF_PEER_CERT_FETTED

    def get_policy_by_peerid(self) -> Event:
        sa = self.sa
        assert sa.remote_id is not None
        profile = sa.ctx.policy.profile_for_identity(sa.local, sa.remote_id)
        if profile is None:
            sa.error(f"Failed to locate an IKEv2 profile for peer identity {sa.remote_id}")
            return Event.EV_AUTH_FAIL
        sa.ctx.info(None, f"({sa.sa_id}): Choosing IKE profile {profile.name}")
        sa.profile = profile
        sa.lifetime = profile.lifetime
        return Event.EV_SET_POLICY

    def set_policy(self) -> Event:
        assert self.sa.profile is not None
        self.sa.info(f"IKEv2 profile '{self.sa.profile.name}' used")
        self.sa.info("Setting configured policies")
        return Event.EV_VERIFY_POLICY_BY_PEERID

    def chk_polreqeap(self) -> Event:
        self.sa.machine.enter(State.R_VERIFY_AUTH)
        return Event.EV_CHK_AUTH_TYPE

    def chk_auth_type(self) -> Event:
        if not peer_method_accepted(self.sa, self.auth_payload.method):
            return Event.EV_AUTH_FAIL
        return Event.EV_GET_PRESHR_KEY

    def get_verify_key(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        sa.ctx.info(None, f"% Getting preshared key from address {sa.remote.address}")
        key = sa.ctx.policy.verification_key(sa.profile, sa.remote, sa.remote_id)
        if key is None:
            return Event.EV_AUTH_FAIL
        self.psk = key
        return Event.EV_VERIFY_AUTH

    def verify_auth(self) -> Event:
        sa = self.sa
        ok = _verify(sa, self.psk, self.idi, self.auth_payload, peer_is_initiator=True)
        self.psk = b""
        if not ok:
            return Event.EV_AUTH_FAIL
        sa.info("Verification of peer's authentication data PASSED")
        return Event.EV_CHK4_IC

    def _send_error(self, notify: NotifyType) -> None:
        self.sa.info(f"Sending {notify.name} notify")
        self.sa.respond(ExchangeType.IKE_AUTH, self._message_id(), [NotifyPayload(notify)])

    def auth_fail(self) -> Event:
        self.sa.info("Verification of peer's authentication data FAILED")
        self._send_error(NotifyType.AUTHENTICATION_FAILED)
        return self.h.fail("Auth exchange failed", NotifyType.AUTHENTICATION_FAILED, sent=True)

    def chk4_ic(self) -> Event:
        sa = self.sa
        if _notify(self.h, NotifyType.INITIAL_CONTACT) is not None:
            self.h.peer_initial_contact = True
            # Only SAs the peer must have known of have been lost by it: one that came up
            # while this exchange ran (both peers initiating at once) may be held by the
            # peer, which sent INITIAL_CONTACT before it had it; the duplicate check decides.
            for other in sa.ctx.sas_with_peer(sa.remote):
                if (
                    other is not sa
                    and other.remote_id == sa.remote_id
                    and other.established
                    and duplicates.predates(other, sa)
                ):
                    sa.info(f"INITIAL_CONTACT: deleting SA {other.sa_id} with the same peer")
                    other.close("Initial contact received from the peer")
        return Event.EV_CHK_REDIRECT

    def chk_redirect(self) -> Event:
        self.sa.info("Redirect check is not needed, skipping it")
        return Event.EV_NOTIFY_AUTH_DONE

    def notify_auth_done(self) -> Event:
        self.sa.ctx.info(None, "AAA group authorization is not configured")
        self.sa.ctx.info(None, "AAA user authorization is not configured")
        return Event.EV_CHK_CONFIG_MODE

    def set_recd_config_mode(self) -> Event:
        self.sa.ctx.info(None, "Received config data from toolkit")
        return Event.EV_PROC_SA_TS

    def proc_sa_ts(self) -> Event:
        sa, h = self.sa, self.h
        offer = next((p for p in h.payloads if isinstance(p, SaPayload)), None)
        tsi = next((p for p in h.payloads if isinstance(p, TsPayload) and p.initiator), None)
        tsr = next((p for p in h.payloads if isinstance(p, TsPayload) and not p.initiator), None)
        if offer is None or tsi is None or tsr is None:
            self.choice = None
            return Event.EV_GET_CONFIG_MODE
        choice = responder_choice(sa, offer, tsi, tsr, allow_dh=False)
        if isinstance(choice, NotifyType):
            self.error = choice
            reason = f"Child SA not created: {choice.name}"
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, choice, reason, True))
            return Event.EV_GET_CONFIG_MODE
        transport = _transport_requested(h) and choice.transform.mode == "transport"
        transform = choice.transform
        if not transport and transform.mode == "transport":
            from dataclasses import replace

            transform = replace(transform, mode="tunnel")
        assert sa.keys is not None and sa.suite is not None
        spi_in = sa.ctx.new_spi(4)
        keys = child_keys(sa.suite.prf, sa.keys.sk_d, sa.ni, sa.nr, None, transform)
        self.choice = choice
        h.first_child = ChildSa.negotiated(
            choice, spi_in=spi_in, keys=keys, initiator=False, now=sa.ctx.now, transform=transform
        )
        return Event.EV_GET_CONFIG_MODE

    def get_config_mode(self) -> Event:
        self.sa.ctx.info(None, "Error constructing config reply")
        self.sa.machine.enter(State.R_BLD_AUTH)
        return Event.EV_MY_AUTH_METHOD

    def get_sign_key(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        if not local_method_usable(sa):
            return Event.EV_AUTH_FAIL
        key = sa.ctx.policy.signing_key(sa.profile, sa.remote, sa.remote_id)
        if key is None:
            sa.error(f"Failed to find a preshared key for peer {sa.remote.address}")
            return Event.EV_AUTH_FAIL
        sa.local_id = sa.ctx.policy.local_identity(sa.profile, sa.local)
        self.psk = key
        return Event.EV_GEN_AUTH

    def gen_auth(self) -> Event:
        assert self.sa.local_id is not None
        self.auth = _auth_data(self.sa, self.psk, self.sa.local_id, as_initiator=False)
        self.psk = b""
        return Event.EV_CHK4_SIGN

    def send_auth(self) -> Event:
        sa, h = self.sa, self.h
        assert sa.local_id is not None
        payloads: list[Payload] = [
            *own_vendor_ids(),
            _id_payload(sa.local_id, False),
            AuthPayload(AuthMethod.SHARED_KEY_MIC, self.auth),
        ]
        child = h.first_child
        if child is not None:
            assert self.choice is not None
            proposal = self.choice.proposal
            from dataclasses import replace

            payloads += [
                SaPayload((replace(proposal, spi=child.spi_in),)),
                tsmod.to_payload(child.remote_ts, True),
                tsmod.to_payload(child.local_ts, False),
            ]
            if child.transform.mode == "transport":
                payloads.append(empty_notify(NotifyType.USE_TRANSPORT_MODE))
        elif self.error is not None:
            payloads.append(NotifyPayload(self.error))
        payloads += _ios_notifies(sa)
        sa.trace_msg_id = self._message_id()
        sa.respond(ExchangeType.IKE_AUTH, self._message_id(), payloads)
        sa.machine.enter(State.AUTH_DONE)
        return Event.EV_OK


class AuthDone:
    """AUTH_DONE to READY, on both sides."""

    def __init__(self, h: Handshake) -> None:
        self.h = h
        self.sa = h.sa
        self.duplicate: duplicates.Duplicate | None = None

    def transitions(self) -> dict[tuple[State | None, Event], Action]:
        s = State
        e = Event
        return {
            (s.AUTH_DONE, e.EV_OK): self.ok,
            (s.AUTH_DONE, e.EV_PKI_SESH_CLOSE): self.pki_sesh_close,
            (s.AUTH_DONE, e.EV_UPDATE_CAC_STATS): lambda: e.EV_INSERT_IKE,
            (s.AUTH_DONE, e.EV_INSERT_IKE): self.insert_ike,
            (s.AUTH_DONE, e.EV_GEN_LOAD_IPSEC): self.gen_load_ipsec,
            (s.AUTH_DONE, e.EV_OK_RECD_LOAD_IPSEC): self.load_done,
            (s.AUTH_DONE, e.EV_START_ACCT): self.start_acct,
            (s.AUTH_DONE, e.EV_CHECK_DUPE): self.check_dupe,
            (s.AUTH_DONE, e.EV_CHK4_ROLE): self.chk4_role,
            (s.READY, e.EV_CHK_IKE_ONLY): lambda: e.EV_I_OK,
            (s.READY, e.EV_I_OK): self.up,
            (s.READY, e.EV_R_OK): self.r_ok,
        }

    def ok(self) -> Event:
        self.sa.info("Action: Action_Null")
        return Event.EV_PKI_SESH_CLOSE

    def pki_sesh_close(self) -> Event:
        self.sa.info("Closing the PKI session")
        return Event.EV_UPDATE_CAC_STATS

    def insert_ike(self) -> Event:
        sa = self.sa
        sa.established_at = sa.ctx.now
        sa.last_heard = sa.ctx.now
        return Event.EV_GEN_LOAD_IPSEC

    def gen_load_ipsec(self) -> Event:
        sa, h = self.sa, self.h
        child = h.first_child
        if child is not None:
            sa.ctx.touched.add(sa.sa_id)
            sa.children.append(child)
            sa.ctx.emit(
                ChildSaInstalled(sa.ctx.now, child.info(sa.sa_id, sa.local, sa.remote, sa.nat_t))
            )
        sa.info("Asynchronous request queued")
        return sa.machine.complete_later(Event.EV_OK_RECD_LOAD_IPSEC)

    def load_done(self) -> Event:
        self.sa.info("Action: Action_Null")
        return Event.EV_START_ACCT

    def start_acct(self) -> Event:
        self.sa.info("Accounting not required")
        return Event.EV_CHECK_DUPE

    def check_dupe(self) -> Event:
        sa = self.sa
        for attempt in duplicates.waiting_attempts(sa):
            attempt.info(f"Abandoning the negotiation: SA ID {sa.sa_id} with the peer is up")
            attempt.close("Superseded by an IKE SA with the same peer")
        found = duplicates.find(sa)
        if found is not None:
            sa.info(
                f"Duplicate IKEv2 SA found (SA ID {found.drop.sa_id} and {found.keep.sa_id}): "
                f"keeping SA ID {found.keep.sa_id}"
                + ("" if found.ours else ", the peer deletes the other")
            )
            self.duplicate = found if found.ours else None
        return Event.EV_CHK4_ROLE

    def _delete_duplicate(self) -> None:
        found, self.duplicate = self.duplicate, None
        if found is not None:
            informational.delete_ike(found.drop, "Duplicate IKEv2 SA")

    def chk4_role(self) -> Event:
        self.sa.machine.enter(State.READY)
        return Event.EV_CHK_IKE_ONLY if self.sa.initiator else Event.EV_R_OK

    def _announce(self) -> None:
        sa = self.sa
        from pyike.ike import timers

        timers.established(sa)
        sa.ctx.emit(
            IkeSaUp(
                sa.ctx.now,
                sa.sa_id,
                sa.spi_i,
                sa.spi_r,
                sa.local,
                sa.remote,
                sa.initiator,
                str(sa.local_id),
                str(sa.remote_id),
                None if sa.profile is None else sa.profile.name,
                sa.lifetime,
                sa.nat.nat_detected,
            )
        )

    def up(self) -> None:
        self._announce()
        self.sa.pump()
        self._delete_duplicate()
        return None

    def r_ok(self) -> Event:
        self._announce()
        self.sa.pump()
        self._delete_duplicate()
        return Event.EV_NO_EVENT
