"""Stateless cookies (RFC 7296 section 2.6).

Cookie = <secret version> | SHA-256(Ni | IPi | SPIi | <secret>). The secret comes from the
injected randomness and is replaced every ``lifetime`` seconds; cookies made with the
previous secret stay valid for one more period so that a rotation never rejects an initiator
that is just answering.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from pyike.ike.events import IPAddress

SECRET_SIZE = 32


class CookieJar:
    def __init__(self, random_bytes: Callable[[int], bytes], lifetime: float) -> None:
        self._random_bytes = random_bytes
        self._lifetime = lifetime
        self._version = 0
        self._secrets: dict[int, bytes] = {}
        self._rotated_at: float | None = None

    def _rotate_if_due(self, now: float) -> None:
        if self._rotated_at is None or now - self._rotated_at >= self._lifetime:
            self._version = (self._version + 1) % 256
            self._secrets = {
                v: s for v, s in self._secrets.items() if v == (self._version - 1) % 256
            }
            self._secrets[self._version] = self._random_bytes(SECRET_SIZE)
            self._rotated_at = now

    @staticmethod
    def _digest(secret: bytes, nonce: bytes, address: IPAddress, spi_i: bytes) -> bytes:
        return hashlib.sha256(nonce + address.packed + spi_i + secret).digest()

    def make(self, now: float, nonce: bytes, address: IPAddress, spi_i: bytes) -> bytes:
        self._rotate_if_due(now)
        secret = self._secrets[self._version]
        return bytes([self._version]) + self._digest(secret, nonce, address, spi_i)

    def verify(
        self, now: float, cookie: bytes, nonce: bytes, address: IPAddress, spi_i: bytes
    ) -> bool:
        self._rotate_if_due(now)
        if len(cookie) != 1 + hashlib.sha256().digest_size:
            return False
        secret = self._secrets.get(cookie[0])
        if secret is None:
            return False
        return hmac.compare_digest(cookie[1:], self._digest(secret, nonce, address, spi_i))
