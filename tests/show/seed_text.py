"""The seed document's show output, re-joined where the page wrapped it."""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).parents[1] / "data" / "seed" / "ikev2-psk-debugs.ko.txt"


def _lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


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
