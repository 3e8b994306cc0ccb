"""Duplicate IKE SAs (pyike.ike.duplicates): two routers that initiate at the same moment, and
a router that negotiates again while its SA is up, end with one IKE SA on both sides; SAs with
different identities are not duplicates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.ike import ChildSaInstalled, IkeSaDown, IkeSaUp
from pyike.ike.policy import Identity, IdentityMatch, KeyringPeer, ProfileSpec, TunnelSpec
from pyike.ike.trace import InfoTrace
from tests.support.harness import (
    Harness,
    check_consistent,
    check_data_path,
    internal_errors,
    only_sa,
    pair,
)
from tests.support.policies import PHASE1_PROP, R1, R2, site, tunnel_of

# First octets of (R1's nonces, R2's nonces) when both initiate at once: each router draws its
# own Ni first, then its Nr for the peer's SA. SA "r1" is the one R1 initiated.
LOWEST = {
    "r1-ni": (([0x10, 0x90], [0x50, 0x60]), "r1"),
    "r2-nr": (([0x90, 0x50], [0x60, 0x10]), "r1"),
    "r2-ni": (([0x90, 0x50], [0x10, 0x60]), "r2"),
    "r1-nr": (([0x50, 0x10], [0x90, 0x60]), "r2"),
}


def _duplicate_deletes(h: Harness) -> list[str]:
    """The routers that sent a delete for a duplicate IKE SA."""
    return [
        name
        for name in ("R1", "R2")
        for r in h[name].trace
        if isinstance(r, InfoTrace)
        and r.text == "Sending DELETE INFO message for IKEv2 SA: Duplicate IKEv2 SA"
    ]


@pytest.mark.parametrize("which", list(LOWEST))
def test_simultaneous_start_keeps_one_ike_sa(which: str) -> None:
    (r1_nonces, r2_nonces), redundant = LOWEST[which]
    h = pair(up=False)
    h["R1"].random.nonce_first_bytes = list(r1_nonces)  # type: ignore[union-attr]
    h["R2"].random.nonce_first_bytes = list(r2_nonces)  # type: ignore[union-attr]
    p1, p2 = h.policies  # type: ignore[attr-defined]
    id1 = h["R1"].engine.initiate(0.0, tunnel_of(p1))
    id2 = h["R2"].engine.initiate(0.0, tunnel_of(p2))
    h.run(until=5.0)

    # both exchanges completed, then exactly one SA was deleted, by its responder
    assert len(h["R1"].of_type(IkeSaUp)) == 2 and len(h["R2"].of_type(IkeSaUp)) == 2
    responder_of_redundant = "R2" if redundant == "r1" else "R1"
    assert _duplicate_deletes(h) == [responder_of_redundant]
    check_consistent(h)
    survivor = only_sa(h, "R1")
    assert survivor.initiator == (redundant == "r2")  # R1 initiated the survivor iff r2 lost
    lost_id = {"r1": id1, "r2": id2}[redundant]
    owner = "R1" if redundant == "r1" else "R2"
    (down,) = h[owner].of_type(IkeSaDown)
    assert down.sa_id == lost_id and down.reason == "Received delete from the peer"
    (down,) = h[responder_of_redundant].of_type(IkeSaDown)
    assert down.reason == "Duplicate IKEv2 SA"
    texts = [r.text for r in h[responder_of_redundant].trace if isinstance(r, InfoTrace)]
    assert any(t.startswith("Duplicate IKEv2 SA found") for t in texts)
    assert not internal_errors(h)


@pytest.mark.parametrize("which", list(LOWEST))
def test_traffic_flows_on_the_surviving_sa(which: str) -> None:
    # Each router installs the Child SA of the exchange it initiated last, and sends on it;
    # on one of them that is the Child SA of the redundant IKE SA, which goes with its
    # delete. The tunnel then sends on the survivor's Child SA instead of losing its SA.
    (r1_nonces, r2_nonces), _ = LOWEST[which]
    h = pair(up=False)
    h["R1"].random.nonce_first_bytes = list(r1_nonces)  # type: ignore[union-attr]
    h["R2"].random.nonce_first_bytes = list(r2_nonces)  # type: ignore[union-attr]
    p1, p2 = h.policies  # type: ignore[attr-defined]
    h["R1"].engine.initiate(0.0, tunnel_of(p1))
    h["R2"].engine.initiate(0.0, tunnel_of(p2))
    h.run(until=5.0)
    check_consistent(h)
    check_data_path(h)
    for node in ("R1", "R2"):
        tunnel = h[node].sad.tunnel("Tunnel0")
        (survivor,) = only_sa(h, node).children
        assert tunnel.current is not None and tunnel.current.info.spi_in == survivor.spi_in


@pytest.mark.parametrize("slow", ["R1", "R2"])
def test_initial_contact_spares_an_sa_that_came_up_meanwhile(slow: str) -> None:
    # Both initiate at once and both send INITIAL_CONTACT, having no SA yet. One IKE_AUTH
    # request is slow: the receiver's own SA is up (the sender holds it too) before it reads
    # the sender's INITIAL_CONTACT. That SA is no stale one the peer forgot. Deleting it
    # silently left the receiver on one IKE SA and the sender on the other, sending on a
    # Child SA the receiver no longer had.
    h = pair(up=False)
    h.rules.append(
        lambda r: (
            ("delay", 0.007)
            if r.sender == slow and r.exchange == "IKE_AUTH" and not r.response
            else None
        )
    )
    p1, p2 = h.policies  # type: ignore[attr-defined]
    h["R1"].engine.initiate(0.0, tunnel_of(p1))
    h["R2"].engine.initiate(0.0, tunnel_of(p2))
    h.run(until=5.0)
    assert len(h["R1"].of_type(IkeSaUp)) == 2 and len(h["R2"].of_type(IkeSaUp)) == 2
    reasons = {d.reason for node in ("R1", "R2") for d in h[node].of_type(IkeSaDown)}
    assert reasons == {"Duplicate IKEv2 SA", "Received delete from the peer"}
    assert len(_duplicate_deletes(h)) == 1
    check_consistent(h)
    check_data_path(h)
    assert not internal_errors(h)


def test_an_attempt_not_heard_yet_gives_way_to_the_peers_sa() -> None:
    # R2 starts first and initiates before R1 listens: its IKE_SA_INIT is lost. R1 starts
    # and initiates; R2 answers and the tunnel is up. R2's attempt, retransmitted 2 s later,
    # would make a duplicate IKE SA, and the tunnel would move to it under traffic; it is
    # given up as soon as R1's SA is up instead.
    h = pair(up=False)
    h.faults[1] = "drop"
    p1, p2 = h.policies  # type: ignore[attr-defined]
    attempt = h["R2"].engine.initiate(0.0, tunnel_of(p2))
    h.run(until=0.5)
    h["R1"].engine.initiate(h.now, tunnel_of(p1))
    h.run(until=10.0)
    assert [len(h[n].of_type(IkeSaUp)) for n in ("R1", "R2")] == [1, 1]
    assert not h["R1"].of_type(IkeSaDown) and not _duplicate_deletes(h)
    (down,) = h["R2"].of_type(IkeSaDown)
    assert down.sa_id == attempt and down.reason == "Superseded by an IKE SA with the same peer"
    assert [r.exchange for r in h.wire if r.sender == "R2" and not r.response] == ["IKE_SA_INIT"]
    check_consistent(h)
    check_data_path(h)
    assert not internal_errors(h)


def test_negotiating_again_while_up_replaces_the_old_sa() -> None:
    h = pair()
    old = only_sa(h, "R1")
    p1 = h.policies[0]  # type: ignore[attr-defined]
    h.advance(10.0)
    new_id = h["R1"].engine.initiate(h.now, tunnel_of(p1))
    h.advance(2.0)
    check_consistent(h)
    assert only_sa(h, "R1").sa_id == new_id and old.closed
    downs = h["R1"].of_type(IkeSaDown)
    assert [d.sa_id for d in downs] == [old.sa_id]
    # the old SA's Child SA went with it; the new one carries traffic
    assert len(h["R1"].of_type(ChildSaInstalled)) == 2
    assert not internal_errors(h)


def test_different_identities_are_not_duplicates() -> None:
    base = site(R1, R2, proposals=(PHASE1_PROP,))
    peer = KeyringPeer("peer", b"cisco", b"cisco", address=f"{R2}/24")
    profiles = tuple(
        ProfileSpec(
            name, (IdentityMatch("address", "0.0.0.0"),), (peer,), Identity.fqdn(f"{name}.example")
        )
        for name in ("A", "B")
    )
    tunnels = tuple(
        TunnelSpec(f"Tunnel{i}", t.local, t.remote, p.name, t.transform_sets)
        for i, (t, p) in enumerate(zip(base.tunnels * 2, profiles, strict=True))
    )
    p1 = replace(base, profiles=profiles, tunnels=tunnels)
    p2 = site(
        R2,
        R1,
        proposals=(PHASE1_PROP,),
        match=(IdentityMatch("fqdn", "A.example"), IdentityMatch("fqdn", "B.example")),
    )
    h = Harness({"R1": (p1, R1), "R2": (p2, R2)})
    h["R1"].engine.initiate(0.0, tunnels[0])
    h.run(until=1.0)
    h["R1"].engine.initiate(h.now, tunnels[1])
    h.run(until=3.0)
    for node in ("R1", "R2"):
        live = [sa for sa in h[node].engine.ike_sas if sa.established]
        assert len(live) == 2, node
        assert not h[node].of_type(IkeSaDown)
    assert not internal_errors(h)
