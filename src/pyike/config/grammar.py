"""The command-tree engine: patterns per mode, matched token by token the way IOS matches them.

A pattern is written the way Cisco documents syntax:

    "crypto ikev2 proposal <name:WORD>"
    "match address local $ <addr:ADDR>"
    "mode $ {tunnel|transport}"
    "pre-shared-key [local|remote] [0|6] <key:SECRET>"
    "lifetime $ <seconds:INT(120,86400)>"

`[...]` is optional, `{a|b}` a choice, `{...}+` one or more, `<name:TYPE>` a parameter and `$` the
point where the `no` form of the command may end. All patterns of a mode are compiled into one
automaton so that abbreviations are resolved against every command of the mode at once: a token
selects the keyword it abbreviates when exactly one keyword fits (or one fits exactly), is
ambiguous when several do, and falls back to the parameters when none does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pyike.config.lexer import Token

Value = Any


class ParamType:
    """A parameter type: turns one token into a value, or refuses it with None."""

    def __init__(self, name: str, parse: Callable[[str], Value | None], rest: bool = False):
        self.name = name
        self.parse = parse
        self.rest = rest  # consumes the rest of the line

    def __repr__(self) -> str:
        return f"<{self.name}>"


@dataclass(frozen=True)
class Keyword:
    word: str


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType


Edge = tuple[Keyword | Param, int]


@dataclass
class _State:
    edges: list[Edge] = field(default_factory=list)
    eps: list[int] = field(default_factory=list)
    accept: int | None = None  # index of the command completed here
    no_accept: int | None = None  # index of the command whose `no` form may end here


@dataclass(frozen=True)
class Capture:
    """What one token matched: a keyword (canonical spelling) or a named parameter value."""

    index: int  # token index
    keyword: str | None
    name: str | None
    value: Value


@dataclass(frozen=True)
class Match:
    command: int
    captures: tuple[Capture, ...]
    complete: bool  # False for an accepted `no` form that stopped early

    def keywords(self) -> list[str]:
        return [c.keyword for c in self.captures if c.keyword is not None]

    def has(self, word: str) -> bool:
        return any(c.keyword == word for c in self.captures)

    def get(self, name: str, default: Value = None) -> Value:
        for c in self.captures:
            if c.name == name:
                return c.value
        return default

    def all(self, name: str) -> list[Value]:
        return [c.value for c in self.captures if c.name == name]

    def keywords_after(self, index: int) -> list[Capture]:
        return [c for c in self.captures if c.index > index and c.keyword is not None]


Thread = tuple[int, tuple[Capture, ...]]  # a state of the automaton and what led there


class Outcome(Enum):
    OK = "ok"
    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    match: Match | None = None
    bad_token: int | None = None  # INVALID/AMBIGUOUS: index of the token at fault
    progress: int = 0  # tokens matched before stopping, to pick the most telling error
    # On failure: the commands the tokens before the fault could still have become.
    candidates: frozenset[int] = frozenset()


_PATHS_KEPT = 2048  # keyword paths (and their next words) whose threads are kept, per mode

_PARAM = re.compile(r"<(\w+)(?::(\w+)(?:\(([^)]*)\))?)?>")


class PatternError(ValueError):
    pass


class Grammar:
    """The commands of one mode, compiled into a single automaton."""

    def __init__(self, types: dict[str, Callable[..., ParamType]]) -> None:
        self._types = types
        self._states: list[_State] = [_State()]
        self._owner: list[int] = [-1]  # the command each state belongs to
        self._commands: list[str] = []
        self._fallbacks: set[int] = set()
        self._reachable: dict[int, frozenset[int]] = {}
        # Lines that begin with the same words taken as keywords (`crypto ikev2 profile`) are
        # in the same threads after them, so those are worked out once per mode, by the words
        # typed: the threads after them, those with a fallback's rest of line, the threads each
        # next word goes on with; and the states each state's empty moves reach. `add` and a
        # full cache forget them.
        self._closures: dict[int, tuple[int, ...]] = {}
        self._after: dict[tuple[str, ...], list[Thread]] = {}
        self._path_rests: dict[tuple[str, ...], list[tuple[Thread, list[Edge]]]] = {}
        self._path_words: dict[tuple[tuple[str, ...], str], dict[str, list[Thread]]] = {}

    def add(self, pattern: str, fallback: bool = False) -> int:
        """Add a command pattern; returns its index (the value of Match.command). A fallback
        command matches a line only when no other command does."""
        index = len(self._commands)
        self._commands.append(pattern)
        if fallback:
            self._fallbacks.add(index)
        self._reachable.clear()
        self._forget_paths()
        self._closures.clear()
        items = self._split(pattern)
        start, end = self._seq(items, 0, len(items), index)
        self._states[0].eps.append(start)
        self._states[end].accept = index
        return index

    # --- compilation (Thompson construction over the pattern's items) -----------------------

    @staticmethod
    def _split(pattern: str) -> list[str]:
        return re.findall(r"<[^>]*>|[\[\]{}|]|\$|\+|[^\s\[\]{}|<>$+]+", pattern)

    def _new(self) -> int:
        self._states.append(_State())
        self._owner.append(len(self._commands) - 1)
        return len(self._states) - 1

    def _closing(self, items: list[str], i: int, end: int) -> int:
        depth = 0
        for j in range(i, end):
            if items[j] in "[{":
                depth += 1
            elif items[j] in "]}":
                depth -= 1
                if depth == 0:
                    return j
        raise PatternError(f"unbalanced pattern: {' '.join(items)}")

    def _alternatives(self, items: list[str], i: int, end: int) -> list[tuple[int, int]]:
        parts, depth, begin = [], 0, i
        for j in range(i, end):
            if items[j] in "[{":
                depth += 1
            elif items[j] in "]}":
                depth -= 1
            elif items[j] == "|" and depth == 0:
                parts.append((begin, j))
                begin = j + 1
        parts.append((begin, end))
        return parts

    def _seq(self, items: list[str], i: int, end: int, command: int) -> tuple[int, int]:
        start = cur = self._new()
        while i < end:
            item = items[i]
            if item in "[{":
                close = self._closing(items, i, end)
                inner_start = self._new()
                inner_end = self._new()
                for a, b in self._alternatives(items, i + 1, close):
                    s, e = self._seq(items, a, b, command)
                    self._states[inner_start].eps.append(s)
                    self._states[e].eps.append(inner_end)
                self._states[cur].eps.append(inner_start)
                if item == "[":
                    self._states[inner_start].eps.append(inner_end)
                if close + 1 < end and items[close + 1] == "+":
                    self._states[inner_end].eps.append(inner_start)
                    close += 1
                cur = inner_end
                i = close + 1
                continue
            if item == "$":
                self._states[cur].no_accept = command
                i += 1
                continue
            nxt = self._new()
            self._states[cur].edges.append((self._element(item), nxt))
            cur = nxt
            i += 1
        return start, cur

    def _element(self, item: str) -> Keyword | Param:
        m = _PARAM.fullmatch(item)
        if m is None:
            return Keyword(item.lower())
        name, type_name, args = m.group(1), m.group(2) or "WORD", m.group(3)
        factory = self._types.get(type_name)
        if factory is None:
            raise PatternError(f"unknown parameter type {type_name}")
        arguments = [int(a) for a in args.split(",")] if args else []
        return Param(name, factory(*arguments))

    # --- matching ------------------------------------------------------------------------------

    def _closure(self, threads: list[Thread]) -> list[Thread]:
        """The threads and every state their empty moves reach, depth first: a state reached
        from several threads keeps the first one's captures."""
        seen: set[int] = set()
        out: list[Thread] = []
        for state, caps in threads:
            for reached in self._reach(state):
                if reached not in seen:
                    seen.add(reached)
                    out.append((reached, caps))
        return out

    def _reach(self, state: int) -> tuple[int, ...]:
        known = self._closures.get(state)
        if known is None:
            seen: set[int] = set()
            order: list[int] = []
            stack = [state]
            while stack:
                current = stack.pop()
                if current not in seen:
                    seen.add(current)
                    order.append(current)
                    stack.extend(reversed(self._states[current].eps))
            known = self._closures[state] = tuple(order)
        return known

    def _threads_after(self, path: tuple[str, ...], chosen: list[Thread]) -> list[Thread]:
        """The threads after the keywords `path` (not to be changed: they are kept), given
        those the last of them chose."""
        known = self._after.get(path)
        if known is None:
            if len(self._after) + len(self._path_words) >= _PATHS_KEPT:
                self._forget_paths()
            known = self._after[path] = self._closure(chosen)
        return known

    def _forget_paths(self) -> None:
        self._after.clear()
        self._path_rests.clear()
        self._path_words.clear()

    def match(self, tokens: Sequence[Token], line_text: str, negate: bool = False) -> Result:
        """Match `tokens` against every command of the mode. A fallback command (the vocabulary
        pyike keeps without modelling) matches only when no other command does; its rest-of-line
        parameter takes the line even where another command has a keyword, so `event <rest>`
        still takes `event manager environment ...` beside `event manager applet <rest>`."""
        threads = self._threads_after((), [(0, ())])
        path: tuple[str, ...] | None = ()  # the words so far, while each was a keyword
        fallback: tuple[int, Result] | None = None  # where its rest began, and the match
        count = len(tokens)
        for i, token in enumerate(tokens):
            rest = line_text[token.column :]
            found = self._fallback_rest(threads, i, rest, negate, count, path)
            fallback = (i, found) if found is not None else fallback
            word = token.text.lower()
            by_keyword = self._keywords(threads, i, word, path)
            if len(by_keyword) > 1 and word not in by_keyword:
                return self._settle(self._failed(Outcome.AMBIGUOUS, threads, i), threads, fallback)
            if by_keyword:
                chosen = by_keyword.get(word) or next(iter(by_keyword.values()))
                if path is not None:
                    path = (*path, word)
                    threads = self._threads_after(path, chosen)
                    continue
            else:
                path = None
                chosen, rest_taken = self._parameters(threads, i, token.text, rest)
                if rest_taken is not None:
                    return self._finish(self._closure([rest_taken]), negate, count)
                if not chosen:
                    return self._settle(
                        self._failed(Outcome.INVALID, threads, i), threads, fallback
                    )
            threads = self._closure(chosen)
        result = self._finish(threads, negate, count)
        if result.outcome is Outcome.OK:
            return result
        return self._settle(result, threads, fallback)

    def _keywords(
        self, threads: list[Thread], i: int, word: str, path: tuple[str, ...] | None
    ) -> dict[str, list[Thread]]:
        """The threads that go on by taking token `i` (`word`) as (an abbreviation of) a keyword,
        by keyword (not to be changed: those after keywords `path` are kept)."""
        if path is None:
            return self._keywords_of(threads, i, word)
        known = self._path_words.get((path, word))
        if known is None:
            known = self._keywords_of(threads, i, word)
            if known:  # a parameter's value (an address, a name) is not kept: it ends the path
                self._path_words[(path, word)] = known
        return known

    def _keywords_of(self, threads: list[Thread], i: int, word: str) -> dict[str, list[Thread]]:
        by_keyword: dict[str, list[Thread]] = {}
        for state, caps in threads:
            for element, nxt in self._states[state].edges:
                if isinstance(element, Keyword) and element.word.startswith(word):
                    cap = Capture(i, element.word, None, element.word)
                    by_keyword.setdefault(element.word, []).append((nxt, (*caps, cap)))
        return by_keyword

    def _parameters(
        self, threads: list[Thread], i: int, text: str, rest: str
    ) -> tuple[list[Thread], Thread | None]:
        """The threads that go on by taking token `i` (`text`) as a parameter; or the first
        modelled command that takes the line's `rest` as its last parameter."""
        chosen: list[Thread] = []
        for state, caps in threads:
            fallback = self._owner[state] in self._fallbacks
            for element, nxt in self._states[state].edges:
                if not isinstance(element, Param) or (element.type.rest and fallback):
                    continue  # a fallback's rest of line is tried before the keywords
                value = element.type.parse(rest if element.type.rest else text)
                if value is None:
                    continue
                thread = (nxt, (*caps, Capture(i, None, element.name, value)))
                if element.type.rest:
                    return chosen, thread
                chosen.append(thread)
        return chosen, None

    def _settle(
        self,
        failure: Result,
        threads: list[Thread],
        fallback: tuple[int, Result] | None,
    ) -> Result:
        """A line no command matched to the end: the fallback that took its rest, unless a
        modelled command read further than where that rest began (`crypto ikev2 nat keepalive
        1` is that command's error, not an unmodelled `crypto ikev2 nat ...`)."""
        if fallback is None:
            return failure
        began, match = fallback
        owners = {self._owner[state] for state, _ in threads} - {-1}
        modelled = bool(owners - self._fallbacks)
        return failure if modelled and failure.progress > began else match

    def _fallback_rest(
        self,
        threads: list[Thread],
        i: int,
        rest: str,
        negate: bool,
        count: int,
        path: tuple[str, ...] | None,
    ) -> Result | None:
        """A fallback command whose rest-of-line parameter takes `rest`, from token `i` on."""
        for (_state, caps), edges in self._rests(threads, path):
            for element, nxt in edges:
                if isinstance(element, Param):
                    value = element.type.parse(rest)
                    if value is not None:
                        cap = Capture(i, None, element.name, value)
                        done = self._finish(self._closure([(nxt, (*caps, cap))]), negate, count)
                        if done.outcome is Outcome.OK:
                            return done
        return None

    def _rests(
        self, threads: list[Thread], path: tuple[str, ...] | None
    ) -> list[tuple[Thread, list[Edge]]]:
        """The threads in a fallback command, with their rest-of-line edges (kept for those
        after keywords `path`)."""
        if path is not None and path in self._path_rests:
            return self._path_rests[path]
        found: list[tuple[Thread, list[Edge]]] = []
        for thread in threads:
            if self._owner[thread[0]] in self._fallbacks:
                edges: list[Edge] = [
                    (element, nxt)
                    for element, nxt in self._states[thread[0]].edges
                    if isinstance(element, Param) and element.type.rest
                ]
                if edges:
                    found.append((thread, edges))
        if path is not None:
            self._path_rests[path] = found
        return found

    def _failed(self, outcome: Outcome, threads: list[Thread], at: int) -> Result:
        bad = None if outcome is Outcome.INCOMPLETE else at
        alive = frozenset().union(*(self._accepts_from(state) for state, _ in threads))
        return Result(outcome, bad_token=bad, progress=at, candidates=alive)

    def _accepts_from(self, state: int) -> frozenset[int]:
        """The commands whose end is reachable from `state`."""
        known = self._reachable.get(state)
        if known is not None:
            return known
        seen, stack, found = {state}, [state], set()
        while stack:
            s = self._states[stack.pop()]
            for command in (s.accept, s.no_accept):
                if command is not None:
                    found.add(command)
            for nxt in [*s.eps, *(n for _, n in s.edges)]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        self._reachable[state] = frozenset(found)
        return self._reachable[state]

    def _finish(self, threads: list[Thread], negate: bool, progress: int) -> Result:
        ends = sorted(threads, key=lambda t: self._owner[t[0]] in self._fallbacks)
        for state, caps in ends:
            accept = self._states[state].accept
            if accept is not None:
                return Result(Outcome.OK, Match(accept, caps, True), progress=progress)
        if negate:
            for state, caps in ends:
                no_accept = self._states[state].no_accept
                if no_accept is not None:
                    return Result(Outcome.OK, Match(no_accept, caps, False), progress=progress)
        return self._failed(Outcome.INCOMPLETE, threads, progress)
