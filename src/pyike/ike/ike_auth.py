"""IKE_AUTH (RFC 7296 sections 1.2 and 2.15), initiator and responder halves, and the
AUTH_DONE tail both share: identities, the profile chosen by the peer's identity (or its
certificate), AUTH with a pre-shared key (signed with the local key, verified with the
remote key) or a signature (the trustpoint's key and its chain in CERT payloads; the peer's
chain validated by the policy's PKI, then its signature checked with the certificate's
key), INITIAL_CONTACT, the first Child SA, SET_WINDOW_SIZE and the notifies IOS sends with
it. A profile never accepts weaker authentication than it names: a PSK where it demands a
signature fails, and a signature where it demands a PSK."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from pyike.codec import (
    AuthPayload,
    CpPayload,
    IdPayload,
    NotifyPayload,
    Payload,
    Proposal,
    SaPayload,
    TsPayload,
)
from pyike.codec.notify_data import empty_notify, set_window_size_notify
from pyike.codec.registry import AuthMethod, ExchangeType, IdType, NotifyType
from pyike.codec.udp_encap import NAT_T_PORT
from pyike.crypto.auth import (
    PublicKey,
    SignatureError,
    choose_method,
    key_kind,
    key_pad,
    padded_psk_auth,
    sign_auth,
    signed_octets,
    verify_auth,
    verify_padded_psk_auth,
)
from pyike.ike import child_mode, collisions, config_mode, informational
from pyike.ike import ts as tsmod
from pyike.ike.child_sa import ChildSa, child_keys
from pyike.ike.child_select import (
    CHILD_ERRORS,
    initiator_check,
    initiator_mode,
    responder_choice,
)
from pyike.ike.events import ConsoleAlert, NegotiationFailed
from pyike.ike.fsm import transitions
from pyike.ike.handshake_part import HandshakePart, HandshakeRequest
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import Identity, ProfileSpec
from pyike.ike.proposals import esp_sa_payload
from pyike.ike.signatures import (
    cert_payloads,
    certreq_payloads,
    method_name,
    peer_certificates,
    signature_kind,
)
from pyike.ike.states import EV, Event
from pyike.ike.task import as_notify, first_notify, notify_name, take_peer_window
from pyike.ike.vendor import own_vendor_ids
from pyike.ios_names import SIGNATURE_METHODS

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake

# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_PSK = AuthMethod.SHARED_KEY_MIC
_IKE_AUTH = ExchangeType.IKE_AUTH
_INITIAL_CONTACT = NotifyType.INITIAL_CONTACT

METHOD_MISMATCH = (
    "Peer authentication method configured is mismatching with the method proposed by peer"
)


def peer_method_accepted(sa: IkeSa, method: int, data: bytes) -> bool:
    """The profile's `authentication remote` allows ``method``: a pre-shared key where it
    says `pre-share`, an RSA or ECDSA signature (methods 1, 9-11, or 14 with such an
    algorithm) where it says `rsa-sig` or `ecdsa-sig`. Never a PSK in a signature's place."""
    assert sa.profile is not None
    wanted = "pre-share" if method == _PSK else signature_kind(method, data)
    if wanted not in sa.profile.auth_remote:
        sa.error(METHOD_MISMATCH)
        return False
    if wanted in SIGNATURE_METHODS and sa.ctx.policy.certificates is None:
        sa.error("Cannot verify the peer's signature: no trustpoint is configured")
        return False
    return True


def local_method_usable(sa: IkeSa) -> bool:
    """Our own AUTH can be computed: the profile signs with a pre-shared key or a
    certificate, or as an initiator authenticates with EAP (ike/eap_auth.py)."""
    assert sa.profile is not None
    if sa.profile.auth_local == "pre-share" or sa.profile.signs:
        return True
    if sa.profile.auth_local == "eap" and sa.initiator:
        return True
    role = "a responder" if sa.profile.auth_local == "eap" else "pyike"
    sa.error(f"Cannot sign with 'authentication local {sa.profile.auth_local}' as {role}")
    return False


@lru_cache(maxsize=256)  # signed, then sent: made once (for the same local identity each SA)
def _id_payload(identity: Identity, initiator: bool) -> IdPayload:
    return IdPayload(identity.id_type, identity.data, initiator)


def _identity_of(payload: IdPayload) -> Identity:
    try:
        kind = IdType(payload.id_type)
    except ValueError:
        kind = IdType.ID_KEY_ID
    return Identity(kind, payload.data)


def _octets(sa: IkeSa, payload: IdPayload, of_initiator: bool) -> bytes:
    """What the AUTH of the initiator (or of the responder) signs (RFC 7296 section 2.15)."""
    assert sa.suite is not None and sa.keys is not None
    message = sa.init_request if of_initiator else sa.init_response
    peer_nonce = sa.nr if of_initiator else sa.ni
    sk_p = sa.keys.sk_pi if of_initiator else sa.keys.sk_pr
    return signed_octets(message, peer_nonce, sa.suite.prf, sk_p, payload.encode_body())


def _child_payloads(
    payloads: Sequence[Payload],
) -> tuple[SaPayload | None, TsPayload | None, TsPayload | None]:
    """The first SA, TSi and TSr payloads, found in one pass."""
    offer: SaPayload | None = None
    tsi: TsPayload | None = None
    tsr: TsPayload | None = None
    for p in payloads:
        if isinstance(p, SaPayload):
            if offer is None:
                offer = p
        elif isinstance(p, TsPayload):
            if p.initiator:
                if tsi is None:
                    tsi = p
            elif tsr is None:
                tsr = p
    return offer, tsi, tsr


@lru_cache(maxsize=16)  # the same in every IKE_AUTH: the window size is a setting
def _ios_notifies(window_size: int) -> tuple[Payload, ...]:
    return (
        set_window_size_notify(window_size),
        empty_notify(NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED),
        empty_notify(NotifyType.NON_FIRST_FRAGMENTS_ALSO),
    )


class AuthHalf(HandshakePart):
    """What both halves of IKE_AUTH do alike: sign our AUTH, verify the peer's."""

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.auth = b""
        self.auth_method = _PSK
        self.own_certificates: tuple[bytes, ...] = ()
        self.psk = b""
        self.peer_certificates: tuple[bytes, ...] = ()
        self.peer_key: PublicKey | None = None
        # the pre-shared key of the first AUTH computed and its key pad, kept for the other
        # AUTH (our key and the peer's are mostly one): secret, dropped when that is done
        self._kept_pad: tuple[bytes, bytes] | None = None

    def _key_pad(self, psk: bytes) -> bytes:
        assert self.sa.suite is not None
        kept, self._kept_pad = self._kept_pad, None
        if kept is not None and hmac.compare_digest(kept[0], psk):
            return kept[1]
        pad = key_pad(self.sa.suite.prf, psk)
        if kept is None:
            self._kept_pad = (psk, pad)
        return pad

    def _own_octets(self) -> bytes:
        sa = self.sa
        assert sa.local_id is not None
        return _octets(sa, _id_payload(sa.local_id, sa.initiator), sa.initiator)

    def sign(self, key: bytes) -> None:
        assert self.sa.suite is not None
        self.auth = padded_psk_auth(self.sa.suite.prf, self._key_pad(key), self._own_octets())

    def sign_with_certificate(self, profile: ProfileSpec) -> str | None:
        """AUTH signed with the profile's trustpoint key, in the method the peer's
        SIGNATURE_HASH_ALGORITHMS allows; the reason when it cannot be."""
        sa = self.sa
        pki = sa.ctx.policy.certificates
        credential = "no trustpoint is configured" if pki is None else pki.credential(profile)
        if isinstance(credential, str):
            return credential
        kind = f"{key_kind(credential.key)}-sig"
        if kind != profile.auth_local:
            return (
                f"trustpoint {credential.trustpoint} has an {kind.split('-')[0].upper()} key, "
                f"not what 'authentication local {profile.auth_local}' signs with"
            )
        method, scheme = choose_method(credential.key, self.h.peer_init.hashes, credential.hash)
        sa.auth_sign = kind.split("-")[0].upper()
        sa.info("Get my authentication method")
        sa.info(f"My authentication method is '{sa.auth_sign}'")
        self.auth = sign_auth(credential.key, method, scheme, self._own_octets())
        self.auth_method = method
        self.own_certificates = credential.chain
        return None

    def auth_payloads(self, requests: Sequence[Payload] = ()) -> list[Payload]:
        """CERT payloads of our chain (when we sign), `requests` (the initiator's CERTREQ),
        then AUTH: the order IOS sends them in. An EAP client's first IKE_AUTH has no AUTH."""
        auth = [AuthPayload(self.auth_method, self.auth)] if self.auth else []
        return [*cert_payloads(self.own_certificates), *requests, *auth]

    def peer_auth_type(self) -> Event:
        method, data = self.peer_auth.method, self.peer_auth.data
        signature = method != _PSK
        if signature:
            self.sa.info("Get peer's authentication method")
            self.sa.info(f"Peer's authentication method is '{method_name(method, data)}'")
        if not peer_method_accepted(self.sa, method, data):
            return EV.EV_AUTH_FAIL
        self.sa.auth_verify = method_name(method, data)
        return EV.EV_CHK_CERT_ENC if signature else EV.EV_GET_PRESHR_KEY

    def chk_cert_enc(self) -> Event:
        certificates = peer_certificates(self.h.payloads)
        if not certificates:
            self.sa.error("Peer sent no X.509 certificate (CERT payload, encoding 4)")
            return EV.EV_CERT_FAIL
        self.peer_certificates = certificates
        return EV.EV_VERIFY_X509_CERTS

    def verify_x509_certs(self) -> Event:
        sa = self.sa
        pki = sa.ctx.policy.certificates
        assert pki is not None and sa.profile is not None and sa.remote_id is not None
        verdict = pki.check_peer(sa.profile, self.peer_certificates, sa.remote_id, sa.ctx.now)
        for topic, text in verdict.pki:
            sa.ctx.pki(topic, text)
        for alert in verdict.alerts:
            sa.ctx.emit(ConsoleAlert(sa.ctx.now, alert))
        if verdict.public_key is None:
            sa.error(verdict.failure or "Certificate validation failed")
            return EV.EV_CERT_FAIL
        self.peer_key = verdict.public_key
        if sa.remote_id.is_dn:
            sa.remote_id = replace(sa.remote_id, text=verdict.subject)
        return EV.EV_VERIFY_AUTH

    def cert_fail(self) -> Event:
        self.sa.info("Verify cert failed")
        return EV.EV_AUTH_FAIL

    def get_verify_key(self) -> Event | None:
        sa = self.sa
        assert sa.profile is not None
        key = sa.ctx.policy.verification_key(sa.profile, sa.remote, sa.remote_id)
        if key is None:
            return EV.EV_AUTH_FAIL
        self.psk = key
        return EV.EV_VERIFY_AUTH

    def verify_auth(self) -> Event:
        sa = self.sa
        assert sa.suite is not None
        octets = _octets(sa, self.peer_id, not sa.initiator)
        if self.peer_key is not None:
            sa.info("Verify peer's authentication data")
            ok = self._verify_signature(self.peer_key, octets)
        else:
            pad = self._key_pad(self.psk)
            ok = verify_padded_psk_auth(sa.suite.prf, pad, octets, self.peer_auth.data)
            self.psk = b""
        if not ok:
            return EV.EV_AUTH_FAIL
        sa.info("Verification of peer's authentication data PASSED")
        return self.verified

    def _verify_signature(self, key: PublicKey, octets: bytes) -> bool:
        try:
            return verify_auth(key, self.peer_auth.method, self.peer_auth.data, octets)
        except SignatureError as error:
            self.sa.error(f"Peer's AUTH cannot be verified: {error}")
            return False

    verified = EV.EV_CHK4_IC

    @property
    def peer_signed(self) -> bool:
        """The peer authenticated with a signature (its `group cert` line authorizes it)."""
        return self.peer_auth.method != _PSK

    def notify_auth_done(self) -> Event:
        sa, authorizer = self.sa, self.sa.ctx.policy.authorization
        group, user = False, False
        if authorizer is not None and sa.profile is not None:
            group, user = authorizer.configured(sa.profile.name, self.peer_signed)
        # When a line applies, IOS's wording for it is not attested: nothing is printed.
        if not group:
            sa.ctx.info(None, "AAA group authorization is not configured")
        if not user:
            sa.ctx.info(None, "AAA user authorization is not configured")
        return EV.EV_CHK_CONFIG_MODE

    peer_id: IdPayload
    peer_auth: AuthPayload


class AuthInitiator(AuthHalf, HandshakeRequest):
    TRANSITIONS = transitions(
        """
        # state       event                        action                 next state
        I_BLD_AUTH    EV_GET_CONFIG_MODE           get_config_mode
        I_BLD_AUTH    EV_CHK_EAP                   -> EV_GEN_AUTH
        I_BLD_AUTH    EV_GEN_AUTH                  gen_auth
        I_BLD_AUTH    EV_CHK_AUTH_TYPE             chk_auth_type
        I_BLD_AUTH    EV_SIGN                      sign_auth
        I_BLD_AUTH    EV_OK_AUTH_GEN               -> EV_SEND_AUTH
        I_BLD_AUTH    EV_SEND_AUTH                 send_auth              I_WAIT_AUTH
        I_WAIT_AUTH   EV_RECV_AUTH                 Action_Null -> EV_CHK4_NOTIFY  I_PROC_AUTH
        I_WAIT_AUTH   EV_RE_XMT_EXCEED             retransmits_exceeded
        I_PROC_AUTH   EV_CHK4_NOTIFY               chk4_notify
        I_PROC_AUTH   EV_PROC_MSG                  proc_msg
        I_PROC_AUTH   EV_CHK_IF_PEER_CERT_FETCHED  -> EV_GET_POLICY_BY_PEERID
        I_PROC_AUTH   EV_GET_POLICY_BY_PEERID      get_policy_by_peerid
        I_PROC_AUTH   EV_VERIFY_POLICY_BY_PEERID   -> EV_CHK_AUTH_TYPE
        I_PROC_AUTH   EV_CHK_AUTH_TYPE             peer_auth_type
        I_PROC_AUTH   EV_GET_PRESHR_KEY            get_verify_key
        I_PROC_AUTH   EV_CHK_CERT_ENC              chk_cert_enc
        I_PROC_AUTH   EV_VERIFY_X509_CERTS         verify_x509_certs
        I_PROC_AUTH   EV_CERT_FAIL                 cert_fail
        I_PROC_AUTH   EV_VERIFY_AUTH               verify_auth
        I_PROC_AUTH   EV_AUTH_FAIL                 auth_fail
        I_PROC_AUTH   EV_NOTIFY_AUTH_DONE          notify_auth_done
        I_PROC_AUTH   EV_CHK_CONFIG_MODE           -> EV_CHK4_IC
        I_PROC_AUTH   EV_CHK4_IC                   -> EV_CHK_IKE_ONLY
        I_PROC_AUTH   EV_CHK_IKE_ONLY              -> EV_PROC_SA_TS
        I_PROC_AUTH   EV_PROC_SA_TS                proc_sa_ts             AUTH_DONE
        """
    )
    config_ask: config_mode.ConfigAsk | None = None  # what the CFG_REQUEST asked
    exchange = ExchangeType.IKE_AUTH
    received = EV.EV_RECV_AUTH
    verified = EV.EV_CHK_EAP

    def get_config_mode(self) -> Event:
        self.sa.ctx.info(None, "Sending config data to toolkit")
        return EV.EV_CHK_EAP

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
        return EV.EV_CHK_AUTH_TYPE

    def chk_auth_type(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        if not local_method_usable(sa):
            return self.h.fail("Failed to compute our AUTH payload")
        if sa.profile.auth_local == "eap":
            lacking = self.h.eap_client.start()
            return EV.EV_OK_AUTH_GEN if lacking is None else self.h.fail(lacking)
        if sa.profile.signs:
            return EV.EV_SIGN
        sa.ctx.info(None, f"% Getting preshared key from address {sa.remote.host}")
        key = sa.ctx.policy.signing_key(sa.profile, sa.remote, None)
        if key is None:
            return self.h.fail(f"Failed to find a preshared key for peer {sa.remote.address}")
        self.sign(key)
        return EV.EV_OK_AUTH_GEN

    def sign_auth(self) -> Event:
        assert self.sa.profile is not None
        reason = self.sign_with_certificate(self.sa.profile)
        if reason is not None:
            return self.h.fail(f"Failed to sign our AUTH payload: {reason}")
        return EV.EV_OK_AUTH_GEN

    def send_auth(self) -> Event:
        sa, h = self.sa, self.h
        tunnel = h.tunnel
        assert tunnel is not None and sa.local_id is not None
        h.child_spi = sa.ctx.new_spi(4)
        h.child_offer = esp_sa_payload(tunnel.transform_sets, h.child_spi)
        payloads: list[Payload] = [
            *own_vendor_ids(),
            _id_payload(sa.local_id, True),
            *self.auth_payloads(certreq_payloads(sa, sa.profile)),
            *self.config_request(tunnel.name),
            h.child_offer,
            tsmod.to_payload(tunnel.local_ts, True),
            tsmod.to_payload(tunnel.remote_ts, False),
        ]
        if not any(
            other is not sa and other.established for other in sa.ctx.sas_with_peer(sa.remote)
        ):
            payloads.append(empty_notify(NotifyType.INITIAL_CONTACT))
            sa.initial_contact_sent = True
        payloads += _ios_notifies(sa.ctx.settings.window_size)
        payloads += child_mode.notifies(child_mode.asks_transport(tunnel.transform_sets))
        sa.trace_msg_id = 1
        sa.send_request(self.exchange, payloads, self.on_response, self.on_timeout)
        return EV.EV_NO_EVENT

    def chk4_notify(self) -> Event:
        h = self.h
        has_auth = any(isinstance(p, AuthPayload) for p in h.payloads)
        for n in h.notifies():
            if not n.is_error or (n.notify_type in CHILD_ERRORS and has_auth):
                continue
            return h.fail(f"Received {notify_name(n.notify_type)} notify", as_notify(n.notify_type))
        return EV.EV_PROC_MSG

    def proc_msg(self) -> Event:
        h = self.h
        idr = next((p for p in h.payloads if isinstance(p, IdPayload) and not p.initiator), None)
        auth = next((p for p in h.payloads if isinstance(p, AuthPayload)), None)
        if idr is None or auth is None:
            return h.fail("IKE_AUTH response lacks IDr or AUTH", NotifyType.INVALID_SYNTAX)
        self.peer_id, self.peer_auth = idr, auth
        self.sa.remote_id = _identity_of(idr)
        take_peer_window(self.sa, self.h.payloads)
        return EV.EV_CHK_IF_PEER_CERT_FETCHED

    def get_policy_by_peerid(self) -> Event:
        sa = self.sa
        assert sa.profile is not None and sa.remote_id is not None
        if not any(m.matches(sa.remote_id) for m in sa.profile.match_remote) and not (
            self._certificate_selects(sa.profile)
        ):
            informational.report_auth_failure(sa)
            return self.h.fail(
                f"Peer identity {sa.remote_id} does not match profile {sa.profile.name}",
                NotifyType.AUTHENTICATION_FAILED,
            )
        sa.info(f"IKEv2 profile '{sa.profile.name}' used")
        return EV.EV_VERIFY_POLICY_BY_PEERID

    def _certificate_selects(self, profile: ProfileSpec) -> bool:
        """The peer's certificate matches a `match certificate` map of ``profile``."""
        pki, sa = self.sa.ctx.policy.certificates, self.sa
        certificates = peer_certificates(self.h.payloads)
        if pki is None or not certificates:
            return False
        chosen = pki.profile_for_certificate(sa.local, certificates)
        return chosen is not None and chosen.name == profile.name

    def auth_fail(self) -> Event:
        self.sa.info("Verification of peer's authentication data FAILED")
        informational.report_auth_failure(self.sa)
        return self.h.fail("Auth exchange failed", NotifyType.AUTHENTICATION_FAILED)

    def config_request(self, tunnel: str) -> list[Payload]:
        self.config_ask, payloads = config_mode.initiator_request(self.sa, tunnel)
        return payloads

    def proc_sa_ts(self) -> Event:
        sa, h = self.sa, self.h
        assert h.tunnel is not None and h.child_offer is not None
        config_mode.initiator_reply(sa, self.config_ask, h.tunnel.name, h.payloads)
        error = next(
            (n for n in h.notifies() if n.is_error and n.notify_type in CHILD_ERRORS), None
        )
        answer, tsi, tsr = _child_payloads(h.payloads)
        if error is not None or answer is None or tsi is None or tsr is None:
            notify = None if error is None else as_notify(error.notify_type)
            reason = f"Child SA not created: {notify.name if notify else 'no SA in response'}"
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, notify, reason))
            return EV.EV_OK
        tunnel = h.tunnel
        checked = initiator_check(
            tunnel, h.child_offer, answer, tsi, tsr, tunnel.local_ts, tunnel.remote_ts
        )
        if isinstance(checked, NotifyType):
            reason = f"Child SA not created: responder's answer is unacceptable ({checked.name})"
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, checked, reason))
            return EV.EV_OK
        asked = child_mode.asks_transport(tunnel.transform_sets)
        answered = child_mode.carries_transport(h.payloads)
        settled = initiator_mode(sa, checked, asked=asked, answered=answered)
        if isinstance(settled, str):
            reason = f"Child SA not created: {settled}"
            sa.error(reason)
            sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, None, reason))
            informational.delete_refused_child(sa, h.child_spi, settled)
            return EV.EV_OK
        checked = settled
        assert sa.keys is not None and sa.suite is not None
        keys = child_keys(sa.suite.prf, sa.keys.sk_d, sa.ni, sa.nr, None, checked.transform)
        h.first_child = ChildSa.negotiated(
            checked, spi_in=h.child_spi, keys=keys, initiator=True, now=sa.ctx.now, tunnel=tunnel
        )
        return EV.EV_OK


class AuthResponder(AuthHalf):
    TRANSITIONS = transitions(
        """
        # state        event                        action                 next state
        R_WAIT_AUTH    EV_RECV_AUTH                 -> EV_CHK_NAT_T
        R_WAIT_AUTH    EV_CHK_NAT_T                 chk_nat_t
        R_WAIT_AUTH    EV_PROC_ID                   proc_id
        R_WAIT_AUTH    EV_CHK_IF_PEER_CERT_FETTED   -> EV_GET_POLICY_BY_PEERID
        R_WAIT_AUTH    EV_GET_POLICY_BY_PEERID      get_policy_by_peerid
        R_WAIT_AUTH    EV_SET_POLICY                set_policy
        R_WAIT_AUTH    EV_VERIFY_POLICY_BY_PEERID   -> EV_CHK_AUTH4EAP
        R_WAIT_AUTH    EV_AUTH_FAIL                 auth_fail
        R_VERIFY_AUTH  EV_CHK_AUTH_TYPE             peer_auth_type
        R_VERIFY_AUTH  EV_GET_PRESHR_KEY            get_verify_key
        R_VERIFY_AUTH  EV_CHK_CERT_ENC              chk_cert_enc
        R_VERIFY_AUTH  EV_VERIFY_X509_CERTS         verify_x509_certs
        R_VERIFY_AUTH  EV_CERT_FAIL                 cert_fail
        R_VERIFY_AUTH  EV_VERIFY_AUTH               verify_auth
        R_VERIFY_AUTH  EV_AUTH_FAIL                 auth_fail
        R_VERIFY_AUTH  EV_CHK4_IC                   chk4_ic
        R_VERIFY_AUTH  EV_CHK_REDIRECT              chk_redirect
        R_VERIFY_AUTH  EV_NOTIFY_AUTH_DONE          notify_auth_done
        R_VERIFY_AUTH  EV_CHK_CONFIG_MODE           -> EV_SET_RECD_CONFIG_MODE
        R_VERIFY_AUTH  EV_SET_RECD_CONFIG_MODE      set_recd_config_mode
        R_VERIFY_AUTH  EV_PROC_SA_TS                proc_sa_ts
        R_VERIFY_AUTH  EV_GET_CONFIG_MODE           get_config_mode        R_BLD_AUTH
        R_BLD_AUTH     EV_MY_AUTH_METHOD            my_auth_method
        R_BLD_AUTH     EV_GET_PRESHR_KEY            get_sign_key
        R_BLD_AUTH     EV_AUTH_FAIL                 auth_fail
        R_BLD_AUTH     EV_GEN_AUTH                  -> EV_CHK4_SIGN
        R_BLD_AUTH     EV_CHK4_SIGN                 chk4_sign
        R_BLD_AUTH     EV_SIGN                      sign_auth
        R_BLD_AUTH     EV_OK_AUTH_GEN               -> EV_SEND_AUTH
        R_BLD_AUTH     EV_SEND_AUTH                 send_auth              AUTH_DONE
        """
    )

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.error: NotifyType | None = None
        self.choice_proposal: SaPayload | None = None
        self.config_request: CpPayload | None = None
        self.config_reply: CpPayload | None = None

    def _message_id(self) -> int:
        assert self.h.inbound is not None
        return self.h.inbound.header.message_id

    def chk_nat_t(self) -> Event:
        sa = self.sa
        if sa.nat.nat_detected and sa.local.port != NAT_T_PORT:
            sa.info("NAT detected but the peer did not float to port 4500")
        return EV.EV_PROC_ID

    def proc_id(self) -> Event:
        h = self.h
        idi = next((p for p in h.payloads if isinstance(p, IdPayload) and p.initiator), None)
        auth = next((p for p in h.payloads if isinstance(p, AuthPayload)), None)
        if idi is None:
            self._send_error(NotifyType.INVALID_SYNTAX)
            return h.fail("IKE_AUTH request lacks IDi", NotifyType.INVALID_SYNTAX, sent=True)
        self.peer_id = idi
        if auth is not None:  # without: the peer asks for EAP (ike/eap_auth.py)
            self.peer_auth = auth
        self.sa.remote_id = _identity_of(idi)
        self.sa.info("Recieved valid parameteres in process id")
        take_peer_window(self.sa, self.h.payloads)
        return EV.EV_CHK_IF_PEER_CERT_FETTED

    def get_policy_by_peerid(self) -> Event:
        sa = self.sa
        assert sa.remote_id is not None
        profile = sa.ctx.policy.profile_for_identity(sa.local, sa.remote_id)
        pki = sa.ctx.policy.certificates
        if profile is None and pki is not None:
            certificates = peer_certificates(self.h.payloads)
            if certificates:
                profile = pki.profile_for_certificate(sa.local, certificates)
        if profile is None:
            sa.error(f"Failed to locate an IKEv2 profile for peer identity {sa.remote_id}")
            return EV.EV_AUTH_FAIL
        sa.ctx.info(None, f"({sa.sa_id}): Choosing IKE profile {profile.name}")
        sa.profile = profile
        sa.lifetime = profile.lifetime
        return EV.EV_SET_POLICY

    def set_policy(self) -> Event:
        assert self.sa.profile is not None
        self.sa.info(f"IKEv2 profile '{self.sa.profile.name}' used")
        self.sa.info("Setting configured policies")
        return EV.EV_VERIFY_POLICY_BY_PEERID

    def get_verify_key(self) -> Event | None:
        self.sa.ctx.info(None, f"% Getting preshared key from address {self.sa.remote.host}")
        if self.h.keys.ask():  # `keyring aaa`: the answer comes later (ike/aaa_keys.py)
            return None
        return super().get_verify_key()

    def _send_error(self, notify: NotifyType) -> None:
        self.sa.info(f"Sending {notify.name} notify")
        self.sa.respond(ExchangeType.IKE_AUTH, self._message_id(), [NotifyPayload(notify)])

    def auth_fail(self) -> Event:
        self.sa.info("Verification of peer's authentication data FAILED")
        self._send_error(NotifyType.AUTHENTICATION_FAILED)
        return self.h.fail("Auth exchange failed", NotifyType.AUTHENTICATION_FAILED, sent=True)

    def chk4_ic(self) -> Event:
        if first_notify(self.h.payloads, _INITIAL_CONTACT) is not None:
            self.h.peer_initial_contact = True
            collisions.initial_contact(self.sa)
        return EV.EV_CHK_REDIRECT

    def chk_redirect(self) -> Event:
        self.sa.info("Redirect check is not needed, skipping it")
        return EV.EV_NOTIFY_AUTH_DONE

    def set_recd_config_mode(self) -> Event | None:
        # RADIUS authorizes: the answer comes later (aaa_authorization)
        if self.h.authz.ask(self.peer_signed):
            return None
        self.sa.ctx.info(None, "Received config data from toolkit")
        self.config_request = config_mode.responder_received(self.sa, self.h.payloads)
        return EV.EV_PROC_SA_TS

    def proc_sa_ts(self) -> Event:
        sa, h = self.sa, self.h
        offer, tsi, tsr = _child_payloads(h.payloads)
        if offer is None or tsi is None or tsr is None:
            return EV.EV_GET_CONFIG_MODE
        transport = child_mode.carries_transport(h.payloads)
        choice = responder_choice(sa, offer, tsi, tsr, allow_dh=False, transport=transport)
        if isinstance(choice, NotifyType):
            self._no_child(choice, f"Child SA not created: {choice.name}")
            return EV.EV_GET_CONFIG_MODE
        assert sa.keys is not None and sa.suite is not None
        spi_in = sa.ctx.new_spi(4)
        keys = child_keys(sa.suite.prf, sa.keys.sk_d, sa.ni, sa.nr, None, choice.transform)
        chosen = choice.proposal  # answered with our SPI (made directly: replace() is slow)
        self.choice_proposal = SaPayload(
            (Proposal(chosen.number, chosen.protocol, spi_in, chosen.transforms, chosen.reserved),)
        )
        h.first_child = ChildSa.negotiated(
            choice, spi_in=spi_in, keys=keys, initiator=False, now=sa.ctx.now
        )
        return EV.EV_GET_CONFIG_MODE

    def _no_child(self, error: NotifyType, reason: str) -> None:
        """The initial Child SA is refused with `error`; the IKE SA goes on."""
        sa = self.sa
        self.error, self.h.first_child = error, None
        sa.error(reason)
        sa.ctx.emit(NegotiationFailed(sa.ctx.now, sa.sa_id, sa.remote, error, reason, True))

    def get_config_mode(self) -> Event:
        child = self.h.first_child
        tunnel = child.tunnel.name if child is not None and child.tunnel is not None else None
        cached = self.h.aaa_attributes
        aaa, eap_identity = self.h.authz.answer, self.h.authz.eap_identity()
        reply = config_mode.responder_reply(
            self.sa, self.config_request, tunnel, cached, aaa, eap_identity, self.peer_signed
        )
        if isinstance(reply, str):
            self.sa.error(reply)
            return EV.EV_AUTH_FAIL
        if isinstance(reply, config_mode.AddressFailure):  # the IKE SA, without a Child SA
            self._no_child(NotifyType.INTERNAL_ADDRESS_FAILURE, reply.reason)
            reply = None
        if reply is None:
            self.sa.ctx.info(None, "Error constructing config reply")
        self.config_reply = reply
        return EV.EV_MY_AUTH_METHOD

    def my_auth_method(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        if self.h.eap.succeeded:
            self.h.eap.sign_final()
            return EV.EV_OK_AUTH_GEN
        if not local_method_usable(sa):
            return EV.EV_AUTH_FAIL
        if sa.profile.signs:
            sa.local_id = sa.ctx.policy.local_identity(sa.profile, sa.local)
            return EV.EV_GEN_AUTH
        return EV.EV_GET_PRESHR_KEY

    def chk4_sign(self) -> Event:
        assert self.sa.profile is not None
        return EV.EV_SIGN if self.sa.profile.signs else EV.EV_OK_AUTH_GEN

    def sign_auth(self) -> Event:
        assert self.sa.profile is not None
        reason = self.sign_with_certificate(self.sa.profile)
        if reason is not None:
            self.sa.error(f"Failed to sign our AUTH payload: {reason}")
            return EV.EV_AUTH_FAIL
        return EV.EV_OK_AUTH_GEN

    def get_sign_key(self) -> Event:
        sa = self.sa
        assert sa.profile is not None
        key = self.h.keys.local or sa.ctx.policy.signing_key(sa.profile, sa.remote, sa.remote_id)
        if key is None:
            sa.error(f"Failed to find a preshared key for peer {sa.remote.address}")
            return EV.EV_AUTH_FAIL
        sa.local_id = sa.ctx.policy.local_identity(sa.profile, sa.local)
        self.sign(key)
        return EV.EV_GEN_AUTH

    def send_auth(self) -> Event:
        sa, h = self.sa, self.h
        assert sa.local_id is not None
        payloads: list[Payload] = [
            *own_vendor_ids(),
            *([] if self.h.eap.succeeded else [_id_payload(sa.local_id, False)]),  # else: sent
            *self.auth_payloads(),
            *([self.config_reply] if self.config_reply is not None else []),
        ]
        child = h.first_child
        if child is not None:
            assert self.choice_proposal is not None
            payloads += [
                self.choice_proposal,
                tsmod.to_payload(child.remote_ts, True),
                tsmod.to_payload(child.local_ts, False),
                *child_mode.notifies(child.transform.mode == child_mode.TRANSPORT),
            ]
        elif self.error is not None:
            payloads.append(NotifyPayload(self.error))
        payloads += _ios_notifies(sa.ctx.settings.window_size)
        sa.trace_msg_id = self._message_id()
        sa.respond(_IKE_AUTH, self._message_id(), payloads)
        return EV.EV_OK


class AuthDone(HandshakePart):
    """AUTH_DONE to READY, on both sides."""

    TRANSITIONS = transitions(
        """
        # state     event                  action                 next state
        AUTH_DONE   EV_OK                  Action_Null -> EV_PKI_SESH_CLOSE
        AUTH_DONE   EV_PKI_SESH_CLOSE      pki_sesh_close
        AUTH_DONE   EV_UPDATE_CAC_STATS    -> EV_INSERT_IKE
        AUTH_DONE   EV_INSERT_IKE          insert_ike
        AUTH_DONE   EV_GEN_LOAD_IPSEC      gen_load_ipsec
        AUTH_DONE   EV_OK_RECD_LOAD_IPSEC  Action_Null -> EV_START_ACCT
        AUTH_DONE   EV_START_ACCT          start_acct
        AUTH_DONE   EV_CHECK_DUPE          check_dupe
        AUTH_DONE   EV_CHK4_ROLE           chk4_role              READY
        READY       EV_CHK_IKE_ONLY        -> EV_I_OK
        READY       EV_I_OK                up
        READY       EV_R_OK                up
        """
    )

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.duplicate: collisions.Duplicate | None = None

    def pki_sesh_close(self) -> Event:
        self.sa.info("Closing the PKI session")
        return EV.EV_UPDATE_CAC_STATS

    def insert_ike(self) -> Event:
        sa = self.sa
        sa.established_at = sa.ctx.now
        sa.last_heard = sa.ctx.now
        return EV.EV_GEN_LOAD_IPSEC

    def gen_load_ipsec(self) -> Event:
        sa, child = self.sa, self.h.first_child
        if child is not None:
            sa.install_child(child)
        sa.info("Asynchronous request queued")
        return sa.machine.complete_later(EV.EV_OK_RECD_LOAD_IPSEC)

    def start_acct(self) -> Event:
        self.sa.info("Accounting not required")
        return EV.EV_CHECK_DUPE

    def check_dupe(self) -> Event:
        self.duplicate = collisions.check_duplicate_ike(self.sa)
        return EV.EV_CHK4_ROLE

    def chk4_role(self) -> Event:
        return EV.EV_CHK_IKE_ONLY if self.sa.initiator else EV.EV_R_OK

    def up(self) -> Event | None:
        """The SA is established: announced, its queued work started, and a duplicate this
        side must delete deleted. The responder's machine then waits (EV_NO_EVENT)."""
        sa = self.sa
        sa.announce()
        sa.pump()
        found, self.duplicate = self.duplicate, None
        if found is not None:
            informational.delete_ike(found.drop, "Duplicate IKEv2 SA")
        return None if sa.initiator else EV.EV_NO_EVENT
