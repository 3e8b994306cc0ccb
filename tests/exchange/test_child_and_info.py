"""CREATE_CHILD_SA and INFORMATIONAL in both roles, lifetimes, DPD, fragmentation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pyike.codec.registry import DhId
from pyike.ike import ChildSaDeleted, ChildSaInstalled, DpdSettings, IkeSaDown, IkeSaUp
from pyike.traffic_selector import TrafficSelector
from tests.support.harness import check_consistent, internal_errors, only_sa, pair
from tests.support.policies import R1, R2, site, with_settings


def _child(h, node):  # type: ignore[no-untyped-def]
    return only_sa(h, node).children[0]


@pytest.mark.parametrize("initiator", ["R1", "R2"])
def test_child_rekey_either_side(initiator: str) -> None:
    h = pair()
    old = _child(h, initiator).spi_in
    h[initiator].engine.rekey_child_sa(h.now, only_sa(h, initiator).sa_id, old)
    h.advance(2)
    check_consistent(h)
    assert _child(h, initiator).spi_in != old
    assert [e.rekey_of for e in h[initiator].of_type(ChildSaInstalled)][-1] == old
    assert internal_errors(h) == []


@pytest.mark.parametrize("initiator", ["R1", "R2"])
def test_child_rekey_with_pfs(initiator: str) -> None:
    h = pair(pfs=DhId.MODP_1024)
    sa = only_sa(h, initiator)
    h[initiator].engine.rekey_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h.advance(2)
    check_consistent(h)
    assert h["R2"].of_type(ChildSaInstalled)[-1].child.pfs_group == DhId.MODP_1024


def test_new_child_sa_on_established_ike_sa() -> None:
    # Another flow of the tunnel (a crypto map entry's further ACL line): other selectors, so
    # no duplicate of the Child SA already up (test_duplicate_child_sas.py).
    h = pair()
    tunnel = h.policies[0].tunnels[0]  # type: ignore[attr-defined]
    flow = replace(
        tunnel,
        local_ts=(TrafficSelector.of("10.1.0.0/16"),),
        remote_ts=(TrafficSelector.of("10.2.0.0/16"),),
    )
    h["R1"].engine.create_child_sa(h.now, only_sa(h, "R1").sa_id, flow)
    h.advance(2)
    check_consistent(h, children=2)


@pytest.mark.parametrize("initiator", ["R1", "R2"])
def test_ike_rekey_either_side(initiator: str) -> None:
    h = pair()
    old = only_sa(h, initiator)
    h[initiator].engine.rekey_ike_sa(h.now, old.sa_id)
    h.advance(2)
    check_consistent(h)
    new = only_sa(h, initiator)
    assert new.sa_id != old.sa_id and new.initiator
    assert h["R1"].of_type(IkeSaUp)[-1].rekeyed_from is not None


@pytest.mark.parametrize("who", ["R1", "R2"])
def test_delete_child(who: str) -> None:
    h = pair()
    h[who].engine.delete_child_sa(h.now, only_sa(h, who).sa_id, _child(h, who).spi_in)
    h.advance(2)
    check_consistent(h, children=0)
    assert len(h["R1"].of_type(ChildSaDeleted)) == 1 and len(h["R2"].of_type(ChildSaDeleted)) == 1


@pytest.mark.parametrize("who", ["R1", "R2"])
def test_delete_ike_sa(who: str) -> None:
    h = pair()
    h[who].engine.delete_ike_sa(h.now, only_sa(h, who).sa_id)
    h.advance(2)
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []
    assert h["R1"].of_type(ChildSaDeleted) and h["R2"].of_type(IkeSaDown)


def test_clear_by_peer() -> None:
    from pyike.ike import Endpoint

    h = pair()
    h["R2"].engine.clear(h.now, Endpoint.of(R1))
    h.advance(2)
    assert h["R1"].engine.ike_sas == []


def test_child_rekeyed_before_its_lifetime() -> None:
    h = pair(child_seconds=100)
    h.run(until=95)
    installed = h["R1"].of_type(ChildSaInstalled)
    assert len(installed) == 2 and 89 < installed[1].now < 92
    check_consistent(h)


def test_child_rekeyed_at_soft_kilobytes() -> None:
    h = pair()
    child = _child(h, "R1")
    h["R1"].engine.report_child_usage(h.now, child.spi_in, 4608000)
    h.advance(2)
    assert _child(h, "R1").spi_in != child.spi_in


def test_dpd_periodic_alive_and_dead() -> None:
    dpd = DpdSettings(10, 2, "periodic")
    h = pair(dpd=dpd)
    h.advance(25)
    infos = [w for w in h.wire if w.exchange == "INFORMATIONAL"]
    assert infos and all(w.time > 9 for w in infos)
    check_consistent(h)
    h.rules.append(lambda w: "drop" if w.sender == "R2" else None)
    h.advance(60)
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []
    assert h["R1"].of_type(IkeSaDown)[-1].reason == "Peer dead (DPD)"


def test_on_demand_dpd_probe() -> None:
    h = pair()
    h["R1"].engine.send_dpd(h.now, only_sa(h, "R1").sa_id)
    h.advance(1)
    assert [w.exchange for w in h.wire[4:]] == ["INFORMATIONAL", "INFORMATIONAL"]


def test_fragmentation_when_negotiated() -> None:
    p1 = with_settings(site(R1, R2), fragmentation_mtu=200)
    p2 = with_settings(site(R2, R1), fragmentation_mtu=200)
    h = pair(p1=p1, p2=p2)
    auth = [w for w in h.wire if w.exchange == "IKE_AUTH"]
    assert len(auth) > 2 and all(len(w.datagram.data) + 28 <= 200 for w in auth)
    check_consistent(h)


def test_no_fragmentation_unless_both_support_it() -> None:
    p1 = with_settings(site(R1, R2), fragmentation_mtu=576)
    h = pair(p1=p1, p2=site(R2, R1))
    assert len([w for w in h.wire if w.exchange == "IKE_AUTH"]) == 2


def test_ike_sa_expires_without_rekey_when_lifetime_ends() -> None:
    h = pair(lifetime=120)
    h.rules.append(lambda w: "drop" if w.exchange == "CREATE_CHILD_SA" else None)
    h.run(until=130)
    assert h["R1"].engine.ike_sas == [] or all(not sa.established for sa in h["R1"].engine.ike_sas)
