"""The SSH server's host key: read from a file, or made once and kept in one (mode 0600), so
that clients see the same key at every start."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh

_ALGORITHM = "ssh-ed25519"


class HostKeyError(OSError):
    """The host key cannot be read or written (the message says which file and why)."""


def generated() -> asyncssh.SSHKey:
    """A new key, kept nowhere (the lab's, unless `--ssh-host-key` names a file)."""
    return asyncssh.generate_private_key(_ALGORITHM)


def load_or_create(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The key in `path`, made and written there first if the file does not exist; and
    whether it was made now."""
    try:
        return asyncssh.read_private_key(str(path)), False
    except FileNotFoundError:
        pass
    except (OSError, asyncssh.KeyImportError) as exc:
        raise HostKeyError(f"cannot read the SSH host key {path}: {_reason(exc)}") from None
    key = generated()
    data = key.export_private_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError as exc:
        raise HostKeyError(f"cannot write the SSH host key {path}: {_reason(exc)}") from None
    return key, True


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
