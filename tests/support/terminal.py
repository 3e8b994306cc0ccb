"""A command run with its output on a pseudo-terminal, and what the terminal shows after.

`screen` plays the few control sequences a one-line live display uses (carriage return,
newline, cursor up, erase line; colours and cursor visibility are dropped) and returns the
terminal's lines, scrollback included: what someone who watched the run sees at its end."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

_CONTROL = re.compile(r"\x1b\[(\??)(\d*)([A-Za-z])|\r|\n")


@dataclass(frozen=True)
class TerminalRun:
    code: int
    terminal: str  # what was written to the pseudo-terminal, control sequences and all
    stdout: str  # when stdout was a pipe: what came through it


def run_on_terminal(
    argv: list[str], *, stdout_too: bool, columns: int = 200, timeout: float = 600.0
) -> TerminalRun:
    """Runs ``argv`` with stderr (and stdout, with ``stdout_too``; else a pipe) on a new
    pseudo-terminal of ``columns`` columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns))
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
        env=env,
        text=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, chunks), daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
        reader.join(timeout=30)
        os.close(master)
    return TerminalRun(proc.returncode, b"".join(chunks).decode(), out or "")


@contextmanager
def pseudo_terminal(columns: int = 200) -> Iterator[tuple[TextIO, list[bytes]]]:
    """A new pseudo-terminal of ``columns`` columns for this process to write to: a text
    stream on it, and the bytes written so far (complete once the block has ended)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, chunks), daemon=True)
    reader.start()
    stream = open(slave, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    try:
        yield stream, chunks
    finally:
        stream.close()  # the last writer: the reader sees EIO and ends
        reader.join(timeout=30)
        os.close(master)


def _drain(master: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            return
        if not data:
            return
        chunks.append(data)


def screen(written: str) -> list[str]:
    """The terminal's lines after ``written``, trailing blanks dropped."""
    lines = [""]
    row = column = 0
    position = 0
    for match in _CONTROL.finditer(written):
        row, column = _put(lines, row, column, written[position : match.start()])
        position = match.end()
        token = match.group()
        if token == "\r":
            column = 0
        elif token == "\n":
            row, column = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif match.group(3) == "A":
            row = max(0, row - int(match.group(2) or 1))
        elif match.group(3) == "K" and match.group(2) == "2":
            lines[row] = ""
    _put(lines, row, column, written[position:])
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.rstrip() for line in lines]


def _put(lines: list[str], row: int, column: int, text: str) -> tuple[int, int]:
    line = lines[row].ljust(column)
    lines[row] = line[:column] + text + line[column + len(text) :]
    return row, column + len(text)
