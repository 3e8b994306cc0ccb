"""Reading IKE datagrams out of pcap and pcapng captures, gzip-compressed or not.

scapy reads the files and dissects each frame's link, IPv4/IPv6 and UDP layers; this module
picks the datagrams on the IKE ports, and `codec.udp_encap.classify` says which are IKE (RFC 7296
section 2.23, RFC 3948): everything on port 500, and on port 4500 the datagrams that start
with the four-byte non-ESP marker. NAT keepalives
(a single 0xFF byte) and UDP-encapsulated ESP are reported but not IKE.

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
from dataclasses import dataclass
from typing import IO, Any

from scapy.config import conf
from scapy.data import MTU
from scapy.error import Scapy_Exception
from scapy.layers.inet import IP, UDP  # importing the layers registers their link types
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapReader_metaclass, RawPcapNgReader, RawPcapReader

from pyike.codec.udp_encap import IKE_PORT, NAT_T_PORT, Carried, classify


class CaptureError(Exception):
    """The capture file cannot be read from this point on."""


@dataclass(frozen=True)
class CapturedDatagram:
    """One UDP datagram on an IKE port, as captured."""

    index: int  # frame number, 1-based as Wireshark counts
    timestamp: float  # seconds since the epoch
    src: str
    sport: int
    dst: str
    dport: int
    kind: Carried
    payload: bytes  # the IKE message itself (non-ESP marker removed) or the raw UDP payload
    truncated: bool = False  # the capture holds fewer bytes than were on the wire

    @property
    def is_ike(self) -> bool:
        return self.kind is Carried.IKE

    @property
    def non_esp_marker(self) -> bool:
        return self.kind is Carried.IKE and NAT_T_PORT in (self.sport, self.dport)


def _udp_payload(layer: Any) -> bytes:
    # scapy keeps the raw bytes it dissected; prefer them over a rebuild, which could
    # normalise a malformed message and hide what was really on the wire.
    original = getattr(layer, "original", None)
    if isinstance(original, bytes):
        return original
    return bytes(layer)


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


# Layers: scapy dissects each frame; we pick the UDP datagrams on the IKE ports.


def _dissect(frame: Frame) -> Any:
    """The frame as a scapy packet, by its link type (raw bytes for an unknown one)."""
    layer = conf.l2types.num2layer.get(frame.linktype, conf.raw_layer)
    try:
        return layer(frame.data)
    except Exception:  # a dissector that gives up on odd bytes: keep them raw
        return conf.raw_layer(frame.data)


def read_capture(
    path: str | os.PathLike[str], *, ike_only: bool = True
) -> Iterator[CapturedDatagram]:
    """Yield the datagrams on UDP 500/4500 in `path`, in capture order.

    Raises CaptureError if the file is not a capture, or (after the datagrams before the
    damage) is damaged or cut short.
    """
    for frame in read_frames(path):
        packet = _dissect(frame)
        if UDP not in packet:
            continue
        layer = IP if IP in packet else IPv6 if IPv6 in packet else None
        if layer is None:
            continue
        ip = packet[layer]
        udp = packet[UDP]
        sport, dport = int(udp.sport), int(udp.dport)
        if not {sport, dport} & {IKE_PORT, NAT_T_PORT}:
            continue
        raw = _udp_payload(udp.payload)
        wire_len = int(udp.len) - 8 if udp.len is not None else len(raw)
        kind, payload = classify(sport, dport, raw)
        if ike_only and kind is not Carried.IKE:
            continue
        yield CapturedDatagram(
            index=frame.number,
            timestamp=frame.timestamp,
            src=str(ip.src),
            sport=sport,
            dst=str(ip.dst),
            dport=dport,
            kind=kind,
            payload=payload,
            truncated=len(raw) < wire_len,
        )
