"""The IOS-style state machine driver.

An action runs for each (state, event) the machine processes and returns the next event, or
None when the machine must wait for input. Before each action the driver records the pair
(an `SM Trace->` line). EV_NO_EVENT means "nothing to do right now": IOS uses it while an
asynchronous crypto request is outstanding, and the completion arrives as the next event;
pyike's crypto is synchronous, so an action that models such a request parks its completion
event with ``complete_later`` and the driver delivers it after the EV_NO_EVENT step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyike.ike.states import Event, State

Action = Callable[[], Event | None]
Transitions = Mapping[tuple[State | None, Event], Action]
Recorder = Callable[[State, Event], None]

# Iterations one input may drive; a loop beyond this is a bug, never a peer's doing.
_MAX_STEPS = 200


class MachineError(Exception):
    """A transition the table does not define (a bug in pyike, not bad input)."""


class Machine:
    def __init__(self, state: State, record: Recorder) -> None:
        self.state = state
        self._pending: Event | None = None
        self._record = record

    def enter(self, state: State) -> None:
        self.state = state

    def complete_later(self, event: Event) -> Event:
        """Models an asynchronous request whose completion is ``event``."""
        self._pending = event
        return Event.EV_NO_EVENT

    def run(self, event: Event | None, transitions: Transitions) -> None:
        steps = 0
        while event is not None:
            steps += 1
            if steps > _MAX_STEPS:
                raise MachineError(f"state machine loops in {self.state}")
            self._record(self.state, event)
            if event == Event.EV_NO_EVENT:
                event, self._pending = self._pending, None
                continue
            action = transitions.get((self.state, event)) or transitions.get((None, event))
            if action is None:
                raise MachineError(f"no transition from {self.state} on {event}")
            event = action()
