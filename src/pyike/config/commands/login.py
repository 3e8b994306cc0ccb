"""Who may log in (`pyike.config.login_model`): `username`, `enable secret|password`, `ip ssh
version`, `ip ssh pubkey-chain` and the `login`/`transport input` lines of `line vty`.

A secret typed in clear (`secret cisco`, `secret 0 cisco`, `algorithm-type ... secret cisco`)
is stored hashed, as IOS stores it: type 9 (scrypt) unless `algorithm-type` names another.
A public key pasted under `key-string` is kept as IOS keeps it, by its MD5 fingerprint
(`key-hash ssh-rsa HEX`).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable
from dataclasses import replace

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import exit_mode, update_current
from pyike.config.commands.unmodelled import keep_vocabulary
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.login_model import (
    PRIVILEGED_LEVEL,
    LocalUser,
    LoginConfig,
    SshUserKey,
    StoredPassword,
    VtyLines,
    key_fingerprint,
)
from pyike.config.modes import GLOBAL, Mode
from pyike.crypto import passwords

SSH_PUBKEY = Mode("conf-ssh-pubkey")
SSH_PUBKEY_USER = Mode("conf-ssh-pubkey-user")
SSH_PUBKEY_DATA = Mode("conf-ssh-pubkey-data")
LINE = Mode("config-line")

BAD_ENCRYPTED_SECRET = "ERROR: The secret you entered is not a valid encrypted secret."
BAD_TYPE7_PASSWORD = "Invalid encrypted password"
_ALGORITHM_TYPES = {"md5": 5, "sha256": 8, "scrypt": 9}
_DEFAULT_SECRET_TYPE = 9
_TYPED = "[0|5|8|9]"


def typed_secret(m: Match, value: str, kind: int | None = None) -> StoredPassword:
    """The stored form of `secret [TYPE] VALUE`: a hash as typed, or VALUE hashed now (with
    the type `algorithm-type` chose, type 9 otherwise)."""
    given = next((int(k) for k in ("5", "8", "9") if m.has(k)), None)
    if given is not None:
        try:
            passwords.check_stored(given, value)
        except passwords.PasswordFormatError:
            raise Rejected(BAD_ENCRYPTED_SECRET) from None
        return StoredPassword(given, value)
    kind = kind or _DEFAULT_SECRET_TYPE
    salt = passwords.salt_from(os.urandom(16), passwords.SALT_LENGTH[kind])
    return StoredPassword(kind, passwords.hash_secret(kind, value, salt))


def typed_password(m: Match, value: str) -> StoredPassword:
    """`password [0|7] VALUE`: kept as typed (type 7 checked)."""
    if m.has("7"):
        try:
            passwords.type7_decode(value)
        except passwords.PasswordFormatError:
            raise Rejected(BAD_TYPE7_PASSWORD) from None
        return StoredPassword(7, value)
    return StoredPassword(0, value)


# --- username --------------------------------------------------------------------------------


def _set_user(b: Builder, name: str, **changes: object) -> None:
    users = b.config.login.users
    user = users.get(name) or LocalUser(name)
    users[name] = replace(user, **changes)  # type: ignore[arg-type]


@GLOBAL.command(
    "username <name:WORD> $ [privilege <level:INT(0,15)>] "
    f"{{secret {_TYPED} <secret:SECRET>|password [0|7] <password:SECRET>|nopassword}}"
)
def _username(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if negate:
        b.config.login.users.pop(name, None)
        return
    changes: dict[str, object] = {"secret": None, "password": None, "nopassword": False}
    if m.get("level") is not None:
        changes["privilege"] = m.get("level")
    if m.has("secret"):
        changes["secret"] = typed_secret(m, m.get("secret"))
    elif m.has("password"):
        changes["password"] = typed_password(m, m.get("password"))
    else:
        changes["nopassword"] = True
    _set_user(b, name, **changes)


@GLOBAL.command(
    "username <name:WORD> [privilege <level:INT(0,15)>] algorithm-type {md5|sha256|scrypt} "
    "secret <secret:SECRET>"
)
def _username_algorithm(b: Builder, m: Match, line: Line, negate: bool) -> None:
    kind = next(v for k, v in _ALGORITHM_TYPES.items() if m.has(k))
    changes: dict[str, object] = {"secret": typed_secret(m, m.get("secret"), kind)}
    if m.get("level") is not None:
        changes["privilege"] = m.get("level")
    _set_user(b, m.get("name"), password=None, nopassword=False, **changes)


@GLOBAL.command("username <name:WORD> privilege <level:INT(0,15)>")
def _username_privilege(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set_user(b, m.get("name"), privilege=m.get("level"))


# --- enable ----------------------------------------------------------------------------------


def _enable(pattern: str, store: Callable[[LoginConfig], dict[int, StoredPassword]]) -> None:
    """`enable secret|password [level N] ...`: the stored form of the word the pattern names
    (typed_secret, typed_password) at that level (15 if none); `no` removes it."""
    word = pattern.split()[1]
    stored_form = typed_secret if word == "secret" else typed_password

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        level, kept = m.get("level", PRIVILEGED_LEVEL), store(b.config.login)
        if negate:
            kept.pop(level, None)
        else:
            kept[level] = stored_form(m, m.get(word))

    GLOBAL.add(pattern, handler)


_enable(
    f"enable secret [level <level:INT(1,15)>] $ {_TYPED} <secret:SECRET>",
    lambda login: login.enable_secrets,
)
_enable(
    "enable password [level <level:INT(1,15)>] $ [0|7] <password:SECRET>",
    lambda login: login.enable_passwords,
)


@GLOBAL.command("enable algorithm-type {md5|sha256|scrypt} secret <secret:SECRET>")
def _enable_algorithm(b: Builder, m: Match, line: Line, negate: bool) -> None:
    kind = next(v for k, v in _ALGORITHM_TYPES.items() if m.has(k))
    b.config.login.enable_secrets[PRIVILEGED_LEVEL] = typed_secret(m, m.get("secret"), kind)


# --- ip ssh ----------------------------------------------------------------------------------


@GLOBAL.command("ip ssh version $ <version:INT(1,2)>")
def _ssh_version(b: Builder, m: Match, line: Line, negate: bool) -> None:
    version = None if negate else m.get("version")
    if version == 1:
        b.warn("ip ssh version 1: pyike's SSH server speaks version 2 only")
    b.update(login=replace(b.config.login, ssh_version=version))


@GLOBAL.command("ip ssh pubkey-chain", enters=SSH_PUBKEY)
def _pubkey_chain(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        b.config.login.ssh_keys.clear()
    else:
        b.enter(SSH_PUBKEY)


@SSH_PUBKEY.command("username <name:WORD>", enters=SSH_PUBKEY_USER)
def _pubkey_user(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if negate:
        b.config.login.ssh_keys.pop(name, None)
        return
    b.config.login.ssh_keys.setdefault(name, ())
    b.enter(SSH_PUBKEY_USER, name)


def _add_key(b: Builder, user: str, key: SshUserKey, negate: bool) -> None:
    keys = b.config.login.ssh_keys
    kept = tuple(k for k in keys.get(user, ()) if k.fingerprint != key.fingerprint)
    keys[user] = kept if negate else (*kept, key)


def _fingerprint(text: str) -> str | None:
    """A hex MD5 fingerprint, in IOS's upper case (colons allowed, as ssh-keygen prints it)."""
    digits = text.replace(":", "").upper()
    if len(digits) != 32 or any(c not in "0123456789ABCDEF" for c in digits):
        return None
    return digits


@SSH_PUBKEY_USER.command("key-hash <algorithm:WORD> <hash:WORD> [<comment:LINE>]")
def _key_hash(b: Builder, m: Match, line: Line, negate: bool) -> None:
    fingerprint = _fingerprint(m.get("hash"))
    if fingerprint is None:
        raise Rejected(token=2)
    key = SshUserKey(m.get("algorithm"), fingerprint, m.get("comment") or "")
    _add_key(b, b.key(), key, negate)


@SSH_PUBKEY_USER.command("key-string", enters=SSH_PUBKEY_DATA)
def _key_string(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.enter(SSH_PUBKEY_DATA, (b.key(), []))


@SSH_PUBKEY_DATA.command("<chunk:LINE>")
def _key_chunk(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _user, chunks = b.key()
    chunks.append(line.text)


def public_key_of(text: str) -> SshUserKey | None:
    """The key of `key-string`'s lines joined (`ssh-rsa AAAA... comment`, or the base64 alone):
    its algorithm, as the key's own wire form names it, and the MD5 fingerprint IOS keeps."""
    words = text.split()
    if words and not words[0].startswith("AAAA"):
        words = words[1:]  # the algorithm, as OpenSSH writes it first
    if not words:
        return None
    try:
        blob = base64.b64decode(words[0], validate=True)
    except (binascii.Error, ValueError):
        return None
    length = int.from_bytes(blob[:4], "big")
    if len(blob) < 4 + length or length == 0:
        return None
    algorithm = blob[4 : 4 + length].decode("ascii", "replace")
    return SshUserKey(algorithm, key_fingerprint(blob), " ".join(words[1:]))


@SSH_PUBKEY_DATA.command("exit")
def _key_end(b: Builder, m: Match, line: Line, negate: bool) -> None:
    user, chunks = b.key()
    b.stack.pop()
    key = public_key_of("".join(chunk.strip() for chunk in chunks))
    if key is None:
        raise Rejected("%SSH: Failed to decode the key value")
    _add_key(b, user, key, False)


for _mode in (SSH_PUBKEY, SSH_PUBKEY_USER):
    _mode.add("exit", exit_mode)
SSH_PUBKEY.add("quit", exit_mode)  # what older IOS prints after a user's keys
SSH_PUBKEY_USER.add("quit", exit_mode)


# --- line vty --------------------------------------------------------------------------------


@GLOBAL.command("line vty <first:INT(0,1869)> [<last:INT(0,1869)>]", enters=LINE)
def _line_vty(b: Builder, m: Match, line: Line, negate: bool) -> None:
    first, last = m.get("first"), m.get("last")
    vty = b.config.login.vty
    if negate:
        vty.pop(first, None)
        return
    vty[first] = replace(vty.get(first) or VtyLines(first), last=last)
    b.enter(LINE, first)


def _update_vty(b: Builder, **changes: object) -> None:
    update_current(b, b.config.login.vty, **changes)


@LINE.command("login local")
def _login_local(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_vty(b, login_local=not negate)


@LINE.command("transport input $ {all|none|ssh|telnet}+")
def _transport_input(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_vty(b, transports=None if negate else tuple(m.keywords()[2:]))


def _kept_line_command(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep_sub_command()


# The rest of a line's vocabulary is kept with it, as for the other line blocks.
keep_vocabulary(LINE, "line ...", _kept_line_command)
LINE.add("exit", exit_mode)
