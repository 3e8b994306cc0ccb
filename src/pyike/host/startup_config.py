"""`write memory`: the running configuration written over the startup configuration file,
keys and all (the file is what the daemon starts from), atomically: a temporary file beside
it, with the old file's mode and owner, flushed to disk, renamed over it. A crash leaves the
old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from pyike.config import writer
from pyike.config.model import Config

_NEW_FILE_MODE = 0o600  # a configuration holds keys


def save_config(config: Config, path: Path) -> None:
    """OSError, naming `path`, when the directory or file cannot be written."""
    try:
        _write(writer.render(config, show_keys=True), path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def _write(text: str, path: Path) -> None:
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), stat.S_IMODE(old.st_mode) if old else _NEW_FILE_MODE)
            if old is not None and os.geteuid() == 0:
                os.fchown(file.fileno(), old.st_uid, old.st_gid)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
