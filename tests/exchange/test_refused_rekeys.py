"""A peer that refuses to rekey a Child SA (RFC 7296 section 2.21.2: NO_PROPOSAL_CHOSEN,
TS_UNACCEPTABLE, NO_ADDITIONAL_SAS and the like are final answers, unlike TEMPORARY_FAILURE):
the rekey is tried again after 15, 30, 60, 120 then 240 s, never beyond the Child SA's hard
lifetime, when it is deleted as before; a peer that accepts again gets the rekey."""

from __future__ import annotations

from itertools import pairwise

import pytest

from pyike.codec.registry import NotifyType
from pyike.ike import ChildSaDeleted, ChildSaInstalled, NegotiationFailed
from pyike.ike.child_create import ChildCreateResponse
from pyike.ike.states import Event
from tests.support.harness import (
    Harness,
    check_consistent,
    check_data_path,
    internal_errors,
    only_sa,
    pair,
)
from tests.support.policies import PHASE1_PROP, R1, R2, site

CHILD_LIFETIME = 3600  # R1 rekeys at 90 %: 3240 s; hard expiry at 3600 s


def _strict_pair() -> Harness:
    """R1 rekeys its Child SA by the clock; R2's own rekey would come only after a day."""
    p1 = site(R1, R2, proposals=(PHASE1_PROP,), child_seconds=CHILD_LIFETIME)
    p2 = site(R2, R1, child_seconds=86400)
    return pair(p1, p2)


def _refuse_rekeys(monkeypatch: pytest.MonkeyPatch, h: Harness, node: str, notify: NotifyType):  # type: ignore[no-untyped-def]
    """Makes ``node`` answer every Child SA rekey with ``notify``, as a strict peer would;
    returns a function that makes it accept them again."""
    ctx = only_sa(h, node).ctx
    accept = ChildCreateResponse.rekey_ipsec
    refusing = [True]

    def rekey_ipsec(self: ChildCreateResponse) -> Event:
        if refusing[0] and self.sa.ctx is ctx:
            self.error = notify
            return Event.EV_FAIL
        return accept(self)

    monkeypatch.setattr(ChildCreateResponse, "rekey_ipsec", rekey_ipsec)
    return lambda: refusing.__setitem__(0, False)


def _rekey_requests(h: Harness, sender: str) -> list[float]:
    """When ``sender`` sent a CREATE_CHILD_SA request."""
    return [
        r.time
        for r in h.wire
        if r.sender == sender and r.exchange == "CREATE_CHILD_SA" and not r.response
    ]


@pytest.mark.parametrize(
    "notify",
    [NotifyType.NO_PROPOSAL_CHOSEN, NotifyType.TS_UNACCEPTABLE, NotifyType.NO_ADDITIONAL_SAS],
)
def test_refused_child_rekey_backs_off_until_the_hard_lifetime(
    monkeypatch: pytest.MonkeyPatch, notify: NotifyType
) -> None:
    h = _strict_pair()
    child = only_sa(h, "R1").children[0]
    _refuse_rekeys(monkeypatch, h, "R2", notify)
    h.advance(CHILD_LIFETIME - 1)
    attempts = _rekey_requests(h, "R1")
    start = child.created_at + CHILD_LIFETIME * 0.9
    assert attempts[0] == pytest.approx(start, abs=0.1)
    gaps = [later - earlier for earlier, later in pairwise(attempts)]
    # 15, 30, 60, 120 s; the next (240 s) would come after the hard lifetime
    assert gaps == pytest.approx([15, 30, 60, 120], abs=0.1)
    refused = [e for e in h["R1"].of_type(NegotiationFailed) if e.notify == notify]
    assert len(refused) == 5
    assert child in only_sa(h, "R1").children  # still carrying traffic until it expires
    check_data_path(h)
    h.advance(2)  # the hard lifetime: deleted on both sides, as without a rekey
    assert [e.spi_in for e in h["R1"].of_type(ChildSaDeleted)] == [child.spi_in]
    assert only_sa(h, "R1").children == []
    assert only_sa(h, "R2").children == []
    assert len(_rekey_requests(h, "R1")) == 5
    assert internal_errors(h) == []


def test_peer_that_accepts_again_gets_the_rekey_at_the_next_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = _strict_pair()
    child = only_sa(h, "R1").children[0]
    accept = _refuse_rekeys(monkeypatch, h, "R2", NotifyType.NO_PROPOSAL_CHOSEN)
    h.advance(CHILD_LIFETIME * 0.9 + 20)  # refused at 3240 s and at 3255 s
    assert len(_rekey_requests(h, "R1")) == 2
    accept()  # e.g. the peer's configuration was fixed
    h.advance(40)  # the third attempt, 30 s after the second
    attempts = _rekey_requests(h, "R1")
    assert len(attempts) == 3
    (installed,) = [e for e in h["R1"].of_type(ChildSaInstalled) if e.rekey_of == child.spi_in]
    assert installed.now == pytest.approx(attempts[2], abs=0.1)
    check_consistent(h)
    check_data_path(h)
    (new,) = only_sa(h, "R1").children
    assert new.rekey_refusals == 0 and new.retry_at is None
    assert internal_errors(h) == []


def test_temporary_failure_is_not_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """TEMPORARY_FAILURE keeps its short random delay (2 to 5 s) and no growth."""
    h = _strict_pair()
    _refuse_rekeys(monkeypatch, h, "R2", NotifyType.TEMPORARY_FAILURE)
    h.advance(CHILD_LIFETIME * 0.9 + 30)
    attempts = _rekey_requests(h, "R1")
    gaps = [later - earlier for earlier, later in pairwise(attempts)]
    assert len(gaps) >= 5
    assert all(2.0 <= gap <= 5.1 for gap in gaps)
    assert only_sa(h, "R1").children[0].rekey_refusals == 0
