"""The grammar keeps what lines beginning with the same keywords lead to: a line matches the
same way whether the grammar has seen such lines before or not, after many of them, and
after a command is added."""

from __future__ import annotations

from pyike.config.grammar import Grammar, Outcome, Result
from pyike.config.lexer import tokenize
from pyike.config.params import PARAM_TYPES

COMMANDS = 1200  # lines enough to fill the kept keyword paths: some are forgotten on the way


def _match(grammar: Grammar, line: str) -> Result:
    return grammar.match(tokenize(line), line)


def _many() -> Grammar:
    grammar = Grammar(PARAM_TYPES)
    for n in range(COMMANDS):
        grammar.add(f"cmd{n:04} {{value|values}} <v:INT>")
    grammar.add("cmd <rest:LINE>", fallback=True)
    return grammar


def test_lines_match_as_on_a_grammar_that_never_saw_one() -> None:
    lines = [f"cmd{n:04} value {n}" for n in range(COMMANDS)]
    lines += [f"cmd{n:04} valu {n}" for n in range(0, COMMANDS, 7)]  # abbreviated: ambiguous
    lines += [f"cmd{n:04} values x" for n in range(0, COMMANDS, 11)]  # not a number
    lines += [f"cmd{n:04} value" for n in range(0, COMMANDS, 13)]  # incomplete
    lines += ["cmd something else", "cmd0001 value 1"]
    warm = _many()
    seen = {line: _match(warm, line) for line in lines}
    assert all(_match(warm, line) == result for line, result in seen.items())
    for line in lines[:: len(lines) // 4]:  # a grammar that saw nothing before
        assert _match(_many(), line) == seen[line], line
    assert _match(warm, "cmd0042 value 7").outcome is Outcome.OK
    assert _match(warm, "cmd0042 valu 7").outcome is Outcome.AMBIGUOUS
    assert _match(warm, "cmd0042 values x").outcome is Outcome.INVALID
    assert _match(warm, "cmd0042 value").outcome is Outcome.INCOMPLETE
    fallback = _match(warm, "cmd something else")
    assert fallback.outcome is Outcome.OK and fallback.match is not None
    assert fallback.match.get("rest") == "something else"


def test_a_command_added_later_is_seen_by_lines_already_matched() -> None:
    grammar = Grammar(PARAM_TYPES)
    grammar.add("show <x:INT>")
    assert _match(grammar, "sh 1").outcome is Outcome.OK
    grammar.add("shutdown")
    assert _match(grammar, "sh 1").outcome is Outcome.AMBIGUOUS
    assert _match(grammar, "show 1").outcome is Outcome.OK
