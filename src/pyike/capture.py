"""Reading IKE datagrams out of pcap and pcapng captures, gzip-compressed or not.

scapy reads the files and dissects each frame's link layer; this module reads the IPv4/IPv6
headers, reassembles IP fragments (RFC 791, RFC 8200), picks ESP and the datagrams on the IKE
ports, and `codec.udp_encap.classify` says which are IKE (RFC 7296 section 2.23, RFC 3948):
everything on port 500, and on port 4500 the datagrams that start with the four-byte non-ESP
marker. NAT keepalives (a single 0xFF byte) and ESP, in UDP or not, are reported but not IKE.

scapy's readers take a file cut short for its end. `read_frames` tells the two apart by where
in the file scapy stopped and then, as tshark does, names the frame the cut fell in.
"""

from __future__ import annotations

import gzip
import logging
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address
from typing import IO, Any

from scapy.config import conf
from scapy.data import MTU
from scapy.error import Scapy_Exception
from scapy.layers.inet import IP  # importing the layers registers their link types
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapReader_metaclass, RawPcapNgReader, RawPcapReader

from pyike.codec.udp_encap import IKE_PORT, NAT_T_PORT, Carried, classify


class CaptureError(Exception):
    """The capture file cannot be read from this point on."""


@dataclass(frozen=True)
class CapturedDatagram:
    """One UDP datagram on an IKE port, as captured."""

    index: int  # frame number, 1-based as Wireshark counts (of the last fragment)
    timestamp: float  # seconds since the epoch
    src: str
    sport: int  # 0 for ESP not in UDP
    dst: str
    dport: int
    kind: Carried
    payload: bytes  # the IKE message itself (non-ESP marker removed), the ESP packet, ...
    truncated: bool = False  # the capture holds fewer bytes than were on the wire
    fragments: int = 1  # the IP fragments it came in

    @property
    def is_ike(self) -> bool:
        return self.kind is Carried.IKE

    @property
    def non_esp_marker(self) -> bool:
        return self.kind is Carried.IKE and NAT_T_PORT in (self.sport, self.dport)


# Framing: scapy reads the records; we check where it stopped.

MAX_FRAME = 262_144  # the largest frame Wireshark accepts for most link types
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1"}
PCAPNG_PACKET_BLOCKS = {2, 3, 6}  # the obsolete Packet, the Simple and the Enhanced Packet Block


@dataclass(frozen=True)
class Frame:
    number: int  # 1-based, as Wireshark counts
    linktype: int
    timestamp: float  # seconds since the epoch
    data: bytes  # the captured bytes, from the link-layer header on
    wire_length: int  # bytes on the wire; more than len(data) when the capture cut the frame


class _DamagedRecord(Exception):
    """A record whose header contradicts itself (scapy would read it all the same)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _PcapNgReader(RawPcapNgReader):
    """scapy's pcapng reader, but keeping where the block it reads starts (it reads all the
    blocks up to the next frame at once), taking an interface's snaplen of 0 for no limit as
    pcapng does (scapy keeps 0 bytes of each Simple Packet Block), and stopping at a frame of
    an interface never described (which scapy skips, shifting the frame numbers)."""

    block_start = 0

    def _read_block(self, size: int = MTU) -> Any:
        self.block_start = self.f.tell()
        return super()._read_block(size)

    def _read_block_idb(self, block: bytes, size: int) -> None:
        super()._read_block_idb(block, size)
        linktype, snaplen, options = self.interfaces[-1]
        if not snaplen:
            self.interfaces[-1] = (linktype, MAX_FRAME, options)

    def _read_block_epb(self, block: bytes, size: int) -> Any:
        # scapy takes what there is of a frame claiming more bytes than its block holds
        if len(block) >= 20:
            (captured,) = struct.unpack_from(self.endian + "I", block, 12)
            if 20 + captured > len(block):
                held = len(block) - 20
                raise _DamagedRecord(f"it claims {captured} captured bytes, its block holds {held}")
        return super()._read_block_epb(block, size)

    def _check_interface_id(self, intid: int) -> bool:
        if not super()._check_interface_id(intid):
            raise EOFError
        return True


def read_frames(path: str | os.PathLike[str]) -> Iterator[Frame]:
    """Every frame of the capture at `path`; CaptureError for a missing, unreadable,
    foreign, damaged or cut file (after yielding the frames before the damage)."""
    name = os.fspath(path)
    # scapy logs what it finds wrong in a file; CaptureError says it once, in our words
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    with _open(name) as raw:
        reader = _reader(raw, name)
        number = 0
        while True:
            start = reader.f.tell()
            try:
                data, meta = next(reader)
            except (StopIteration, Scapy_Exception) as stop:
                _check_end(reader, name, start, number, stop)
                return
            except _DamagedRecord as damage:
                raise _damaged(name, f"frame {number + 1}", damage.detail) from None
            number += 1
            yield _frame(reader, name, number, start, data, meta)


def _open(name: str) -> IO[bytes]:
    try:
        return open(name, "rb")
    except FileNotFoundError:
        raise CaptureError(f"{name}: no such file") from None
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _reader(raw: IO[bytes], name: str) -> Any:
    """scapy's reader for the file, past its file header (or first section header)."""
    try:  # scapy gunzips if need be, and reads the magic number
        _, stream, magic = PcapReader_metaclass.open(raw)
    except Scapy_Exception as exc:
        if isinstance(exc.__cause__, EOFError):
            raise _cut(name, "its file header") from None
        raise _unreadable(name, exc.__cause__ or exc) from None
    if not magic:
        raise CaptureError(f"{name}: empty file, not a pcap or pcapng capture")
    if magic != PCAPNG_MAGIC and magic not in PCAP_MAGICS:
        raise CaptureError(f"{name}: not a pcap or pcapng capture")
    stream.seek(0)
    # scapy's readers take a name or a stream (their __init__ is typed for a name only)
    reader_class: Any = _PcapNgReader if magic == PCAPNG_MAGIC else RawPcapReader
    try:
        return reader_class(stream)
    except Scapy_Exception:
        header = "its section header" if magic == PCAPNG_MAGIC else "its file header"
        if _next_byte(stream, name):
            raise _damaged(name, header) from None
        raise _cut(name, header) from None


def _frame(reader: Any, name: str, number: int, start: int, data: bytes, meta: Any) -> Frame:
    if isinstance(reader, _PcapNgReader):  # scapy returns only whole blocks
        ticks = 0 if meta.tshigh is None else meta.tshigh << 32 | meta.tslow
        return Frame(number, meta.linktype, ticks / meta.tsresol, data, meta.wirelen)
    if meta.caplen > MAX_FRAME:
        detail = f"it claims {meta.caplen} captured bytes, at most {MAX_FRAME}"
        raise _damaged(name, f"frame {number}", detail)
    if reader.f.tell() < start + 16 + meta.caplen:  # scapy returns a partial last record
        raise _cut(name, f"frame {number}")
    ticks_per_second = 1_000_000_000 if reader.nano else 1_000_000
    timestamp = (meta.sec * ticks_per_second + meta.usec) / ticks_per_second
    return Frame(number, reader.linktype, timestamp, data, meta.wirelen)


def _check_end(reader: Any, name: str, start: int, frames: int, stop: BaseException) -> None:
    """scapy stopped reading at `start`, after `frames` frames: at the file's end, or not."""
    if error := _read_error(stop):
        raise _unreadable(name, error) from None
    if isinstance(reader, _PcapNgReader):
        start = reader.block_start
    consumed = reader.f.tell() > start  # scapy stopped inside a record
    following = _next_byte(reader.f, name)
    if following:  # scapy stopped before the end: it found the record malformed
        raise _damaged(name, _record_at(reader, frames))
    if consumed:
        raise _cut(name, _record_at(reader, frames))
    if following is None:
        raise CaptureError(f"{name}: the file appears to have been cut short after frame {frames}")


def _next_byte(stream: Any, name: str) -> bytes | None:
    """The byte where scapy stopped: b"" at the end, None if a compressed file ends before
    its end marker."""
    try:
        return bytes(stream.read(1))
    except EOFError:
        return None
    except (OSError, zlib.error) as exc:
        raise _unreadable(name, exc) from None


def _read_error(exc: BaseException | None) -> BaseException | None:
    """The error reading the file that scapy took for its end (Python keeps it as the context
    of what scapy raised instead)."""
    while exc is not None and not isinstance(exc, (OSError, zlib.error)):
        exc = exc.__context__
    return exc


def _record_at(reader: Any, frames: int) -> str:
    """What the record scapy stopped in is: the next frame, or a pcapng block of another kind."""
    if isinstance(reader, _PcapNgReader):
        reader.f.seek(reader.block_start)
        head = reader.f.read(4)
        if len(head) < 4 or struct.unpack(reader.endian + "I", head)[0] not in PCAPNG_PACKET_BLOCKS:
            return f"a block after frame {frames}" if frames else "a block before the first frame"
    return f"frame {frames + 1}"


def _cut(name: str, where: str) -> CaptureError:
    return CaptureError(f"{name}: the file appears to have been cut short in the middle of {where}")


def _damaged(name: str, where: str, detail: str = "") -> CaptureError:
    return CaptureError(
        f"{name}: the file appears to be damaged in {where}" + (f" ({detail})" if detail else "")
    )


def _unreadable(name: str, error: BaseException) -> CaptureError:
    if isinstance(error, (gzip.BadGzipFile, zlib.error)):
        return CaptureError(f"{name}: the compressed data is damaged ({error})")
    return CaptureError(f"{name}: cannot read: {getattr(error, 'strerror', None) or error}")


# Layers: scapy dissects each frame's link layer; we read the IP headers, put IP fragments
# back together, and pick ESP and the UDP datagrams on the IKE ports.

UDP_PROTOCOL = 17
GRE_PROTOCOL = 47
ESP_PROTOCOL = 50
_IPV6_FRAGMENT = 44
_IPV6_EXTENSIONS = {0, 43, 60}  # hop-by-hop options, routing, destination options
_IPV4 = struct.Struct(">BBHHHBBH4s4s")
_IPV6 = struct.Struct(">IHBB16s16s")
_UDP = struct.Struct(">HHHH")
_NOT_UDP = {ESP_PROTOCOL: Carried.ESP, GRE_PROTOCOL: Carried.GRE}  # IP protocol -> kind


@dataclass(frozen=True)
class IpFragment:
    datagram: tuple[object, ...]  # what the fragments of one datagram share (RFC 791, 8200)
    offset: int  # octets
    more: bool


@dataclass(frozen=True)
class IpPacket:
    """An IPv4 or IPv6 packet: its addresses, upper-layer protocol and what follows the IP
    headers, as captured (`length` is what the header says follows)."""

    version: int
    src: str
    dst: str
    protocol: int
    payload: bytes
    length: int
    fragment: IpFragment | None = None

    @property
    def truncated(self) -> bool:
        return len(self.payload) < self.length


def parse_ip(data: bytes) -> IpPacket | None:
    """The IP packet `data` starts with; None when it is not one (or its header is cut)."""
    version = data[0] >> 4 if data else 0
    if version == 4 and len(data) >= 20:
        return _ipv4(data)
    if version == 6 and len(data) >= 40:
        return _ipv6(data)
    return None


def _ipv4(data: bytes) -> IpPacket | None:
    first, _, total, ident, flags, _, protocol, _, src, dst = _IPV4.unpack_from(data)
    header = (first & 0x0F) * 4
    if header < 20 or total < header:
        return None
    source, destination = str(IPv4Address(src)), str(IPv4Address(dst))
    fragment = None
    if flags & 0x3FFF:  # More Fragments, or an offset
        key = (4, source, destination, protocol, ident)
        fragment = IpFragment(key, (flags & 0x1FFF) * 8, bool(flags & 0x2000))
    return IpPacket(4, source, destination, protocol, data[header:total], total - header, fragment)


def _ipv6(data: bytes) -> IpPacket | None:
    _, length, next_header, _, src, dst = _IPV6.unpack_from(data)
    source, destination = str(IPv6Address(src)), str(IPv6Address(dst))
    end = 40 + length
    next_header, offset = skip_ipv6_extensions(next_header, data, 40)
    fragment = None
    if next_header == _IPV6_FRAGMENT and offset + 8 <= len(data):
        next_header, _, bits, ident = struct.unpack_from(">BBHI", data, offset)
        offset += 8
        fragment = IpFragment((6, source, destination, ident), bits & 0xFFF8, bool(bits & 1))
    if offset > end:
        return None
    return IpPacket(6, source, destination, next_header, data[offset:end], end - offset, fragment)


def skip_ipv6_extensions(next_header: int, data: bytes, offset: int) -> tuple[int, int]:
    """(upper-layer protocol, its offset) past the extension headers from `offset` on that
    come before a Fragment header or the upper layer."""
    while next_header in _IPV6_EXTENSIONS and offset + 2 <= len(data):
        next_header, offset = data[offset], offset + (data[offset + 1] + 1) * 8
    return next_header, offset


class _Reassembly:
    """IP fragments kept until their datagram is whole, with the frame of the latest one."""

    def __init__(self) -> None:
        self._parts: dict[tuple[object, ...], dict[int, IpPacket]] = {}
        self._frames: dict[tuple[object, ...], Frame] = {}

    def add(self, frame: Frame, packet: IpPacket) -> tuple[IpPacket, int] | None:
        """The whole datagram and how many fragments it came in, once `packet` completes it."""
        assert packet.fragment is not None
        key = packet.fragment.datagram
        parts = self._parts.setdefault(key, {})
        parts[packet.fragment.offset] = packet
        self._frames[key] = frame
        whole = _assemble(parts)
        if whole is None:
            return None
        del self._parts[key], self._frames[key]
        return whole, len(parts)

    def unfinished(self) -> Iterator[tuple[Frame, IpPacket]]:
        """What the first fragment of each unfinished datagram holds, as a packet cut short,
        with the frame of its latest fragment."""
        for key, parts in self._parts.items():
            first = parts.get(0)
            if first is not None:  # one octet more than it has: it is missing some
                yield self._frames[key], replace(first, length=first.length + 1, fragment=None)


def _assemble(parts: dict[int, IpPacket]) -> IpPacket | None:
    data = b""
    last = None
    for offset in sorted(parts):
        part = parts[offset]
        if offset > len(data) or part.truncated:
            return None
        data = data[:offset] + part.payload
        last = part
    assert last is not None
    if last.fragment is None or last.fragment.more:
        return None
    first = parts[min(parts)]
    protocol, start = first.protocol, 0
    if first.version == 6:
        protocol, start = skip_ipv6_extensions(protocol, data, 0)
    return replace(first, protocol=protocol, payload=data[start:], length=len(data) - start,
                   fragment=None)  # fmt: skip


def _dissect(frame: Frame) -> Any:
    """The frame as a scapy packet, by its link type (raw bytes for an unknown one)."""
    layer = conf.l2types.num2layer.get(frame.linktype, conf.raw_layer)
    try:
        return layer(frame.data)
    except Exception:  # a dissector that gives up on odd bytes: keep them raw
        return conf.raw_layer(frame.data)


def _ip_packet(frame: Frame) -> IpPacket | None:
    """The outermost IP packet of the frame, if scapy finds one behind its link layer."""
    layer = _dissect(frame)
    while layer and not isinstance(layer, (IP, IPv6)):
        layer = layer.payload
    if not layer:
        return None
    try:  # where the IP layer starts; its bytes are taken as captured, never as rebuilt
        start = len(frame.data) - len(bytes(layer))
    except Exception:  # scapy could not give the bytes back: not a packet we can read
        return None
    return parse_ip(frame.data[start:]) if start >= 0 else None


def read_capture(
    path: str | os.PathLike[str], *, ike_only: bool = True, gre: bool = False
) -> Iterator[CapturedDatagram]:
    """Yield the datagrams on UDP 500/4500 in `path` (and, unless `ike_only`, ESP not in
    UDP; with `gre`, GRE packets in the clear), in capture order; a datagram sent in IP
    fragments comes whole, at the frame of its last fragment, and one whose fragments are
    not all there comes at the end, truncated.

    Raises CaptureError if the file is not a capture, or (after the datagrams before the
    damage) is damaged or cut short.
    """
    reassembly = _Reassembly()
    for frame in read_frames(path):
        packet = _ip_packet(frame)
        fragments = 1
        if packet is not None and packet.fragment is not None:
            whole = reassembly.add(frame, packet)
            packet, fragments = whole if whole is not None else (None, 0)
        datagram = None if packet is None else _datagram(frame, packet, fragments)
        if datagram is not None and _wanted(datagram, ike_only, gre):
            yield datagram
    for frame, packet in reassembly.unfinished():
        datagram = _datagram(frame, packet, 1)
        if datagram is not None and _wanted(datagram, ike_only, gre):
            yield datagram


def _wanted(datagram: CapturedDatagram, ike_only: bool, gre: bool) -> bool:
    if datagram.kind is Carried.GRE:
        return gre
    return datagram.is_ike or not ike_only


def _datagram(frame: Frame, packet: IpPacket, fragments: int) -> CapturedDatagram | None:
    truncated = packet.truncated
    if packet.protocol in _NOT_UDP:
        return CapturedDatagram(
            frame.number, frame.timestamp, packet.src, 0, packet.dst, 0,
            _NOT_UDP[packet.protocol], packet.payload, truncated, fragments,
        )  # fmt: skip
    if packet.protocol != UDP_PROTOCOL or len(packet.payload) < _UDP.size:
        return None
    sport, dport, length, _ = _UDP.unpack_from(packet.payload)
    if not {sport, dport} & {IKE_PORT, NAT_T_PORT}:
        return None
    raw = packet.payload[_UDP.size : max(length, _UDP.size)]
    kind, payload = classify(sport, dport, raw)
    return CapturedDatagram(
        frame.number, frame.timestamp, packet.src, sport, packet.dst, dport, kind, payload,
        truncated or len(raw) < length - _UDP.size, fragments,
    )  # fmt: skip
