"""IOS's state machine, with its transitions as data.

Each exchange half declares a table, one row per (state, event) it handles: the action that
runs, and the state the machine is in afterwards. The IOS `SM Trace->` lines are the (state,
event) pairs the machine processes, so the trace, the behaviour and the picture
(`pyike lab --fsm`) all come from the same rows. A table is written as text:

    # state        event                  action           next state
    I_BLD_INIT     EV_GEN_DH_KEY          gen_dh_key
    I_BLD_INIT     EV_OK_RECD_DH_PUBKEY_RESP  Action_Null -> EV_GET_CONFIG_MODE
    I_BLD_INIT     EV_BLD_MSG             build            I_WAIT_INIT
    READY          EV_CHK_IKE_ONLY        -> EV_I_OK
    INFO_R         EV_BLD_MSG             build            EV_FREE_SA:DELETE EV_CHK_PENDING:EXIT
    CHILD_R_INIT   EV_CHK_CC_TYPE         chk_cc_type      CHILD_R_IPSEC!
    *              EV_FAIL                to_exit          EXIT

An action is a method of the exchange half, returning the next event (None to wait for
input). `-> EVENT` instead of an action moves on at once; `Action_Null -> EVENT` moves on
and says so, as IOS does ("Action: Action_Null"). The next state, when given, is entered
after the action unless the action failed (returned EV_FAIL: the failure row takes over
where it happened; `STATE!` is entered whatever the outcome); `EVENT:STATE` pairs choose it
by the event the action returned. `*` matches any state.

EV_NO_EVENT means "nothing to do right now": IOS uses it while an asynchronous crypto request
is outstanding, and the completion arrives as the next event; pyike's crypto is synchronous,
so an action that models such a request parks its completion with `complete_later`, and the
machine delivers it after the EV_NO_EVENT step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Protocol

from pyike.ike.states import Event, State

ACTION_NULL = "Action_Null"
# Iterations one input may drive; a loop beyond this is a bug, never a peer's doing.
_STEPS = range(200)
_NO_EVENT = Event.EV_NO_EVENT  # a module global: read at every step, faster than the class's


class MachineError(Exception):
    """A transition the table does not define (a bug in pyike, not bad input)."""


@dataclass(frozen=True)
class Step:
    action: str | None  # a method of the exchange half (dotted: of one of its parts)
    emit: Event | None = None  # without an action: the next event
    to: State | Mapping[Event, State] | None = None  # the state afterwards (None: stay)
    null: bool = False  # says "Action: Action_Null"
    always: bool = False  # `to` is entered even when the action failed
    call: Callable[[Any], Callable[[], Event | None]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # The state after the action, by the event it returned: `after.get(event, otherwise)`
    # (None: stay), made once from `to` and `always`, as the machine reads it at every step
    after: Mapping[Event | None, State | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    otherwise: State | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.action is not None:
            object.__setattr__(self, "call", attrgetter(self.action))
        if isinstance(self.to, Mapping):
            object.__setattr__(self, "after", self.to)
        else:
            object.__setattr__(self, "otherwise", self.to)
            if not self.always:  # a failed action leaves the state to the failure row
                object.__setattr__(self, "after", {Event.EV_FAIL: None})

    def next_state(self, returned: Event | None) -> State | None:
        """The state after the action returned ``returned`` (None: stay)."""
        return self.after.get(returned, self.otherwise)


Table = Mapping[tuple[State | None, Event], Step]


class SmSink(Protocol):
    """Whose machine it is: ``touch`` once per input that steps it (the engine then looks at
    that SA's deadlines again); ``record`` each (state, event) while ``tracing`` (the `SM
    Trace->` lines of `debug crypto ikev2`)."""

    @property
    def tracing(self) -> bool: ...

    def touch(self) -> None: ...

    def record(self, state: State, event: Event) -> None: ...


class Actor(Protocol):
    """An exchange half: it runs the actions its table names."""

    def info(self, text: str) -> None: ...


def _parse_row(line: str) -> tuple[tuple[State | None, Event], Step]:
    words = line.split()
    state = None if words[0] == "*" else State[words[0]]
    event = Event[words[1]]
    rest = words[2:]
    action: str | None = None
    emit: Event | None = None
    null = False
    if rest and rest[0] == ACTION_NULL:
        null, rest = True, rest[1:]
    elif rest and rest[0] != "->":
        action, rest = rest[0], rest[1:]
    if rest[:1] == ["->"]:
        emit, rest = Event[rest[1]], rest[2:]
    if action is None and emit is None:
        raise ValueError(f"row without an action or a next event: {line!r}")
    to: State | dict[Event, State] | None = None
    always = len(rest) == 1 and rest[0].endswith("!")
    if len(rest) == 1 and ":" not in rest[0]:
        to = State[rest[0].removesuffix("!")]
    elif rest:
        to = {Event[e]: State[s] for e, s in (word.split(":") for word in rest)}
    return (state, event), Step(action, emit, to, null, always)


def transitions(text: str) -> dict[tuple[State | None, Event], Step]:
    """A table from its text (see the module docstring); comments start with #."""
    rows: dict[tuple[State | None, Event], Step] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, step = _parse_row(line)
        if key in rows:
            raise ValueError(f"two rows for {key}")
        rows[key] = step
    return rows


def delegate(table: Table, part: str) -> dict[tuple[State | None, Event], Step]:
    """``table``'s rows with their actions run by the attribute ``part`` of the actor (the
    IKE SA's own machine runs the IKE_SA_INIT and IKE_AUTH halves as one, as IOS does)."""
    return {
        key: step if step.action is None else replace(step, action=f"{part}.{step.action}")
        for key, step in table.items()
    }


def check_actions(owner: type, table: Table) -> None:
    """Every action a table names is a method of ``owner`` (checked when a class is made, so
    a misspelt action fails at import, not in the middle of an exchange)."""
    missing = sorted({s.action for s in table.values() if s.action} - set(dir(owner)))
    if missing:
        raise TypeError(f"{owner.__name__}: no method for {', '.join(missing)}")


class _Gone:
    """The sink of a machine whose SA is gone: nothing to touch or trace."""

    tracing = False

    def touch(self) -> None:
        return None

    def record(self, state: State, event: Event) -> None:
        return None


_GONE = _Gone()


class Machine:
    def __init__(self, state: State, sink: SmSink) -> None:
        self.state = state
        self._pending: Event | None = None
        self._sink: SmSink = sink

    def release(self) -> None:
        """Its SA is gone: the machine keeps its last state (for whoever still shows the SA)
        but no longer refers to its sink, the SA itself (a cycle only the collector frees)."""
        self._sink = _GONE

    def complete_later(self, event: Event) -> Event:
        """Models an asynchronous request whose completion is ``event``."""
        self._pending = event
        return _NO_EVENT

    def run(self, event: Event | None, table: Table, actor: Actor) -> None:
        if event is None:
            return
        sink = self._sink
        sink.touch()
        tracing = sink.tracing  # looked up once: a machine takes thousands of steps a second
        lookup = table.get
        for _ in _STEPS:
            if tracing:
                sink.record(self.state, event)
            if event is _NO_EVENT:
                event, self._pending = self._pending, None
            else:
                step = lookup((self.state, event)) or lookup((None, event))
                if step is None:
                    raise MachineError(f"no transition from {self.state} on {event}")
                if step.null:
                    actor.info("Action: Action_Null")
                event = step.emit if step.call is None else step.call(actor)()
                state = step.after.get(event, step.otherwise)  # next_state, without a call
                if state is not None:
                    self.state = state
            if event is None:
                return
        raise MachineError(f"state machine loops in {self.state}")
