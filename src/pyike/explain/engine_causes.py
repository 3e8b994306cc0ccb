"""The cause (one of `catalogue.CAUSES`, the ids `pyike explain` gives) of a negotiation
failure as pyike's own engine reports it: the notify it sent or received, and its reason in
words. One table, read by the gateway's metrics (`pyike_negotiation_failures_total`)."""

from __future__ import annotations

import re

from pyike.codec.registry import NotifyType

# A failure of a Child SA's negotiation says so in its reason (ike_auth, create_child_sa,
# child_create), an IKE SA's does not.
_CHILD_WORDS = ("child sa", "create_child_sa")
_CERTIFICATE_WORDS = ("certificate", "signature", "trustpoint")
_EAP = re.compile(r"\beap\b")  # ike/eap_auth.py's failures name EAP

_BY_NOTIFY = {
    NotifyType.TS_UNACCEPTABLE: "ts_mismatch",
    NotifyType.INTERNAL_ADDRESS_FAILURE: "address_pool_exhausted",
    NotifyType.INVALID_KE_PAYLOAD: "invalid_ke",
    NotifyType.UNEXPECTED_NAT_DETECTED: "nat_t_problem",
}
# Reasons without a notify, by words they contain (the engine's own wording).
_BY_REASON = (
    ("retransmissions reached", "no_response"),
    ("peer unreachable", "no_response"),
    ("timed out", "no_response"),
    ("preshared key", "key_not_found"),
    ("matching policy", "peer_not_configured"),
    ("profile", "local_config_error"),
)


def failure_cause(notify: NotifyType | None, reason: str) -> str:
    words = reason.lower()
    if notify == NotifyType.AUTHENTICATION_FAILED:
        if _EAP.search(words):
            return "eap_failure"
        if "aaa authorization" in words:
            return "aaa_authorization_failed"
        return (
            "certificate_error" if any(w in words for w in _CERTIFICATE_WORDS) else "psk_mismatch"
        )
    if notify == NotifyType.NO_PROPOSAL_CHOSEN:
        child = any(w in words for w in _CHILD_WORDS)
        return "child_proposal_mismatch" if child else "ike_proposal_mismatch"
    if notify in _BY_NOTIFY:
        return _BY_NOTIFY[notify]
    if notify is None:
        for needle, cause in _BY_REASON:
            if needle in words:
                return cause
    return "unknown"
