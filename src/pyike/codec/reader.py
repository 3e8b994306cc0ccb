"""A bounds-checked cursor over received bytes: every read past the end becomes a DecodeError."""

from __future__ import annotations

from pyike.codec.errors import DecodeError
from pyike.codec.registry import NotifyType, PayloadType


class Reader:
    def __init__(self, data: bytes, payload: PayloadType | int | None, offset: int = 0) -> None:
        self._data = data
        self._pos = 0
        self._base = offset
        self.payload = payload

    @property
    def offset(self) -> int:
        """Absolute offset of the next byte to read."""
        return self._base + self._pos

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos

    def at_end(self) -> bool:
        return self._pos >= len(self._data)

    def error(
        self, detail: str, notify: NotifyType = NotifyType.INVALID_SYNTAX, at: int | None = None
    ) -> DecodeError:
        return DecodeError(
            detail, payload=self.payload, notify=notify, offset=self.offset if at is None else at
        )

    # take, u8 and u16 read every field of every received message: they index the bytes
    # directly and build no error text unless the read fails.
    def take(self, n: int, what: str) -> bytes:
        pos = self._pos
        end = pos + n
        if n < 0 or end > len(self._data):
            raise self._short(n, what)
        self._pos = end
        return self._data[pos:end]

    def u8(self, what: str) -> int:
        pos = self._pos
        if pos >= len(self._data):
            raise self._short(1, what)
        self._pos = pos + 1
        return self._data[pos]

    def u16(self, what: str) -> int:
        pos = self._pos
        data = self._data
        if pos + 2 > len(data):
            raise self._short(2, what)
        self._pos = pos + 2
        return data[pos] << 8 | data[pos + 1]

    def _short(self, n: int, what: str) -> DecodeError:
        return self.error(f"{what} needs {n} bytes but only {self.remaining} remain")

    def u24(self, what: str) -> int:
        return int.from_bytes(self.take(3, what), "big")

    def rest(self) -> bytes:
        return self.take(self.remaining, "rest")

    def sub(self, n: int, what: str) -> Reader:
        """A reader over the next ``n`` bytes (a length-delimited substructure)."""
        start = self.offset
        return Reader(self.take(n, what), self.payload, start)
