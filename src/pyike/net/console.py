"""Where the gateway's debug and log lines go: the terminal, a file (`--debug-file`), syslog
(`--syslog [SOCKET]`), the control connections under `terminal monitor`, and the logging
buffer `show logging` prints. Lines arrive already formatted (IOS timestamps and wording); no
line carries a key. A silent console (`--quiet`, no one monitoring) is given no line at all,
so its buffer stays empty too."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from pyike.node.exec.show_logging import LogBuffer

DEFAULT_SYSLOG_SOCKET = "/dev/log"
_FACILITY_DAEMON = 3
_SEVERITY_NOTICE = 5
_SEVERITY_DEBUG = 7
_MAX_SYSLOG_MESSAGE = 2048


class SyslogSender:
    """RFC 3164 messages (`<PRI>pyike[PID]: text`) to a local syslog socket. A missing or
    full socket loses the line, never stops the gateway."""

    def __init__(self, path: str | Path = DEFAULT_SYSLOG_SOCKET) -> None:
        self.path = str(path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._tag = f"pyike[{os.getpid()}]: "
        self.lost = 0

    def send(self, severity: int, line: str) -> None:
        priority = _FACILITY_DAEMON * 8 + severity
        data = f"<{priority}>{self._tag}{line}".encode(errors="replace")[:_MAX_SYSLOG_MESSAGE]
        try:
            self._sock.sendto(data, self.path)
        except OSError:
            self.lost += 1

    def close(self) -> None:
        self._sock.close()


class Console:
    def __init__(
        self,
        *,
        terminal: TextIO | None = sys.stdout,
        debug_file: str | Path | None = None,
        syslog_socket: str | Path | None = None,
    ) -> None:
        self.terminal = terminal
        self._file: TextIO | None = None
        if debug_file is not None:
            fd = os.open(debug_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._syslog = None if syslog_socket is None else SyslogSender(syslog_socket)
        self.monitors: list[Callable[[list[str]], None]] = []
        self.buffer = LogBuffer()

    @property
    def silent(self) -> bool:
        """No line goes anywhere now: no terminal, file or syslog, and no one monitoring."""
        return (
            self.terminal is None
            and self._file is None
            and self._syslog is None
            and not self.monitors
        )

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
            severity = _SEVERITY_DEBUG if debug else _SEVERITY_NOTICE
            for line in lines:
                self._syslog.send(severity, line)
        for monitor in self.monitors:
            monitor(lines)
        for line in lines:
            self.buffer.add(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._syslog is not None:
            self._syslog.close()
            self._syslog = None
