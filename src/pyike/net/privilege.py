"""Least privilege for `pyike run`: once its sockets, TUN devices and netlink handle are open,
the daemon becomes an unprivileged user (`--user`, `pyike` by default) that keeps only the
capabilities a reload needs (CAP_NET_ADMIN for devices, routes and rules, CAP_NET_RAW for raw
ESP sockets on a new address, CAP_NET_BIND_SERVICE when IKE listens below port 1024), and
can never gain more (no-new-privileges, a reduced bounding set).

Credentials are per thread in Linux: glibc's setresuid applies to every thread, but prctl and
capset act on the calling thread alone. A `PrivilegeDrop` is therefore applied in three
steps, the per-thread ones run in each thread the daemon has (the main one and netlink's
worker): `prepare_thread`, then `switch_user` once, then `finish_thread`. `check_threads`
reads /proc afterwards, so a thread left privileged stops the start instead of going unseen.

Only prctl(2) and capset(2) come from libc through ctypes; the rest is the os module.
"""

from __future__ import annotations

import ctypes
import errno
import grp
import os
import pwd
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from pyike.config.lexer import lex
from pyike.config.parser import MASK, masked_tokens

CAP_NET_BIND_SERVICE = 10
CAP_NET_ADMIN = 12
CAP_NET_RAW = 13
CAPABILITY_NAMES = {
    CAP_NET_BIND_SERVICE: "CAP_NET_BIND_SERVICE",
    CAP_NET_ADMIN: "CAP_NET_ADMIN",
    CAP_NET_RAW: "CAP_NET_RAW",
}
_PRIVILEGED_PORTS = 1024

_PR_SET_KEEPCAPS = 8
_PR_CAPBSET_READ = 23
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

CREATE_USER_HINT = (
    "useradd --system --user-group --no-create-home --home-dir /nonexistent "
    "--shell /usr/sbin/nologin {name}"
)


class PrivilegeError(RuntimeError):
    """The daemon cannot run as the user asked; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def resolve_user(name: str) -> Account:
    """The account `--user NAME` names; PrivilegeError saying how to create it if missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PrivilegeError(
            f"user {name} does not exist: create it with `{CREATE_USER_HINT.format(name=name)}`"
            " (scripts/install-gateway does), or choose another with --user NAME, or stay "
            "root with --no-drop"
        ) from None
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def kept_capabilities(ike_ports: tuple[int, ...]) -> frozenset[int]:
    """What the daemon keeps: a reload may create TUN devices, routes and rules, and listen
    on a new address (raw ESP, and IKE on ports that may need the privilege)."""
    kept = {CAP_NET_ADMIN, CAP_NET_RAW}
    if min(ike_ports) < _PRIVILEGED_PORTS:
        kept.add(CAP_NET_BIND_SERVICE)
    return frozenset(kept)


def capability_names(capabilities: frozenset[int]) -> str:
    return ", ".join(CAPABILITY_NAMES.get(c, f"capability {c}") for c in sorted(capabilities))


# -- the configuration file's permissions -------------------------------------------------------


def holds_secrets(text: str) -> bool:
    """Whether a configuration has a line that `config show` would mask (a pre-shared key,
    a password, a secret)."""
    return any(MASK in masked_tokens(line.tokens) for line in lex(text))


def config_permission_problem(path: Path, text: str) -> str | None:
    """Why the configuration may not be used by a daemon that drops privileges, as sshd
    refuses a private key others can read: writable by every user (anyone could make the
    daemon apply their configuration), or holding secrets and readable by every user."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fix = f"chmod o-rwx {path}"
    if mode & stat.S_IWOTH:
        return f"{path} is writable by every user (mode {mode:04o}): {fix}"
    if mode & stat.S_IROTH and holds_secrets(text):
        return (
            f"{path} holds keys or passwords and is readable by every user (mode {mode:04o}): {fix}"
        )
    return None


def unreadable_hint(path: Path, account: Account) -> str:
    """What to do when the daemon's user cannot read the configuration (a reload re-reads it
    as that user)."""
    group = grp.getgrgid(account.gid).gr_name
    return f"user {account.name} cannot read {path}: chgrp {group} {path} && chmod g+r {path}"


# -- the drop ------------------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]
_libc.prctl.restype = ctypes.c_int


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _prctl(option: int, arg: int = 0, arg3: int = 0) -> int:
    result = int(_libc.prctl(option, arg, arg3, 0, 0))
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl({option}): {os.strerror(code)}")
    return result


def _capset(capabilities: frozenset[int]) -> None:
    """This thread's effective and permitted sets become `capabilities`; inheritable none."""
    mask = sum(1 << c for c in capabilities)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    data[0].effective = data[0].permitted = mask & 0xFFFFFFFF
    data[1].effective = data[1].permitted = mask >> 32
    if _libc.capset(ctypes.byref(header), data) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"capset: {os.strerror(code)}")


def _last_capability() -> int:
    return int(Path("/proc/sys/kernel/cap_last_cap").read_text())


@dataclass(frozen=True)
class PrivilegeDrop:
    """Become `account` keeping `keep` (see the module's note on threads)."""

    account: Account
    keep: frozenset[int]

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def prepare_thread(self) -> None:
        """Keep the permitted set across the user change; out of the bounding set, every
        capability not kept (only root may: CAP_SETPCAP; systemd's unit bounds it too)."""
        if not self.as_root:
            return
        _prctl(_PR_SET_KEEPCAPS, 1)
        for capability in range(_last_capability() + 1):
            if capability not in self.keep and _prctl(_PR_CAPBSET_READ, capability) == 1:
                _prctl(_PR_CAPBSET_DROP, capability)

    def switch_user(self) -> None:
        """The groups, group and user of the account (every thread: glibc's setxid)."""
        if not self.as_root:
            return
        os.initgroups(self.account.name, self.account.gid)
        os.setresgid(self.account.gid, self.account.gid, self.account.gid)
        os.setresuid(self.account.uid, self.account.uid, self.account.uid)

    def finish_thread(self) -> None:
        """Only the kept capabilities, effective and permitted (of those this thread has:
        a daemon started unprivileged keeps what it was given of them), none for programs
        it runs (vtysh), and no way to gain any."""
        had = _permitted_now()
        _capset(self.keep & had)
        try:
            _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # a kernel without ambient capabilities
                raise
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        _prctl(_PR_SET_KEEPCAPS, 0)


def _permitted_now() -> frozenset[int]:
    status = Path(f"/proc/self/task/{threading.get_native_id()}/status").read_text()
    return _capabilities_in(status, "CapPrm")


def _capabilities_in(status: str, field_name: str) -> frozenset[int]:
    for line in status.splitlines():
        if line.startswith(f"{field_name}:"):
            mask = int(line.split()[1], 16)
            return frozenset(c for c in range(64) if mask >> c & 1)
    return frozenset()


def check_threads(account: Account, keep: frozenset[int]) -> None:
    """Every thread of this process runs as `account` with no capability beyond `keep`;
    PrivilegeError naming the first that does not."""
    for task in sorted(Path("/proc/self/task").iterdir()):
        try:
            status = (task / "status").read_text()
        except FileNotFoundError:
            continue  # a thread that ended meanwhile
        uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
        extra = _capabilities_in(status, "CapEff") | _capabilities_in(status, "CapPrm")
        if any(int(uid) != account.uid for uid in uids) or extra - keep:
            raise PrivilegeError(f"thread {task.name} kept privileges after the drop")
