"""Read configuration text line by line, in the mode each line is typed in, as IOS does.

IOS ignores indentation: a line is matched in the current mode; if that fails, in each enclosing
mode in turn up to global configuration (that is how a top-level command ends a sub-mode). So a
configuration reads the same flat, tab-indented or indented by two spaces. Blocks pyike does not
model (`router bgp`, `line vty`, ...) are modes with the vocabulary of their sub-commands, so
they keep their lines however they are laid out. A line no mode accepts is reported with the
error of the mode that matched it furthest, and reading goes on: every error is reported.

When IOS would refuse a command that opens a block, the lines of that block (indented under it,
or in the vocabulary of the mode it would have entered) are passed over with a note, never read
as commands of an outer mode. What a pasted terminal session adds to a configuration (a prompt
before the command, the pager's `--More--`) is read around with a note; a line typed at the exec
prompt (`R1#show running-config`) is skipped with one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from pyike.config import commands  # noqa: F401  (registers the commands with their modes)
from pyike.config.build import Builder, Frame, Rejected
from pyike.config.diagnostics import INCOMPLETE, INVALID_INPUT, Diagnostic, Severity, ambiguous
from pyike.config.grammar import Match, Outcome, Result
from pyike.config.lexer import Line, Token, foreign_space, lex, tokenize
from pyike.config.model import Config, NotModelled
from pyike.config.modes import GLOBAL, Mode
from pyike.config.validate import validate

MASK = "*****"  # what a secret shows as in messages and `config show`
# At equal progress, the most specific complaint wins.
_RANK = {Outcome.INVALID: 0, Outcome.AMBIGUOUS: 1, Outcome.INCOMPLETE: 2, Outcome.OK: 3}
# Keywords after which the rest of a line may be a key (`pre-shared-key`, `key-string`, OSPF's
# `authentication-key`, IS-IS's `area-password`, NHRP's `authentication`); they and IOS's
# encryption-type digits stay visible, everything else after them is masked in messages.
_SECRET_WORDS = {
    "key",
    "password",
    "secret",
    "community",
    "key-string",
    "server-key",
    "password-encrypt",
}
_SECRET_AFTER = {("nhrp", "authentication")}
# `key` that is no secret after these words: GRE's `tunnel key 101` is a number on the wire.
_PLAIN_AFTER = {("tunnel", "key")}
_VISIBLE_AFTER_SECRET = {"local", "remote", "0", "5", "6", "7", "8", "9", "key", "pre-share"}
# `key` that names no key: `key chain NAME`, `crypto key pubkey-chain rsa`, `key config-key ...`.
_NOT_A_KEY = {"chain", "pubkey-chain", "config-key", "generate", "zeroize", "import", "export"}


def _introduces_secret(previous: str, word: str) -> bool:
    word = word.lower()
    if (previous.lower(), word) in _PLAIN_AFTER:
        return False
    if word in _SECRET_WORDS or word.endswith(("authentication-key", "digest-key", "-password")):
        return True
    if (previous.lower(), word) in _SECRET_AFTER:
        return True
    return len(word) >= 3 and "pre-shared-key".startswith(word)


def _hex_key(word: str) -> bool:
    """A key in hex, as OSPFv3 takes it after `ipsec spi N` and its algorithms."""
    return len(word) >= 16 and all(c in "0123456789abcdefABCDEF" for c in word)


def masked_tokens(tokens: tuple[Token, ...]) -> list[str]:
    """The tokens of a line with anything that may be a key replaced by a mask."""
    out: list[str] = []
    hiding = after_spi = False
    previous = ""
    for token in tokens:
        if hiding and previous.lower() == "key" and token.text.lower() in _NOT_A_KEY:
            hiding = False
        if (hiding and token.text.lower() not in _VISIBLE_AFTER_SECRET) or (
            after_spi and _hex_key(token.text)
        ):
            out.append(MASK)
            continue
        out.append(token.text)
        hiding = hiding or _introduces_secret(previous, token.text)
        after_spi = after_spi or token.text.lower() == "spi"
        previous = token.text
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


# The block of a refused command when it cannot be told which mode that command would have entered:
# indented lines under it that no mode takes are passed over instead of reported one by one.
_UNKNOWN_BLOCK = Mode("refused", "(config-*)")
_DO_NOTE = "exec command run from configuration mode (do): nothing to configure"
# What a terminal session pasted with a configuration carries: a prompt before the command
# (`R1#show running-config`, `R1(config-if)#tunnel mode gre ip`) and the pager's `--More--`.
_PROMPT = re.compile(r"(?P<prompt>[A-Za-z][\w.-]*(?P<mode>\(config[\w-]*\))?#)(?P<rest>.*)")
_PAGER = re.compile(r"--More--[ \x08]*")


class _Reader:
    def __init__(self, file: str) -> None:
        self.b = Builder(file)
        # lines typed at a prompt (`LineReader`) are taken as IOS takes them: no pasted
        # session's prompt or pager is read around there
        self.typed = False
        self.refused_at: int | None = None  # the line of the refused command whose block is read
        self.skipped = 0
        self.in_blocks = 0  # lines kept inside unmodelled blocks
        self.sub_commands: list[NotModelled] = []  # unmodelled commands of modelled sub-modes
        self.pasted_noted: set[str] = set()  # a pasted session's prompts and pager: noted once

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

    def end_refusal(self) -> None:
        """Leave the block of a refused command, saying how many of its lines were passed over."""
        if self.refused_at is not None and self.skipped:
            self.b.report(
                Severity.NOTE,
                f"{self.skipped} line(s) after the error at line {self.refused_at} were not "
                "read: the command that opens their block failed",
                self.refused_at,
            )
        self.refused_at, self.skipped = None, 0
        while self.b.stack[-1].refused:
            self.b.stack.pop()

    def not_modelled(self, mode: Mode, words: list[str], negate: bool) -> None:
        command = " ".join(["no", *words] if negate else words)
        self.b.count_not_modelled(mode.name, command)
        if mode.opaque:
            self.in_blocks += 1
        elif mode is not GLOBAL:
            self.sub_commands.append(self.b.not_modelled[-1])

    def feed(self, line: Line) -> None:
        b = self.b
        b.line, b.command = line, None
        top = b.stack[-1]
        if top.mode.data_until is not None and self.data(line, top):
            return
        if not self.typed:
            pasted = self.pasted(line)
            if pasted is None:
                return
            line = b.line = pasted
        tokens = line.tokens
        if tokens[0].text.lower() == "do" and len(tokens) > 1:
            b.note(_DO_NOTE)
            return
        negate = tokens[0].text.lower() == "no"
        body = tokens[1:] if negate else tokens
        offset = 1 if negate else 0
        if negate and not body:
            self.error(line, INCOMPLETE, None, False)
            return
        attempts: list[tuple[int, Result]] = []
        tentative: tuple[int, Match] | None = None
        for depth in range(len(b.stack) - 1, -1, -1):
            mode = b.stack[depth].mode
            if mode is _UNKNOWN_BLOCK:
                continue
            result = mode.grammar.match(body, line.text, negate)
            if result.outcome is not Outcome.OK:
                attempts.append((depth, result))
                continue
            assert result.match is not None
            if mode.commands[result.match.command].modelled or _spelled_out(result.match, body):
                self.take(line, depth, result.match, negate, offset)
                return
            # An abbreviation of a command pyike only keeps (`router bgp 1` is `router-id` cut
            # short in `router ospf`): IOS would take the line where it is spelled out, if
            # an outer mode has it.
            tentative = tentative or (depth, result.match)
        if tentative is not None:
            self.take(line, *tentative, negate, offset)
        else:
            self.refuse(line, attempts, negate, offset)

    def pasted(self, line: Line) -> Line | None:
        """`line` without what a pasted terminal session put before its command (a
        configuration-mode prompt, the pager's `--More--`: noted at their first line); None
        when nothing is left to read, or the line was typed at the exec prompt."""
        pager = _PAGER.match(line.text)
        if pager is not None:
            self.note_once("pager", "the pager's --More--")
            line = _rest_of(line, pager.end())
            if not line.tokens:
                return None
        prompt = _PROMPT.fullmatch(line.text)
        if prompt is None:
            return line
        if prompt["mode"] is None:
            typed = " ".join(masked_tokens(line.tokens))  # a key typed there stays hidden
            self.b.note(f"'{typed}' was typed at the exec prompt, not a command: skipped")
            return None
        self.note_once("prompt", f"a prompt ('{prompt['prompt']}')")
        line = _rest_of(line, prompt.end("prompt"))
        return line if line.tokens else None

    def note_once(self, kind: str, what: str) -> None:
        if kind not in self.pasted_noted:
            self.pasted_noted.add(kind)
            self.b.note(f"{what} pasted with the configuration: read without it, here and later")

    def data(self, line: Line, top: Frame) -> bool:
        """A line of a data block (a certificate's hex), up to the word that ends it; False when
        the mode's data handler says the line is not the block's (the block ends before it)."""
        ends = line.tokens[0].text.lower() == top.mode.data_until
        taken = True
        if top.refused:
            self.skipped += 1
        elif top.mode.data_handler is not None:
            try:
                taken = top.mode.data_handler(self.b, line, ends)
            except Rejected as rejected:
                bad = rejected.token
                self.error(line, rejected.message or INVALID_INPUT, bad, bad is not None)
        else:
            self.b.keep_child(len(self.b.stack) - (2 if ends else 1))
        if ends or not taken:
            self.b.stack.pop()
        return taken

    def take(self, line: Line, depth: int, match: Match, negate: bool, offset: int) -> None:
        """Run the command `match` found in the mode at `depth`."""
        b = self.b
        frame, top = b.stack[depth], b.stack[-1]
        command = frame.mode.commands[match.command]
        if frame.refused:  # a sub-command of a refused block: passed over, nested blocks too
            self.skipped += 1
            del b.stack[depth + 1 :]
            if command.enters is not None and not negate:
                b.stack.append(Frame(command.enters, refused=True))
            return
        indented = line.indent > 0
        if indented and top.refused and top.mode is not _UNKNOWN_BLOCK:
            self.skipped += 1  # never read in an outer mode
            return
        self.end_refusal()
        del b.stack[depth + 1 :]
        b.command = command
        try:
            command.handler(b, match, line, negate)
        except Rejected as rejected:
            if rejected.token is not None:
                self.error(line, INVALID_INPUT, rejected.token + offset, True)
            else:
                self.error(line, rejected.message or INVALID_INPUT, None, False)
            return
        finally:
            b.command = None
        if not command.modelled:
            self.not_modelled(frame.mode, match.keywords(), negate)

    def refuse(
        self, line: Line, attempts: list[tuple[int, Result]], negate: bool, offset: int
    ) -> None:
        """No mode takes the line: IOS's error, unless it belongs to a block read as a whole."""
        b = self.b
        top = b.stack[-1]
        looks_like_its_own = bool(attempts) and attempts[0][0] == len(b.stack) - 1
        looks_like_its_own = looks_like_its_own and attempts[0][1].progress > 0
        if top.refused and (line.indent > 0 or looks_like_its_own):
            self.skipped += 1  # indented under a refused block, or one of its commands mistyped
            return
        if line.indent > 0 and top.mode.opaque:
            # pyike's vocabulary of an unmodelled block is not complete: the indentation says
            # the line is one of its sub-commands.
            b.keep_child(len(b.stack) - 1)
            self.not_modelled(top.mode, [line.tokens[offset].text.lower()], negate)
            return
        depth, best = max(attempts, key=lambda a: (a[1].progress, _RANK[a[1].outcome], a[0]))
        if best.outcome is Outcome.INCOMPLETE:
            self.error(line, INCOMPLETE, None, False)
        elif best.outcome is Outcome.AMBIGUOUS:
            echo, _ = _echo(line, None)
            self.error(line, ambiguous(echo), None, False)
        else:
            assert best.bad_token is not None
            self.error(line, INVALID_INPUT, best.bad_token + offset, True)
        blank = foreign_space(line.text)
        if blank is not None:
            b.note(f"the line holds a {blank}, which IOS does not take for a space: replace it")
        entered = None
        if not negate:
            entered = _entered(b.stack[depth].mode, best) or _opened_elsewhere(line, b.stack)
        if entered is not None or (line.indent == 0 and depth == 0):
            self.end_refusal()
            b.stack.append(Frame(entered or _UNKNOWN_BLOCK, refused=True))
            self.refused_at = line.number

    def finish(self) -> None:
        self.end_refusal()
        summary = _summary(self.b, self.sub_commands, self.in_blocks)
        if summary:
            self.b.report(Severity.NOTE, summary, None)


def _spelled_out(match: Match, tokens: tuple[Token, ...]) -> bool:
    """Whether every keyword of `match` was typed in full."""
    return all(
        c.keyword is None or tokens[c.index].text.lower() == c.keyword for c in match.captures
    )


def _entered(mode: Mode, failed: Result) -> Mode | None:
    """The mode a refused line would have entered, when every command it could have been
    enters the same one."""
    entered = {mode.commands[i].enters for i in failed.candidates}
    if len(entered) == 1:
        return entered.pop()
    return None


def _modes() -> list[Mode]:
    """Every mode a command enters, from global configuration down."""
    found, queue = [GLOBAL], [GLOBAL]
    while queue:
        for command in queue.pop().commands:
            if command.enters is not None and command.enters not in found:
                found.append(command.enters)
                queue.append(command.enters)
    return found


def _opened_elsewhere(line: Line, stack: list[Frame]) -> Mode | None:
    """The block a refused line opens in a mode it was not typed in (`address-family` without
    its `router bgp`), when exactly one block fits."""
    current = [frame.mode for frame in stack]
    entered = set()
    for mode in _modes():
        if mode in current:
            continue
        result = mode.grammar.match(line.tokens, line.text)
        if result.match is not None and _spelled_out(result.match, line.tokens):
            entered.add(mode.commands[result.match.command].enters)
    entered.discard(None)
    return entered.pop() if len(entered) == 1 else None


def _listing(counts: Counter[str]) -> str:
    return ", ".join(f"{k} ({n})" if n > 1 else k for k, n in sorted(counts.items()))


def _summary(b: Builder, sub_commands: list[NotModelled], in_blocks: int) -> str | None:
    """`N command(s) not modelled, kept as written: aaa (3), ...; config-if: ip nhrp (2)`."""
    top = Counter(keyword for _, keyword, _ in b.unmodelled)
    by_mode: dict[str, Counter[str]] = {}
    for entry in sub_commands:
        by_mode.setdefault(entry.mode, Counter())[entry.command] += 1
    total = sum(top.values()) + len(sub_commands)
    if not total:
        return None
    parts = [_listing(top)] if top else []
    parts += [f"{mode}: {_listing(counts)}" for mode, counts in sorted(by_mode.items())]
    text = f"{total} command(s) not modelled, kept as written: {'; '.join(parts)}"
    if in_blocks:
        text += f"; and {in_blocks} line(s) inside unmodelled blocks"
    return text


def _rest_of(line: Line, start: int) -> Line:
    """`line` from column `start` of its text on, its blanks stripped."""
    text = line.text[start:].lstrip(" \x08")
    return Line(line.number, text, line.indent, tokenize(text), line.continuation)


def _configure_terminal(line: Line) -> bool:
    """`configure terminal` typed at the exec prompt, abbreviated as IOS allows (`conf t`)."""
    words = [t.text.lower() for t in line.tokens]
    return (
        len(words) == 2
        and len(words[0]) >= 4
        and "configure".startswith(words[0])
        and "terminal".startswith(words[1])
    )


def parse(text: str, file: str = "<config>") -> tuple[Config, list[Diagnostic]]:
    """Read `text`; returns the model and every finding of the reading itself."""
    reader = _Reader(file)
    trailing = 0
    for line in lex(text):
        if reader.b.ended:  # at the exec prompt
            if _configure_terminal(line):
                reader.b.ended = False
            else:
                trailing += 1
            continue
        reader.feed(line)
    reader.b.line = None
    reader.finish()
    if trailing:
        reader.b.report(Severity.WARNING, f"{trailing} line(s) after 'end' ignored", None)
    return reader.b.build(), reader.b.diagnostics


@dataclass(frozen=True)
class Typed:
    """What one line typed in configuration mode did (`LineReader.feed`)."""

    findings: tuple[Diagnostic, ...]  # errors, warnings and notes of this line
    leaves: bool  # `end`, or `exit` at the top: back to the exec prompt
    # For an error with IOS's marker: the column of the bad token in the line as typed.
    marker: int | None = None


class LineReader:
    """`configure terminal`: lines read one at a time, as typed, on top of a running
    configuration, with the same reader (modes, abbreviations, IOS's errors) as a file.
    A refused line leaves the mode as it was, as IOS does at a prompt; `result` is the
    configuration with every line taken so far, validated as `load` validates."""

    def __init__(self, running: str, file: str = "<running-config>") -> None:
        self._reader = _Reader(file)
        self._number = 0
        for line in lex(running):
            self._reader.feed(line)
            self._number = line.number
        self._reader.typed = True  # what follows is typed at the configuration prompt
        self._reset()
        self._reader.b.diagnostics.clear()

    def _reset(self) -> None:
        reader = self._reader
        reader.end_refusal()
        reader.b.ended = False

    @property
    def hostname(self) -> str:
        return self._reader.b.config.hostname

    @property
    def prompt(self) -> str:
        """The mode's part of the prompt: `(config)`, `(config-if)`, ..."""
        return self._reader.b.stack[-1].mode.prompt

    def feed(self, text: str) -> Typed:
        b = self._reader.b
        lines = list(lex(text))
        if not lines:
            return Typed((), False)
        self._number += 1
        line = replace(lines[0], number=self._number, indent=0)
        at_top = len(b.stack) == 1
        if at_top and _is_global_exit(line):
            return Typed((), True)
        before = len(b.diagnostics)
        self._reader.feed(line)
        findings = tuple(b.diagnostics[before:])
        ended = b.ended
        self._reset()
        del b.diagnostics[before + len(findings) :]  # the reset's note, if any
        marker = next((d.column for d in findings if d.column is not None), None)
        if marker is not None:
            marker = _typed_column(line, marker)
        return Typed(findings, ended, marker)

    def result(self) -> tuple[Config, list[Diagnostic]]:
        """The configuration as it stands, and what validating it finds."""
        config = self._reader.b.build()
        return config, validate(config)


def _is_global_exit(line: Line) -> bool:
    result = GLOBAL.grammar.match(line.tokens, line.text)
    return result.match is not None and GLOBAL.commands[result.match.command].pattern == "exit"


def _typed_column(line: Line, masked_column: int) -> int:
    """The column, in the line as typed, of the token at `masked_column` in its masked echo."""
    for index, token in enumerate(line.tokens):
        if _echo(line, index)[1] == masked_column:
            return token.column
    return len(line.text) + 1
