"""Who may log in over SSH, from the configuration's login part (`pyike.config.login_model`):
a user's password or secret (`username NAME ... secret|password ...`), a public key of the
user's in `ip ssh pubkey-chain` (compared by its MD5 fingerprint, as IOS keeps it), or no
password for `username NAME nopassword`. Every comparison is constant-time."""

from __future__ import annotations

import hmac

from pyike.config.login_model import USER_LEVEL, LocalUser, LoginConfig, key_fingerprint


def privilege_of(login: LoginConfig, username: str) -> int:
    user = login.users.get(username)
    return user.privilege if user is not None else USER_LEVEL


def needs_no_password(login: LoginConfig, username: str) -> bool:
    user = login.users.get(username)
    return user is not None and user.nopassword


def password_matches(user: LocalUser | None, typed: str) -> bool:
    """Slow for hashed secrets (scrypt, PBKDF2): run it off the event loop."""
    stored = user.stored if user is not None else None
    return stored is not None and stored.matches(typed)


def key_matches(login: LoginConfig, username: str, public_data: bytes) -> bool:
    offered = key_fingerprint(public_data).encode()
    found = False
    for key in login.ssh_keys.get(username, ()):
        found |= hmac.compare_digest(key.fingerprint.encode(), offered)
    return found
