"""IOS output filters, `COMMAND | include|exclude|begin|section|count REGEX`, and the exec
line that carries them; shared by the lab's routers and the gateway's shell.

As on IOS, everything after the filter's keyword is the regular expression, `|` included:
`show crypto session | include Peer|Session` keeps the lines with Peer or with Session. The
filter works line by line as the output arrives, so a running `ping` is filtered live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    CommandTree,
    ExecFailure,
    ExecInputError,
    IncompleteCommand,
    InvalidInput,
    Token,
    match_keyword,
    tokenize,
)

FILTERS = ("begin", "count", "exclude", "include", "section")
BAD_REGEX = "% Invalid regular expression"


@dataclass(frozen=True)
class OutputFilter:
    kind: str  # one of FILTERS
    regex: re.Pattern[str]

    def apply(self, text: str) -> str:
        """The whole of `text`, filtered (a last line without its newline counts as a line)."""
        lines = LineFilter(self)
        return lines.feed(text) + lines.close()


class LineFilter:
    """One filter applied to output as it arrives: `feed` returns the complete lines it
    keeps so far, `close` the rest. `section` keeps each section (an unindented line and the
    indented or empty lines under it) in which any line matches; `count` says, at the end,
    how many lines matched."""

    def __init__(self, spec: OutputFilter) -> None:
        self.spec = spec
        self._partial = ""  # the last line, until its newline arrives
        self._begun = False  # `begin`: a line has matched
        self._held: list[str] = []  # `section`: the current section's lines, none matching yet
        self._keeping = False  # `section`: the current section matched
        self._matched = 0  # `count`: the lines that matched

    def feed(self, text: str) -> str:
        *complete, self._partial = (self._partial + text).split("\n")
        return "".join(self._line(line) for line in complete)

    def close(self) -> str:
        rest, self._partial = self._partial, ""
        kept = self._line(rest) if rest else ""
        if self.spec.kind == "count":
            return f"Number of lines which match regexp = {self._matched}\n"
        return kept

    def _line(self, line: str) -> str:
        match = self.spec.regex.search(line) is not None
        kind = self.spec.kind
        if kind == "include":
            return line + "\n" if match else ""
        if kind == "exclude":
            return "" if match else line + "\n"
        if kind == "begin":
            self._begun = self._begun or match
            return line + "\n" if self._begun else ""
        if kind == "count":
            self._matched += match
            return ""
        return self._section_line(line, match)

    def _section_line(self, line: str, match: bool) -> str:
        if line[:1] not in (" ", "\t", ""):  # a new section starts
            self._held, self._keeping = [], False
        if self._keeping:
            return line + "\n"
        self._held.append(line)
        if not match:
            return ""
        self._keeping = True
        held, self._held = self._held, []
        return "".join(held_line + "\n" for held_line in held)


def parse_filter(line: str) -> OutputFilter | None:
    """The filter after the first `|` of `line` (None without one); `ExecInputError` as IOS
    reports a bad one."""
    command, bar, rest = line.partition("|")
    if not bar:
        return None
    words = tokenize(rest)
    if not words:
        raise IncompleteCommand()
    word = words[0]
    column = len(command) + 1 + word.start
    kind = match_keyword(Token(word.text, column), FILTERS, line)
    pattern = rest[word.start + len(word.text) :].strip()
    if not pattern:
        raise IncompleteCommand()
    try:
        return OutputFilter(kind, re.compile(pattern))
    except re.error:
        raise ExecFailure(BAD_REGEX) from None


class FilteredJob(ExecJob):
    """A command's job seen through an output filter, live."""

    def __init__(self, inner: ExecJob, spec: OutputFilter) -> None:
        super().__init__()
        self._inner = inner
        self._lines = LineFilter(spec)
        self._pass(inner.text)
        if inner.done:
            self._close()
        else:
            inner.on_output = self._pass
            inner.on_finish = self._close

    def _pass(self, text: str) -> None:
        kept = self._lines.feed(text)
        if kept:
            self.write(kept)

    def _close(self) -> None:
        kept = self._lines.close()
        if kept:
            self.write(kept)
        self.finish()

    def abort(self) -> None:
        self._inner.abort()


def run_line(tree: CommandTree, line: str, prompt: str) -> ExecJob:
    """Start what was typed at `prompt`: a command of `tree`, with an output filter if the line
    has one. Bad input comes back as a finished job with what IOS prints."""
    command, bar, _ = line.partition("|")
    try:
        if not command.strip():
            if bar:
                raise InvalidInput(len(command))
            return TextResult("")
        node, args = tree.parse(command)
        spec = parse_filter(line)
        assert node.handler is not None
        job = node.handler(args)
    except ExecInputError as error:
        return TextResult(error.render(prompt))
    except Exception as exc:  # a pyike bug ends the command, not the session, lab or daemon
        return TextResult(
            f"% pyike internal error: {type(exc).__name__}: {exc} (please report it)\n"
        )
    return job if spec is None else FilteredJob(job, spec)
