"""A bounds-checked cursor over received bytes: every read past the end becomes a DecodeError.

A Reader looks at ``data[start:end]`` without copying it (a payload chain's decoder moves one
reader from payload to payload).
Fixed runs of fields (a payload's or substructure's header) are read with one struct unpack
through `Fields`, which also names the first field that does not fit when the input is short,
as reading the fields one at a time would.
"""

from __future__ import annotations

import struct
from typing import Any

from pyike.codec.errors import DecodeError
from pyike.codec.registry import NotifyType, PayloadType, as_enum


class Reader:
    __slots__ = ("data", "end", "origin", "payload", "pos")

    def __init__(
        self,
        data: bytes,
        payload: PayloadType | int | None,
        origin: int = 0,
        start: int = 0,
        end: int | None = None,
    ) -> None:
        """``origin`` is the offset of ``data[0]`` in the decoded message and ``payload`` the
        type of the payload read (as received: errors name it), for the errors raised."""
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end
        self.origin = origin
        self.payload = payload

    @property
    def offset(self) -> int:
        """Absolute offset of the next byte to read."""
        return self.origin + self.pos

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def error(
        self, detail: str, notify: NotifyType = NotifyType.INVALID_SYNTAX, at: int | None = None
    ) -> DecodeError:
        payload = self.payload if self.payload is None else as_enum(PayloadType, self.payload)
        offset = self.offset if at is None else at
        return DecodeError(detail, payload=payload, notify=notify, offset=offset)

    def short(self, what: str, n: int, pos: int, end: int) -> DecodeError:
        """The error for ``what``, ``n`` octets at ``data[pos]``, not fitting before ``end``."""
        return self.error(
            f"{what} needs {n} bytes but only {end - pos} remain", at=self.origin + pos
        )

    def take(self, n: int, what: str) -> bytes:
        pos = self.pos
        end = pos + n
        if n < 0 or end > self.end:
            raise self.short(what, n, pos, self.end)
        self.pos = end
        return self.data[pos:end]

    def u8(self, what: str) -> int:
        pos = self.pos
        if pos >= self.end:
            raise self.short(what, 1, pos, self.end)
        self.pos = pos + 1
        return self.data[pos]

    def read(self, fields: Fields) -> tuple[Any, ...]:
        """The values of ``fields``, read at once."""
        pos = self.pos
        if self.end - pos < fields.size:
            raise fields.short(self, pos, self.end)
        self.pos = pos + fields.size
        return fields.unpack_from(self.data, pos)

    def octet_and_reserved(self, fields: Fields) -> tuple[int, int]:
        """The first word of an ID, AUTH, TS or CP body (RFC 7296 sections 3.5, 3.8, 3.13,
        3.15): one octet, then three RESERVED octets kept as an int. ``fields`` names them."""
        (word,) = self.read(fields)
        return word >> 24, word & 0xFFFFFF

    def rest(self) -> bytes:
        pos, self.pos = self.pos, self.end
        return self.data[pos : self.end]


class Fields:
    """A run of fixed-size fields in network byte order, read with one unpack. ``names`` pairs
    each field's name with its size in octets (a 24-bit field is one name of 3 octets even when
    ``layout`` packs it with its neighbour)."""

    def __init__(self, layout: str, *names: tuple[str, int]) -> None:
        self.struct = struct.Struct(layout)
        self.size = self.struct.size
        if sum(size for _, size in names) != self.size:
            raise ValueError(f"fields {names} do not add up to the {self.size} octets of {layout}")
        self.names = names
        self.unpack_from = self.struct.unpack_from

    def short(self, r: Reader, pos: int, end: int, what: str = "") -> DecodeError:
        """The error for these fields at ``r.data[pos]`` when fewer than ``size`` octets are
        left before ``end``: the first field that does not fit, named after ``what``."""
        *leading, (last_name, last_size) = self.names
        for name, size in leading:
            if end - pos < size:
                return r.short(_named(what, name), size, pos, end)
            pos += size
        return r.short(_named(what, last_name), last_size, pos, end)


def _named(what: str, name: str) -> str:
    return f"{what} {name}" if what else name
