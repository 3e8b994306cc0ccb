"""IKE_SA_INIT (RFC 7296 section 1.2), initiator and responder halves: proposals, KE with
INVALID_KE_PAYLOAD retry and nonces (keying.py, shared with the IKE SA rekey), NAT
detection, cookies, vendor IDs, fragmentation support. Both halves run on the IKE SA's own
machine, followed by IKE_AUTH (handshake.py)."""

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
)
from pyike.codec.registry import ExchangeType, NotifyType
from pyike.codec.udp_encap import NAT_T_PORT
from pyike.ike import natd
from pyike.ike.events import Endpoint
from pyike.ike.fsm import transitions
from pyike.ike.handshake_part import HandshakePart, HandshakeRequest
from pyike.ike.keying import IkeKeying, KeyingError, nonce_size
from pyike.ike.signatures import init_payloads, note_peer_init
from pyike.ike.states import EV, Event
from pyike.ike.task import as_notify, first_notify, notify_name
from pyike.ike.vendor import own_vendor_ids, vendor_name

if TYPE_CHECKING:
    from pyike.ike.handshake import Handshake

# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_IKE_SA_INIT = ExchangeType.IKE_SA_INIT
_FRAGMENTATION_SUPPORTED = NotifyType.IKEV2_FRAGMENTATION_SUPPORTED


class InitHalf(HandshakePart):
    """What both halves of IKE_SA_INIT do alike."""

    def __init__(self, h: Handshake) -> None:
        super().__init__(h)
        self.keying = IkeKeying(h.sa.ctx.random_bytes)

    def load_proposals(self) -> None:
        self.sa.proposals = self.keying.load_specs(self.sa)

    def set_policy(self) -> Event:
        self.sa.info("Setting configured policies")
        return EV.EV_CHK_AUTH4PKI

    def get_config_mode(self) -> Event:
        role = "initiator" if self.sa.initiator else "responder"
        self.sa.ctx.info(None, f"IKEv2 {role} - no config data to send in IKE_SA_INIT exch")
        return EV.EV_BLD_MSG

    def lacks_sa_ke_nonce(self) -> bool:
        return not {SaPayload, KePayload, NoncePayload} <= {type(p) for p in self.h.payloads}

    def sa_ke_nonce(self) -> tuple[SaPayload, KePayload, NoncePayload]:
        """The message's SA, KE and Nonce payloads (verify_msg made sure it has them)."""
        inbound = self.h.inbound
        assert inbound is not None
        sa_payload, ke = inbound.first(SaPayload), inbound.first(KePayload)
        nonce = inbound.first(NoncePayload)
        assert sa_payload is not None and ke is not None and nonce is not None
        return sa_payload, ke, nonce

    def record_vendors(self) -> None:
        for vid in (p for p in self.h.payloads if isinstance(p, VendorPayload)):
            name = vendor_name(vid)
            self.sa.peer_vendors.add(name)
            self.sa.ctx.info(None, f"Parse Vendor Specific Payload: {name}")

    def detect_nat(self) -> Event:
        """RFC 7296 section 2.23: compare the peer's hashes with the addresses seen."""
        sa, h = self.sa, self.h
        assert h.inbound is not None
        sa.info("Process NAT discovery notify")
        notifies = [p for p in h.payloads if isinstance(p, NotifyPayload)]
        try:
            result = natd.detect(notifies, sa.spi_i, h.inbound.header.spi_r, sa.local, sa.remote)
        except DecodeError as exc:
            return self.refuse(
                NotifyType.INVALID_SYNTAX, f"Malformed NAT detection notify: {exc.detail}"
            )
        sa.nat = result
        if not result.checked:
            sa.info("NAT detection notifies not received")
            return self.after_nat
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
        return self.after_nat

    after_nat = EV.EV_CHK_CONFIG_MODE

    def refuse(self, notify: NotifyType, reason: str) -> Event:
        return self.h.fail(reason, notify)

    def natd_payloads(self, spi_r: bytes) -> list[NotifyPayload]:
        sa = self.sa
        # With UDP encapsulation forced, a source hash that cannot match (the same trick as
        # strongSwan's ``encap = yes``).
        fake = None
        if sa.ctx.settings.force_encap:
            fake = sa.ctx.random_bytes(NAT_DETECTION_HASH_SIZE)
        return natd.natd_notifies(sa.spi_i, spi_r, sa.local, sa.remote, fake)

    def fragmentation_payloads(self) -> list[Payload]:
        if not self.sa.ctx.settings.fragmentation_mtu:
            return []
        return [fragmentation_supported_notify()]

    def note_peer_fragmentation(self) -> None:
        supported = first_notify(self.h.payloads, _FRAGMENTATION_SUPPORTED)
        self.sa.frag_peer = supported is not None and bool(self.sa.ctx.settings.fragmentation_mtu)

    def note_peer_certificates(self) -> None:
        self.h.peer_init = note_peer_init(self.sa, self.h.payloads)

    def gen_dh_key(self) -> Event:
        try:
            self.keying.generate()
        except KeyingError as error:
            return self.h.fail(error.reason)
        self.keying.draw_nonce(nonce_size(self.keying.specs))
        return self.sa.machine.complete_later(self.dh_key_ready)

    dh_key_ready = EV.EV_OK_RECD_DH_PUBKEY_RESP

    def gen_dh_secret(self) -> Event:
        try:
            self.keying.compute_secret()
        except KeyingError as error:
            return self.refuse(NotifyType.INVALID_SYNTAX, error.reason)
        return self.sa.machine.complete_later(self.dh_secret_ready)

    dh_secret_ready = EV.EV_OK_RECD_SECRET_RESP

    def gen_skeyid(self) -> Event:
        self.keying.install(self.sa)
        self.sa.info("Generate skeyid")
        return self.after_skeyid

    after_skeyid = EV.EV_DONE

    def done(self) -> Event:
        if "CISCO-DELETE-REASON" in self.sa.peer_vendors:
            self.sa.info("Cisco DeleteReason Notify is enabled")
        return EV.EV_CHK4_ROLE


class InitInitiator(InitHalf, HandshakeRequest):
    TRANSITIONS = transitions(
        """
        # state       event                      action               next state
        IDLE          EV_INIT_SA                 -> EV_GET_IKE_POLICY  I_BLD_INIT
        I_BLD_INIT    EV_GET_IKE_POLICY          get_ike_policy
        I_BLD_INIT    EV_SET_POLICY              set_policy
        I_BLD_INIT    EV_CHK_AUTH4PKI            -> EV_GEN_DH_KEY
        I_BLD_INIT    EV_GEN_DH_KEY              gen_dh_key
        I_BLD_INIT    EV_OK_RECD_DH_PUBKEY_RESP  Action_Null -> EV_GET_CONFIG_MODE
        I_BLD_INIT    EV_GET_CONFIG_MODE         get_config_mode
        I_BLD_INIT    EV_BLD_MSG                 build                I_WAIT_INIT
        I_WAIT_INIT   EV_RECV_INIT               recv_init            I_PROC_INIT
        I_WAIT_INIT   EV_RE_XMT_EXCEED           retransmits_exceeded
        I_PROC_INIT   EV_CHK4_NOTIFY             chk4_notify
        I_PROC_INIT   EV_RECV_COOKIE             recv_cookie          I_BLD_INIT
        I_PROC_INIT   EV_RECV_INVALID_KE         recv_invalid_ke      I_BLD_INIT
        I_PROC_INIT   EV_VERIFY_MSG              verify_msg
        I_PROC_INIT   EV_PROC_MSG                proc_msg
        I_PROC_INIT   EV_DETECT_NAT              detect_nat
        I_PROC_INIT   EV_CHK_NAT_T               chk_nat_t
        I_PROC_INIT   EV_CHK_CONFIG_MODE         -> EV_GEN_DH_SECRET  INIT_DONE
        INIT_DONE     EV_GEN_DH_SECRET           gen_dh_secret
        INIT_DONE     EV_OK_RECD_SECRET_RESP     Action_Null -> EV_GEN_SKEYID
        INIT_DONE     EV_GEN_SKEYID              gen_skeyid
        INIT_DONE     EV_DONE                    done
        INIT_DONE     EV_CHK4_ROLE               chk4_role            I_BLD_AUTH
        """
    )
    exchange = ExchangeType.IKE_SA_INIT
    received = EV.EV_RECV_INIT
    after_nat = EV.EV_CHK_NAT_T

    def get_ike_policy(self) -> Event:
        self.load_proposals()
        if not self.sa.proposals:
            return self.h.fail("Failed to find a matching policy")
        self.keying.group = self.sa.proposals[0].groups[0]
        return EV.EV_SET_POLICY

    def build(self) -> None:
        sa, keying = self.sa, self.keying
        payloads: list[Payload] = []
        if sa.cookie is not None:
            payloads.append(cookie_notify(sa.cookie))
        payloads += [keying.offer_payload(), keying.ke_payload(), keying.nonce_payload()]
        payloads += own_vendor_ids()
        payloads += self.natd_payloads(bytes(8))
        payloads += self.fragmentation_payloads()
        assert self.h.tunnel is not None
        profile = sa.ctx.policy.profile(self.h.tunnel.profile)
        if profile is not None:
            payloads += init_payloads(sa, profile)
        sa.requests.outstanding.pop(0, None)
        sa.send_request(self.exchange, payloads, self.on_response, self.on_timeout, message_id=0)
        sa.init_request = sa.requests.outstanding[0].datagrams[0]
        return None

    def recv_init(self) -> Event:
        self.sa.info("Processing IKE_SA_INIT message")
        self.record_vendors()
        return EV.EV_CHK4_NOTIFY

    def chk4_notify(self) -> Event:
        for n in self.h.notifies():
            if n.notify_type == NotifyType.COOKIE:
                return EV.EV_RECV_COOKIE
            if n.notify_type == NotifyType.INVALID_KE_PAYLOAD:
                return EV.EV_RECV_INVALID_KE
            if n.is_error:
                notify = as_notify(n.notify_type)
                return self.h.fail(f"Received {notify_name(n.notify_type)} notify", notify)
        return EV.EV_VERIFY_MSG

    def recv_cookie(self) -> Event:
        sa = self.sa
        try:
            cookie = cookie_value(self.h.notify(NotifyType.COOKIE))
        except DecodeError as exc:
            return self.h.fail(f"Malformed COOKIE notify: {exc.detail}", NotifyType.INVALID_SYNTAX)
        if sa.cookie is not None and sa.cookie == cookie:
            return self.h.fail("Responder repeated the same cookie challenge")
        sa.info("Received cookie challenge, resending IKE_SA_INIT with the cookie")
        sa.cookie = cookie
        return EV.EV_BLD_MSG

    def recv_invalid_ke(self) -> Event:
        try:
            group = self.keying.retry_group(self.h.notify(NotifyType.INVALID_KE_PAYLOAD))
        except KeyingError as error:
            return self.h.fail(error.reason, error.notify)
        self.sa.info(f"Received INVALID_KE_PAYLOAD, retrying with DH group {int(group)}")
        self.keying.group = group
        return EV.EV_GEN_DH_KEY

    def verify_msg(self) -> Event:
        h = self.h
        assert h.inbound is not None
        if h.inbound.header.spi_r == bytes(8):
            return h.fail("IKE_SA_INIT response without a responder SPI", NotifyType.INVALID_SYNTAX)
        if self.lacks_sa_ke_nonce():
            return h.fail("IKE_SA_INIT response lacks SA, KE or Nonce", NotifyType.INVALID_SYNTAX)
        self.sa.spi_r = h.inbound.header.spi_r
        return EV.EV_PROC_MSG

    def proc_msg(self) -> Event:
        h, sa = self.h, self.sa
        assert h.inbound is not None
        try:
            choice = self.keying.accept(*self.sa_ke_nonce())
        except KeyingError as error:
            return h.fail(error.reason, error.notify)
        sa.suite = choice.suite
        sa.proposal_name = sa.proposals[choice.proposal.number - 1].name
        sa.init_response = h.inbound.octets()
        self.note_peer_fragmentation()
        self.note_peer_certificates()
        return EV.EV_DETECT_NAT

    def chk_nat_t(self) -> Event:
        sa = self.sa
        if sa.nat.nat_detected:
            sa.info("NAT detected: floating to port 4500")
            sa.local = Endpoint(sa.local.address, NAT_T_PORT)
            sa.remote = Endpoint(sa.remote.address, NAT_T_PORT)
        return EV.EV_CHK_CONFIG_MODE

    def chk4_role(self) -> Event:
        self.sa.requests.next_id = 1
        return EV.EV_GET_CONFIG_MODE


class InitResponder(InitHalf):
    TRANSITIONS = transitions(
        """
        # state       event                      action               next state
        IDLE          EV_RECV_INIT               recv_init            R_INIT
        R_INIT        EV_VERIFY_MSG              verify_msg
        R_INIT        EV_INSERT_SA               -> EV_GET_IKE_POLICY
        R_INIT        EV_GET_IKE_POLICY          get_ike_policy
        R_INIT        EV_PROC_MSG                proc_msg
        R_INIT        EV_DETECT_NAT              detect_nat
        R_INIT        EV_CHK_CONFIG_MODE         -> EV_SET_POLICY     R_BLD_INIT
        R_BLD_INIT    EV_SET_POLICY              set_policy
        R_BLD_INIT    EV_CHK_AUTH4PKI            -> EV_PKI_SESH_OPEN
        R_BLD_INIT    EV_PKI_SESH_OPEN           pki_sesh_open
        R_BLD_INIT    EV_GEN_DH_KEY              gen_dh_key
        R_BLD_INIT    EV_OK_RECD_PUBKEY_RESP     Action_Null -> EV_GEN_DH_SECRET
        R_BLD_INIT    EV_GEN_DH_SECRET           gen_dh_secret
        R_BLD_INIT    EV_OK_RECD_DH_SECRET_RESP  Action_Null -> EV_GEN_SKEYID
        R_BLD_INIT    EV_GEN_SKEYID              gen_skeyid
        R_BLD_INIT    EV_GET_CONFIG_MODE         get_config_mode
        R_BLD_INIT    EV_BLD_MSG                 build                INIT_DONE
        INIT_DONE     EV_DONE                    done
        INIT_DONE     EV_CHK4_ROLE               -> EV_START_TMR
        INIT_DONE     EV_START_TMR               -> EV_NO_EVENT       R_WAIT_AUTH
        """
    )
    dh_key_ready = EV.EV_OK_RECD_PUBKEY_RESP
    dh_secret_ready = EV.EV_OK_RECD_DH_SECRET_RESP
    after_skeyid = EV.EV_GET_CONFIG_MODE

    def recv_init(self) -> Event:
        self.record_vendors()
        return EV.EV_VERIFY_MSG

    def verify_msg(self) -> Event:
        if self.lacks_sa_ke_nonce():
            return self.refuse(
                NotifyType.INVALID_SYNTAX, "IKE_SA_INIT request lacks SA, KE or Nonce"
            )
        return EV.EV_INSERT_SA

    def get_ike_policy(self) -> Event:
        self.load_proposals()
        return EV.EV_PROC_MSG

    def refuse(self, notify: NotifyType, reason: str, data: bytes = b"") -> Event:
        """Answers the request with an error notify and ends the SA."""
        assert self.h.inbound is not None
        sa = self.sa
        sa.info(f"Sending {notify.name} notify")
        # No state survives this answer, so it carries no responder SPI (RFC 7296 2.6).
        header = replace(sa.header(ExchangeType.IKE_SA_INIT, 0, True), spi_r=bytes(8))
        sa.transmit([encode_message(Message(header, [NotifyPayload(notify, data)]))], None)
        return self.h.fail(reason, notify, sent=True)

    def proc_msg(self) -> Event:
        h, sa = self.h, self.sa
        assert h.inbound is not None
        try:
            choice = self.keying.select(*self.sa_ke_nonce(), sa.ctx.settings.prefer_own_order)
        except KeyingError as error:
            assert error.notify is not None
            if error.notify == NotifyType.INVALID_KE_PAYLOAD:
                group = int.from_bytes(error.data, "big")
                sa.info(f"Requesting DH group {group} with INVALID_KE_PAYLOAD")
            return self.refuse(error.notify, error.reason, error.data)
        sa.suite = choice.suite
        sa.proposal_name = choice.spec_name
        sa.init_request = h.inbound.octets()
        self.note_peer_fragmentation()
        self.note_peer_certificates()
        return EV.EV_DETECT_NAT

    def pki_sesh_open(self) -> Event:
        self.sa.info("Opening a PKI session")
        return EV.EV_GEN_DH_KEY

    def build(self) -> Event:
        sa, keying = self.sa, self.keying
        assert keying.choice is not None
        payloads: list[Payload] = [
            SaPayload((keying.choice.proposal,)),
            keying.ke_payload(),
            keying.nonce_payload(),
        ]
        payloads += own_vendor_ids()
        payloads += self.natd_payloads(sa.spi_r)
        if sa.frag_peer:
            payloads += self.fragmentation_payloads()
        payloads += init_payloads(sa, None)
        sa.respond(_IKE_SA_INIT, 0, payloads)
        sa.init_response = sa.responses.cached[0][0]
        return EV.EV_DONE
