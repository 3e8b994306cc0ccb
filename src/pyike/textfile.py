"""Reading the text files people hand to pyike (configurations, lab files).

A binary file given by mistake (`pyike config check /bin/ls`) is refused with one line that
says so, instead of being parsed into pages of errors that echo its bytes to the terminal. A
few bytes that are not UTF-8 (a description typed in Latin-1) are tolerated and replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

# Undecodable bytes a text file may hold: 1 in 100, and never fewer than this.
_TOLERATED_UNDECODABLE = 8
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte, under surrogateescape


class NotTextFile(OSError):
    """A file that holds binary data; `strerror` says where it starts, as file errors do."""

    def __init__(self, path: str | Path, offset: int) -> None:
        super().__init__(None, f"not a text file (binary data at byte {offset})", str(path))
        self.offset = offset


def binary_offset(data: bytes) -> int | None:
    """Where `data` stops being text: its first NUL byte, or its first byte that is not UTF-8
    when there are more of those than a text file would hold; None for text."""
    nul = data.find(b"\0")
    if nul >= 0:
        return nul
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        undecodable = len(_ESCAPED_BYTE.findall(data.decode("utf-8", "surrogateescape")))
        if undecodable > max(_TOLERATED_UNDECODABLE, len(data) // 100):
            return error.start
    return None


def read_text(path: str | Path) -> str:
    """The file's text (undecodable bytes replaced); `NotTextFile` for binary data, and the
    usual `OSError`s."""
    data = Path(path).read_bytes()
    offset = binary_offset(data)
    if offset is not None:
        raise NotTextFile(path, offset)
    return data.decode("utf-8", errors="replace")
