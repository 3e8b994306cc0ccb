"""Traffic Selector payloads TSi and TSr (RFC 7296 section 3.13)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from functools import cached_property

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Fields, Reader
from pyike.codec.registry import PayloadType, TsType, by_value

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ADDRESS_SIZES: dict[int, int] = {TsType.TS_IPV4_ADDR_RANGE: 4, TsType.TS_IPV6_ADDR_RANGE: 16}
_TS_HEADER_SIZE = 4
_PORTS_SIZE = 4

_TS_PAYLOAD_HEADER = Fields("!I", ("number of TSs", 1), ("reserved", 3))  # Number of TSs, RESERVED
# TS Type, IP Protocol ID, Selector Length (RFC 7296 section 3.13.1).
_SELECTOR_HEADER = Fields("!BBH", ("type", 1), ("IP protocol", 1), ("length", 2))
# What follows an address range's header: Start Port, End Port, Starting Address, Ending
# Address (IPv4 addresses as ints: IPv4Address is built faster from an int than from bytes).
_ADDRESS_RANGES: dict[int, tuple[struct.Struct, type[IPAddress]]] = {
    TsType.TS_IPV4_ADDR_RANGE: (struct.Struct("!HHII"), ipaddress.IPv4Address),
    TsType.TS_IPV6_ADDR_RANGE: (struct.Struct("!HH16s16s"), ipaddress.IPv6Address),
}
_ADDRESS_RANGE_HEADER = struct.Struct("!BBHHH")  # the selector header, then the ports
_TS_TYPES = by_value(TsType)
_COUNT = struct.Struct("!B")
_RANGE_TYPES = {4: TsType.TS_IPV4_ADDR_RANGE, 6: TsType.TS_IPV6_ADDR_RANGE}  # by IP version
_TSI, _TSR = PayloadType.TSi, PayloadType.TSr


@dataclass(frozen=True)
class TrafficSelector:
    """An IPv4 or IPv6 address range; ``ts_type`` follows the address family."""

    ip_protocol: int
    start_port: int
    end_port: int
    start_address: IPAddress
    end_address: IPAddress

    @property
    def ts_type(self) -> TsType:
        return _RANGE_TYPES[self.start_address.version]

    def encode(self) -> bytes:
        start, end = self.start_address, self.end_address
        if start.version != end.version:
            raise ValueError("traffic selector mixes IPv4 and IPv6 addresses")
        ts_type = _RANGE_TYPES[start.version]
        header = _ADDRESS_RANGE_HEADER.pack(
            ts_type,
            self.ip_protocol,
            _TS_HEADER_SIZE + _PORTS_SIZE + 2 * _ADDRESS_SIZES[ts_type],
            self.start_port,
            self.end_port,
        )
        return header + start.packed + end.packed


@dataclass(frozen=True)
class OpaqueTrafficSelector:
    """A selector of a type pyike does not interpret (TS_FC_ADDR_RANGE, TS_SECLABEL, ...):
    ``octet`` is the byte after the type, ``body`` everything after the length field."""

    ts_type: TsType | int
    octet: int
    body: bytes

    def encode(self) -> bytes:
        length = _TS_HEADER_SIZE + len(self.body)
        return _SELECTOR_HEADER.struct.pack(self.ts_type, self.octet, length) + self.body


AnySelector = TrafficSelector | OpaqueTrafficSelector


@dataclass(frozen=True)
class TsPayload(PayloadBase):
    """TSi (``initiator`` true) or TSr."""

    selectors: tuple[AnySelector, ...]
    initiator: bool = True
    reserved: int = 0

    @property
    def payload_type(self) -> PayloadType:
        return _TSI if self.initiator else _TSR

    def encode_body(self) -> bytes:
        return self._body

    @cached_property
    def _body(self) -> bytes:
        """Made once: a tunnel's TS payloads are the same objects in each of its negotiations
        (ike/ts.py)."""
        header = _COUNT.pack(len(self.selectors)) + self.reserved.to_bytes(3, "big")
        if len(self.selectors) == 1:
            return header + self.selectors[0].encode()
        return b"".join([header, *[selector.encode() for selector in self.selectors]])

    @classmethod
    def decode_body(cls, r: Reader, *, initiator: bool) -> TsPayload:
        count, reserved = r.octet_and_reserved(_TS_PAYLOAD_HEADER)
        selectors: list[AnySelector] = []
        while r.pos < r.end:
            selectors.append(_decode_selector(r, len(selectors) + 1))
        if len(selectors) != count:
            raise r.error(f"payload announces {count} traffic selectors but holds {len(selectors)}")
        return cls(tuple(selectors), initiator, reserved)


def _decode_selector(r: Reader, index: int) -> AnySelector:
    data, pos, end = r.data, r.pos, r.end
    if end - pos < _TS_HEADER_SIZE:
        raise _SELECTOR_HEADER.short(r, pos, end, f"traffic selector #{index}")
    ts_type, octet, length = _SELECTOR_HEADER.unpack_from(data, pos)
    if length < _TS_HEADER_SIZE or length > end - pos:
        raise r.error(
            f"traffic selector #{index} length {length} does not fit the payload",
            at=r.origin + pos + 2,
        )
    r.pos = pos + length
    address_range = _ADDRESS_RANGES.get(ts_type)
    if address_range is None:
        body = data[pos + _TS_HEADER_SIZE : pos + length]
        return OpaqueTrafficSelector(_TS_TYPES.get(ts_type, ts_type), octet, body)
    fields, family = address_range
    if length != _TS_HEADER_SIZE + fields.size:
        raise r.error(
            f"traffic selector #{index} of type {TsType(ts_type).name} has length {length},"
            f" expected {_TS_HEADER_SIZE + fields.size}",
            at=r.origin + pos + 2,
        )
    start_port, end_port, start, end_ = fields.unpack_from(data, pos + _TS_HEADER_SIZE)
    start_address, end_address = family(start), family(end_)
    if start > end_:
        raise r.error(
            f"traffic selector #{index} starts at {start_address}, after its end {end_address}",
            at=r.origin + pos,
        )
    return TrafficSelector(octet, start_port, end_port, start_address, end_address)
