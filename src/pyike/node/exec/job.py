"""Exec command results: finished text, or a job that runs on the router's clock."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable


class ExecJob:
    """Output accumulates as the command runs; `done` turns true when it finishes.

    `on_output` (if set) receives each piece of text as it is produced, for a live terminal;
    `on_finish` (if set) is called once, when the job finishes.
    """

    def __init__(self) -> None:
        self.done = False
        self._output = io.StringIO()  # compact even for a ping that writes a `!` per echo
        self.on_output: Callable[[str], None] | None = None
        self.on_finish: Callable[[], None] | None = None

    def write(self, text: str) -> None:
        self._output.write(text)
        if self.on_output is not None:
            self.on_output(text)

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        if self.on_finish is not None:
            self.on_finish()

    async def follow(
        self, write: Callable[[str], None], pause: Callable[[], Awaitable[object]]
    ) -> None:
        """A live terminal's view of the job: what it writes from now on goes to ``write``
        until it is done, looked at after each ``pause``."""
        self.on_output = write
        try:
            while not self.done:
                await pause()
        finally:
            self.on_output = None

    def abort(self) -> None:
        """The escape sequence typed while the command runs: stop now. Jobs that run on the
        clock override this to cancel what they scheduled and print what IOS prints then."""
        self.finish()

    @property
    def text(self) -> str:
        return self._output.getvalue()


class TextResult(ExecJob):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.write(text)
        self.finish()
