"""A system user for daemons that drop privileges (`pyike run --user`), created and removed by
the tests; a work directory that user can read; what /proc says of a running daemon."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.netns import sh

CAP_NET_BIND_SERVICE = 10
CAP_NET_ADMIN = 12
CAP_NET_RAW = 13


@dataclass(frozen=True)
class SystemUser:
    name: str
    uid: int
    gid: int


@contextlib.contextmanager
def system_user() -> Iterator[SystemUser]:
    """A fresh system user and group (pyike-t<hex>), removed at the end."""
    name = f"pyike-t{uuid.uuid4().hex[:8]}"
    sh(
        "useradd", "--system", "--user-group", "--no-create-home",
        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name,
    )  # fmt: skip
    try:
        entry = pwd.getpwnam(name)
        yield SystemUser(name, entry.pw_uid, entry.pw_gid)
    finally:
        sh("userdel", name, check=False)
        with contextlib.suppress(KeyError):
            grp.getgrnam(name)
            sh("groupdel", name, check=False)


@contextlib.contextmanager
def shared_work_dir() -> Iterator[Path]:
    """A directory every user may traverse (pytest's own are root's alone), removed after."""
    work = Path(tempfile.mkdtemp(prefix="pyike-priv-"))
    work.chmod(0o755)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_private(config: Path, gid: int) -> None:
    """`config` readable by root and group `gid` only, as the install script leaves
    /etc/pyike's files (a daemon that drops privileges refuses keys others can read)."""
    os.chown(config, 0, gid)
    config.chmod(0o640)


def capabilities(status: str, field: str) -> set[int]:
    """The capability numbers of a /proc status field (CapEff, CapPrm, CapBnd, ...)."""
    line = next(line for line in status.splitlines() if line.startswith(f"{field}:"))
    mask = int(line.split()[1], 16)
    return {c for c in range(64) if mask >> c & 1}


def status_field(status: str, field: str) -> list[str]:
    line = next(line for line in status.splitlines() if line.startswith(f"{field}:"))
    return line.split()[1:]


def thread_statuses(pid: int) -> list[str]:
    """/proc/PID/task/*/status of every thread of `pid`."""
    return [(task / "status").read_text() for task in Path(f"/proc/{pid}/task").iterdir()]
