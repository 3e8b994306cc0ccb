"""EAP in IKE_AUTH (RFC 7296 section 2.16), the rounds both sides add to the IKE SA's
machine when a client authenticates with EAP:

    initiator                                   responder
    IDi, SAi2, TSi, TSr, [CP]          -->      (no AUTH: the initiator asks for EAP)
                                       <--      IDr, [CERT], AUTH, EAP(Request)
    EAP(Response)                      -->
                                       <--      EAP(Request) ... EAP(Success)
    AUTH (with the MSK)                -->
                                       <--      AUTH (with the MSK), [CP], SAr2, TSi, TSr

The responder authenticates itself as its profile says (`authentication local pre-share` or
a certificate) and runs the EAP authenticator against the users the policy's `eap`
directory gives it; the initiator answers with the credentials of `authentication local
eap`. The final AUTH payloads are computed with the method's MSK as the shared secret (EAP-
MSCHAPv2), or with SK_pi and SK_pr for methods that make none (EAP-MD5, EAP-GTC). After the
final AUTH both sides go on as after any IKE_AUTH: configuration, the first Child SA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyike.codec import AuthPayload, EapPayload, IdPayload, Message, NotifyPayload, Payload
from pyike.codec.registry import AuthMethod, ExchangeType, NotifyType
from pyike.eap.authenticator import Authenticator
from pyike.eap.packet import Code, EapError, EapPacket, EapType, decode
from pyike.eap.peer import Peer
from pyike.ike.aaa_answer import AaaAnswer
from pyike.ike.eap_directory import EapRelay, EapRelayAnswer
from pyike.ike.events import EapRelayRequest
from pyike.ike.fsm import transitions
from pyike.ike.handshake_part import HandshakePart
from pyike.ike.states import EV, Event, State
from pyike.ike.task import notify_name
from pyike.ike.vendor import own_vendor_ids

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake
    from pyike.ike.ike_auth import AuthHalf, AuthInitiator, AuthResponder

EAP = "eap"


def _eap_payload(payloads: list[Payload]) -> EapPayload | None:
    return next((p for p in payloads if isinstance(p, EapPayload)), None)


def _auth_payload(payloads: list[Payload]) -> AuthPayload | None:
    return next((p for p in payloads if isinstance(p, AuthPayload)), None)


class EapPart(HandshakePart):
    """What both sides keep: the MSK once EAP succeeded."""

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.active = False  # this IKE SA authenticates its initiator with EAP
        self.succeeded = False
        self.msk: bytes | None = None

    @property
    def auth(self) -> AuthHalf:
        return self.h.auth

    def key(self, of_initiator: bool) -> bytes:
        """The secret the final AUTH of the initiator (or of the responder) is computed with:
        the MSK, or SK_pi / SK_pr when the method made none."""
        if self.msk is not None:
            return self.msk
        keys = self.sa.keys
        assert keys is not None
        return keys.sk_pi if of_initiator else keys.sk_pr

    def sign_final(self) -> None:
        """Our last AUTH: the EAP key, no certificates (RFC 7296 2.16)."""
        auth = self.auth
        auth.auth_method = AuthMethod.SHARED_KEY_MIC
        auth.own_certificates = ()
        auth.sign(self.key(self.sa.initiator))

    def expect_final_auth(self, payloads: list[Payload]) -> Event:
        """The peer's last AUTH, to be verified with the EAP key."""
        auth = _auth_payload(payloads)
        if auth is None:
            self.sa.error("IKE_AUTH message after EAP success lacks AUTH")
            return EV.EV_AUTH_FAIL
        self.auth.peer_auth = auth
        self.auth.peer_key = None
        self.auth.psk = self.key(not self.sa.initiator)
        return EV.EV_VERIFY_AUTH


class EapResponder(EapPart):
    """The server side: EAP requests in IKE_AUTH responses, until Success or Failure. The
    requests come from the local authenticator (users of the configuration), or, relayed,
    from AAA (`EapRelayRequest` out, `IkeEngine.eap_answer` in; the IKE_AUTH response waits)."""

    TRANSITIONS = transitions(
        """
    # state         event             action            next state
    R_WAIT_AUTH     EV_CHK_AUTH4EAP   chk_auth4eap
    R_WAIT_AUTH EV_CHK_POLREQEAP chk_polreqeap EV_CHK_AUTH_TYPE:R_VERIFY_AUTH EV_GEN_AUTH:R_BLD_EAP
    R_BLD_EAP       EV_GEN_AUTH       gen_auth
    R_BLD_EAP       EV_AUTH_FAIL      auth_fail
    R_BLD_EAP       EV_AAA_ANSWER     aaa_answer
    R_BLD_EAP       EV_EAP_FAIL       send_eap_failure
    R_BLD_EAP       EV_SEND_EAP_REQ   send_eap_req      R_WAIT_EAP_RESP
    R_WAIT_EAP_RESP EV_RECV_EAP_RESP  proc_eap_resp
    R_WAIT_EAP_RESP EV_AAA_ANSWER     aaa_answer
    R_WAIT_EAP_RESP EV_SEND_EAP_REQ   send_eap_req
    R_WAIT_EAP_RESP EV_EAP_SUCCESS    send_eap_success  R_WAIT_EAP_AUTH
    R_WAIT_EAP_RESP EV_EAP_FAIL       send_eap_failure
    R_WAIT_EAP_AUTH EV_RECV_EAP_AUTH  proc_eap_auth     R_VERIFY_AUTH
    """
    )

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.server: Authenticator | None = None
        self.relay: EapRelay | None = None
        self.identity = ""  # who EAP authenticates (for AAA: the User-Name)
        self.first_payloads: list[Payload] = []  # the request that asked for EAP: SA, TS, CP
        self.outgoing = b""  # the EAP packet the next response carries
        self.failure = ""
        self._aaa: AaaAnswer[EapRelayAnswer] = AaaAnswer()  # to a relayed EAP response
        self.attributes: tuple[str, ...] = ()  # AAA's with its Access-Accept (authorization)
        self._last_identifier = 0  # of the peer's last EAP response (for a Failure of ours)
        self._reported = False  # the failure is in the debug already

    def awaited(self) -> Event | None:
        """The event an IKE_AUTH request brings in the current state; None: not expected."""
        if self._aaa.waiting:
            return None
        return {
            State.R_WAIT_EAP_RESP: EV.EV_RECV_EAP_RESP,
            State.R_WAIT_EAP_AUTH: EV.EV_RECV_EAP_AUTH,
        }.get(self.sa.machine.state)

    def chk_auth4eap(self) -> Event:
        self.active = _auth_payload(self.h.payloads) is None
        return EV.EV_CHK_POLREQEAP

    def chk_polreqeap(self) -> Event:
        """The peer asked for EAP: the profile must allow it (`authentication remote eap`)."""
        sa = self.sa
        assert sa.profile is not None and sa.remote_id is not None
        if not self.active:
            return EV.EV_CHK_AUTH_TYPE
        sa.info("Get peer's authentication method")
        sa.info("Peer's authentication method is 'EAP'")
        if EAP not in sa.profile.auth_remote:
            sa.error(
                "Peer authentication method configured is mismatching with the method "
                "proposed by peer"
            )
            return EV.EV_AUTH_FAIL
        directory = sa.ctx.policy.eap
        users = "EAP is not available" if directory is None else directory.users(sa.profile.name)
        if isinstance(users, str):
            sa.error(users)
            return EV.EV_AUTH_FAIL
        if isinstance(users, EapRelay):
            self.relay = users
        else:
            self.server = Authenticator(users, sa.ctx.random_bytes)
        self.identity = str(sa.remote_id)
        self.first_payloads = list(self.h.payloads)
        return EV.EV_GEN_AUTH

    def gen_auth(self) -> Event | None:
        """Our own AUTH, as the profile's `authentication local` says, and the first request:
        Identity with `query-identity`, else the method, for the identity IKE gave (relayed:
        AAA's first request for that identity)."""
        sa, auth = self.sa, self.auth
        assert sa.profile is not None
        sa.local_id = sa.ctx.policy.local_identity(sa.profile, sa.local)
        if sa.profile.signs:
            reason = auth.sign_with_certificate(sa.profile)
            if reason is not None:
                sa.error(f"Failed to sign our AUTH payload: {reason}")
                return EV.EV_AUTH_FAIL
        else:
            key = sa.ctx.policy.signing_key(sa.profile, sa.remote, sa.remote_id)
            if key is None:
                sa.error(f"Failed to find a preshared key for peer {sa.remote.address}")
                return EV.EV_AUTH_FAIL
            auth.sign(key)
        query = sa.profile.eap_query_identity
        if self.server is not None:
            self.outgoing = self.server.start(None if query else self.identity).encode()
            return EV.EV_SEND_EAP_REQ
        identifier = sa.ctx.random_bytes(1)[0]
        if query:
            self.outgoing = EapPacket(Code.REQUEST, identifier, EapType.IDENTITY).encode()
            return EV.EV_SEND_EAP_REQ
        # AAA starts from the identity IKE gave, as from an EAP Identity response
        given = EapPacket(Code.RESPONSE, identifier, EapType.IDENTITY, self.identity.encode())
        self._relay(given.encode())
        return None

    def auth_fail(self) -> Event:
        responder: AuthResponder = self.h.auth  # type: ignore[assignment]
        return responder.auth_fail()

    def send_eap_req(self) -> None:
        sa = self.sa
        assert sa.local_id is not None
        payloads: list[Payload] = []
        if sa.machine.state == State.R_BLD_EAP:
            own_id = IdPayload(sa.local_id.id_type, sa.local_id.data, False)
            payloads = [*own_vendor_ids(), own_id, *self.auth.auth_payloads()]
        payloads.append(EapPayload(self.outgoing))
        sa.info(f"Sending EAP request ({_kind(self.outgoing)})")
        self._respond(payloads)

    def proc_eap_resp(self) -> Event | None:
        sa = self.sa
        payload = _eap_payload(self.h.payloads)
        if payload is None:
            self.failure = "IKE_AUTH request during EAP lacks the EAP payload"
            return EV.EV_EAP_FAIL
        sa.info("Processing EAP response")
        self._last_identifier = payload.data[1] if len(payload.data) > 1 else 0
        if self.server is None:
            self._relay(payload.data)
            return None
        outcome = self.server.receive(payload.data)
        self.identity = self.server.identity or self.identity
        self.outgoing = outcome.packet.encode()
        if outcome.packet.code == Code.SUCCESS:
            self.msk = outcome.msk
            return EV.EV_EAP_SUCCESS
        if outcome.packet.code == Code.FAILURE:
            self.failure = outcome.failure or self.failure or "EAP failure"
            return EV.EV_EAP_FAIL
        if outcome.failure is not None and not self.failure:
            # decided: the method's own failure message goes first (a peer may not answer it)
            self.failure, self._reported = outcome.failure, True
            sa.error(f"EAP authentication failed: {self.failure}")
        return EV.EV_SEND_EAP_REQ

    def _relay(self, data: bytes) -> None:
        """Hands the peer's EAP response to AAA; the machine waits for `aaa_answer`."""
        sa = self.sa
        assert self.relay is not None and sa.profile is not None
        try:
            packet = decode(data)
        except EapError:
            packet = None
        if packet is not None and packet.type == EapType.IDENTITY and packet.data:
            self.identity = packet.data.decode("utf-8", "replace")
        self._aaa.asked()
        sa.info("[IKEv2 -> AAA] Authentication request sent")
        sa.ctx.emit(
            EapRelayRequest(
                sa.ctx.now, sa.sa_id, sa.profile.name, self.relay.group, self.identity, data
            )
        )

    def take_answer(self, answer: EapRelayAnswer) -> bool:
        """AAA answered; False when nothing waits for it (a late or repeated answer)."""
        return self._aaa.take(answer)

    def aaa_answer(self) -> Event:
        sa, answer = self.sa, self._aaa.read()
        sa.info(f"[AAA -> IKEv2] Received AAA reply: {answer.outcome}")
        if answer.outcome == "challenge" and answer.eap:
            self.outgoing = answer.eap
            return EV.EV_SEND_EAP_REQ
        if answer.outcome == "accept" and sa.machine.state == State.R_WAIT_EAP_RESP:
            self.msk, self.attributes = answer.msk, answer.attributes
            self.outgoing = answer.eap or EapPacket(Code.SUCCESS, self._last_identifier).encode()
            return EV.EV_EAP_SUCCESS
        self.failure = {
            "reject": "AAA server rejected the user (Access-Reject)",
            "accept": "AAA server accepted before any EAP exchange",
        }.get(answer.outcome, answer.reason or f"unusable AAA answer ({answer.outcome})")
        self.outgoing = answer.eap or EapPacket(Code.FAILURE, self._last_identifier).encode()
        return EV.EV_EAP_FAIL

    def send_eap_success(self) -> None:
        self.succeeded = True
        self.sa.info(f"EAP authentication of user '{self.identity}' succeeded")
        self.sa.info("Sending EAP status message")
        self._respond([EapPayload(self.outgoing)])

    def send_eap_failure(self) -> Event:
        sa = self.sa
        if not self._reported:
            sa.error(f"EAP authentication failed: {self.failure}")
        failure = _is_failure(self.outgoing) and sa.machine.state != State.R_BLD_EAP
        if failure:
            sa.info("Sending EAP status message")
        self._respond(
            [EapPayload(self.outgoing)]
            if failure
            else [NotifyPayload(NotifyType.AUTHENTICATION_FAILED)]
        )
        return self.h.fail(
            f"Auth exchange failed: EAP: {self.failure}",
            NotifyType.AUTHENTICATION_FAILED,
            sent=True,
        )

    def proc_eap_auth(self) -> Event:
        """The final AUTH: verified with the EAP key against the first request's IDi; the
        rest of IKE_AUTH (IC, CP, SA and TS) reads the first request."""
        event = self.expect_final_auth(self.h.payloads)
        self.h.payloads = self.first_payloads
        return event

    def _respond(self, payloads: list[Payload]) -> None:
        assert self.h.inbound is not None
        message_id = self.h.inbound.header.message_id
        self.sa.trace_msg_id = message_id
        self.sa.respond(ExchangeType.IKE_AUTH, message_id, payloads)


def _kind(data: bytes) -> str:
    try:
        return decode(data).type_name
    except EapError:
        return "malformed"


def _is_failure(data: bytes) -> bool:
    try:
        return decode(data).code == Code.FAILURE
    except EapError:
        return False


class EapInitiator(EapPart):
    """The client side: IDi without AUTH, then an IKE_AUTH request per EAP response."""

    TRANSITIONS = transitions(
        """
        # state          event               action            next state
        I_PROC_AUTH      EV_CHK_EAP          chk_eap
        I_PROC_AUTH      EV_PROC_EAP_REQ     proc_eap_req      I_WAIT_EAP
        I_WAIT_EAP       EV_RECV_EAP_REQ     proc_eap_req
        I_WAIT_EAP       EV_SEND_EAP_AUTH    send_eap_auth     I_WAIT_EAP_AUTH
        I_WAIT_EAP       EV_RE_XMT_EXCEED    retransmits_exceeded
        I_WAIT_EAP_AUTH  EV_RECV_EAP_AUTH    Action_Null -> EV_CHK4_NOTIFY  I_PROC_EAP_AUTH
        I_WAIT_EAP_AUTH  EV_RE_XMT_EXCEED    retransmits_exceeded
        I_PROC_EAP_AUTH  EV_CHK4_NOTIFY      chk4_notify
        I_PROC_EAP_AUTH  EV_PROC_MSG         proc_eap_auth     I_PROC_AUTH
        """
    )

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.peer: Peer | None = None
        self._received = EV.EV_RECV_EAP_REQ

    def start(self) -> str | None:
        """`authentication local eap`: the credentials to answer with; why there are none."""
        sa = self.sa
        assert sa.profile is not None
        directory = sa.ctx.policy.eap
        credentials = (
            "EAP is not available" if directory is None else directory.credentials(sa.profile.name)
        )
        if isinstance(credentials, str):
            return credentials
        self.peer = Peer(
            credentials.username, credentials.password, credentials.method, sa.ctx.random_bytes
        )
        self.active = True
        sa.info("Authentication method is 'EAP': no AUTH payload in the first IKE_AUTH")
        return None

    def chk_eap(self) -> Event:
        if not self.active or self.succeeded:
            return EV.EV_NOTIFY_AUTH_DONE
        return EV.EV_PROC_EAP_REQ

    def proc_eap_req(self) -> Event | None:
        sa = self.sa
        assert self.peer is not None
        payload = _eap_payload(self.h.payloads)
        if payload is None:
            failed = next((n for n in self.h.notifies() if n.is_error), None)
            why = "no EAP request" if failed is None else notify_name(failed.notify_type)
            return self.h.fail(
                f"EAP authentication failed: {why}", NotifyType.AUTHENTICATION_FAILED
            )
        sa.info("Received EAP request")
        step = self.peer.receive(payload.data)
        if step.failure is not None:
            return self.h.fail(
                f"EAP authentication failed: {step.failure}", NotifyType.AUTHENTICATION_FAILED
            )
        if step.success:
            self.succeeded = True
            self.msk = self.peer.msk
            sa.info("EAP authentication succeeded")
            return EV.EV_SEND_EAP_AUTH
        assert step.response is not None
        sa.info(f"Sending EAP response ({step.response.type_name})")
        self._send([EapPayload(step.response.encode())], EV.EV_RECV_EAP_REQ)
        return None

    def send_eap_auth(self) -> None:
        self.sign_final()
        self.sa.info("Sending AUTH computed with the EAP key")
        self._send([AuthPayload(AuthMethod.SHARED_KEY_MIC, self.auth.auth)], EV.EV_RECV_EAP_AUTH)

    def chk4_notify(self) -> Event:
        initiator: AuthInitiator = self.h.auth  # type: ignore[assignment]
        return initiator.chk4_notify()

    def proc_eap_auth(self) -> Event:
        return self.expect_final_auth(self.h.payloads)

    def retransmits_exceeded(self) -> Event:
        return self.h.fail("Maximum number of retransmissions reached (IKE_AUTH)")

    def _send(self, payloads: list[Payload], received: Event) -> None:
        self._received = received
        sa = self.sa
        sa.trace_msg_id = sa.send_request(
            ExchangeType.IKE_AUTH, payloads, self.on_response, self.on_timeout
        )

    def on_response(self, message: Message, payloads: list[Payload]) -> None:
        self.h.deliver(message, payloads, self._received)

    def on_timeout(self) -> None:
        self.h.run(EV.EV_RE_XMT_EXCEED)
