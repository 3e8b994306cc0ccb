"""Verdicts that no public log in the corpus shows yet, on small logs written for the test.

These snippets are synthetic: they use the line formats of the real IOS-XE and ASA logs in
the corpus, but the sequences were written by hand. They pin the rules down until logs from
pyike's lab (or public ones) replace them.
"""

from __future__ import annotations

import pytest

from pyike.explain import explain_texts
from pyike.explain.diagnose import differing_transforms
from pyike.explain.model import Proposal

S = "IKEv2:(SESSION ID = 5,SA ID = 1):"
SPIS = "Initiator SPI : 1111111111111111 - Responder SPI : 2222222222222222 Message id: {mid}"


def _sent(exchange: str, mid: int, kind: str = "REQUEST", payloads: str = "ENCR") -> str:
    return "\n".join(
        (
            f"{S}Sending Packet [To 10.0.0.2:500/From 10.0.0.1:500/VRF i0:f0]",
            SPIS.format(mid=mid),
            f"IKEv2 {exchange} Exchange {kind}",
            "Payload contents:",
            f" {payloads}",
        )
    )


def _received(exchange: str, mid: int, payloads: str, kind: str = "RESPONSE") -> str:
    return "\n".join(
        (
            f"{S}Received Packet [From 10.0.0.2:500/To 10.0.0.1:500/VRF i0:f0]",
            SPIS.format(mid=mid),
            f"IKEv2 {exchange} Exchange {kind}",
            "Payload contents:",
            f" {payloads}",
        )
    )


INIT_OK = "\n".join(
    (
        _sent("IKE_SA_INIT", 0, payloads="SA KE N VID NOTIFY(NAT_DETECTION_SOURCE_IP)"),
        _received("IKE_SA_INIT", 0, "SA KE N VID NOTIFY(NAT_DETECTION_SOURCE_IP)"),
    )
)
UP = f"{S}Session with IKE ID PAIR (10.0.0.2, 10.0.0.1) is UP"


def _verdict(text: str) -> tuple[str, str]:
    report = explain_texts([("synthetic.log", text)])
    return report.verdict.outcome, report.verdict.cause


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (
            "\n".join(
                (
                    INIT_OK,
                    _sent("IKE_AUTH", 1),
                    _received("IKE_AUTH", 1, "VID IDr AUTH NOTIFY(TS_UNACCEPTABLE)"),
                    UP,
                )
            ),
            ("partial", "ts_mismatch"),
        ),
        (
            "\n".join(
                (
                    _sent("IKE_SA_INIT", 0, payloads="SA KE N"),
                    _received("IKE_SA_INIT", 0, "NOTIFY(INVALID_KE_PAYLOAD)"),
                )
            ),
            ("failure", "invalid_ke"),
        ),
        (
            "\n".join(
                (
                    _sent("IKE_SA_INIT", 0, payloads="SA KE N"),
                    _received("IKE_SA_INIT", 0, "NOTIFY(NO_PROPOSAL_CHOSEN)"),
                )
            ),
            ("failure", "ike_proposal_mismatch"),
        ),
        (
            "\n".join(
                (
                    INIT_OK,
                    _sent("IKE_AUTH", 1),
                    _received("IKE_AUTH", 1, "NOTIFY(AUTHENTICATION_FAILED)"),
                )
            ),
            ("failure", "psk_mismatch"),
        ),
        (
            "\n".join(
                (
                    INIT_OK,
                    _sent("IKE_AUTH", 1),
                    _received("IKE_AUTH", 1, "VID IDr AUTH NOTIFY(INTERNAL_ADDRESS_FAILURE)"),
                    UP,
                )
            ),
            ("partial", "address_pool_exhausted"),
        ),
        (
            "\n".join(
                (
                    INIT_OK,
                    UP,
                    _sent("INFORMATIONAL", 2),
                    f"{S}Retransmitting packet",
                    f"{S}Retransmitting packet",
                    f"{S}Maximum number of retransmissions reached",
                )
            ),
            ("failure", "dpd_timeout"),
        ),
        (
            "\n".join(
                (
                    _sent("IKE_SA_INIT", 0, payloads="SA KE N"),
                    _received("IKE_SA_INIT", 0, "SA KE N"),
                    f"{S}Host is located NAT inside",
                    _sent("IKE_AUTH", 1),
                    f"{S}Retransmitting packet",
                    f"{S}Retransmitting packet",
                )
            ),
            ("failure", "nat_t_problem"),
        ),
        (
            "\n".join((INIT_OK, UP, "R1#clear crypto ikev2 sa", f"{S}Deleting SA")),
            ("failure", "admin_clear"),
        ),
        (
            "\n".join((INIT_OK, f"{S}Failed to locate an item in the database")),
            ("failure", "identity_mismatch"),
        ),
        (
            "\n".join((INIT_OK, f"{S}Failed to get the preshared key for 10.0.0.2")),
            ("failure", "key_not_found"),
        ),
        (
            "IKEv2-PLAT-2: Can't find tunnel group for peer 10.0.0.2\n"
            "IKEv2-PROTO-1: (7): Initial exchange failed",
            ("failure", "peer_not_configured"),
        ),
        (
            "\n".join((INIT_OK, f"{S}Crypto map CMAP seq 10 is incomplete due to missing peer")),
            ("failure", "local_config_error"),
        ),
        (
            "\n".join(
                (
                    _received("IKE_SA_INIT", 0, "SA KE N", kind="REQUEST"),
                    f"{S}Failed to receive the AUTH msg before the timer expired",
                )
            ),
            ("failure", "no_response"),
        ),
        (
            "IKEv2-PROTO-1: (7): Initial exchange failed",
            ("unknown", "unknown"),
        ),
        ("", ("unknown", "no_negotiation")),
        ("Router1#show crypto session\nhello world", ("unknown", "no_negotiation")),
    ],
)
def test_synthetic_verdicts(log: str, expected: tuple[str, str]) -> None:
    assert _verdict(log) == expected


def test_unknown_says_what_would_decide() -> None:
    report = explain_texts([("x.log", "IKEv2-PROTO-1: (7): Initial exchange failed")])
    assert report.verdict.needs == ["internal", "peer_log"]


def test_peer_notify_verdict_points_at_the_peer_log() -> None:
    text = "\n".join(
        (INIT_OK, _sent("IKE_AUTH", 1), _received("IKE_AUTH", 1, "NOTIFY(AUTHENTICATION_FAILED)"))
    )
    report = explain_texts([("x.log", text)])
    assert report.verdict.side == "peer"
    assert "peer_log" in report.verdict.needs


def test_differing_transforms_by_type() -> None:
    offered = [
        Proposal("IKE", 1, ["AES-CBC-256", "SHA256", "SHA256", "DH_GROUP_2048_MODP/Group 14"])
    ]
    wanted = [
        Proposal("IKE", 1, ["AES-CBC-128", "SHA256", "SHA256", "DH_GROUP_2048_MODP/Group 14"])
    ]
    assert differing_transforms(offered, wanted) == ["encryption"]
    esp_offered = [Proposal("ESP", 1, ["3DES", "SHA96", "Don't use ESN"])]
    esp_wanted = [Proposal("ESP", 1, ["3DES", "MD596", "Don't use ESN"])]
    assert differing_transforms(esp_offered, esp_wanted) == ["integrity"]
    assert differing_transforms(offered, offered) == []


def test_error_notify_we_sent_decides_without_a_failure_line() -> None:
    text = "\n".join(
        (
            _received("IKE_AUTH", 1, "IDi AUTH SA TSi TSr", kind="REQUEST"),
            f"{S}Sending Packet [To 10.0.0.2:500/From 10.0.0.1:500/VRF i0:f0]",
            SPIS.format(mid=1),
            "IKEv2 IKE_AUTH Exchange RESPONSE",
            "Payload contents:",
            " VID IDr AUTH NOTIFY(TS_UNACCEPTABLE)",
            UP,
        )
    )
    report = explain_texts([("x.log", text)])
    assert (report.verdict.outcome, report.verdict.cause) == ("partial", "ts_mismatch")
    assert report.verdict.side == "local"
    assert report.verdict.needs == []


@pytest.mark.parametrize(
    ("method", "cause"), [("RSA", "certificate_error"), ("PSK", "psk_mismatch")]
)
def test_failed_verification_depends_on_the_peer_method(method: str, cause: str) -> None:
    text = "\n".join(
        (
            INIT_OK,
            f"{S}Peer's authentication method is '{method}'",
            f"{S}Verification of peer's authentication data FAILED",
        )
    )
    assert _verdict(text) == ("failure", cause)
