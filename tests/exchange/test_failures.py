"""Every failure notify, and hostile input that must never disturb an established SA."""

from __future__ import annotations

from pyike.codec.registry import DhId, EncrId, IntegId, NotifyType
from pyike.ike import ChildSaInstalled, IkeSaDown, IkeSaUp, NegotiationFailed, TrafficSelector
from pyike.ike.events import MessageDropped
from pyike.ike.policy import IdentityMatch, ike_proposal
from pyike.ike.trace import ErrorTrace
from tests.support.harness import check_consistent, internal_errors, only_sa, pair, wire_message
from tests.support.policies import AES128_SHA1_MODP2048, R1, R2, TS_AES_SHA, site, with_settings

GROUP14 = ike_proposal("g14", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_2048,))
GROUP2_14 = ike_proposal(
    "g2-14", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_1024, DhId.MODP_2048)
)


def notifies(node: object) -> list[tuple[NotifyType | None, bool]]:
    return [(e.notify, e.sent) for e in node.of_type(NegotiationFailed)]  # type: ignore[attr-defined]


def test_psk_mismatch_is_authentication_failed_both_sides() -> None:
    h = pair(p1=site(R1, R2, psk_local=b"wrong"), p2=site(R2, R1))
    assert (NotifyType.AUTHENTICATION_FAILED, True) in notifies(h["R2"])
    assert (NotifyType.AUTHENTICATION_FAILED, False) in notifies(h["R1"])
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []
    assert ("R_VERIFY_AUTH", "EV_AUTH_FAIL") in h["R2"].sm()
    assert h["R2"].sm()[-4:] == [
        ("R_VERIFY_AUTH", "EV_FAIL"),
        ("EXIT", "EV_ABORT"),
        ("EXIT", "EV_CHK_PENDING_ABORT"),
        ("EXIT", "EV_UPDATE_CAC_STATS"),
    ]


def test_responder_key_wrong_fails_on_the_initiator() -> None:
    h = pair(p1=site(R1, R2), p2=site(R2, R1, psk_local=b"other"))
    assert ("I_PROC_AUTH", "EV_AUTH_FAIL") in h["R1"].sm()
    assert (NotifyType.AUTHENTICATION_FAILED, False) in notifies(h["R1"])
    assert h["R1"].engine.ike_sas == []


def test_no_profile_for_identity_is_authentication_failed() -> None:
    p2 = site(R2, R1, match=(IdentityMatch("fqdn", "other.example"),))
    h = pair(p1=site(R1, R2), p2=p2)
    assert (NotifyType.AUTHENTICATION_FAILED, True) in notifies(h["R2"])


def test_ike_proposal_mismatch_is_no_proposal_chosen() -> None:
    h = pair(p1=site(R1, R2, proposals=(GROUP14,)), p2=site(R2, R1))
    assert (NotifyType.NO_PROPOSAL_CHOSEN, True) in notifies(h["R2"])
    assert (NotifyType.NO_PROPOSAL_CHOSEN, False) in notifies(h["R1"])
    assert len(h.wire) == 2


def test_child_transform_mismatch_keeps_ike_sa_without_child() -> None:
    p1 = site(R1, R2, transform_sets=(TS_AES_SHA,))
    h = pair(p1=p1, p2=site(R2, R1))
    assert (NotifyType.NO_PROPOSAL_CHOSEN, True) in notifies(h["R2"])
    assert (NotifyType.NO_PROPOSAL_CHOSEN, None) not in notifies(h["R1"])
    assert h["R1"].of_type(ChildSaInstalled) == [] and h["R1"].of_type(IkeSaUp)
    check_consistent(h, children=0)


def test_selector_mismatch_is_ts_unacceptable() -> None:
    p1 = site(
        R1,
        R2,
        local_ts=(TrafficSelector.of("192.168.1.0/24"),),
        remote_ts=(TrafficSelector.of("192.168.2.0/24"),),
    )
    p2 = site(
        R2,
        R1,
        local_ts=(TrafficSelector.of("172.16.0.0/24"),),
        remote_ts=(TrafficSelector.of("172.16.1.0/24"),),
    )
    h = pair(p1=p1, p2=p2)
    assert (NotifyType.TS_UNACCEPTABLE, True) in notifies(h["R2"])
    assert (NotifyType.TS_UNACCEPTABLE, False) in notifies(h["R1"])


def test_invalid_ke_payload_retry_in_requested_group() -> None:
    h = pair(p1=site(R1, R2, proposals=(GROUP2_14,)), p2=site(R2, R1, proposals=(GROUP14,)))
    assert [w.exchange for w in h.wire] == ["IKE_SA_INIT"] * 4 + ["IKE_AUTH"] * 2
    assert only_sa(h, "R1").suite.dh == DhId.MODP_2048  # type: ignore[union-attr]
    assert ("I_PROC_INIT", "EV_RECV_INVALID_KE") in h["R1"].sm()
    check_consistent(h)


def test_no_response_gives_up_after_ios_retries() -> None:
    h = pair(up=False)
    h.rules.append(lambda w: "drop" if w.sender == "R1" else None)
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=200)
    times = [round(w.time) for w in h.wire]
    assert times == [0, 2, 6, 14, 30, 62]
    failed = h["R1"].of_type(NegotiationFailed)
    assert failed and "retransmissions" in failed[-1].reason
    assert ("I_WAIT_INIT", "EV_RE_XMT_EXCEED") in h["R1"].sm()
    assert h["R1"].engine.ike_sas == []


def test_half_open_sa_is_cleaned_up() -> None:
    h = pair(up=False)
    h.rules.append(lambda w: "drop" if w.exchange == "IKE_AUTH" else None)
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=31)
    assert h["R2"].engine.ike_sas == []
    assert h["R2"].of_type(IkeSaDown)[0].reason == "Negotiation timed out"


def test_max_in_negotiation_drops_new_requests() -> None:
    p2 = with_settings(site(R2, R1), max_in_negotiation=0)
    h = pair(p1=site(R1, R2), p2=p2, up=False)
    h["R1"].engine.initiate(0.0, h.policies[0].tunnels[0])  # type: ignore[attr-defined]
    h.run(until=1)
    assert [w.sender for w in h.wire] == ["R1"]


def _garbage_cases() -> list[bytes]:
    return [
        b"",
        b"\x00",
        bytes(27),
        bytes(28),
        b"\xff" * 100,
        bytes(8) + bytes(8) + b"\x21\x10" + bytes(100),
    ]


def test_hostile_datagrams_never_raise_nor_disturb_the_sa() -> None:
    from pyike.ike import Endpoint

    h = pair()
    sa = only_sa(h, "R2")
    for data in _garbage_cases():
        h.inject("R2", Endpoint.of(R2), Endpoint.of(R1), data)
    # a real header with our SPIs but a corrupted ICV
    genuine = bytearray(h.wire[2].datagram.data)
    genuine[-1] ^= 1
    genuine[20:24] = (5).to_bytes(4, "big")
    h.inject("R2", Endpoint.of(R2), Endpoint.of(R1), bytes(genuine))
    assert internal_errors(h) == []
    assert any(isinstance(r, ErrorTrace) for r in h["R2"].trace)
    # each one dropped once, for `show crypto ikev2 stats` (packets dropped at dispatch)
    assert len(h["R2"].of_type(MessageDropped)) == len(_garbage_cases()) + 1
    assert only_sa(h, "R2") is sa
    check_consistent(h)


def test_invalid_major_version_is_answered() -> None:
    from pyike.ike import Endpoint

    h = pair(up=False)
    data = bytearray((h["R1"].engine.ike_sas and b"") or b"")
    header = bytes(8) + bytes(8) + bytes([33, 0x30, 34, 0x08]) + bytes(4) + (28).to_bytes(4, "big")
    data = bytearray(header)
    data[0] = 1
    h.inject("R2", Endpoint.of(R2), Endpoint.of(R1), bytes(data))
    assert h.wire and h.wire[-1].sender == "R2"


def test_unknown_critical_payload_gets_unsupported_critical_payload() -> None:
    from pyike.codec import IkeHeader, encode_message, make_flags
    from pyike.codec.message import Message
    from pyike.codec.payloads import UnknownPayload
    from pyike.ike import Endpoint

    h = pair(up=False)
    message = Message(
        IkeHeader(spi_i=b"\x01" * 8, flags=make_flags(initiator=True, response=False)),
        [UnknownPayload(200, b"x", critical=True)],
    )
    h.inject("R2", Endpoint.of(R2), Endpoint.of(R1), encode_message(message))
    from pyike.codec import NotifyPayload

    answer = wire_message(h, len(h.wire)).first(NotifyPayload)
    assert answer is not None and answer.notify_type == NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD


def test_cookie_challenge_above_threshold() -> None:
    p2 = with_settings(site(R2, R1, proposals=(AES128_SHA1_MODP2048,)), cookie_challenge=0)
    h = pair(p1=site(R1, R2, proposals=(AES128_SHA1_MODP2048,)), p2=p2)
    assert [w.exchange for w in h.wire][:4] == ["IKE_SA_INIT"] * 4
    assert ("I_PROC_INIT", "EV_RECV_COOKIE") in h["R1"].sm()
    check_consistent(h)


def test_forged_cookie_is_refused() -> None:
    from pyike.codec import IkeHeader, KePayload, NoncePayload, encode_message, make_flags
    from pyike.codec.message import Message
    from pyike.codec.notify_data import cookie_notify
    from pyike.ike import Endpoint
    from pyike.ike.proposals import ike_sa_payload

    p2 = with_settings(site(R2, R1), cookie_challenge=0)
    h = pair(p1=site(R1, R2), p2=p2, up=False)
    message = Message(
        IkeHeader(spi_i=b"\x02" * 8, flags=make_flags(initiator=True, response=False)),
        [
            cookie_notify(b"\x01" + bytes(32)),
            ike_sa_payload([AES128_SHA1_MODP2048]),
            KePayload(DhId.MODP_2048, b"\x05" * 256),
            NoncePayload(bytes(20)),
        ],
    )
    h.inject("R2", Endpoint.of(R2), Endpoint.of(R1), encode_message(message))
    assert h["R2"].engine.ike_sas == []
    assert any("invalid cookie" in r.text for r in h["R2"].trace if isinstance(r, ErrorTrace))
