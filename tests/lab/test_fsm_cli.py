"""`pyike lab --fsm dot|svg`: the engine's state machines, drawn from the same tables that
run them and print the seed document's SM trace."""

from __future__ import annotations

import pytest

from pyike.cli import main
from tests.support.tools import require_tool


def test_dot_lists_the_handshake_states_in_the_seed_traces_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lab", "--fsm", "dot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph ikev2 {")
    assert 'label="IKE_SA_INIT and IKE_AUTH, initiator"' in out
    # the seed's initiator goes I_BLD_INIT -> I_WAIT_INIT -> I_PROC_INIT on these events
    assert '"0:I_BLD_INIT" -> "0:I_WAIT_INIT" [label="BLD_MSG / build"]' in out
    assert '"0:I_WAIT_INIT" -> "0:I_PROC_INIT" [label="RECV_INIT / recv_init"]' in out


def test_svg_is_drawn_by_graphviz(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("dot")
    assert main(["lab", "--fsm", "svg"]) == 0
    out = capsys.readouterr().out
    assert "<svg" in out and "R_VERIFY_AUTH" in out and "CHILD_I_WAIT" in out


def test_svg_without_graphviz_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert main(["lab", "--fsm", "svg"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "needs Graphviz's dot" in captured.err and "--fsm dot" in captured.err


def test_fsm_takes_no_configs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["lab", "--fsm", "dot", "router1.cfg"])
    assert exit_.value.code == 2
    assert "--fsm draws the engine's state machines" in capsys.readouterr().err
