"""The state the command handlers build while a configuration is read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pyike.config.diagnostics import Diagnostic, Severity
from pyike.config.lexer import Line
from pyike.config.model import (
    Config,
    CryptoMapEntry,
    Route,
    Source,
    UnmodelledBlock,
)
from pyike.config.modes import GLOBAL, Mode


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
    key: Any = None


@dataclass
class Builder:
    """``config`` is the draft: its dicts fill in place, its other fields are replaced
    (`update`); what reads as another shape than the model holds is kept here until `build`."""

    file: str
    config: Config = field(default_factory=Config)
    crypto_maps: dict[str, dict[int, CryptoMapEntry]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    unmodelled: list[tuple[list[str], str, Source]] = field(default_factory=list)
    disabled_defaults: set[str] = field(default_factory=set)
    # (kind, name, attribute) already set in this configuration, so that a default object's
    # list is replaced by the first command and extended by later ones.
    touched: set[tuple[str, str, str]] = field(default_factory=set)
    stack: list[Frame] = field(default_factory=lambda: [Frame(GLOBAL)])
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line: Line | None = None
    ended: bool = False

    def update(self, **changes: Any) -> None:
        """Sets fields of the draft that are not dicts (hostname, the global settings)."""
        self.config = replace(self.config, **changes)

    # --- modes ---------------------------------------------------------------------------------

    @property
    def frame(self) -> Frame:
        return self.stack[-1]

    def enter(self, mode: Mode, key: Any = None) -> None:
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

    def keep(self, keyword: str) -> None:
        """Keep the current line verbatim as the start of an unmodelled block."""
        assert self.line is not None
        lines = [self.line.text, *self.line.continuation]
        self.unmodelled.append((lines, keyword, self.source()))

    def keep_child(self) -> None:
        assert self.line is not None
        if self.unmodelled:
            self.unmodelled[-1][0].append(" " * max(self.line.indent, 1) + self.line.text)

    def build(self) -> Config:
        return replace(
            self.config,
            crypto_maps={
                name: tuple(entries[seq] for seq in sorted(entries))
                for name, entries in self.crypto_maps.items()
            },
            routes=tuple(self.routes),
            unmodelled=tuple(
                UnmodelledBlock(tuple(lines), keyword, source)
                for lines, keyword, source in self.unmodelled
            ),
            disabled_defaults=frozenset(self.disabled_defaults),
            file=self.file,
        )
