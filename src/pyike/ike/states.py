"""IOS's IKEv2 state machine vocabulary: the state and event names `debug crypto ikev2 internal`
prints in its `SM Trace->` lines.

Names seen in the seed document (Cisco TAC note 115934) are used as IOS spells them, typos
included (EV_CHK_IF_PEER_CERT_NEEDS_TO_BE_FETTED_FOR_PROF_SEL on the responder). Failure paths
use names from public IOS debug output (EV_AUTH_FAIL, EV_FAIL, EV_ABORT, EV_RE_XMT, ...); the
few pyike needed that are not attested in public output are marked below.
"""

from __future__ import annotations

from enum import StrEnum, auto
from typing import TYPE_CHECKING


class _SpelledAsNamed(StrEnum):
    """Each member's value is its name, as IOS prints it."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name


class State(_SpelledAsNamed):
    IDLE = auto()
    # IKE_SA_INIT / IKE_AUTH, initiator
    I_BLD_INIT = auto()
    I_WAIT_INIT = auto()
    I_PROC_INIT = auto()
    INIT_DONE = auto()
    I_BLD_AUTH = auto()
    I_WAIT_AUTH = auto()
    I_PROC_AUTH = auto()
    AUTH_DONE = auto()
    READY = auto()
    # IKE_SA_INIT / IKE_AUTH, responder
    R_INIT = auto()
    R_BLD_INIT = auto()
    R_WAIT_AUTH = auto()
    R_VERIFY_AUTH = auto()
    R_BLD_AUTH = auto()
    # EAP in IKE_AUTH (ike/eap_auth.py); not attested in public output
    R_BLD_EAP = auto()
    R_WAIT_EAP_RESP = auto()
    R_WAIT_EAP_AUTH = auto()
    I_WAIT_EAP = auto()
    I_WAIT_EAP_AUTH = auto()
    I_PROC_EAP_AUTH = auto()
    # CREATE_CHILD_SA, initiator
    CHILD_I_INIT = auto()
    CHILD_I_IPSEC = auto()
    CHILD_I_IKE = auto()
    CHILD_I_BLD_REQ = auto()
    CHILD_I_WAIT = auto()
    CHILD_I_PROC = auto()
    CHILD_I_DONE = auto()
    # CREATE_CHILD_SA, responder
    CHILD_R_INIT = auto()
    CHILD_R_IPSEC = auto()
    CHILD_R_IKE = auto()
    CHILD_R_BLD_MSG = auto()
    CHILD_R_DONE = auto()
    # INFORMATIONAL
    INFO_I_BLD = auto()
    INFO_I_WAIT = auto()
    INFO_R = auto()
    DELETE = auto()
    EXIT = auto()


class Event(_SpelledAsNamed):
    EV_NO_EVENT = auto()
    # IKE_SA_INIT
    EV_INIT_SA = auto()
    EV_GET_IKE_POLICY = auto()
    EV_SET_POLICY = auto()
    EV_CHK_AUTH4PKI = auto()
    EV_PKI_SESH_OPEN = auto()
    EV_GEN_DH_KEY = auto()
    EV_OK_RECD_DH_PUBKEY_RESP = auto()
    EV_OK_RECD_PUBKEY_RESP = auto()
    EV_GEN_DH_SECRET = auto()
    EV_OK_RECD_DH_SECRET_RESP = auto()
    EV_OK_RECD_SECRET_RESP = auto()
    EV_GEN_SKEYID = auto()
    EV_GET_CONFIG_MODE = auto()
    EV_BLD_MSG = auto()
    EV_RECV_INIT = auto()
    EV_VERIFY_MSG = auto()
    EV_INSERT_SA = auto()
    EV_PROC_MSG = auto()
    EV_DETECT_NAT = auto()
    EV_CHK_NAT_T = auto()
    EV_CHK_CONFIG_MODE = auto()
    EV_CHK4_NOTIFY = auto()
    EV_DONE = auto()
    EV_CHK4_ROLE = auto()
    EV_START_TMR = auto()
    # IKE_AUTH
    EV_CHK_EAP = auto()
    EV_GEN_AUTH = auto()
    EV_CHK_AUTH_TYPE = auto()
    EV_OK_AUTH_GEN = auto()
    EV_SEND_AUTH = auto()
    EV_RECV_AUTH = auto()
    EV_PROC_ID = auto()
    EV_CHK_IF_PEER_CERT_FETTED = "EV_CHK_IF_PEER_CERT_NEEDS_TO_BE_FETTED_FOR_PROF_SEL"
    EV_CHK_IF_PEER_CERT_FETCHED = "EV_CHK_IF_PEER_CERT_NEEDS_TO_BE_FETCHED_FOR_PROF_SEL"
    EV_GET_POLICY_BY_PEERID = auto()
    EV_VERIFY_POLICY_BY_PEERID = auto()
    EV_CHK_AUTH4EAP = auto()
    EV_CHK_POLREQEAP = auto()
    EV_GET_PRESHR_KEY = auto()
    EV_VERIFY_AUTH = auto()
    EV_CHK4_IC = auto()
    EV_CHK_REDIRECT = auto()
    EV_NOTIFY_AUTH_DONE = auto()
    EV_SET_RECD_CONFIG_MODE = auto()
    EV_PROC_SA_TS = auto()
    EV_MY_AUTH_METHOD = auto()
    EV_CHK4_SIGN = auto()
    EV_SIGN = auto()  # not attested in public output
    EV_CHK_CERT_ENC = auto()
    EV_VERIFY_X509_CERTS = auto()
    EV_CERT_FAIL = auto()
    EV_CHK_IKE_ONLY = auto()
    # EAP in IKE_AUTH (ike/eap_auth.py); not attested in public output
    EV_SEND_EAP_REQ = auto()
    EV_RECV_EAP_RESP = auto()
    EV_EAP_SUCCESS = auto()
    EV_EAP_FAIL = auto()
    EV_RECV_EAP_AUTH = auto()
    EV_PROC_EAP_REQ = auto()
    EV_RECV_EAP_REQ = auto()
    EV_SEND_EAP_AUTH = auto()
    EV_AAA_ANSWER = auto()
    EV_AAA_AUTHOR_ANSWER = auto()  # ike/aaa_authorization.py
    EV_OK = auto()
    EV_PKI_SESH_CLOSE = auto()
    EV_UPDATE_CAC_STATS = auto()
    EV_INSERT_IKE = auto()
    EV_GEN_LOAD_IPSEC = auto()
    EV_OK_RECD_LOAD_IPSEC = auto()
    EV_START_ACCT = auto()
    EV_CHECK_DUPE = auto()
    EV_I_OK = auto()
    EV_R_OK = auto()
    # CREATE_CHILD_SA
    EV_INIT_CREATE_CHILD = auto()  # not attested in public output
    EV_RECV_CREATE_CHILD = auto()
    EV_CHK_CC_TYPE = auto()
    EV_REKEY_IKESA = auto()
    EV_CREATE_IPSEC = auto()  # not attested in public output
    EV_REKEY_IPSEC = auto()  # not attested in public output
    EV_CHK4_PFS = auto()
    EV_CHK_IKE_REKEY = auto()
    EV_ACTIVATE_NEW_SA = auto()
    EV_START_DEL_NEG_TMR = auto()
    EV_CHK_PENDING = auto()
    EV_SEND_REQ = auto()  # not attested in public output
    # INFORMATIONAL
    EV_RECV_INFO = auto()
    EV_PROC_INFO = auto()
    EV_RECV_DEL = auto()
    EV_DELETE = auto()
    EV_FREE_SA = auto()
    # failures and restarts
    EV_RECV_INVALID_KE = auto()  # not attested in public output
    EV_RECV_COOKIE = auto()  # not attested in public output
    EV_RETRY = auto()
    EV_RE_XMT = auto()
    EV_RE_XMT_EXCEED = auto()
    EV_AUTH_FAIL = auto()
    EV_FAIL = auto()
    EV_ABORT = auto()
    EV_CHK_PENDING_ABORT = auto()


if TYPE_CHECKING:
    EV = Event
else:
    # Event's members as plain class attributes, for the actions a machine runs per SA: read
    # from Event itself, each goes through EnumType.__getattr__ (DESIGN.md, Per-SA cost).
    # The same members; only reading them is cheaper.
    EV = type("EV", (), dict(Event.__members__))
