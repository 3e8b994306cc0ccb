"""The seed scenario: Router 1 (PHASE1-prop) and Router 2 (IOS default proposal), PSK
"cisco", IKE lifetime 120 s, esp-3des esp-sha-hmac, VTI selectors. Each router's (state,
event) sequence must be the seed document's, read from it at test time."""

from __future__ import annotations

from importlib import resources

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.codec.registry import EncrId, IntegId
from pyike.config import load
from pyike.ike import ChildSaInstalled, IkeSaDown, IkeSaUp, Policy, TunnelSpec
from tests.support.harness import Harness, check_consistent, internal_errors
from tests.support.policies import R1, R2, seed_router1, seed_router2, tunnel_of
from tests.support.seed_document import by_role


def _seed_configs() -> tuple[tuple[Policy, TunnelSpec], tuple[Policy, TunnelSpec]]:
    seed = resources.files("pyike") / "data" / "seed"
    out = []
    for name in ("router1.cfg", "router2.cfg"):
        config = load((seed / name).read_text(encoding="utf-8"), name).raise_for_errors()
        policy, tunnels = policy_for_config(config)
        out.append((policy, tunnels[0]))
    return out[0], out[1]


@pytest.fixture(scope="module", params=["scenarios", "config"])
def seed_run(request: pytest.FixtureRequest) -> Harness:
    """The seed run twice: from the hand-built policies of scenarios.py, and from the seed's
    own configuration files through config_policy. Every test below holds for both."""
    if request.param == "config":
        (p1, t1), (p2, _) = _seed_configs()
    else:
        p1, t1, p2 = seed_router1(), tunnel_of(seed_router1()), seed_router2()
    h = Harness({"R1": (p1, R1), "R2": (p2, R2)})
    h["R1"].engine.initiate(0.0, t1)
    h.run(until=100.0)
    return h


def _split(sm: list[tuple[str, str]], start: tuple[str, str]) -> tuple[list, list]:  # type: ignore[type-arg]
    index = sm.index(start)
    return sm[:index], sm[index:]


def test_seed_document_yields_both_sequences() -> None:
    assert len(by_role("I")) == 72 and len(by_role("R")) == 84


def test_initiator_handshake_matches_seed(seed_run: Harness) -> None:
    seed_hs, _ = _split(by_role("I"), ("CHILD_I_WAIT", "EV_RECV_CREATE_CHILD"))
    mine = seed_run["R1"].sm()
    assert mine[: len(seed_hs)] == seed_hs
    assert mine[len(seed_hs) - 1] == ("READY", "EV_I_OK")


def test_responder_handshake_matches_seed(seed_run: Harness) -> None:
    seed_hs, _ = _split(by_role("R"), ("READY", "EV_RECV_CREATE_CHILD"))
    assert seed_run["R2"].sm()[: len(seed_hs)] == seed_hs


def test_initiator_rekey_matches_seed(seed_run: Harness) -> None:
    # The seed shows the rekey initiator from the response on; its request-building steps
    # are not in the document.
    _, seed_rekey = _split(by_role("I"), ("CHILD_I_WAIT", "EV_RECV_CREATE_CHILD"))
    mine = seed_run["R1"].sm()
    start = mine.index(("CHILD_I_WAIT", "EV_RECV_CREATE_CHILD"))
    assert mine[start : start + len(seed_rekey)] == seed_rekey
    assert mine[start - 1] == ("CHILD_I_WAIT", "EV_NO_EVENT")


def test_responder_rekey_matches_seed(seed_run: Harness) -> None:
    _, seed_rekey = _split(by_role("R"), ("READY", "EV_RECV_CREATE_CHILD"))
    mine = seed_run["R2"].sm()
    start = mine.index(("READY", "EV_RECV_CREATE_CHILD"))
    assert mine[start : start + len(seed_rekey)] == seed_rekey


def test_rekey_comes_61_seconds_into_the_120_second_lifetime(seed_run: Harness) -> None:
    rekey = next(w for w in seed_run.wire if w.exchange == "CREATE_CHILD_SA")
    assert rekey.sender == "R1"
    assert 60.5 < rekey.time < 61.5


def test_seed_negotiates_aes128_sha1_group2_and_3des_child(seed_run: Harness) -> None:
    up = seed_run["R1"].of_type(IkeSaUp)
    assert [u.rekeyed_from for u in up] == [None, 1]
    sa = next(sa for sa in seed_run["R1"].engine.ike_sas)
    assert sa.suite is not None
    assert (sa.suite.encr, sa.suite.encr_key_bits, sa.suite.integ) == (
        EncrId.AES_CBC,
        128,
        IntegId.HMAC_SHA1_96,
    )
    child = seed_run["R2"].of_type(ChildSaInstalled)[0].child
    assert (child.encr, child.integ, child.esn) == (EncrId.TRIPLE_DES, IntegId.HMAC_SHA1_96, False)
    assert child.lifetime_seconds == 3600 and child.lifetime_kilobytes == 4608000


def test_seed_ends_with_one_rekeyed_sa_and_the_child_moved(seed_run: Harness) -> None:
    check_consistent(seed_run)
    assert [d.reason for d in seed_run["R1"].of_type(IkeSaDown)] == ["IKE SA rekeyed"]
    assert internal_errors(seed_run) == []
