"""A test-only SkCipher: keyed XOR stream, zero padding to 8-byte blocks, truncated HMAC.

Not cryptography: just enough structure (IV, padding, pad length, ICV over the prefix) to
exercise the SK/SKF framing in pyike.codec.protect.
"""

from __future__ import annotations

import hashlib
import hmac

from pyike.crypto.errors import IntegrityError

BLOCK = 8
ICV_SIZE = 12


class FakeCipher:
    iv_size = 8

    def __init__(self, key: bytes = b"test key") -> None:
        self._key = key

    def _stream(self, iv: bytes, length: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < length:
            out += hashlib.sha256(self._key + iv + counter.to_bytes(4, "big")).digest()
            counter += 1
        return out[:length]

    def _icv(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()[:ICV_SIZE]

    def sealed_length(self, plaintext_len: int) -> int:
        padded = plaintext_len + 1 + (-(plaintext_len + 1) % BLOCK)
        return self.iv_size + padded + ICV_SIZE

    def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
        pad = -(len(plaintext) + 1) % BLOCK
        padded = plaintext + bytes(pad) + bytes([pad])
        ciphertext = bytes(
            a ^ b for a, b in zip(padded, self._stream(iv, len(padded)), strict=True)
        )
        return iv + ciphertext + self._icv(prefix + iv + ciphertext)

    def open(self, prefix: bytes, sealed: bytes) -> bytes:
        if len(sealed) < self.iv_size + ICV_SIZE + 1:
            raise IntegrityError("too short")
        body, icv = sealed[:-ICV_SIZE], sealed[-ICV_SIZE:]
        if not hmac.compare_digest(icv, self._icv(prefix + body)):
            raise IntegrityError("ICV check failed")
        iv, ciphertext = body[: self.iv_size], body[self.iv_size :]
        padded = bytes(
            a ^ b for a, b in zip(ciphertext, self._stream(iv, len(ciphertext)), strict=True)
        )
        pad = padded[-1]
        if pad >= len(padded):
            raise IntegrityError("bad padding")
        return padded[: len(padded) - 1 - pad]


class LyingCipher(FakeCipher):
    """Seals one byte more than it announced (a broken SkCipher implementation)."""

    def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
        return super().seal(prefix, plaintext, iv) + b"\x00"
