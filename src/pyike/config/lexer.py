"""Split IOS configuration text into command lines and tokens.

IOS configuration is line-oriented: `!` starts a comment line, indentation is cosmetic, tokens are
separated by blanks. The one multi-line construct in running-configs is `banner`, whose text runs
between two delimiter characters (printed as `^C`). Blanks are ASCII spaces and tabs only: IOS
takes a no-break space (U+00A0, common in text copied from web pages) as part of a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(r"[^ \t]+")
_LINE_END = re.compile(r"\r\n|\r|\n")
_BLANKS = " \t\f\v"


@dataclass(frozen=True)
class Token:
    text: str
    column: int  # offset in the command text (indentation removed)


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number of the first physical line
    text: str  # the command without indentation and trailing blanks
    indent: int
    tokens: tuple[Token, ...]
    continuation: tuple[str, ...] = ()  # banner body lines, kept verbatim

    def rest(self, index: int) -> str:
        """The text from token `index` to the end of the line, spacing preserved."""
        return self.text[self.tokens[index].column :]


def tokenize(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(), m.start()) for m in _TOKEN.finditer(text))


def foreign_space(text: str) -> str | None:
    """How to name the first blank of `text` that IOS does not take for one (`no-break space
    (U+00A0)`), or None."""
    for char in text:
        if char.isspace() and char not in _BLANKS:
            name = unicodedata.name(char, "").lower() or "blank"
            return f"{name} (U+{ord(char):04X})"
    return None


def _banner_delimiter(line: Line) -> str | None:
    first = line.tokens[0].text.lower() if line.tokens else ""
    if len(line.tokens) < 2 or len(first) < 3 or not "banner".startswith(first):
        return None
    kind = line.tokens[1]
    after = line.text[kind.column + len(kind.text) :].lstrip()
    if not after:
        return None
    return "^C" if after.startswith("^C") else after[0]


def lex(text: str) -> Iterator[Line]:
    """Yield the command lines of `text`; comments and blank lines are dropped."""
    physical = _LINE_END.split(text)
    i = 0
    while i < len(physical):
        raw = physical[i].replace("\t", " ").rstrip(_BLANKS)
        number = i + 1
        i += 1
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("!"):
            continue
        line = Line(number, stripped, len(raw) - len(stripped), tokenize(stripped))
        delim = _banner_delimiter(line)
        if delim is not None:
            opening = stripped.find(delim)
            if stripped.find(delim, opening + len(delim)) < 0:
                body: list[str] = []
                while i < len(physical):
                    body.append(physical[i])
                    i += 1
                    if delim in body[-1]:
                        break
                line = Line(number, stripped, line.indent, line.tokens, tuple(body))
        yield line
