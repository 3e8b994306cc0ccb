"""`show crypto ikev2 stats` counts what the engine's events report of IKE_SA_INIT requests
it admitted or refused without answering them."""

from __future__ import annotations

from pyike.ike.events import (
    CookieChecked,
    Endpoint,
    InitRequestRefused,
    MessageDropped,
    NegotiationFailed,
)
from pyike.show import show_crypto_ikev2_stats
from pyike.show.ike_counters import Ikev2Counters

PEER = Endpoint.of("192.0.2.7")


def test_refusals_and_cookie_verdicts_are_counted() -> None:
    counters = Ikev2Counters()
    for event in (
        CookieChecked(1.0, PEER, valid=False),
        CookieChecked(1.0, PEER, valid=False),
        CookieChecked(2.0, PEER, valid=True),
        InitRequestRefused(3.0, PEER),
        NegotiationFailed(4.0, None, PEER, None, "timed out"),
        MessageDropped(5.0, None, "no IKE SA for SPIs 00/00"),
        MessageDropped(5.0, 1, "failed to verify integrity of message"),
    ):
        counters.note(event)
    lines = show_crypto_ikev2_stats(counters.stats_view(0, 0, 0, 0, max_in_negotiation=(5, 6)))
    words = [" ".join(line.split()) for line in lines]
    assert words[3].endswith("Max in nego(in/out): 5/6")
    assert "Rejected IKEv2 Requests: 1 rsrc low: 0 SA limit: 1" in words
    assert "accepted: 1 rejected: 2 rejected no cookie: 0" in words
    assert "IKEv2 packets dropped at dispatch: 2" in words
