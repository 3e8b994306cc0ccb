"""Read configuration text line by line, in the mode each line is typed in, as IOS does.

A line is matched in the current mode; if that fails, in each enclosing mode in turn (that is how
a top-level command ends a sub-mode, whatever the indentation). A line no mode accepts is reported
with the error of the mode that matched it furthest, and reading goes on: every error is reported.
"""

from __future__ import annotations

from collections import Counter

from pyike.config import commands  # noqa: F401  (registers the commands with their modes)
from pyike.config.build import Builder, Rejected
from pyike.config.diagnostics import INCOMPLETE, INVALID_INPUT, Diagnostic, Severity, ambiguous
from pyike.config.grammar import Outcome, Result
from pyike.config.lexer import Line, Token, lex
from pyike.config.model import Config

_MASK = "*****"
# At equal progress, the most specific complaint wins.
_RANK = {Outcome.INVALID: 0, Outcome.AMBIGUOUS: 1, Outcome.INCOMPLETE: 2, Outcome.OK: 3}
# Keywords after which the rest of a line may be a key; they and IOS's encryption-type digits
# stay visible, everything else after them is masked in messages.
_SECRET_INTRODUCERS = ("pre-shared-key", "key", "password", "secret", "community")
_VISIBLE_AFTER_SECRET = {"local", "remote", "0", "5", "6", "7", "8", "9", "key", "pre-share"}


def _introduces_secret(word: str) -> bool:
    word = word.lower()
    if word in ("key", "password", "secret", "community"):
        return True
    return len(word) >= 3 and "pre-shared-key".startswith(word)


def masked_tokens(tokens: tuple[Token, ...]) -> list[str]:
    """The tokens of a line with anything that may be a key replaced by a mask."""
    out: list[str] = []
    hiding = False
    for token in tokens:
        if hiding and token.text.lower() not in _VISIBLE_AFTER_SECRET:
            out.append(_MASK)
            continue
        out.append(token.text)
        if _introduces_secret(token.text):
            hiding = True
    return out


def _echo(line: Line, bad: int | None) -> tuple[str, int | None]:
    """The line as it may be shown in a message, and the column of token `bad` in it."""
    words = masked_tokens(line.tokens)
    text, column = "", None
    for i, (token, word) in enumerate(zip(line.tokens, words, strict=True)):
        if i:
            previous = line.tokens[i - 1]
            gap = token.column - previous.column - len(previous.text)
            text += " " * gap
        if i == bad:
            column = len(text)
        text += word
    if bad is not None and column is None:
        column = len(text) + 1
    return text, column


class _Reader:
    def __init__(self, file: str) -> None:
        self.b = Builder(file)
        self.failed_at: int | None = None  # a top-level line failed; its block is being skipped
        self.skipped = 0

    def error(self, line: Line, message: str, bad: int | None, with_marker: bool) -> None:
        echo, column = _echo(line, bad)
        self.b.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                message,
                self.b.file,
                line.number,
                echo=echo,
                column=column if with_marker else None,
            )
        )

    def end_skipping(self) -> None:
        if self.failed_at is not None and self.skipped:
            self.b.report(
                Severity.NOTE,
                f"{self.skipped} indented line(s) after the error at line {self.failed_at} "
                "were not read: the command that opens their block failed",
                self.failed_at,
            )
        self.failed_at, self.skipped = None, 0

    def feed(self, line: Line) -> None:
        b = self.b
        b.line = line
        tokens = line.tokens
        negate = tokens[0].text.lower() == "no"
        body = tokens[1:] if negate else tokens
        offset = 1 if negate else 0
        if negate and not body:
            self.end_skipping()
            self.error(line, INCOMPLETE, None, False)
            return
        top = b.stack[-1].mode
        attempts: list[tuple[int, Result]] = []
        for depth in range(len(b.stack) - 1, -1, -1):
            mode = b.stack[depth].mode
            if mode.opaque:
                continue
            result = mode.grammar.match(body, line.text, negate)
            if result.outcome is not Outcome.OK:
                attempts.append((depth, result))
                continue
            assert result.match is not None
            command = mode.commands[result.match.command]
            if not command.modelled and depth > 0 and line.indent == 0:
                # An unindented line both a sub-mode and the top level take as an unmodelled
                # command (`logging ...` after an interface) belongs to the top level.
                outer = b.stack[0].mode.grammar.match(body, line.text, negate)
                if outer.outcome is Outcome.OK and outer.match is not None:
                    depth, mode, result = 0, b.stack[0].mode, outer
                    command = mode.commands[outer.match.command]
            if top.opaque and line.indent > 0 and not command.modelled:
                b.keep_child()
                return
            self.end_skipping()
            command_match = result.match
            assert command_match is not None
            del b.stack[depth + 1 :]
            try:
                command.handler(b, command_match, line, negate)
            except Rejected as rejected:
                if rejected.token is not None:
                    self.error(line, INVALID_INPUT, rejected.token + offset, True)
                else:
                    self.error(line, rejected.message or INVALID_INPUT, None, False)
            return
        if top.opaque and line.indent > 0:
            b.keep_child()
            return
        if self.failed_at is not None and line.indent > 0:
            self.skipped += 1
            return
        self.end_skipping()
        _, best = max(attempts, key=lambda a: (a[1].progress, _RANK[a[1].outcome], a[0]))
        if best.outcome is Outcome.INCOMPLETE:
            self.error(line, INCOMPLETE, None, False)
        elif best.outcome is Outcome.AMBIGUOUS:
            echo, _ = _echo(line, None)
            self.error(line, ambiguous(echo), None, False)
        else:
            assert best.bad_token is not None
            self.error(line, INVALID_INPUT, best.bad_token + offset, True)
        if line.indent == 0:
            self.failed_at = line.number

    def finish(self) -> None:
        self.end_skipping()
        kinds = Counter(keyword for _, keyword, _ in self.b.unmodelled)
        if kinds:
            total = sum(kinds.values())
            listing = ", ".join(f"{k} ({n})" if n > 1 else k for k, n in sorted(kinds.items()))
            self.b.report(Severity.NOTE, f"{total} command(s) not modelled: {listing}", None)


def parse(text: str, file: str = "<config>") -> tuple[Config, list[Diagnostic]]:
    """Read `text`; returns the model and every finding of the reading itself."""
    reader = _Reader(file)
    trailing = 0
    for line in lex(text):
        if reader.b.ended:
            trailing += 1
            continue
        reader.feed(line)
    reader.b.line = None
    reader.finish()
    if trailing:
        reader.b.report(Severity.WARNING, f"{trailing} line(s) after 'end' ignored", None)
    return reader.b.build(), reader.b.diagnostics
