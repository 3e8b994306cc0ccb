"""The commands pyike keeps but does not model, registered from the vocabulary
(config/vocabulary.py): top-level lines, blocks with the sub-commands they contain (each block a
mode of its own, so a block pasted without indentation keeps its lines), and the unmodelled
sub-commands of modelled modes. Each is kept verbatim (`config show` prints it back) and counted
as "not modelled" by the parser.
"""

from __future__ import annotations

from pyike.config.build import Builder
from pyike.config.commands.interface import keep_unmodelled
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.modes import (
    CRYPTO_MAP,
    GLOBAL,
    IKEV2_PROFILE,
    INTERFACE,
    IPSEC_PROFILE,
    Handler,
    Mode,
)
from pyike.config.vocabulary import BLOCKS, LINES, SUB_COMMANDS, Block

# Unmodelled lines IOS prints after the interfaces in a running-config (the rest come before).
LATE = frozenset(
    {
        "alias",
        "access-list",
        "control-plane",
        "banner",
        "event",
        "ip access-list",
        "ip as-path",
        "ip forward-protocol",
        "ip http",
        "ip local",
        "ip nat",
        "ip prefix-list",
        "ip sla",
        "ip ssh",
        "ipv6 access-list",
        "ipv6 router",
        "line",
        "logging",
        "mgcp",
        "ntp",
        "radius",
        "route-map",
        "router",
        "scheduler",
        "snmp",
        "snmp-server",
        "track",
        "virtual-service",
        "wsma",
    }
)


def pattern(phrase: str) -> str:
    """A vocabulary phrase as a grammar pattern: `...` is one or more words, `[...]` any."""
    if phrase.endswith(" [...]"):
        return phrase[: -len("[...]")] + "[<rest:LINE>]"
    if phrase.endswith(" ..."):
        return phrase[: -len("...")] + "<rest:LINE>"
    return phrase


def keep_vocabulary(
    mode: Mode, opener: str, keep: Handler, modelled: frozenset[str] = frozenset()
) -> None:
    """Register the vocabulary (config/vocabulary.py) of the block ``opener`` opens, but the
    commands modelled (whose typos IOS refuses), to ``keep`` as typed."""
    for phrase in BLOCKS[opener].commands:
        if phrase.split()[0] not in modelled:
            mode.add(pattern(phrase), keep, modelled=False)


def _line(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep(" ".join(m.keywords()))


# --- blocks --------------------------------------------------------------------------------

_MODES: dict[int, Mode] = {}  # one mode per Block (blocks shared by several openers share it)


def _mode_of(block: Block) -> Mode:
    mode = _MODES.get(id(block))
    if mode is None:
        mode = Mode(block.mode, opaque=True, data_until=block.data_until)
        _MODES[id(block)] = mode
        _fill(mode, block)
    return mode


def _depth(b: Builder) -> int:
    return len(b.stack) - 1


def _child(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep_child(_depth(b))


def _opener(inner: Mode) -> Handler:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        b.keep_child(_depth(b))
        if not negate:
            b.enter(inner, b.frame.key)

    return handler


def _leave(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep_child(_depth(b) - 1)
    b.stack.pop()


def _exit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.stack.pop()


def _fill(mode: Mode, block: Block) -> None:
    for phrase in block.commands:
        mode.add(pattern(phrase), _child, modelled=False)
    for phrase, inner in block.blocks.items():
        inner_mode = _mode_of(inner)
        mode.add(pattern(phrase), _opener(inner_mode), modelled=False, enters=inner_mode)
    if block.leave:
        mode.add(block.leave, _leave, modelled=False)
    mode.add("exit", _exit)


def _block_handler(inner: Mode) -> Handler:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        lines = b.keep(" ".join(m.keywords()))
        if not negate:
            b.enter(inner, lines)

    return handler


for _phrase in LINES:
    GLOBAL.add(pattern(_phrase), _line, modelled=False)
for _phrase, _block in BLOCKS.items():
    _inner = _mode_of(_block)
    GLOBAL.add(pattern(_phrase), _block_handler(_inner), modelled=False, enters=_inner)


# --- sub-commands of modelled modes ----------------------------------------------------------


def _kept_with_object(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep_sub_command()


_MODELLED = {mode.name: mode for mode in (IKEV2_PROFILE, IPSEC_PROFILE, CRYPTO_MAP)}
for _name, _phrases in SUB_COMMANDS.items():
    _mode = INTERFACE if _name == INTERFACE.name else _MODELLED[_name]
    _keep = keep_unmodelled if _mode is INTERFACE else _kept_with_object
    for _phrase in _phrases:
        _mode.add(pattern(_phrase), _keep, modelled=False)


# --- what a pasted `show running-config` carries that is not a command ------------------------


@GLOBAL.command("building configuration... [<rest:LINE>]")
def _building(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.note(f"'{line.text}' is output of show running-config, not a command: skipped")


@GLOBAL.command("current configuration : [<rest:LINE>]")
def _current(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.note(f"'{line.text}' is output of show running-config, not a command: skipped")


@GLOBAL.command("banner <kind:WORD> [<rest:LINE>]", modelled=False)
def _banner(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep("banner")
