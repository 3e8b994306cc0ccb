"""Errors, warnings and notes about a configuration, each tied to a file and line.

Parse errors use IOS's own words and marker; validation findings use IOS vocabulary where IOS
has some. Nothing here ever holds a key: lines are masked before they become messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

INVALID_INPUT = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


def ambiguous(command: str) -> str:
    return f'% Ambiguous command:  "{command}"'


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    file: str
    line: int | None = None
    # For parse errors: the (masked) command as typed and the column of the bad token.
    echo: str | None = None
    column: int | None = None
    # The tunnel or crypto map entry this finding keeps from coming up, if any.
    blocks: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = f"{self.file}:{self.line}:" if self.line is not None else f"{self.file}:"
        if self.echo is not None:
            head = f"{where} {self.echo}"
            lines = [head]
            if self.column is not None:
                lines.append(" " * (len(where) + 1 + self.column) + "^")
            lines.append(self.message)
            return "\n".join(lines)
        return f"{where} {self.severity.value}: {self.message}"


class ConfigError(Exception):
    """Raised by `load(..., strict=True)` callers that want an exception; carries every finding."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        super().__init__(f"{len(errors)} configuration error(s)")
