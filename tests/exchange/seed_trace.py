"""The (role, state, event) sequence of the seed document's `SM Trace->` lines.

The seed is a PDF turned to text: trace lines wrap, and page layout puts side-column prose
between the halves of a line (even inside an event name's line, as with
EV_OK_RECD_DH_PUBKEY_RESP). Each trace is read from its `SM Trace->` marker up to the next
one: the role is the first "(I)"/"(R)", the state follows "CurState:", the event is the first
EV_ word after it (a state may be glued to the next word, as in "READYEvent:").
"""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "ikev2-psk-debugs.ko.txt"

_STATE = re.compile(r"CurState:\s*([A-Z][A-Z0-9_]*?)(?=Event|이벤트|\s|:)")
_EVENT = re.compile(r"\b:?(EV_[A-Z0-9_]+)")
_ROLE = re.compile(r"\((I|R)\)")


def seed_sequences(path: Path = SEED) -> list[tuple[str, str, str]]:
    text = path.read_text(encoding="utf-8")
    chunks = text.split("SM Trace->")[1:]
    out: list[tuple[str, str, str]] = []
    for chunk in chunks:
        role = _ROLE.search(chunk)
        state = _STATE.search(chunk)
        if role is None or state is None:
            continue
        event = _EVENT.search(chunk, state.end())
        if event is None:
            continue
        out.append((role.group(1), state.group(1), event.group(1)))
    return out


def by_role(role: str) -> list[tuple[str, str]]:
    return [(s, e) for r, s, e in seed_sequences() if r == role]
