"""Every configuration of the corpus loads with exactly the findings its header announces.

Header lines: `! expect-errors: N` (the number of errors) and `! expect: TEXT` (a text that must
appear in the formatted findings).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.config import load_file
from tests.support.paths import CONFIG_CORPUS

FILES = sorted(CONFIG_CORPUS.glob("*.cfg"))


def _header(path: Path) -> tuple[int, list[str]]:
    count, expects = -1, []
    for line in path.read_text().splitlines():
        if line.startswith("! expect-errors:"):
            count = int(line.split(":", 1)[1])
        elif line.startswith("! expect:"):
            expects.append(line.split(":", 1)[1].strip())
    return count, expects


def _absent(path: Path) -> list[str]:
    prefix = "! expect-absent:"
    lines = path.read_text().splitlines()
    return [x[len(prefix) :].strip() for x in lines if x.startswith(prefix)]


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path: Path) -> None:
    count, expects = _header(path)
    assert count >= 0, "every corpus file announces its error count"
    result = load_file(path)
    text = "\n".join(d.format() for d in result.diagnostics)
    assert len(result.errors) == count, text
    for expected in expects:
        assert expected in text, f"{expected!r} not in:\n{text}"
    for secret in _absent(path):
        assert secret not in text
    assert path.name.startswith("ok_") == (count == 0) or path.name.startswith("err_")
