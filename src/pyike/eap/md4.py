"""MD4 (RFC 1320), for MS-CHAPv2's NT password hash only (RFC 2759 section 8.3). Written here
because OpenSSL 3 moved MD4 to its legacy provider, so `hashlib.new("md4")` fails on current
Debian, and `cryptography` has no MD4. Never use it for anything else: MD4 is broken."""

from __future__ import annotations

import struct

_MASK = 0xFFFFFFFF


def _rotl(value: int, shift: int) -> int:
    value &= _MASK
    return ((value << shift) | (value >> (32 - shift))) & _MASK


def _f(x: int, y: int, z: int) -> int:
    return (x & y) | (~x & z)


def _g(x: int, y: int, z: int) -> int:
    return (x & y) | (x & z) | (y & z)


def _h(x: int, y: int, z: int) -> int:
    return x ^ y ^ z


# Each round: its function, added constant, the word order and the shifts (RFC 1320 3.4).
_ROUNDS = (
    (_f, 0, tuple(range(16)), (3, 7, 11, 19)),
    (_g, 0x5A827999, (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), (3, 5, 9, 13)),
    (_h, 0x6ED9EBA1, (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15), (3, 9, 11, 15)),
)


def _block(state: list[int], block: bytes) -> None:
    x = struct.unpack("<16I", block)
    a, b, c, d = state
    for function, constant, order, shifts in _ROUNDS:
        for i, k in enumerate(order):
            a = _rotl(a + function(b, c, d) + x[k] + constant, shifts[i % 4])
            a, b, c, d = d, a, b, c
    state[:] = [(s + v) & _MASK for s, v in zip(state, (a, b, c, d), strict=True)]


def md4(data: bytes) -> bytes:
    state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476]
    padded = data + b"\x80" + bytes((55 - len(data)) % 64) + struct.pack("<Q", len(data) * 8)
    for offset in range(0, len(padded), 64):
        _block(state, padded[offset : offset + 64])
    return struct.pack("<4I", *state)
