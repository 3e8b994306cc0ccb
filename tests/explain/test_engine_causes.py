"""The engine's failures named by explain's cause ids, from reasons as the engine words them."""

from __future__ import annotations

import pytest

from pyike.codec.registry import NotifyType
from pyike.explain.catalogue import CAUSES
from pyike.explain.engine_causes import failure_cause


@pytest.mark.parametrize(
    ("notify", "reason", "cause"),
    [
        (NotifyType.AUTHENTICATION_FAILED, "Auth exchange failed", "psk_mismatch"),
        (
            NotifyType.AUTHENTICATION_FAILED,
            "Peer certificate signature invalid",
            "certificate_error",
        ),
        (
            NotifyType.NO_PROPOSAL_CHOSEN,
            "Received NO_PROPOSAL_CHOSEN notify",
            "ike_proposal_mismatch",
        ),
        (
            NotifyType.NO_PROPOSAL_CHOSEN,
            "Child SA not created: NO_PROPOSAL_CHOSEN",
            "child_proposal_mismatch",
        ),
        (
            NotifyType.NO_PROPOSAL_CHOSEN,
            "CREATE_CHILD_SA refused: NO_PROPOSAL_CHOSEN",
            "child_proposal_mismatch",
        ),
        (NotifyType.TS_UNACCEPTABLE, "Child SA not created: TS_UNACCEPTABLE", "ts_mismatch"),
        (NotifyType.INVALID_KE_PAYLOAD, "Received INVALID_KE_PAYLOAD notify", "invalid_ke"),
        (
            NotifyType.AUTHENTICATION_FAILED,
            "AAA authorization failed: authorization policy SPOKES is not defined",
            "aaa_authorization_failed",
        ),
        (
            NotifyType.INTERNAL_ADDRESS_FAILURE,
            "Failed to allocate an address from pool SPOKES",
            "address_pool_exhausted",
        ),
        (None, "Maximum number of retransmissions reached (IKE_SA_INIT)", "no_response"),
        (None, "Failed to find a preshared key for peer 10.0.0.2", "key_not_found"),
        (None, "Failed to find a matching policy", "peer_not_configured"),
        (None, "IKEv2 profile P not found", "local_config_error"),
        (NotifyType.INVALID_SYNTAX, "IKE_SA_INIT response lacks SA, KE or Nonce", "unknown"),
    ],
)
def test_failure_causes(notify: NotifyType | None, reason: str, cause: str) -> None:
    assert failure_cause(notify, reason) == cause
    assert cause in CAUSES
