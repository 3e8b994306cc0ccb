"""Where the gateway's debug and log lines go: the terminal, a file (`--debug-file`), syslog
(`--syslog`), and the control connections under `terminal monitor`. Lines arrive already
formatted (IOS timestamps and wording); no line carries a key."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


class Console:
    def __init__(
        self,
        *,
        terminal: TextIO | None = sys.stdout,
        debug_file: str | Path | None = None,
        use_syslog: bool = False,
    ) -> None:
        self.terminal = terminal
        self._file: TextIO | None = None
        if debug_file is not None:
            fd = os.open(debug_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._syslog: Callable[[int, str], None] | None = None
        if use_syslog:
            import syslog

            syslog.openlog("pyike", syslog.LOG_PID, syslog.LOG_DAEMON)
            self._syslog = syslog.syslog
            self._debug_priority = syslog.LOG_DEBUG
            self._notice_priority = syslog.LOG_NOTICE
        self.monitors: list[Callable[[list[str]], None]] = []

    def lines(self, lines: list[str], debug: bool = True) -> None:
        if not lines:
            return
        text = "".join(line + "\n" for line in lines)
        if self.terminal is not None:
            self.terminal.write(text)
            self.terminal.flush()
        if self._file is not None:
            self._file.write(text)
            self._file.flush()
        if self._syslog is not None:
            priority = self._debug_priority if debug else self._notice_priority
            for line in lines:
                self._syslog(priority, line)
        for monitor in self.monitors:
            monitor(lines)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
