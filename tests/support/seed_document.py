"""The seed document (tests/data/seed: a Korean PDF of two routers' IKEv2 debugs turned to
text): the (role, state, event) sequence of its `SM Trace->` lines, and its show output
re-joined where the page wrapped it.

Trace lines wrap, and page layout puts side-column prose between the halves of a line (even
inside an event name's line, as with EV_OK_RECD_DH_PUBKEY_RESP). Each trace is read from its
`SM Trace->` marker up to the next one: the role is the first "(I)"/"(R)", the state follows
"CurState:", the event is the first EV_ word after it (a state may be glued to the next word,
as in "READYEvent:").
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import SEED_DOCUMENT

# -- state machine traces ----------------------------------------------------------------------

_STATE = re.compile(r"CurState:\s*([A-Z][A-Z0-9_]*?)(?=Event|이벤트|\s|:)")
_EVENT = re.compile(r"\b:?(EV_[A-Z0-9_]+)")
_ROLE = re.compile(r"\((I|R)\)")


def seed_sequences(path: Path = SEED_DOCUMENT) -> list[tuple[str, str, str]]:
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


# -- show output -------------------------------------------------------------------------------


def _lines() -> list[str]:
    return SEED_DOCUMENT.read_text(encoding="utf-8").splitlines()


def seed_block(prompt: str, command: str, last: str) -> list[str]:
    """The output after `prompt` + `command` up to and including the line `last`,
    with page furniture (blank lines, `<#root>`, the prompt) dropped and wrapped lines
    (those ending in a comma or a word cut by the page) joined to the next."""
    lines = _lines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.strip() == prompt and any(command in n for n in lines[i + 1 : i + 4])
    )
    start = next(i for i in range(start + 1, len(lines)) if command in lines[i]) + 1
    out: list[str] = []
    for line in lines[start:]:
        text = line.strip()
        if not text or text == "<#root>":
            continue
        out.append(text)
        if text == last:
            break
    joined: list[str] = []
    for text in out:
        if joined and _continues(joined[-1], text):
            joined[-1] = f"{joined[-1]} {text}"
        else:
            joined.append(text)
    return [re.sub(r"\s+", " ", t) for t in joined]


def _continues(previous: str, text: str) -> bool:
    if previous.endswith(",") and not text.startswith(("spi:", "transform:")):
        return not previous.startswith(("transform:", "PERMIT"))
    return previous.endswith(("key", "lifetime", "(k/sec):", "crypt:")) or text.startswith(
        ("(0.0.0.0", "lifetime", "(k/sec)", "(4")
    )


def normalise(lines: list[str]) -> list[str]:
    """pyike's lines in the same form: stripped, single-spaced, no blank lines."""
    return [re.sub(r"\s+", " ", line.strip()) for line in lines if line.strip()]
