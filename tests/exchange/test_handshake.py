"""IKE_SA_INIT and IKE_AUTH in both roles: what goes on the wire and what each side ends with."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest

from pyike.codec import (
    AuthPayload,
    IdPayload,
    KePayload,
    NoncePayload,
    NotifyPayload,
    SaPayload,
    VendorPayload,
)
from pyike.codec.registry import DhId, EncrId, IntegId, NotifyType
from pyike.ike import ChildSaInstalled, Identity, IkeSaUp, TrafficSelector
from pyike.ike.policy import DEFAULT_IKE_PROPOSAL
from pyike.ike.trace import InfoTrace, PacketTrace
from tests.support.harness import (
    Harness,
    Nat,
    SeededRandom,
    check_consistent,
    internal_errors,
    only_sa,
    open_as,
    pair,
    wire_message,
)
from tests.support.policies import (
    AES128_SHA1_MODP2048,
    R1,
    R2,
    TS_AES_SHA,
    TS_GCM,
    site,
    tunnel_of,
    with_settings,
)


def test_both_sides_come_up_with_matching_keys() -> None:
    h = pair()
    check_consistent(h)
    assert internal_errors(h) == []
    assert [type(e).__name__ for e in h["R1"].events] == ["ChildSaInstalled", "IkeSaUp"]


def test_ike_sa_init_request_layout() -> None:
    h = pair()
    message = wire_message(h, 1)
    kinds = [type(p) for p in message.payloads]
    assert kinds[:3] == [SaPayload, KePayload, NoncePayload]
    notifies = [p.notify_type for p in message.payloads if isinstance(p, NotifyPayload)]
    assert notifies == [NotifyType.NAT_DETECTION_SOURCE_IP, NotifyType.NAT_DETECTION_DESTINATION_IP]
    assert any(isinstance(p, VendorPayload) for p in message.payloads)
    nonce = message.first(NoncePayload)
    assert nonce is not None and len(nonce.data) == 20  # as IOS (PRF SHA1)


def test_ike_auth_request_decrypts_with_the_codec_and_has_ios_layout() -> None:
    h = pair()
    sa = only_sa(h, "R1")
    _, inner = open_as(sa, h.wire[2].datagram.data, sent_by_initiator=True)
    kinds = [type(p).__name__ for p in inner]
    assert kinds[:6] == [
        "VendorPayload",
        "IdPayload",
        "AuthPayload",
        "SaPayload",
        "TsPayload",
        "TsPayload",
    ]
    notifies = [p.notify_type for p in inner if isinstance(p, NotifyPayload)]
    assert notifies == [
        NotifyType.INITIAL_CONTACT,
        NotifyType.SET_WINDOW_SIZE,
        NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED,
        NotifyType.NON_FIRST_FRAGMENTS_ALSO,
    ]


def test_ike_auth_response_decrypts_and_carries_responder_identity() -> None:
    h = pair()
    sa = only_sa(h, "R2")
    _, inner = open_as(sa, h.wire[3].datagram.data, sent_by_initiator=False)
    idr = next(p for p in inner if isinstance(p, IdPayload))
    assert not idr.initiator and Identity(idr.id_type, idr.data) == Identity.address(R2)  # type: ignore[arg-type]
    assert any(isinstance(p, AuthPayload) for p in inner)


def test_strongswan_payload_order_is_kept() -> None:
    """strongSwan's capture: IKE_SA_INIT begins SA KE No; IKE_AUTH has IDi AUTH SA TSi TSr in
    that relative order. pyike's messages keep the same order."""
    h = pair(
        p1=site(R1, R2, proposals=(AES128_SHA1_MODP2048,)),
        p2=site(R2, R1, proposals=(AES128_SHA1_MODP2048,)),
    )
    init = wire_message(h, 1)
    assert [type(p).__name__ for p in init.payloads[:3]] == [
        "SaPayload",
        "KePayload",
        "NoncePayload",
    ]
    _, inner = open_as(only_sa(h, "R1"), h.wire[2].datagram.data, sent_by_initiator=True)
    order = [type(p).__name__ for p in inner if not isinstance(p, NotifyPayload | VendorPayload)]
    assert order == ["IdPayload", "AuthPayload", "SaPayload", "TsPayload", "TsPayload"]


def test_responder_picks_its_own_order() -> None:
    h = pair(p1=site(R1, R2, proposals=(DEFAULT_IKE_PROPOSAL,)), p2=site(R2, R1))
    sa = only_sa(h, "R2")
    assert sa.suite is not None
    assert (sa.suite.encr_key_bits, sa.suite.integ, sa.suite.dh) == (
        256,
        IntegId.HMAC_SHA2_512_256,
        DhId.MODP_1536,
    )


def test_responder_prefers_initiator_order_when_configured() -> None:
    p2 = with_settings(site(R2, R1), prefer_own_order=False)
    from pyike.ike.policy import ike_proposal

    mine = ike_proposal(
        "mine",
        ((EncrId.AES_CBC, 128), (EncrId.AES_CBC, 256)),
        (IntegId.HMAC_SHA1_96,),
        (DhId.MODP_1536,),
    )
    h = pair(p1=site(R1, R2, proposals=(mine,)), p2=p2)
    assert only_sa(h, "R2").suite.encr_key_bits == 128  # type: ignore[union-attr]


@pytest.mark.parametrize("transform", [TS_AES_SHA, TS_GCM])
def test_other_child_transforms(transform: object) -> None:
    h = pair(transform_sets=(transform,))
    child = h["R2"].of_type(ChildSaInstalled)[0].child
    assert child.encr == transform.encr  # type: ignore[attr-defined]
    check_consistent(h)


def test_responder_narrows_selectors_to_its_policy() -> None:
    narrow = (TrafficSelector.of("192.168.2.0/24"),)
    mine = (TrafficSelector.of("192.168.1.0/24"),)
    p1 = site(R1, R2, proposals=(AES128_SHA1_MODP2048,))
    p2 = site(R2, R1, proposals=(AES128_SHA1_MODP2048,), local_ts=narrow, remote_ts=mine)
    h = pair(p1=p1, p2=p2)
    child = h["R1"].of_type(ChildSaInstalled)[0].child
    assert child.local_ts == mine and child.remote_ts == narrow


def test_initial_contact_replaces_stale_sa() -> None:
    h = pair()
    # Router 1 reboots: a fresh engine with the same policy initiates again.
    from pyike.ike import IkeEngine

    p1 = h.policies[0]  # type: ignore[attr-defined]
    h["R1"].engine = IkeEngine(p1, SeededRandom(99))
    h["R1"].engine.initiate(h.now, tunnel_of(p1))
    h.run(until=h.now + 1)
    assert any("INITIAL_CONTACT" in r.text for r in h["R2"].trace if isinstance(r, InfoTrace))
    check_consistent(h)


def test_window_size_is_taken_from_the_peer() -> None:
    h = pair(p1=site(R1, R2), p2=with_settings(site(R2, R1), window_size=3))
    assert only_sa(h, "R1").requests.peer_window == 3
    assert only_sa(h, "R2").requests.peer_window == 5


def test_ike_sa_up_event_carries_identities_and_profile() -> None:
    h = pair()
    up = h["R2"].of_type(IkeSaUp)[0]
    assert (up.local_id, up.remote_id, up.profile, up.initiator) == (R2, R1, "IKEV2-SETUP", False)


def test_trace_has_ios_informational_lines() -> None:
    h = pair()
    texts = [r.text for r in h["R2"].trace if isinstance(r, InfoTrace)]
    for line in (
        "Generate skeyid",
        "Process NAT discovery notify",
        "NAT not found",
        "Verification of peer's authentication data PASSED",
        "(1): Choosing IKE profile IKEV2-SETUP",
        f"% Getting preshared key from address {R1}",
    ):
        assert line in texts
    packets = [r for r in h["R2"].trace if isinstance(r, PacketTrace)]
    assert len(packets) == 4 and packets[2].inner is not None


def test_asymmetric_keys() -> None:
    p1 = site(R1, R2, psk_local=b"one", psk_remote=b"two")
    p2 = site(R2, R1, psk_local=b"two", psk_remote=b"one")
    check_consistent(pair(p1=p1, p2=p2))


def test_nat_between_routers_floats_to_4500() -> None:
    p2 = site(R2, "192.0.2.1", proposals=(AES128_SHA1_MODP2048,), keyring_address="0.0.0.0/0")
    p1 = site(R1, R2, proposals=(AES128_SHA1_MODP2048,))
    h = pair(p1=p1, p2=p2, nat=Nat(inside=R1, public="192.0.2.1"))
    sa1, sa2 = only_sa(h, "R1"), only_sa(h, "R2")
    assert sa1.nat.local_behind_nat and sa2.nat.nat_detected
    assert sa1.remote.port == 4500 and sa2.remote.port == 4501
    assert h["R2"].of_type(ChildSaInstalled)[0].child.udp_encapsulation
    assert h.wire[2].datagram.remote.port == 4500


def _cyclic_garbage_after(build: Callable[[], Harness]) -> list[str]:
    """The types of what `build` leaves for the cyclic collector (reference counting could
    not free it), with the collector off meanwhile."""
    gc.collect()
    gc.disable()
    try:
        h = build()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = sorted({type(o).__name__ for o in gc.garbage})
        del h
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return left


def test_a_handshake_that_succeeded_is_freed_without_the_cyclic_collector() -> None:
    # Its cyclic garbage made the daemon's collector run every few hundred SAs.
    assert _cyclic_garbage_after(pair) == []


def test_a_handshake_that_failed_is_freed_without_the_cyclic_collector() -> None:
    def mismatch() -> Harness:
        h = pair(p1=site(R1, R2, psk_local=b"one", psk_remote=b"two"), p2=site(R2, R1))
        assert not any(sa.established for sa in h["R1"].engine.ike_sas)
        return h

    # nor the failed IKE SA, whose state machine referred back to it
    assert _cyclic_garbage_after(mismatch) == []


@pytest.mark.parametrize("ending", ["delete", "rekey"])
def test_an_ike_sa_that_ended_is_freed_without_the_cyclic_collector(ending: str) -> None:
    def ended() -> Harness:
        h = pair()
        sa_id = only_sa(h, "R1").sa_id
        if ending == "delete":
            h["R1"].engine.delete_ike_sa(h.now, sa_id)
        else:
            h["R1"].engine.rekey_ike_sa(h.now, sa_id)
        h.advance(2)
        assert sa_id not in {sa.sa_id for sa in h["R1"].engine.ike_sas}
        return h

    assert _cyclic_garbage_after(ended) == []
