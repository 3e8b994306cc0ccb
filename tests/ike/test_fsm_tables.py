"""The engine's state machines are data: tables parsed from text, checked when a class is
made, and drawn as a graph (`pyike lab --fsm`)."""

from __future__ import annotations

import subprocess

import pytest

from pyike.ike.fsm import Machine, Step, transitions
from pyike.ike.graph import MACHINES, to_dot
from pyike.ike.states import Event, State
from pyike.ike.task import Steps
from tests.support.tools import require_tool


def test_a_row_names_its_action_and_next_state() -> None:
    table = transitions(
        """
        # state      event             action            next state
        I_BLD_INIT   EV_BLD_MSG        build             I_WAIT_INIT
        I_BLD_INIT   EV_OK_RECD_DH_PUBKEY_RESP  Action_Null -> EV_GET_CONFIG_MODE
        READY        EV_CHK_IKE_ONLY   -> EV_I_OK
        INFO_R       EV_BLD_MSG        build             EV_FREE_SA:DELETE EV_CHK_PENDING:EXIT
        CHILD_R_INIT EV_CHK_CC_TYPE    chk_cc_type       CHILD_R_IPSEC!
        *            EV_FAIL           -> EV_ABORT       EXIT
        """
    )
    assert table[(State.I_BLD_INIT, Event.EV_BLD_MSG)] == Step("build", to=State.I_WAIT_INIT)
    null = table[(State.I_BLD_INIT, Event.EV_OK_RECD_DH_PUBKEY_RESP)]
    assert (null.action, null.emit, null.null) == (None, Event.EV_GET_CONFIG_MODE, True)
    assert table[(State.READY, Event.EV_CHK_IKE_ONLY)].emit == Event.EV_I_OK
    info = table[(State.INFO_R, Event.EV_BLD_MSG)]
    assert info.next_state(Event.EV_FREE_SA) == State.DELETE
    assert info.next_state(Event.EV_CHK_PENDING) == State.EXIT
    # a failing action stays where it failed, unless the row says `!`
    assert table[(State.I_BLD_INIT, Event.EV_BLD_MSG)].next_state(Event.EV_FAIL) is None
    assert table[(State.CHILD_R_INIT, Event.EV_CHK_CC_TYPE)].next_state(Event.EV_FAIL) == (
        State.CHILD_R_IPSEC
    )
    assert table[(None, Event.EV_FAIL)].next_state(Event.EV_ABORT) == State.EXIT


@pytest.mark.parametrize(
    "row",
    [
        "NO_SUCH_STATE  EV_BLD_MSG  build",
        "I_BLD_INIT  EV_NO_SUCH_EVENT  build",
        "I_BLD_INIT  EV_BLD_MSG",
        "I_BLD_INIT  EV_BLD_MSG  build  NO_SUCH_STATE",
    ],
)
def test_a_bad_row_is_refused_when_the_table_is_read(row: str) -> None:
    with pytest.raises((KeyError, ValueError)):
        transitions(row)


def test_two_rows_for_one_state_and_event_are_refused() -> None:
    with pytest.raises(ValueError, match="two rows"):
        transitions("READY EV_I_OK up\nREADY EV_I_OK down")


def test_a_misspelt_action_fails_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="no method for biuld"):

        class Half(Steps):
            TRANSITIONS = transitions("I_BLD_INIT EV_BLD_MSG biuld I_WAIT_INIT")

            def build(self) -> None:
                return None


def test_the_machine_records_each_pair_and_enters_the_next_state() -> None:
    seen: list[tuple[State, Event]] = []

    class Half(Steps):
        TRANSITIONS = transitions(
            """
            IDLE        EV_INIT_SA          -> EV_GET_IKE_POLICY  I_BLD_INIT
            I_BLD_INIT  EV_GET_IKE_POLICY   fail_here
            *           EV_FAIL             -> EV_ABORT           EXIT
            EXIT        EV_ABORT            stop
            """
        )

        def info(self, text: str) -> None:
            pass

        def fail_here(self) -> Event:
            return Event.EV_FAIL

        def stop(self) -> None:
            return None

    class Sink:
        tracing = True

        def touch(self) -> None:
            pass

        def record(self, state: State, event: Event) -> None:
            seen.append((state, event))

    machine = Machine(State.IDLE, Sink())
    machine.run(Event.EV_INIT_SA, Half.TRANSITIONS, Half())
    assert seen == [
        (State.IDLE, Event.EV_INIT_SA),
        (State.I_BLD_INIT, Event.EV_GET_IKE_POLICY),
        (State.I_BLD_INIT, Event.EV_FAIL),  # the failure is traced where it happened
        (State.EXIT, Event.EV_ABORT),
    ]
    assert machine.state == State.EXIT


def test_states_and_events_print_as_their_names() -> None:
    """What `SM Trace->` prints is the member's value: its name, but for the two profile
    selection events IOS spells at length."""
    for member in (*State, *Event):
        assert str(member) == member.name or str(member).endswith("_FOR_PROF_SEL"), member


def test_the_picture_has_every_row_of_every_machine() -> None:
    dot = to_dot()
    for table in MACHINES.values():
        for (_state, event), step in table.items():
            if step.action is not None:
                assert f"{event.value.removeprefix('EV_')} / {step.action.split('.')[-1]}" in dot
            if isinstance(step.to, State):
                assert f':{step.to.value}"' in dot
    # the seed document's states are all there
    for state in ("I_BLD_INIT", "R_VERIFY_AUTH", "CHILD_I_WAIT", "CHILD_R_DONE", "INFO_R"):
        assert f':{state}"' in dot


def test_graphviz_draws_the_picture() -> None:
    dot = require_tool("dot")
    done = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(), capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.lstrip().startswith("<?xml") and "<svg" in done.stdout
    assert "I_WAIT_AUTH" in done.stdout and "IKE_SA_INIT and IKE_AUTH, responder" in done.stdout
