"""Exec command results: finished text, or a job that runs on the router's clock."""

from __future__ import annotations

from collections.abc import Callable


class ExecJob:
    """Output accumulates as the command runs; `done` turns true when it finishes.

    `on_output` (if set) receives each piece of text as it is produced, for a live terminal.
    """

    def __init__(self) -> None:
        self.done = False
        self._parts: list[str] = []
        self.on_output: Callable[[str], None] | None = None

    def write(self, text: str) -> None:
        self._parts.append(text)
        if self.on_output is not None:
            self.on_output(text)

    def finish(self) -> None:
        self.done = True

    @property
    def text(self) -> str:
        return "".join(self._parts)


class TextResult(ExecJob):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.write(text)
        self.finish()
