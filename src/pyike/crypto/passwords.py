"""Login passwords as IOS stores them (`username NAME secret 9 ...`, `enable secret 5 ...`,
`username NAME password 7 ...`): checked, and made from a typed password.

The formats are IOS's:

- type 0: the password itself;
- type 5: MD5-crypt (`$1$SALT$HASH`, the FreeBSD algorithm, IOS uses a 4-character salt);
- type 7: the reversible Vigenère-like encoding `service password-encryption` applies;
- type 8: PBKDF2-HMAC-SHA256, 20000 iterations, `$8$SALT$HASH`;
- type 9: scrypt with N=16384, r=1, p=1, `$9$SALT$HASH`.

Types 8 and 9 take the 14-character salt as ASCII and print the 32-octet result in base64
with the crypt alphabet (`./0-9A-Za-z`, no padding). Every comparison is constant-time.
Nothing here draws randomness: the salt of a new hash is an argument.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_CRYPT = str.maketrans(_BASE64_ALPHABET, CRYPT_ALPHABET)
_PBKDF2_ITERATIONS = 20000
_PBKDF2_HASH = hashlib.sha256().name  # a login hash, not one of the catalogue's transforms
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 16384, 1, 1
_MD5_ROUNDS = 1000
# IOS's type 7 key; the encoding's first two digits index it.
_TYPE7_KEY = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
SALT_LENGTH = {5: 4, 8: 14, 9: 14}


class PasswordFormatError(ValueError):
    """A stored password that is not in its type's format."""


def _crypt_base64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=").translate(_TO_CRYPT)


def _to64(value: int, count: int) -> str:
    out = ""
    for _ in range(count):
        out += CRYPT_ALPHABET[value & 0x3F]
        value >>= 6
    return out


def md5_crypt(password: bytes, salt: str) -> str:
    """`$1$SALT$HASH` (type 5)."""
    salt_bytes = salt.encode()[:8]
    digest = hashlib.md5(password + salt_bytes + password).digest()
    ctx = hashlib.md5(password + b"$1$" + salt_bytes)
    for left in range(len(password), 0, -16):
        ctx.update(digest[: min(16, left)])
    bits = len(password)
    while bits:
        ctx.update(b"\0" if bits & 1 else password[:1])
        bits >>= 1
    final = ctx.digest()
    for i in range(_MD5_ROUNDS):
        round_ = hashlib.md5(password if i & 1 else final)
        if i % 3:
            round_.update(salt_bytes)
        if i % 7:
            round_.update(password)
        round_.update(final if i & 1 else password)
        final = round_.digest()
    encoded = "".join(
        _to64((final[a] << 16) | (final[b] << 8) | final[c], 4)
        for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))
    )
    return f"$1${salt_bytes.decode()}${encoded}{_to64(final[11], 2)}"


def pbkdf2_secret(password: bytes, salt: str) -> str:
    """`$8$SALT$HASH` (type 8)."""
    key = hashlib.pbkdf2_hmac(_PBKDF2_HASH, password, salt.encode(), _PBKDF2_ITERATIONS, 32)
    return f"$8${salt}${_crypt_base64(key)}"


def scrypt_secret(password: bytes, salt: str) -> str:
    """`$9$SALT$HASH` (type 9)."""
    key = hashlib.scrypt(
        password, salt=salt.encode(), n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"$9${salt}${_crypt_base64(key)}"


def salt_from(random_bytes: bytes, length: int) -> str:
    """A salt in the crypt alphabet from `length` random octets."""
    return "".join(CRYPT_ALPHABET[b & 0x3F] for b in random_bytes[:length])


def hash_secret(kind: int, password: str, salt: str) -> str:
    """The stored form of `password` as a type `kind` (5, 8 or 9) secret."""
    maker = {5: md5_crypt, 8: pbkdf2_secret, 9: scrypt_secret}[kind]
    return maker(password.encode(), salt)


def type7_decode(encoded: str) -> str:
    """The password behind a type 7 string (`password 7 0822455D0A16`)."""
    if len(encoded) < 4 or len(encoded) % 2 or not encoded[:2].isdigit():
        raise PasswordFormatError("not a type 7 password")
    try:
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        raise PasswordFormatError("not a type 7 password") from None
    seed = int(encoded[:2])
    if seed >= len(_TYPE7_KEY):
        raise PasswordFormatError("not a type 7 password")
    plain = bytes(b ^ _TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)] for i, b in enumerate(data))
    return plain.decode("latin-1")


def _stored_salt(kind: int, stored: str) -> str:
    prefix = {5: "$1$", 8: "$8$", 9: "$9$"}[kind]
    if not stored.startswith(prefix) or stored.count("$") != 3:
        raise PasswordFormatError(f"not a type {kind} secret")
    salt = stored[len(prefix) :].split("$", 1)[0]
    if not salt:
        raise PasswordFormatError(f"not a type {kind} secret")
    return salt


def check_stored(kind: int, stored: str) -> None:
    """PasswordFormatError unless `stored` is a well-formed type `kind` password."""
    if kind == 7:
        type7_decode(stored)
    elif kind in SALT_LENGTH:
        _stored_salt(kind, stored)
    elif kind != 0:
        raise PasswordFormatError(f"type {kind} is not a login password type")


def verify(kind: int, stored: str, typed: str) -> bool:
    """Whether `typed` is the password stored as `stored` in type `kind` (0, 5, 7, 8, 9);
    False for a stored value not in its format."""
    try:
        if kind == 0:
            expected = stored
        elif kind == 7:
            expected = type7_decode(stored)
        elif kind in SALT_LENGTH:
            expected = hash_secret(kind, typed, _stored_salt(kind, stored))
            return hmac.compare_digest(expected.encode(), stored.encode())
        else:
            return False
    except PasswordFormatError:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "replace"), typed.encode())
