"""TCP segmentation and coalescing for a TUN device with a virtio-net header (Linux offload).

A TUN device opened with IFF_VNET_HDR and given TUNSETOFFLOAD starts every packet read or
written with a 10-octet `struct virtio_net_hdr`. The kernel then hands the gateway TCP
super-packets of up to 64 KiB (one IP and TCP header, payload to be cut into `gso_size`
pieces) and leaves transport checksums for the gateway to complete. Before encryption,
`packets_from_frame` turns such a frame into the ordinary packets a peer expects: MTU-sized
TCP segments, every checksum complete. The other way, `Coalescer` merges the consecutive
decrypted segments of a TCP flow into one super-packet, so that the kernel's TCP stack takes
a receive batch in a few writes instead of one per segment: Linux's GRO, done before the
write instead of after it.

`pyike run` merges by default but lets the kernel segment (`--tun-segmentation` to cut here):
the ones' complement sum of each segment's payload costs Python about 2 µs per 1,400 octets,
more than the TUN reads that cutting here would save (bench/README.md, "Third pass").

Sans-IO: bytes in, bytes out; the device itself is `pyike.net.tun`'s.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

VNET_HDR_LEN = 10
F_NEEDS_CSUM = 0x01
F_DATA_VALID = 0x02
GSO_NONE = 0
GSO_TCPV4 = 1
GSO_TCPV6 = 4
GSO_ECN = 0x80

_VNET = struct.Struct("<BBHHHH")  # flags, gso_type, hdr_len, gso_size, csum_start, csum_offset
_TCP_PROTOCOL = 6
_TCP_CHECKSUM_OFFSET = 16
_MAX_IP_LENGTH = 0xFFFF
_FIN, _PSH, _ACK, _CWR = 0x01, 0x08, 0x10, 0x80
_MERGEABLE_FLAGS = (_ACK, _ACK | _PSH)  # anything else (SYN, FIN, RST, URG, ECE, CWR) alone

# The IP header of segment `index` (from 0), for a segment of `size` octets in all.
_IpHeaderMaker = Callable[[int, int], bytes]


class OffloadError(ValueError):
    """A frame from the TUN device that cannot be turned into packets (it is dropped)."""


@dataclass(frozen=True, slots=True)
class VnetHeader:
    """`struct virtio_net_hdr` in the TUN device's byte order (little endian)."""

    flags: int = 0
    gso_type: int = GSO_NONE
    hdr_len: int = 0
    gso_size: int = 0
    csum_start: int = 0
    csum_offset: int = 0

    def pack(self) -> bytes:
        return _VNET.pack(
            self.flags,
            self.gso_type,
            self.hdr_len,
            self.gso_size,
            self.csum_start,
            self.csum_offset,
        )

    @classmethod
    def unpack(cls, frame: bytes) -> VnetHeader:
        if len(frame) < VNET_HDR_LEN:
            raise OffloadError(f"frame of {len(frame)} octets has no virtio-net header")
        return cls(*_VNET.unpack_from(frame))


PLAIN_HEADER = VnetHeader().pack()


@dataclass
class OffloadCounters:
    """What offload did on one TUN device (or several): frames read, super-packets cut,
    segments made, malformed frames dropped; super-packets written and segments merged."""

    frames: int = 0
    super_packets: int = 0
    segments: int = 0
    malformed: int = 0
    coalesced: int = 0
    merged_segments: int = 0


def ones_complement_sum(data: bytes | memoryview) -> int:
    """The Internet checksum's sum (RFC 1071) of `data`, modulo 0xFFFF: 2**16 is 1 modulo
    0xFFFF, so a big-endian integer is congruent to the sum of its 16-bit words. An odd
    length is padded with a zero octet."""
    value = int.from_bytes(data, "big")
    if len(data) & 1:
        value <<= 8
    return value % 0xFFFF


def complete_checksum(packet: bytes, csum_start: int, csum_offset: int) -> bytes:
    """`packet` with the checksum the kernel left partial (NEEDS_CSUM) filled in: the sum from
    `csum_start` to the end, whose checksum field holds the pseudo-header's sum already,
    complemented and stored at `csum_start + csum_offset`."""
    at = csum_start + csum_offset
    if csum_start >= len(packet) or at + 2 > len(packet):
        raise OffloadError(
            f"checksum at {csum_start}+{csum_offset} outside a packet of {len(packet)} octets"
        )
    # A zero result goes out as 0xFFFF, its equal in ones' complement (0 means "no checksum"
    # in UDP), as the kernel does.
    checksum = (-ones_complement_sum(packet[csum_start:])) % 0xFFFF or 0xFFFF
    return b"".join((packet[:at], checksum.to_bytes(2, "big"), packet[at + 2 :]))


def packets_from_frame(frame: bytes) -> list[bytes]:
    """The IP packets a frame read from an offloading TUN device stands for: a TCP
    super-packet cut into segments, or one packet with its checksum completed.
    Raises OffloadError for a frame the kernel would never hand out."""
    if frame[:VNET_HDR_LEN] == PLAIN_HEADER:
        return [frame[VNET_HDR_LEN:]]
    header = VnetHeader.unpack(frame)
    packet = frame[VNET_HDR_LEN:]
    if header.hdr_len > len(packet):
        raise OffloadError(f"header length {header.hdr_len} beyond a {len(packet)}-octet packet")
    gso_type = header.gso_type & ~GSO_ECN
    if gso_type == GSO_NONE:
        if header.flags & F_NEEDS_CSUM:
            return [complete_checksum(packet, header.csum_start, header.csum_offset)]
        return [packet]
    if header.gso_size == 0:
        raise OffloadError("segmentation asked with a segment size of 0")
    if gso_type == GSO_TCPV4:
        return segment_tcp4(packet, header.gso_size)
    if gso_type == GSO_TCPV6:
        return segment_tcp6(packet, header.gso_size)
    raise OffloadError(f"segmentation type {header.gso_type} was not offered")


def packets_from_frames(frames: list[bytes], counters: OffloadCounters) -> list[bytes]:
    """`packets_from_frame` over a read batch; malformed frames are counted and dropped."""
    packets: list[bytes] = []
    counters.frames += len(frames)
    for frame in frames:
        try:
            made = packets_from_frame(frame)
        except OffloadError:
            counters.malformed += 1
            continue
        if len(made) > 1:
            counters.super_packets += 1
            counters.segments += len(made)
        packets.extend(made)
    return packets


def segment_tcp4(packet: bytes, mss: int) -> list[bytes]:
    """An IPv4 TCP super-packet cut into segments of at most `mss` octets of payload: IP
    total length, identification (+1 a segment) and header checksum, TCP sequence number,
    flags (CWR on the first only, FIN and PSH on the last only) and checksum per segment."""
    length = len(packet)
    if length < 40 or packet[0] >> 4 != 4:
        raise OffloadError("not an IPv4 packet")
    ihl = (packet[0] & 0x0F) * 4
    total = int.from_bytes(packet[2:4], "big")
    if ihl < 20 or total < ihl + 20 or total > length:
        raise OffloadError(f"IPv4 header length {ihl} or total length {total} impossible")
    if packet[9] != _TCP_PROTOCOL:
        raise OffloadError(f"segmentation of protocol {packet[9]}, not TCP")
    if packet[6] & 0x3F or packet[7]:
        raise OffloadError("segmentation of a fragment")
    thl = (packet[ihl + 12] >> 4) * 4
    if thl < 20 or ihl + thl > total:
        raise OffloadError(f"TCP header length {thl} impossible")
    identification = int.from_bytes(packet[4:6], "big")
    # Sums of the header words that no segment changes; the rest is added per segment.
    ip_sum = (
        int.from_bytes(packet[0:2], "big")
        + int.from_bytes(packet[6:10], "big")
        + int.from_bytes(packet[12:ihl], "big")
    )
    pseudo_sum = int.from_bytes(packet[12:20], "big") + _TCP_PROTOCOL
    layout = struct.Struct(f">2sHH4sH{ihl - 12}s")

    def ip_header(size: int, index: int) -> bytes:
        ident = (identification + index) & 0xFFFF
        checksum = (-(ip_sum + size + ident)) % 0xFFFF
        return layout.pack(packet[0:2], size, ident, packet[6:10], checksum, packet[12:ihl])

    return _segment_tcp(packet[:total], ihl, thl, mss, ip_header, pseudo_sum)


def segment_tcp6(packet: bytes, mss: int) -> list[bytes]:
    """An IPv6 TCP super-packet (TCP right after the fixed header) cut into segments of at
    most `mss` octets of payload, with payload length, sequence number, flags and checksum
    set per segment as for IPv4."""
    length = len(packet)
    if length < 60 or packet[0] >> 4 != 6:
        raise OffloadError("not an IPv6 packet")
    if packet[6] != _TCP_PROTOCOL:
        raise OffloadError(f"segmentation of next header {packet[6]}, not TCP right away")
    total = 40 + int.from_bytes(packet[4:6], "big")
    if total > length:
        raise OffloadError(f"IPv6 payload length {total - 40} beyond the packet")
    thl = (packet[52] >> 4) * 4
    if thl < 20 or 40 + thl > total:
        raise OffloadError(f"TCP header length {thl} impossible")
    pseudo_sum = int.from_bytes(packet[8:40], "big") + _TCP_PROTOCOL
    layout = struct.Struct(">4sH34s")

    def ip_header(size: int, _index: int) -> bytes:
        return layout.pack(packet[0:4], size - 40, packet[6:40])

    return _segment_tcp(packet[:total], 40, thl, mss, ip_header, pseudo_sum)


def _segment_tcp(
    packet: bytes,
    ip_length: int,
    thl: int,
    mss: int,
    ip_header: _IpHeaderMaker,
    pseudo_sum: int,
) -> list[bytes]:
    start = ip_length
    tcp = packet[start : start + thl]
    sequence = int.from_bytes(tcp[4:8], "big")
    flags = tcp[13]
    fixed_sum = (
        pseudo_sum
        + int.from_bytes(tcp[0:4], "big")  # ports
        + int.from_bytes(tcp[8:12], "big")  # acknowledgment
        + (tcp[12] << 8)  # data offset; the flags octet is added per segment
        + int.from_bytes(tcp[14:16], "big")  # window
        + int.from_bytes(tcp[18:thl], "big")  # urgent pointer, options
    )
    layout = struct.Struct(f">4sI5sB2sH{thl - 18}s")
    ports, middle, window, rest = tcp[0:4], tcp[8:13], tcp[14:16], tcp[18:thl]
    payload_start = start + thl
    end = len(packet)
    count = max(1, -(-(end - payload_start) // mss))
    segments: list[bytes] = []
    offset = payload_start
    for index in range(count):
        payload = packet[offset : offset + mss]
        size = len(payload)
        segment_flags = flags
        if index > 0:
            segment_flags &= ~_CWR
        if index < count - 1:
            segment_flags &= ~(_FIN | _PSH)
        seq = (sequence + offset - payload_start) & 0xFFFFFFFF
        tcp_length = thl + size
        checksum = (
            -(fixed_sum + seq + segment_flags + tcp_length + ones_complement_sum(payload))
        ) % 0xFFFF
        segments.append(
            b"".join(
                (
                    ip_header(ip_length + tcp_length, index),
                    layout.pack(ports, seq, middle, segment_flags, window, checksum, rest),
                    payload,
                )
            )
        )
        offset += mss
    return segments


class _Run:
    """Consecutive segments of one TCP flow, to be written as one super-packet."""

    __slots__ = (
        "closed",
        "first",
        "ip_length",
        "last_flags",
        "last_id",
        "mss",
        "next_seq",
        "payloads",
        "template",
        "thl",
        "total",
    )

    def __init__(
        self, packet: bytes, template: bytes, ip_length: int, thl: int, seq: int, ident: int
    ) -> None:
        self.first = packet
        self.payloads = [packet[ip_length + thl :]]
        self.template = template
        self.ip_length = ip_length
        self.thl = thl
        self.mss = len(packet) - ip_length - thl
        self.next_seq = (seq + self.mss) & 0xFFFFFFFF
        self.last_id = ident
        self.total = len(packet)
        self.last_flags = packet[ip_length + 13]
        self.closed = self.last_flags != _ACK  # PSH ends a run

    def extend(self, packet: bytes, payload_length: int, ident: int, flags: int) -> None:
        self.payloads.append(packet[-payload_length:])
        self.next_seq = (self.next_seq + payload_length) & 0xFFFFFFFF
        self.last_id = ident
        self.total += payload_length
        self.last_flags = flags
        self.closed = payload_length < self.mss or flags != _ACK

    def frame(self) -> bytes:
        packet = self.first
        if len(self.payloads) == 1:
            return PLAIN_HEADER + packet
        ip_length, thl = self.ip_length, self.thl
        tcp_length = self.total - ip_length
        if ip_length == 20:
            ip_sum = (
                int.from_bytes(packet[0:2], "big")
                + self.total
                + int.from_bytes(packet[4:10], "big")
                + int.from_bytes(packet[12:20], "big")
            )
            ip = b"".join(
                (
                    packet[0:2],
                    self.total.to_bytes(2, "big"),
                    packet[4:10],
                    ((-ip_sum) % 0xFFFF).to_bytes(2, "big"),
                    packet[12:20],
                )
            )
            pseudo = int.from_bytes(packet[12:20], "big")
            gso_type = GSO_TCPV4
        else:
            ip = b"".join((packet[0:4], tcp_length.to_bytes(2, "big"), packet[6:40]))
            pseudo = int.from_bytes(packet[8:40], "big")
            gso_type = GSO_TCPV6
        # NEEDS_CSUM: the checksum field holds the pseudo-header's sum and the kernel takes
        # the segments as checksummed (it would finish the sum only to forward them).
        partial = (pseudo + _TCP_PROTOCOL + tcp_length) % 0xFFFF or 0xFFFF
        tcp = packet[ip_length : ip_length + thl]
        header = _VNET.pack(
            F_NEEDS_CSUM,
            gso_type,
            ip_length + thl,
            self.mss,
            ip_length,
            _TCP_CHECKSUM_OFFSET,
        )
        return b"".join(
            (
                header,
                ip,
                tcp[0:13],
                bytes((self.last_flags,)),
                tcp[14:16],
                partial.to_bytes(2, "big"),
                tcp[18:],
                *self.payloads,
            )
        )


class Coalescer:
    """Decrypted packets for one TUN device, collected during a receive batch and turned
    into frames at its end: consecutive segments of a TCP flow merged into super-packets
    under Linux's GRO rules, everything else one frame a packet, in order within a flow.

    A packet written as it is gets an all-zero header, and the kernel verifies its checksum:
    DATA_VALID would spare that, but TUN ignores it (Linux 6.18: a segment with a bad
    checksum and DATA_VALID is still dropped and counted in TcpInCsumErrors)."""

    __slots__ = ("_packets", "counters")

    def __init__(self, counters: OffloadCounters | None = None) -> None:
        self._packets: list[bytes] = []
        self.counters = counters if counters is not None else OffloadCounters()

    def __len__(self) -> int:
        return len(self._packets)

    def add(self, packet: bytes) -> None:
        self._packets.append(packet)

    def frames(self) -> list[bytes]:
        """The frames for every packet added since the last call, and forget them."""
        packets, self._packets = self._packets, []
        plain = PLAIN_HEADER
        out: list[bytes | _Run] = []
        runs: dict[bytes, _Run] = {}
        for packet in packets:
            length = len(packet)
            version = packet[0] >> 4 if length else 0
            if version == 4:
                if (
                    length < 41
                    or packet[0] != 0x45  # options: alone
                    or packet[9] != _TCP_PROTOCOL
                    or (packet[2] << 8 | packet[3]) != length
                    or packet[6] & 0x3F  # fragments: alone
                    or packet[7]
                ):
                    if length >= 24 and packet[9] == _TCP_PROTOCOL:
                        ihl = (packet[0] & 0x0F) * 4  # a later segment must not pass it
                        runs.pop(packet[12:20] + packet[ihl : ihl + 4], None)
                    out.append(plain + packet)
                    continue
                ip_length = 20
                limit = _MAX_IP_LENGTH
                flow = packet[12:24]  # addresses and ports
                thl = (packet[32] >> 4) * 4
                template = b"".join(
                    (packet[0:2], packet[6:10], packet[28:33], packet[34:36], packet[38 : 20 + thl])
                )
                ident = packet[4] << 8 | packet[5]
                df = packet[6] & 0x40
            elif version == 6:
                if (
                    length < 61
                    or packet[6] != _TCP_PROTOCOL
                    or (packet[4] << 8 | packet[5]) != length - 40
                ):
                    out.append(plain + packet)
                    continue
                ip_length = 40
                limit = _MAX_IP_LENGTH + 40  # the limit is on the payload length
                flow = packet[8:44]
                thl = (packet[52] >> 4) * 4
                template = b"".join(
                    (packet[0:4], packet[6:8], packet[48:53], packet[54:56], packet[58 : 40 + thl])
                )
                ident = 0
                df = 1  # no identification to keep in step
            else:
                out.append(plain + packet)
                continue
            flags = packet[ip_length + 13]
            payload_length = length - ip_length - thl
            if thl < 20 or payload_length <= 0 or flags not in _MERGEABLE_FLAGS:
                runs.pop(flow, None)  # what follows must not join what came before
                out.append(plain + packet)
                continue
            seq = int.from_bytes(packet[ip_length + 4 : ip_length + 8], "big")
            run = runs.get(flow)
            if (
                run is not None
                and not run.closed
                and run.template == template
                and run.next_seq == seq
                and payload_length <= run.mss
                and run.total + payload_length <= limit
                and (df or ident == (run.last_id + 1) & 0xFFFF)
            ):
                run.extend(packet, payload_length, ident, flags)
                continue
            run = _Run(packet, template, ip_length, thl, seq, ident)
            runs[flow] = run
            out.append(run)
        counters = self.counters
        frames: list[bytes] = []
        for item in out:
            if isinstance(item, _Run):
                merged = len(item.payloads)
                if merged > 1:
                    counters.coalesced += 1
                    counters.merged_segments += merged
                frames.append(item.frame())
            else:
                frames.append(item)
        return frames
