"""The acceptance case: the project's seed document, a Korean page laid out in columns, as is."""

from __future__ import annotations

import pytest

from pyike.explain import explain_texts
from pyike.explain.render_text import render_text
from tests.support.paths import SEED_DOCUMENT


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_DOCUMENT.read_text(encoding="utf-8")


def _by_router(text: str) -> dict[str, list[str]]:
    report = explain_texts([("seed", text)])
    routers: dict[str, list[str]] = {}
    for timeline in report.timelines:
        for exchange in timeline.exchanges:
            routers.setdefault(timeline.role, []).append(f"{exchange.type}/{exchange.purpose}")
    return routers


def test_seed_tunnel_came_up(seed_text: str) -> None:
    report = explain_texts([("seed", seed_text)])
    assert (report.verdict.outcome, report.verdict.cause) == ("success", "success")
    quoted = {evidence.line for evidence in report.verdict.evidence}
    assert {1389, 1396} <= quoted  # EV_I_OK on router 1, EV_R_OK on router 2


def test_seed_both_routers_timelines(seed_text: str) -> None:
    routers = _by_router(seed_text)
    expected = ["IKE_SA_INIT/initial", "IKE_AUTH/initial", "CREATE_CHILD_SA/ike_rekey"]
    assert routers == {"initiator": expected, "responder": expected}


def test_seed_timeline_details(seed_text: str) -> None:
    report = explain_texts([("seed", seed_text)])
    first = [tl for tl in report.timelines if tl.spi_i == "F074D8BBD5A59F0B"]
    assert sorted(tl.router for tl in first) == ["seed (initiator)", "seed (responder)"]
    initiator = next(tl for tl in first if tl.role == "initiator")
    assert initiator.spi_r == "F94020DD8CB4B9C4"
    assert initiator.profile == "IKEV2-SETUP"
    assert initiator.nat == "none"
    init, auth = initiator.exchanges
    assert init.request is not None and init.request.direction == "sent"
    assert init.request.proposals[0].transforms == [
        "3DES",
        "AES-CBC",
        "SHA1",
        "SHA96",
        "DH_GROUP_1024_MODP/Group 2",
    ]
    assert init.response is not None
    assert init.response.proposals[0].transforms == [
        "AES-CBC",
        "SHA1",
        "SHA96",
        "DH_GROUP_1024_MODP/Group 2",
    ]
    assert auth.request is not None and auth.request.ts_i[0] == "0.0.0.0-255.255.255.255"
    assert "NON_FIRST_FRAGMENTS_ALSO" in auth.request.notifies
    assert initiator.ike_up is not None and initiator.child_up is not None
    path = [step.state for step in initiator.states]
    assert path[0] == "IDLE" and path[-1] == "READY"
    rekey = [tl for tl in report.timelines if tl.spi_i == "0C33DB40DBAADE6"]
    assert {tl.role for tl in rekey} == {"initiator", "responder"}
    assert all(tl.exchanges[0].msg_id == 3 for tl in rekey)


def test_seed_skipped_lines_are_reported(seed_text: str) -> None:
    report = explain_texts([("seed", seed_text)])
    skipped = {item.line for item in report.skipped}
    assert 2 in skipped  # the page title
    assert 166 in skipped  # the description column next to the debug output
    assert 211 not in skipped  # a debug line


def test_seed_in_korean(seed_text: str) -> None:
    report = explain_texts([("seed", seed_text)])
    text = render_text(report, "ko")
    assert "터널이 올라왔습니다" in text
    assert "IKE SA F074D8BBD5A59F0B/F94020DD8CB4B9C4" in text
