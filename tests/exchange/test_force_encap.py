"""Forced UDP encapsulation (EngineSettings.force_encap, `pyike run --force-encap`): without
any NAT in the path, a NAT_DETECTION_SOURCE_IP hash that cannot match makes both peers float
to port 4500 and carry ESP in UDP, whichever side forces it."""

from __future__ import annotations

import pytest

from pyike.codec import NotifyPayload
from pyike.codec.notify_data import nat_detection_hash
from pyike.codec.registry import NotifyType
from pyike.ike import ChildSaInstalled, EngineSettings
from pyike.ike.trace import InfoTrace
from tests.support.harness import (
    Harness,
    check_consistent,
    internal_errors,
    only_sa,
    pair,
    wire_message,
)
from tests.support.policies import PHASE1_PROP, R1, R2, site


def _pair(forcing: str) -> Harness:
    def settings(node: str) -> EngineSettings:
        return EngineSettings(force_encap=node in forcing, nat_keepalive=5)

    return pair(
        site(R1, R2, proposals=(PHASE1_PROP,), settings=settings("R1")),
        site(R2, R1, proposals=(PHASE1_PROP,), settings=settings("R2")),
    )


@pytest.mark.parametrize("forcing", ["R1", "R2", "R1 R2"])
def test_forced_encapsulation_floats_both_sides(forcing: str) -> None:
    h = _pair(forcing)
    check_consistent(h)
    for node in ("R1", "R2"):
        sa = only_sa(h, node)
        assert sa.nat.nat_detected and sa.local.port == 4500 and sa.remote.port == 4500
        (installed,) = h[node].of_type(ChildSaInstalled)
        assert installed.child.udp_encapsulation
    # IKE_AUTH already travels on 4500 behind the non-ESP marker
    auth = h.wire[2].datagram
    assert auth.remote.port == 4500 and auth.data[:4] == bytes(4)
    assert not internal_errors(h)


def test_the_forced_source_hash_is_not_the_real_one() -> None:
    h = _pair("R1")
    sa = only_sa(h, "R1")
    request = wire_message(h, 1)
    (source,) = [
        p
        for p in request.payloads
        if isinstance(p, NotifyPayload) and p.notify_type == NotifyType.NAT_DETECTION_SOURCE_IP
    ]
    assert len(source.data) == 20
    assert source.data != nat_detection_hash(sa.spi_i, bytes(8), sa.local.address, 500)
    texts = [r.text for r in h["R2"].trace if isinstance(r, InfoTrace)]
    assert "Remote address not matched" in texts


def test_no_nat_no_forcing_stays_on_500_without_encapsulation() -> None:
    h = _pair("")
    for node in ("R1", "R2"):
        sa = only_sa(h, node)
        assert not sa.nat.nat_detected and sa.remote.port == 500
        assert not h[node].of_type(ChildSaInstalled)[0].child.udp_encapsulation


def test_forcing_side_sends_no_keepalives_of_its_own() -> None:
    # the forcing side is not behind a NAT: keepalives come from a side that is (none here)
    h = _pair("R1")
    h.advance(30.0)
    keepalives = [r for r in h.wire if r.datagram.data == b"\xff"]
    assert not keepalives
