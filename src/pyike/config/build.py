"""The state the command handlers build while a configuration is read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pyike.config.diagnostics import Diagnostic, Severity
from pyike.config.lexer import Line
from pyike.config.model import (
    Config,
    CryptoMapEntry,
    NotModelled,
    Route,
    Source,
    UnmodelledBlock,
)
from pyike.config.modes import GLOBAL, Command, Mode


class Rejected(Exception):
    """A handler refuses a command the grammar accepted, as IOS does for semantic reasons.

    With `token` set the line gets IOS's `^` marker at that token and the invalid-input message;
    otherwise `message` is reported as an error for the line.
    """

    def __init__(self, message: str | None = None, token: int | None = None) -> None:
        super().__init__(message or "invalid input")
        self.message = message
        self.token = token


@dataclass
class Frame:
    mode: Mode
    key: Any = None  # the object configured; for an unmodelled block, the list of its lines
    # The block of a command IOS refuses: its lines are recognised (by indentation or by the
    # mode's vocabulary) and passed over, never read in an outer mode.
    refused: bool = False


@dataclass
class Builder:
    """``config`` is the draft: its dicts fill in place, its other fields are replaced
    (`update`); what reads as another shape than the model holds is kept here until `build`."""

    file: str
    config: Config = field(default_factory=Config)
    crypto_maps: dict[str, dict[int, CryptoMapEntry]] = field(default_factory=dict)
    dynamic_maps: dict[str, dict[int, CryptoMapEntry]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    unmodelled: list[tuple[list[str], str, Source]] = field(default_factory=list)
    not_modelled: list[NotModelled] = field(default_factory=list)
    kept_sub_commands: dict[tuple[str, Any], tuple[str, ...]] = field(default_factory=dict)
    disabled_defaults: set[str] = field(default_factory=set)
    # (kind, name, attribute) already set in this configuration, so that a default object's
    # list is replaced by the first command and extended by later ones.
    touched: set[tuple[str, str, str]] = field(default_factory=set)
    stack: list[Frame] = field(default_factory=lambda: [Frame(GLOBAL)])
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line: Line | None = None
    command: Command | None = None  # the command whose handler runs
    ended: bool = False

    def update(self, **changes: Any) -> None:
        """Sets fields of the draft that are not dicts (hostname, the global settings)."""
        self.config = replace(self.config, **changes)

    # --- modes ---------------------------------------------------------------------------------

    @property
    def frame(self) -> Frame:
        return self.stack[-1]

    def enter(self, mode: Mode, key: Any = None) -> None:
        if self.command is not None and self.command.enters is not mode:
            raise AssertionError(f"{self.command.pattern!r} enters {mode.name}: declare enters=")
        self.stack.append(Frame(mode, key))

    def key(self) -> Any:
        return self.frame.key

    # --- findings ------------------------------------------------------------------------------

    def source(self) -> Source:
        return Source(self.file, self.line.number if self.line else 0)

    def report(self, severity: Severity, message: str, line: int | None = None) -> None:
        if line is None and self.line is not None:
            line = self.line.number
        self.diagnostics.append(Diagnostic(severity, message, self.file, line))

    def warn(self, message: str) -> None:
        self.report(Severity.WARNING, message)

    def note(self, message: str) -> None:
        self.report(Severity.NOTE, message)

    # --- unmodelled text -----------------------------------------------------------------------

    def count_not_modelled(self, mode: str, command: str) -> None:
        """Count the current line as kept without being acted on (`config check --verbose`)."""
        assert self.line is not None
        self.not_modelled.append(NotModelled(mode, command, self.line.number))

    def keep(self, keyword: str) -> list[str]:
        """Keep the current line verbatim as the start of an unmodelled block; returns the
        block's lines, to which its sub-commands are added."""
        assert self.line is not None
        lines = [self.line.text, *self.line.continuation]
        self.unmodelled.append((lines, keyword, self.source()))
        return lines

    def keep_child(self, depth: int) -> None:
        """Keep the current line in the unmodelled block being read, `depth` levels in (IOS
        indents each level by one space, whatever the text pasted did)."""
        assert self.line is not None
        self.frame.key.append(" " * depth + self.line.text)

    def keep_sub_command(self) -> None:
        """Keep the current line with the modelled object being configured (`config show`
        prints it there)."""
        assert self.line is not None
        where = (self.frame.mode.name, self.frame.key)
        kept = self.kept_sub_commands.get(where, ())
        self.kept_sub_commands[where] = (*kept, self.line.text)

    def build(self) -> Config:
        return replace(
            self.config,
            crypto_maps=_in_order(self.crypto_maps),
            dynamic_maps=_in_order(self.dynamic_maps),
            routes=tuple(self.routes),
            unmodelled=tuple(
                UnmodelledBlock(tuple(lines), keyword, source)
                for lines, keyword, source in self.unmodelled
            ),
            disabled_defaults=frozenset(self.disabled_defaults),
            file=self.file,
            not_modelled=tuple(self.not_modelled),
            kept_sub_commands=dict(self.kept_sub_commands),
        )


def _in_order(maps: dict[str, dict[int, CryptoMapEntry]]) -> dict[str, tuple[CryptoMapEntry, ...]]:
    """Each map's entries in sequence order."""
    return {name: tuple(entries[seq] for seq in sorted(entries)) for name, entries in maps.items()}
