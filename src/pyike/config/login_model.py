"""Who may log in, as IOS configures it: `username NAME privilege N secret|password ...`,
`enable secret|password ...`, `ip ssh version 2`, `ip ssh pubkey-chain` (the public keys of
each user, by their MD5 fingerprint, `key-hash ssh-rsa HEX`) and the vty lines' `login` and
`transport input`. Read by `pyike.config.commands.login`, printed by `pyike.config.login_text`,
used by the SSH server (`pyike.ssh`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pyike.crypto import passwords

# IOS's privilege levels: 1 is user EXEC (`Router>`), 15 privileged EXEC (`Router#`).
USER_LEVEL = 1
PRIVILEGED_LEVEL = 15


@dataclass(frozen=True)
class StoredPassword:
    """A password as the configuration stores it: `kind` is IOS's type (0 clear text, 5
    MD5-crypt, 7 reversible, 8 PBKDF2-SHA256, 9 scrypt). The value never shows in a repr."""

    kind: int
    value: str = field(repr=False)

    def matches(self, typed: str) -> bool:
        """Whether `typed` is this password (constant-time)."""
        return passwords.verify(self.kind, self.value, typed)


@dataclass(frozen=True)
class LocalUser:
    """`username NAME [privilege N] {secret|password} ...` (or `nopassword`)."""

    name: str
    privilege: int = USER_LEVEL
    secret: StoredPassword | None = None  # `secret`: a one-way hash (or `password`, below)
    password: StoredPassword | None = None  # `password`: clear or type 7
    nopassword: bool = False

    @property
    def stored(self) -> StoredPassword | None:
        return self.secret or self.password


@dataclass(frozen=True)
class SshUserKey:
    """`key-hash ssh-rsa HEX [COMMENT]` under a user of `ip ssh pubkey-chain`: the MD5 of
    the key's SSH wire form, in upper-case hex, as IOS keeps it."""

    algorithm: str
    fingerprint: str
    comment: str = ""


def key_fingerprint(public_data: bytes) -> str:
    """The MD5 of a public key's SSH wire form, in IOS's upper-case hex (`key-hash`)."""
    return hashlib.md5(public_data, usedforsecurity=False).hexdigest().upper()


@dataclass(frozen=True)
class VtyLines:
    """`line vty FIRST LAST` with what pyike acts on: `login local` and `transport input`
    (SSH logins are refused unless `ssh` or `all` is among the transports)."""

    first: int
    last: int | None = None
    login_local: bool = False
    transports: tuple[str, ...] | None = None  # None: not configured

    @property
    def allows_ssh(self) -> bool:
        return self.transports is None or bool({"ssh", "all"} & set(self.transports))


@dataclass
class LoginConfig:
    users: dict[str, LocalUser] = field(default_factory=dict)
    # `enable secret|password` by privilege level (15 without `level`).
    enable_secrets: dict[int, StoredPassword] = field(default_factory=dict)
    enable_passwords: dict[int, StoredPassword] = field(default_factory=dict)
    ssh_version: int | None = None
    ssh_keys: dict[str, tuple[SshUserKey, ...]] = field(default_factory=dict)
    vty: dict[int, VtyLines] = field(default_factory=dict)  # by first line

    def enable_password(self, level: int = PRIVILEGED_LEVEL) -> StoredPassword | None:
        """What `enable` asks for: the secret, else the password, of that level."""
        return self.enable_secrets.get(level) or self.enable_passwords.get(level)

    @property
    def ssh_refused(self) -> bool:
        """Whether the vty lines refuse SSH (`transport input none` or `telnet`)."""
        return bool(self.vty) and not any(v.allows_ssh for v in self.vty.values())
