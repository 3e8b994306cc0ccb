"""`pyike lab`'s progress display on a terminal: once a run has taken more than SHOW_AFTER
seconds, one line on stderr, redrawn in place by rich: while the configurations load, the
files read of those named; then the virtual time, the tunnels up of those configured (each
router's end of a tunnel, crypto map entry or DMVPN peer counted) and the clock events run so
far; erased when the run ends. Only when stderr is a terminal and neither --json nor --quiet
is given; what the run prints meanwhile on the same terminal goes above the line, and output
that is not a terminal's is never touched."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from pyike.lab.lab import Lab

SHOW_AFTER = 1.0  # seconds of real time before the line appears: short runs never show it
REDRAW_EVERY = 0.1  # seconds of real time between two redraws


def terminal_progress(*, json: bool, quiet: bool) -> LabProgress | None:
    """The display for this process's terminal, or None when it must not show."""
    if json or quiet or not sys.stderr.isatty():
        return None
    return LabProgress(Console(file=sys.stderr), stdout_above=_same_terminal(sys.stdout))


def _same_terminal(stream: TextIO) -> bool:
    """``stream`` writes to stderr's terminal (its lines must then go above the display)."""
    try:
        return stream.isatty() and os.ttyname(stream.fileno()) == os.ttyname(sys.stderr.fileno())
    except (OSError, ValueError):
        return False


class LabProgress:
    """Pass ``loading`` as RunOptions.loading and ``watch`` as RunOptions.watch, and load and
    run the lab inside ``with``."""

    def __init__(
        self,
        console: Console,
        *,
        stdout_above: bool,
        show_after: float = SHOW_AFTER,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._stdout_above = stdout_above
        self._show_after = show_after
        self._timer = timer
        self._started = timer()
        self._drawn = float("-inf")
        self._lab: Lab | None = None
        self._files = (0, 0)  # configuration files read, files named
        self._live: Live | None = None
        self._streams = ExitStack()

    def loading(self, read: int, named: int) -> None:
        self._files = (read, named)
        # the last file read: the lab is built next, unwatched, so that line must be drawn
        self._tick(force=read == named and self._live is not None)

    def watch(self, lab: Lab) -> None:
        self._lab = lab
        lab.clock.monitor = self._tick

    def __enter__(self) -> LabProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._lab is not None:
            self._lab.clock.monitor = None
        if self._live is not None:
            self._live.stop()  # transient: the line is erased
            self._live = None
        self._streams.close()

    def _tick(self, force: bool = False) -> None:
        now = self._timer()
        if now - self._started < self._show_after:
            return
        if now - self._drawn < REDRAW_EVERY and not force:
            return
        self._drawn = now
        if self._live is None:
            self._start()
        assert self._live is not None
        self._live.update(self.line(), refresh=True)

    def _start(self) -> None:
        self._live = Live(
            self.line(),
            console=self._console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()
        above = _Above(self._console)
        self._streams.enter_context(redirect_stderr(above))
        if self._stdout_above:
            self._streams.enter_context(redirect_stdout(above))
        self._streams.callback(above.flush)

    def line(self) -> Text:
        text = Text("pyike lab: ", style="bold")
        lab = self._lab
        if lab is None:
            read, named = self._files
            if read < named:
                text.append(f"reading configurations {read:,}/{named:,}")
            else:
                text.append(f"{named:,} files read, building the lab")
            return text
        up, configured = lab.tunnels_up()
        text.append(f"virtual time {_clock(lab.clock.now)}")
        text.append(f"  tunnels up {up:,}/{configured:,}")
        text.append(f"  events {lab.clock.events_run:,}")
        return text


def _clock(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}"


class _Above(io.TextIOBase):
    """A stream whose complete lines are printed above the live display, as they are."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._console.print(Text(line), soft_wrap=True, highlight=False, markup=False)
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._console.print(Text(self._partial), end="", soft_wrap=True, highlight=False)
            self._partial = ""
