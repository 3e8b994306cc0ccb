"""Dead peer detection (`dpd INTERVAL RETRY periodic|on-demand`) with ESP traffic as the
data plane notes it in the SA database: ESP from the peer counts as hearing from it, and
on-demand DPD checks only a peer that traffic was sent to."""

from __future__ import annotations

import pytest

from pyike.ike import ChildSaDeleted, DpdSettings, IkeSaDown
from pyike.ike.timers import ON_DEMAND_LOOK
from tests.support.harness import LATENCY, Harness, only_sa, pair, send_esp

INTERVAL, RETRY = 10, 2
ON_DEMAND = DpdSettings(INTERVAL, RETRY, "on-demand")
PERIODIC = DpdSettings(INTERVAL, RETRY, "periodic")


def peer_gone(h: Harness) -> float:
    """R2 falls silent from now on (nothing it sends arrives); returns when R1 last heard
    from it."""
    last = max(w.time for w in h.wire if w.sender == "R2") + LATENCY
    h.rules.append(lambda w: "drop" if w.sender == "R2" else None)
    return last


def pings(h: Harness, seconds: int, *, answered: bool) -> None:
    """R1 sends a packet into the tunnel every second while it has an SA; R2 answers each
    one when ``answered``."""
    for _ in range(seconds):
        h.advance(1)
        if h["R1"].sad.tunnel("Tunnel0").current is None:
            continue
        send_esp(h, "R1", "R2", lost=not answered)
        if answered:
            send_esp(h, "R2", "R1")


def dpd_requests(h: Harness) -> list[float]:
    """When R1 sent (or resent) an INFORMATIONAL request."""
    return [
        w.time
        for w in h.wire
        if w.sender == "R1" and w.exchange == "INFORMATIONAL" and not w.response
    ]


def test_on_demand_checks_a_peer_that_stopped_answering_traffic_and_deletes_it() -> None:
    h = pair(dpd=ON_DEMAND)
    heard = peer_gone(h)
    pings(h, 40, answered=False)
    sent = dpd_requests(h)
    # with the first packet sent once the peer has been silent for INTERVAL (within the
    # second engine and data plane take to compare notes), then every RETRY seconds, 5 times
    assert heard + INTERVAL < sent[0] <= heard + INTERVAL + 1 + ON_DEMAND_LOOK
    assert sent == pytest.approx([sent[0] + RETRY * n for n in range(6)], abs=0.01)
    down = h["R1"].of_type(IkeSaDown)
    assert [e.reason for e in down] == ["Peer dead (DPD)"]
    assert down[0].now == pytest.approx(sent[-1] + RETRY, abs=0.01)
    assert len(h["R1"].of_type(ChildSaDeleted)) == 1
    assert h["R1"].engine.ike_sas == [] and h["R1"].sad.children == {}


def test_on_demand_does_not_count_a_reply_to_the_peers_last_packet() -> None:
    h = pair(dpd=ON_DEMAND)
    h.advance(1)
    send_esp(h, "R2", "R1")
    h.advance(0.01)
    send_esp(h, "R1", "R2")  # the answer, sent after the peer's packet arrived
    peer_gone(h)
    h.advance(40)
    assert dpd_requests(h) == []
    only_sa(h, "R1")


@pytest.mark.parametrize("dpd", [ON_DEMAND, PERIODIC], ids=lambda d: d.mode)
def test_no_dpd_while_traffic_flows_both_ways(dpd: DpdSettings) -> None:
    h = pair(dpd=dpd)
    pings(h, 40, answered=True)
    assert dpd_requests(h) == []
    only_sa(h, "R1")


def test_on_demand_leaves_a_silent_peer_alone_until_traffic_is_sent_to_it() -> None:
    h = pair(dpd=ON_DEMAND)
    peer_gone(h)
    h.advance(40)
    assert dpd_requests(h) == []
    only_sa(h, "R1")
    pings(h, 1, answered=False)
    first_packet = h.now
    h.advance(INTERVAL)
    sent = dpd_requests(h)
    assert sent and first_packet < sent[0] <= first_packet + INTERVAL


def test_periodic_checks_a_silent_peer_without_traffic() -> None:
    h = pair(dpd=PERIODIC)
    heard = peer_gone(h)
    h.advance(40)
    assert dpd_requests(h)[0] == pytest.approx(heard + INTERVAL, abs=0.01)
    assert [e.reason for e in h["R1"].of_type(IkeSaDown)] == ["Peer dead (DPD)"]
