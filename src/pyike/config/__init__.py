"""The IOS configuration language: read, validate, query and print router configurations.

    result = load(text, "router1.cfg")
    if result.ok:
        proposals = query.proposals_for(result.config, local_address)

`load` never raises on bad input: every problem is a `Diagnostic` in `result.diagnostics`,
worded as IOS words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyike.config.diagnostics import ConfigError, Diagnostic, Severity
from pyike.config.model import Config
from pyike.config.parser import parse
from pyike.config.validate import validate
from pyike.textfile import read_text


@dataclass(frozen=True)
class LoadResult:
    config: Config
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def blocked(self) -> tuple[str, ...]:
        """Tunnels and crypto map entries that load but cannot come up, each once."""
        return tuple(dict.fromkeys(d.blocks for d in self.diagnostics if d.blocks is not None))

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> Config:
        if not self.ok:
            raise ConfigError(self.diagnostics)
        return self.config


def load(text: str, file: str = "<config>") -> LoadResult:
    """Parse and validate configuration text."""
    config, found = parse(text, file)
    found.extend(validate(config))
    found.sort(key=lambda d: (d.line is None, d.line or 0))
    return LoadResult(config, tuple(found))


def load_file(path: str | Path) -> LoadResult:
    """`load` on a file's text; `OSError` (`NotTextFile` for a binary file) if unreadable."""
    return load(read_text(path), str(path))


__all__ = ["Config", "ConfigError", "Diagnostic", "LoadResult", "Severity", "load", "load_file"]
