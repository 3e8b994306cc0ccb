"""The login part of a running-config (`pyike.config.login_model`), as IOS prints it: `enable`
and `username` lines after the hostname, `ip ssh` and `line vty` near the end. Stored
passwords show as `*****` unless `show_keys` (hashes too: they can be attacked offline)."""

from __future__ import annotations

from collections.abc import Callable

from pyike.config.login_model import PRIVILEGED_LEVEL, LocalUser, LoginConfig, StoredPassword

Block = list[str]
MASK = "*****"


def _stored(stored: StoredPassword, show_keys: bool) -> str:
    return f"{stored.kind} {stored.value if show_keys else MASK}"


def _level(level: int) -> str:
    return "" if level == PRIVILEGED_LEVEL else f"level {level} "


def _user(user: LocalUser, show_keys: bool) -> str:
    line = f"username {user.name}"
    if user.privilege != 1:
        line += f" privilege {user.privilege}"
    if user.secret is not None:
        return f"{line} secret {_stored(user.secret, show_keys)}"
    if user.password is not None:
        return f"{line} password {_stored(user.password, show_keys)}"
    return f"{line} nopassword" if user.nopassword else line


def early_blocks(login: LoginConfig, show_keys: bool) -> list[Block]:
    """`enable secret|password` and the `username` lines."""
    enable = [
        f"enable secret {_level(level)}{_stored(s, show_keys)}"
        for level, s in sorted(login.enable_secrets.items())
    ]
    enable += [
        f"enable password {_level(level)}{_stored(p, show_keys)}"
        for level, p in sorted(login.enable_passwords.items())
    ]
    users = [_user(user, show_keys) for user in login.users.values()]
    return [block for block in (enable, users) if block]


def late_blocks(login: LoginConfig, kept: Callable[[int], Block]) -> list[Block]:
    """`ip ssh version`, `ip ssh pubkey-chain` and each `line vty` with the lines kept with
    it (`kept(first)`)."""
    ssh: Block = [] if login.ssh_version is None else [f"ip ssh version {login.ssh_version}"]
    if login.ssh_keys:
        ssh.append("ip ssh pubkey-chain")
        for name, keys in login.ssh_keys.items():
            ssh.append(f"  username {name}")
            for key in keys:
                comment = f" {key.comment}" if key.comment else ""
                ssh.append(f"   key-hash {key.algorithm} {key.fingerprint}{comment}")
    out = [ssh] if ssh else []
    for first, vty in sorted(login.vty.items()):
        block = [f"line vty {first}" + ("" if vty.last is None else f" {vty.last}")]
        block += kept(first)
        if vty.login_local:
            block.append(" login local")
        if vty.transports is not None:
            block.append(" transport input " + " ".join(vty.transports))
        out.append(block)
    return out
