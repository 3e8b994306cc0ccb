"""No input makes `pyike explain` raise: arbitrary text, and shuffled pieces of real logs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyike.explain import explain_texts
from pyike.explain.render_html import render_html
from pyike.explain.render_json import render_json
from pyike.explain.render_text import render_text
from tests.support.paths import EXPLAIN_CORPUS

REAL_LINES = sorted(
    {
        line
        for path in EXPLAIN_CORPUS.glob("*.log")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
)
FRAGMENTS = [
    "SM Trace-> SA: ",
    "I_SPI=",
    "R_SPI=",
    "(I) MsgID = ",
    "CurState: ",
    "Event: EV_",
    "이벤트: ",
    "*11월 11일 ",
    "IKEv2:(SA ID = ",
    "Received Policies:",
    "Proposal 1: ",
    "NOTIFY(",
    "Sending Packet [To ",
    "Exchange type: IKE_AUTH, flags: ",
    "Message id: ",
    "\r\n",
    "\n",
    "(",
    "[",
]

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _all_outputs(texts: list[tuple[str, str]]) -> None:
    report = explain_texts(texts)
    assert report.verdict.outcome in ("success", "failure", "partial", "unknown")
    render_text(report, "ko")
    render_text(report, markdown=True)
    render_json(report, "ko")
    render_html(report, "ko")


@_SETTINGS
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text: str) -> None:
    _all_outputs([("fuzz", text)])


@_SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=60).map("".join))
def test_ios_like_fragments_never_raise(text: str) -> None:
    _all_outputs([("fuzz", text)])


@_SETTINGS
@given(
    st.lists(st.sampled_from(REAL_LINES), max_size=80),
    st.lists(st.sampled_from(REAL_LINES), max_size=40),
)
def test_shuffled_real_lines_never_raise(first: list[str], second: list[str]) -> None:
    _all_outputs([("a.log", "\n".join(first)), ("b.log", "\n".join(second))])
