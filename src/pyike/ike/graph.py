"""The engine's state machines drawn from their tables: what `pyike lab --fsm` prints, a
Graphviz graph with one cluster per exchange half. An edge leaves the state an event arrives
in and enters the state the row names (a loop when the row stays), labelled with the event
and the action that runs."""

from __future__ import annotations

from collections.abc import Mapping

from pyike.ike.child_create import ChildCreate, ChildCreateResponse
from pyike.ike.fsm import Step, Table
from pyike.ike.handshake import Handshake
from pyike.ike.ike_rekey import IkeRekey, IkeRekeyResponse
from pyike.ike.informational import InfoResponse
from pyike.ike.states import Event, State

MACHINES: Mapping[str, Table] = {
    "IKE_SA_INIT and IKE_AUTH, initiator": Handshake.INITIATOR,
    "IKE_SA_INIT and IKE_AUTH, responder": Handshake.RESPONDER,
    "CREATE_CHILD_SA: Child SA, initiator": ChildCreate.TRANSITIONS,
    "CREATE_CHILD_SA: Child SA, responder": ChildCreateResponse.TRANSITIONS,
    "CREATE_CHILD_SA: IKE SA rekey, initiator": IkeRekey.TRANSITIONS,
    "CREATE_CHILD_SA: IKE SA rekey, responder": IkeRekeyResponse.TRANSITIONS,
    "INFORMATIONAL, responder": InfoResponse.TRANSITIONS,
}
_ANY = "any state"


def _label(event: Event, step: Step) -> str:
    name = event.value.removeprefix("EV_")
    if step.action is not None:
        return f"{name} / {step.action.rsplit('.', 1)[-1]}"
    if step.null:
        return f"{name} / Action_Null"
    return name


def _targets(state: State | None, step: Step) -> list[str]:
    source = _ANY if state is None else state.value
    if step.to is None:
        return [source]
    if isinstance(step.to, State):
        return [step.to.value]
    return sorted({s.value for s in step.to.values()})


def _quote(text: str) -> str:
    return '"' + text.replace('"', r"\"") + '"'


def _node(number: int, name: str) -> str:
    return _quote(f"{number}:{name}")


def to_dot(machines: Mapping[str, Table] = MACHINES) -> str:
    """The machines as a Graphviz digraph: a node per state, listing the steps the machine
    takes without leaving it; an edge per step that moves to another state."""
    lines = [
        "digraph ikev2 {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for number, (title, table) in enumerate(machines.items()):
        lines += [f"  subgraph cluster_{number} {{", f"    label={_quote(title)};"]
        inside: dict[str, list[str]] = {}
        for (state, event), step in table.items():
            source = _ANY if state is None else state.value
            inside.setdefault(source, [])
            for target in _targets(state, step):
                inside.setdefault(target, [])
                if target == source:
                    inside[source].append(_label(event, step))
                    continue
                lines.append(
                    f"    {_node(number, source)} -> {_node(number, target)}"
                    f" [label={_quote(_label(event, step))}];"
                )
        for name, steps in inside.items():
            text = "".join(f"{step}\\l" for step in steps)
            label = _quote(f"{name}\\n{text}" if steps else name)
            lines.append(f"    {_node(number, name)} [label={label}];")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
