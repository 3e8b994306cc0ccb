"""Traffic Selector payloads TSi and TSr (RFC 7296 section 3.13)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from pyike.codec.generic import PayloadBase
from pyike.codec.reader import Reader
from pyike.codec.registry import PayloadType, TsType, as_enum

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ADDRESS_SIZES: dict[int, int] = {TsType.TS_IPV4_ADDR_RANGE: 4, TsType.TS_IPV6_ADDR_RANGE: 16}
_TS_HEADER_SIZE = 4
_PORTS_SIZE = 4


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
        if self.start_address.version == 4:
            return TsType.TS_IPV4_ADDR_RANGE
        return TsType.TS_IPV6_ADDR_RANGE

    def encode(self) -> bytes:
        if self.start_address.version != self.end_address.version:
            raise ValueError("traffic selector mixes IPv4 and IPv6 addresses")
        size = _ADDRESS_SIZES[self.ts_type]
        return (
            struct.pack(
                "!BBHHH",
                self.ts_type,
                self.ip_protocol,
                _TS_HEADER_SIZE + _PORTS_SIZE + 2 * size,
                self.start_port,
                self.end_port,
            )
            + self.start_address.packed
            + self.end_address.packed
        )


@dataclass(frozen=True)
class OpaqueTrafficSelector:
    """A selector of a type pyike does not interpret (TS_FC_ADDR_RANGE, TS_SECLABEL, ...):
    ``octet`` is the byte after the type, ``body`` everything after the length field."""

    ts_type: TsType | int
    octet: int
    body: bytes

    def encode(self) -> bytes:
        return struct.pack("!BBH", self.ts_type, self.octet, _TS_HEADER_SIZE + len(self.body)) + (
            self.body
        )


AnySelector = TrafficSelector | OpaqueTrafficSelector


@dataclass(frozen=True)
class TsPayload(PayloadBase):
    """TSi (``initiator`` true) or TSr."""

    selectors: tuple[AnySelector, ...]
    initiator: bool = True
    reserved: int = 0

    @property
    def payload_type(self) -> PayloadType:
        return PayloadType.TSi if self.initiator else PayloadType.TSr

    def encode_body(self) -> bytes:
        header = struct.pack("!B", len(self.selectors)) + self.reserved.to_bytes(3, "big")
        return header + b"".join(s.encode() for s in self.selectors)

    @classmethod
    def decode_body(cls, r: Reader, *, initiator: bool) -> TsPayload:
        count = r.u8("number of TSs")
        reserved = r.u24("reserved")
        selectors: list[AnySelector] = []
        while not r.at_end():
            selectors.append(_decode_selector(r, len(selectors) + 1))
        if len(selectors) != count:
            raise r.error(f"payload announces {count} traffic selectors but holds {len(selectors)}")
        return cls(tuple(selectors), initiator, reserved)


def _decode_selector(r: Reader, index: int) -> AnySelector:
    start = r.offset
    what = f"traffic selector #{index}"
    ts_type = r.u8(f"{what} type")
    octet = r.u8(f"{what} IP protocol")
    length = r.u16(f"{what} length")
    if length < _TS_HEADER_SIZE or length - _TS_HEADER_SIZE > r.remaining:
        raise r.error(f"{what} length {length} does not fit the payload", at=start + 2)
    s = r.sub(length - _TS_HEADER_SIZE, what)
    size = _ADDRESS_SIZES.get(ts_type)
    if size is None:
        return OpaqueTrafficSelector(as_enum(TsType, ts_type), octet, s.rest())
    if length != _TS_HEADER_SIZE + _PORTS_SIZE + 2 * size:
        raise r.error(
            f"{what} of type {TsType(ts_type).name} has length {length}, expected "
            f"{_TS_HEADER_SIZE + _PORTS_SIZE + 2 * size}",
            at=start + 2,
        )
    start_port = s.u16(f"{what} start port")
    end_port = s.u16(f"{what} end port")
    start_bytes = s.take(size, f"{what} start address")
    end_bytes = s.take(size, f"{what} end address")
    start_address = ipaddress.ip_address(start_bytes)
    end_address = ipaddress.ip_address(end_bytes)
    if start_bytes > end_bytes:
        raise r.error(f"{what} starts at {start_address}, after its end {end_address}", at=start)
    return TrafficSelector(octet, start_port, end_port, start_address, end_address)
