"""Tunnel or transport mode, negotiated as IOS does it (USE_TRANSPORT_MODE) between two
engines: `mode transport` asks for transport and falls back to tunnel when the peer answers
without the notify, `mode transport require` insists (either side), a rekey keeps the mode,
and an SA in transport mode is never installed for more than the peers' own traffic."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.codec import NotifyPayload
from pyike.codec.registry import ExchangeType, NotifyType
from pyike.ike import NegotiationFailed, StaticPolicy, TrafficSelector, TransformSetSpec, child_mode
from pyike.ike.trace import ErrorTrace
from tests.support.harness import Harness, internal_errors, only_sa, open_as, pair
from tests.support.policies import PHASE1_PROP, R1, R2, TS_3DES_SHA, site

TUNNEL = TS_3DES_SHA
TRANSPORT = replace(TS_3DES_SHA, mode="transport")
REQUIRE = replace(TRANSPORT, transport_required=True)

# GRE between the two peers: their own traffic, host to host
GRE_1 = (TrafficSelector.of(f"{R1}/32", 47),)
GRE_2 = (TrafficSelector.of(f"{R2}/32", 47),)


def _site(
    local: str, remote: str, sets: TransformSetSpec, own_traffic: bool = True
) -> StaticPolicy:
    if own_traffic:
        mine, theirs = (GRE_1, GRE_2) if local == R1 else (GRE_2, GRE_1)
    else:
        mine = theirs = (TrafficSelector.any4(),)
    return site(
        local,
        remote,
        proposals=(PHASE1_PROP,),
        transform_sets=(sets,),
        local_ts=mine,
        remote_ts=theirs,
    )


def gre_pair(r1: TransformSetSpec, r2: TransformSetSpec, *, own_traffic: bool = True) -> Harness:
    """R1 initiates a tunnel to R2 protecting GRE between them (or any/any)."""
    h = pair(_site(R1, R2, r1, own_traffic), _site(R2, R1, r2, own_traffic))
    h.settle()
    assert internal_errors(h) == []
    return h


def modes(h: Harness, node: str) -> list[str]:
    return [child.transform.mode for child in only_sa(h, node).children]


def transport_notified(h: Harness, exchange: ExchangeType, *, response: bool) -> list[bool]:
    """For each message of `exchange` (requests or responses), whether it carried
    USE_TRANSPORT_MODE, read from the wire with the IKE SA's keys."""
    sa = only_sa(h, "R1")
    out = []
    for record in h.wire:
        if record.exchange != exchange.name or record.response != response:
            continue
        _, payloads = open_as(sa, record.datagram.data, sent_by_initiator=not response)
        out.append(
            any(
                isinstance(p, NotifyPayload) and p.notify_type == NotifyType.USE_TRANSPORT_MODE
                for p in payloads
            )
        )
    return out


@pytest.mark.parametrize(
    ("r1", "r2", "mode"),
    [
        (TRANSPORT, TRANSPORT, "transport"),
        (TRANSPORT, TUNNEL, "tunnel"),  # the peer answers without the notify: tunnel mode
        (TUNNEL, TRANSPORT, "tunnel"),  # not asked for: tunnel mode
        (REQUIRE, TRANSPORT, "transport"),
        (TRANSPORT, REQUIRE, "transport"),
    ],
    ids=["both", "fallback", "not-asked", "initiator-requires", "responder-requires"],
)
def test_ike_auth_settles_the_mode_on_both_sides(
    r1: TransformSetSpec, r2: TransformSetSpec, mode: str
) -> None:
    h = gre_pair(r1, r2)
    assert modes(h, "R1") == modes(h, "R2") == [mode]
    assert h["R1"].sad.tunnel("Tunnel0").current is not None
    asked = r1.mode == "transport"
    assert transport_notified(h, ExchangeType.IKE_AUTH, response=False) == [asked]
    assert transport_notified(h, ExchangeType.IKE_AUTH, response=True) == [mode == "transport"]


def test_an_initiator_that_requires_transport_refuses_tunnel_and_deletes_the_peers_sa() -> None:
    h = gre_pair(REQUIRE, TUNNEL)
    assert modes(h, "R1") == [] and modes(h, "R2") == []  # the IKE SA stays up, no Child SA
    (failed,) = h["R1"].of_type(NegotiationFailed)
    assert "requires transport mode" in failed.reason and "answered tunnel mode" in failed.reason
    assert h["R2"].sad.children == {}  # R1's delete removed the SA R2 had installed


def test_a_responder_that_requires_transport_refuses_a_tunnel_request() -> None:
    h = gre_pair(TUNNEL, REQUIRE)
    assert modes(h, "R1") == [] and modes(h, "R2") == []
    assert [(f.notify, f.sent) for f in h["R2"].of_type(NegotiationFailed)] == [
        (NotifyType.NO_PROPOSAL_CHOSEN, True)
    ]
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("requires transport mode (mode transport require)" in e for e in errors), errors


def test_transport_mode_is_never_negotiated_beyond_the_peers_own_traffic() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT, own_traffic=False)  # any/any, as for a VTI
    assert modes(h, "R1") == modes(h, "R2") == ["tunnel"]
    assert transport_notified(h, ExchangeType.IKE_AUTH, response=True) == [False]


def test_an_initiator_refuses_transport_mode_answered_for_more_than_the_peers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A peer that answers transport mode whatever the selectors (not IOS, not pyike).
    monkeypatch.setattr(child_mode, "responder_transport", lambda transform, asked, own: asked)
    h = gre_pair(TRANSPORT, TRANSPORT, own_traffic=False)
    assert modes(h, "R1") == [] and h["R1"].sad.children == {}
    (failed,) = h["R1"].of_type(NegotiationFailed)
    assert "more than the peers' own traffic" in failed.reason
    assert h["R2"].sad.children == {}


def test_a_child_sa_rekey_keeps_transport_mode() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT)
    sa = only_sa(h, "R1")
    old = sa.children[0].spi_in
    h["R1"].engine.rekey_child_sa(h.now, sa.sa_id, old)
    h.advance(2.0)
    assert modes(h, "R1") == modes(h, "R2") == ["transport"]
    assert [c.spi_in for c in only_sa(h, "R1").children] != [old]
    assert transport_notified(h, ExchangeType.CREATE_CHILD_SA, response=False) == [True]
    assert transport_notified(h, ExchangeType.CREATE_CHILD_SA, response=True) == [True]


def _tunnel_only(h: Harness, node: str) -> None:
    """`node` is reconfigured for tunnel mode only."""
    child = only_sa(h, node).children[0]
    assert child.tunnel is not None
    child.tunnel = replace(child.tunnel, transform_sets=(TUNNEL,))


def test_a_responder_reconfigured_for_tunnel_mode_refuses_the_rekey() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT)
    sa = only_sa(h, "R1")
    old = sa.children[0].spi_in
    _tunnel_only(h, "R2")
    h["R1"].engine.rekey_child_sa(h.now, sa.sa_id, old)
    h.advance(2.0)
    assert [c.spi_in for c in only_sa(h, "R1").children] == [old]
    assert modes(h, "R1") == modes(h, "R2") == ["transport"]
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("would change the mode from transport to tunnel" in e for e in errors), errors


def test_an_initiator_refuses_a_rekey_answered_in_another_mode() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT)
    sa = only_sa(h, "R1")
    old = sa.children[0].spi_in
    # R2 has lost track of the mode and answers the rekey in tunnel mode
    _tunnel_only(h, "R2")
    r2_child = only_sa(h, "R2").children[0]
    r2_child.transform = child_mode.settle(r2_child.transform, False)
    h["R1"].engine.rekey_child_sa(h.now, sa.sa_id, old)
    h.advance(2.0)
    assert transport_notified(h, ExchangeType.CREATE_CHILD_SA, response=True)[0] is False
    assert [c.spi_in for c in only_sa(h, "R1").children] == [old]
    assert modes(h, "R1") == ["transport"]
    failures = [f.reason for f in h["R1"].of_type(NegotiationFailed)]
    assert any("would change the mode from transport to tunnel" in r for r in failures), failures
    # the SA R2 installed for the refused rekey was deleted again
    assert [c.spi_out for c in only_sa(h, "R2").children] == [old]


def test_a_new_child_sa_by_create_child_sa_asks_for_transport_mode() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT)
    sa = only_sa(h, "R1")
    h["R1"].engine.delete_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h.settle()
    assert modes(h, "R1") == []
    policy: StaticPolicy = h.policies[0]  # type: ignore[attr-defined]
    h["R1"].engine.create_child_sa(h.now, sa.sa_id, policy.tunnels[0])
    h.settle()
    assert modes(h, "R1") == modes(h, "R2") == ["transport"]
    assert transport_notified(h, ExchangeType.CREATE_CHILD_SA, response=True) == [True]


def test_the_responder_refuses_a_rekey_request_in_another_mode() -> None:
    h = gre_pair(TRANSPORT, TRANSPORT)
    sa = only_sa(h, "R1")
    child = sa.children[0]
    kept = only_sa(h, "R2").children[0].spi_in
    # R1 has lost track of the mode: its rekey asks for tunnel mode (no USE_TRANSPORT_MODE)
    child.transform = child_mode.settle(child.transform, False)
    h["R1"].engine.rekey_child_sa(h.now, sa.sa_id, child.spi_in)
    h.advance(2.0)
    assert transport_notified(h, ExchangeType.CREATE_CHILD_SA, response=False) == [False]
    assert [c.spi_in for c in only_sa(h, "R2").children] == [kept]
    errors = [r.text for r in h["R2"].trace if isinstance(r, ErrorTrace)]
    assert any("would change the mode from transport to tunnel" in e for e in errors), errors
    assert [(f.notify, f.sent) for f in h["R2"].of_type(NegotiationFailed)] == [
        (NotifyType.NO_PROPOSAL_CHOSEN, True)
    ]
