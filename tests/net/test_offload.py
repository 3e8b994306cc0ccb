"""TUN offload (pyike.net.offload): TCP super-packets from the kernel cut into segments a peer
accepts, checksums the kernel left partial completed, and decrypted segments merged into
super-packets the kernel's TCP stack takes in one write. Segments are checked with scapy's own
checksum code; merged frames are cut again and must give back the very packets merged."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP, UDP, in4_chksum
from scapy.layers.inet6 import IPv6, in6_chksum
from scapy.packet import Packet, Raw
from scapy.utils import checksum

from pyike.net.offload import (
    F_NEEDS_CSUM,
    GSO_ECN,
    GSO_NONE,
    GSO_TCPV4,
    GSO_TCPV6,
    PLAIN_HEADER,
    VNET_HDR_LEN,
    Coalescer,
    OffloadCounters,
    OffloadError,
    VnetHeader,
    complete_checksum,
    ones_complement_sum,
    packets_from_frame,
    packets_from_frames,
    segment_tcp4,
    segment_tcp6,
)

SRC4, DST4 = "192.168.1.1", "192.168.2.1"
SRC6, DST6 = "2001:db8:1::1", "2001:db8:2::1"
TIMESTAMPS = [("NOP", None), ("NOP", None), ("Timestamp", (1000, 2000))]


def payload(size: int, seed: int = 1) -> bytes:
    return bytes((i * 7 + seed) & 0xFF for i in range(size))


def tcp_layer(seq: int, flags: str, fields: dict[str, object]) -> Packet:
    return TCP(
        **{"sport": 40000, "dport": 5201, "ack": 77, "window": 500, **fields}, seq=seq, flags=flags
    )


def tcp4(data: bytes, seq: int = 1000, flags: str = "A", ident: int = 1, **tcp: object) -> bytes:
    ip = IP(src=SRC4, dst=DST4, id=ident, flags="DF", tos=0x10, ttl=63)
    return bytes(ip / tcp_layer(seq, flags, tcp) / Raw(data))


def tcp6(data: bytes, seq: int = 1000, flags: str = "A", **tcp: object) -> bytes:
    return bytes(IPv6(src=SRC6, dst=DST6, hlim=63) / tcp_layer(seq, flags, tcp) / Raw(data))


def super_frame(packet: bytes, gso_type: int, mss: int) -> bytes:
    ip_length = 20 if gso_type & 0x7F == GSO_TCPV4 else 40
    header = VnetHeader(F_NEEDS_CSUM, gso_type, ip_length + 20, mss, ip_length, 16)
    return header.pack() + packet


def valid_tcp4(segment: bytes) -> Packet:
    packet = IP(segment)
    assert checksum(segment[:20]) == 0, "IPv4 header checksum"
    assert in4_chksum(6, packet, segment[20:]) == 0, "TCP checksum"
    return packet


def valid_tcp6(segment: bytes) -> Packet:
    packet = IPv6(segment)
    assert in6_chksum(6, packet, segment[40:]) == 0, "TCP checksum"
    return packet


# -- the virtio-net header -------------------------------------------------------------------


def test_vnet_header_is_ten_little_endian_octets() -> None:
    header = VnetHeader(F_NEEDS_CSUM, GSO_TCPV4, 52, 1348, 20, 16)
    assert header.pack() == bytes([1, 1, 52, 0, 0x44, 0x05, 20, 0, 16, 0])
    assert VnetHeader.unpack(header.pack() + b"rest") == header
    assert bytes(VNET_HDR_LEN) == PLAIN_HEADER
    with pytest.raises(OffloadError):
        VnetHeader.unpack(b"\x01\x01\x00")


# -- checksums -------------------------------------------------------------------------------


@given(st.binary(max_size=3000))
def test_ones_complement_sum_matches_scapy(data: bytes) -> None:
    folded = ones_complement_sum(data)
    # scapy's checksum() is the complement of the folded sum; 0 and 0xFFFF are the same
    # number in ones' complement
    assert (0xFFFF - checksum(data)) % 0xFFFF == folded


@pytest.mark.parametrize(("protocol", "offset"), [(17, 6), (6, 16)])
def test_partial_udp_and_tcp_checksums_are_completed(protocol: int, offset: int) -> None:
    layer = UDP(sport=5000, dport=53) if protocol == 17 else TCP(sport=1, dport=2)
    ready = bytes(IP(src=SRC4, dst=DST4) / layer / Raw(payload(101)))
    # what the kernel hands over with NEEDS_CSUM: the pseudo-header's sum in the field
    pseudo = (ones_complement_sum(ready[12:20]) + protocol + len(ready) - 20) % 0xFFFF
    partial = bytearray(ready)
    struct.pack_into(">H", partial, 20 + offset, pseudo)
    done = complete_checksum(bytes(partial), 20, offset)
    assert in4_chksum(protocol, IP(done), done[20:]) == 0
    assert done[: 20 + offset] == ready[: 20 + offset]
    assert done[22 + offset :] == ready[22 + offset :]


def test_frame_without_offload_passes_unchanged() -> None:
    packet = tcp4(payload(10))
    assert packets_from_frame(PLAIN_HEADER + packet) == [packet]


def test_frame_needing_checksum_gets_one() -> None:
    packet = bytearray(tcp4(payload(33)))
    tcp_length = len(packet) - 20
    pseudo = (ones_complement_sum(bytes(packet[12:20])) + 6 + tcp_length) % 0xFFFF
    struct.pack_into(">H", packet, 36, pseudo)
    frame = VnetHeader(F_NEEDS_CSUM, GSO_NONE, 0, 0, 20, 16).pack() + bytes(packet)
    (out,) = packets_from_frame(frame)
    valid_tcp4(out)
    assert out == tcp4(payload(33))


# -- segmentation ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 1347, 1348, 1349, 4001, 64000 - 52])
def test_ipv4_super_packet_becomes_valid_segments(size: int) -> None:
    data = payload(size)
    mss = 1348
    original = tcp4(data, seq=0xFFFFF000, flags="FPA", ident=0xFFFE, options=TIMESTAMPS)
    segments = packets_from_frame(super_frame(original, GSO_TCPV4, mss))
    assert len(segments) == -(-size // mss)
    received = b""
    for index, raw_segment in enumerate(segments):
        packet = valid_tcp4(raw_segment)
        last = index == len(segments) - 1
        assert packet.len == len(raw_segment) == 20 + 32 + len(packet[Raw].load)
        assert len(packet[Raw].load) == (size - index * mss if last else mss)
        assert packet.id == (0xFFFE + index) & 0xFFFF  # wraps past 65535
        assert packet.flags == "DF" and packet.tos == 0x10 and packet.ttl == 63
        assert packet[TCP].seq == (0xFFFFF000 + len(received)) & 0xFFFFFFFF
        assert packet[TCP].ack == 77 and packet[TCP].window == 500
        assert packet[TCP].options == IP(original)[TCP].options
        assert packet[TCP].flags == ("FPA" if last else "A")
        received += packet[Raw].load
    assert received == data


def test_cwr_on_the_first_segment_only() -> None:
    original = tcp4(payload(3000), flags="PAC")
    segments = packets_from_frame(super_frame(original, GSO_TCPV4 | GSO_ECN, 1000))
    assert [str(IP(s)[TCP].flags) for s in segments] == ["AC", "A", "PA"]


@pytest.mark.parametrize("size", [1, 999, 2001, 30000])
def test_ipv6_super_packet_becomes_valid_segments(size: int) -> None:
    data = payload(size, seed=3)
    original = tcp6(data, seq=5, flags="PA", options=TIMESTAMPS)
    segments = packets_from_frame(super_frame(original, GSO_TCPV6, 1000))
    received = b""
    for index, raw_segment in enumerate(segments):
        packet = valid_tcp6(raw_segment)
        assert packet.plen == len(raw_segment) - 40
        assert packet.hlim == 63
        assert packet[TCP].seq == 5 + len(received)
        assert packet[TCP].flags == ("PA" if index == len(segments) - 1 else "A")
        received += packet[Raw].load
    assert received == data


def test_segmenting_ignores_trailing_octets_beyond_the_ip_length() -> None:
    original = tcp4(payload(2500))
    segments = segment_tcp4(original + b"junk", 1000)
    assert b"".join(IP(s)[Raw].load for s in segments) == payload(2500)
    segments6 = segment_tcp6(tcp6(payload(2500)) + b"junk", 1000)
    assert b"".join(IPv6(s)[Raw].load for s in segments6) == payload(2500)


def _malformed_frames() -> list[bytes]:
    good4 = tcp4(payload(3000))
    good6 = tcp6(payload(3000))

    def with_byte(packet: bytes, index: int, value: int) -> bytes:
        changed = bytearray(packet)
        changed[index] = value
        return bytes(changed)

    return [
        b"\x01\x01",  # shorter than its header
        VnetHeader(F_NEEDS_CSUM, GSO_TCPV4, 5000, 1000, 20, 16).pack() + good4,  # hdr_len
        super_frame(good4, GSO_TCPV4, 0),  # segment size 0
        VnetHeader(F_NEEDS_CSUM, 5, 40, 1000, 20, 16).pack() + good4,  # UDP GSO: not offered
        super_frame(good4[:30], GSO_TCPV4, 1000),  # cut in its TCP header
        super_frame(with_byte(good4, 2, 0xFF), GSO_TCPV4, 1000),  # total length too big
        super_frame(with_byte(good4, 0, 0x44), GSO_TCPV4, 1000),  # IHL 16
        super_frame(with_byte(good4, 9, 17), GSO_TCPV4, 1000),  # UDP
        super_frame(with_byte(good4, 6, 0x20), GSO_TCPV4, 1000),  # more fragments
        super_frame(with_byte(tcp4(b"1"), 32, 0xF0), GSO_TCPV4, 1000),  # TCP header past the end
        super_frame(with_byte(good4, 32, 0x40), GSO_TCPV4, 1000),  # TCP header of 16
        super_frame(good6, GSO_TCPV4, 1000),  # IPv6 called IPv4
        super_frame(good4, GSO_TCPV6, 1000),  # and the other way
        super_frame(with_byte(good6, 6, 0), GSO_TCPV6, 1000),  # hop-by-hop header first
        super_frame(with_byte(good6, 4, 0xFF), GSO_TCPV6, 1000),  # payload length too big
        VnetHeader(F_NEEDS_CSUM, GSO_NONE, 0, 0, 20, 5000).pack() + good4,  # csum offset
        VnetHeader(F_NEEDS_CSUM, GSO_NONE, 0, 0, 9000, 16).pack() + good4,  # csum start
    ]


@pytest.mark.parametrize("frame", _malformed_frames())
def test_malformed_frame_is_refused(frame: bytes) -> None:
    with pytest.raises(OffloadError):
        packets_from_frame(frame)


def test_malformed_frames_are_dropped_and_counted() -> None:
    counters = OffloadCounters()
    good = super_frame(tcp4(payload(2500)), GSO_TCPV4, 1000)
    packets = packets_from_frames([good, *_malformed_frames(), good], counters)
    assert len(packets) == 6
    assert counters.malformed == len(_malformed_frames())
    assert (counters.frames, counters.super_packets, counters.segments) == (19, 2, 6)


@given(st.binary(max_size=200), st.integers(0, 255), st.integers(0, 0xFFFF))
def test_any_frame_gives_packets_or_offload_error(body: bytes, gso: int, size: int) -> None:
    packet = tcp4(payload(300))[:40] + body
    for frame in (
        VnetHeader(F_NEEDS_CSUM, gso, size, size, size, size).pack() + body,
        VnetHeader(F_NEEDS_CSUM, gso, 40, size, 20, 16).pack() + packet,
    ):
        with contextlib.suppress(OffloadError):
            packets_from_frame(frame)


# -- coalescing ------------------------------------------------------------------------------


def flow4(
    count: int, size: int = 1000, seq: int = 1000, ident: int = 1, **kw: object
) -> list[bytes]:
    return [
        tcp4(payload(size, seed=i), seq=seq + i * size, ident=ident + i, **kw) for i in range(count)
    ]


def coalesce(packets: list[bytes]) -> list[bytes]:
    coalescer = Coalescer()
    for packet in packets:
        coalescer.add(packet)
    return coalescer.frames()


def headers(frames: list[bytes]) -> list[VnetHeader]:
    return [VnetHeader.unpack(frame) for frame in frames]


def resegment(frames: list[bytes]) -> list[bytes]:
    return [packet for frame in frames for packet in packets_from_frame(frame)]


def test_a_flow_becomes_one_super_packet_that_segments_back() -> None:
    packets = flow4(30, options=TIMESTAMPS)
    packets.append(
        tcp4(payload(333), seq=1000 + 30 * 1000, ident=31, flags="PA", options=TIMESTAMPS)
    )
    counters = OffloadCounters()
    coalescer = Coalescer(counters)
    for packet in packets:
        coalescer.add(packet)
    assert len(coalescer) == 31
    frames = coalescer.frames()
    assert len(frames) == 1 and len(coalescer) == 0
    header = headers(frames)[0]
    assert header == VnetHeader(F_NEEDS_CSUM, GSO_TCPV4, 52, 1000, 20, 16)
    merged = IP(frames[0][VNET_HDR_LEN:])
    assert checksum(frames[0][VNET_HDR_LEN : VNET_HDR_LEN + 20]) == 0
    assert merged.len == 52 + 30 * 1000 + 333 and merged[TCP].flags == "PA"
    assert resegment(frames) == packets
    assert (counters.coalesced, counters.merged_segments) == (1, 31)
    assert coalescer.frames() == []


def test_partial_checksum_of_merged_packet_is_the_pseudo_header_sum() -> None:
    frames = coalesce(flow4(3))
    packet = frames[0][VNET_HDR_LEN:]
    field = int.from_bytes(packet[36:38], "big")
    pseudo = (ones_complement_sum(packet[12:20]) + 6 + len(packet) - 20) % 0xFFFF
    assert field % 0xFFFF == pseudo
    # what the kernel finishes before sending the segments on: valid checksums
    (done,) = packets_from_frame(VnetHeader(F_NEEDS_CSUM, GSO_NONE, 0, 0, 20, 16).pack() + packet)
    valid_tcp4(done)


def test_ipv6_flow_becomes_one_super_packet_that_segments_back() -> None:
    packets = [tcp6(payload(700, seed=i), seq=9 + 700 * i) for i in range(5)]
    frames = coalesce(packets)
    assert headers(frames) == [VnetHeader(F_NEEDS_CSUM, GSO_TCPV6, 60, 700, 40, 16)]
    assert IPv6(frames[0][VNET_HDR_LEN:]).plen == 20 + 5 * 700
    assert resegment(frames) == packets


def test_odd_sized_segments_merge_and_segment_back() -> None:
    packets = [*flow4(4, size=999), tcp4(payload(1), seq=1000 + 4 * 999, ident=5)]
    frames = coalesce(packets)
    assert len(frames) == 1 and headers(frames)[0].gso_size == 999
    assert resegment(frames) == packets


def test_interleaved_flows_merge_each_and_keep_their_order() -> None:
    a = flow4(4)
    b = [tcp4(payload(1000, seed=9), seq=50 + i * 1000, ident=90 + i, sport=1234) for i in range(4)]
    interleaved = [packet for pair in zip(a, b, strict=True) for packet in pair]
    frames = coalesce(interleaved)
    assert len(frames) == 2
    assert sorted(resegment(frames)) == sorted(a + b)


def test_a_lone_segment_is_written_as_it_is() -> None:
    packet = tcp4(payload(100))
    assert coalesce([packet]) == [PLAIN_HEADER + packet]


@pytest.mark.parametrize(
    ("name", "second"),
    [
        ("gap in sequence", tcp4(payload(1000), seq=2001, ident=2)),
        ("overlap", tcp4(payload(1000), seq=1500, ident=2)),
        ("other ack", IP(tcp4(payload(1000), seq=2000, ident=2))),
        ("other window", tcp4(payload(1000), seq=2000, ident=2, window=501)),
        ("other options", tcp4(payload(1000), seq=2000, ident=2, options=TIMESTAMPS)),
        ("other TTL", IP(tcp4(payload(1000), seq=2000, ident=2))),
        ("other TOS", IP(tcp4(payload(1000), seq=2000, ident=2))),
        ("longer than the first", tcp4(payload(1001), seq=2000, ident=2)),
        ("SYN", tcp4(b"", seq=2000, ident=2, flags="S")),
        ("FIN", tcp4(payload(1000), seq=2000, ident=2, flags="FA")),
        ("RST", tcp4(payload(1000), seq=2000, ident=2, flags="RA")),
        ("URG", tcp4(payload(1000), seq=2000, ident=2, flags="UA")),
        ("ECE", tcp4(payload(1000), seq=2000, ident=2, flags="EA")),
        ("pure ACK", tcp4(b"", seq=2000, ident=2)),
        ("other port", tcp4(payload(1000), seq=2000, ident=2, sport=40001)),
    ],
)
def test_segments_that_must_not_merge(name: str, second: bytes | Packet) -> None:
    if isinstance(second, Packet):  # a header field changed after the fact
        field = {"other ack": ("ack", 78), "other TTL": ("ttl", 64), "other TOS": ("tos", 0)}[name]
        layer = second[TCP] if field[0] == "ack" else second
        setattr(layer, *field)
        del second.chksum, second[TCP].chksum
        second = bytes(second)
    first = tcp4(payload(1000), seq=1000, ident=1)
    frames = coalesce([first, second])
    assert frames == [PLAIN_HEADER + first, PLAIN_HEADER + second]


def test_nothing_joins_a_run_after_a_short_or_pushed_segment() -> None:
    short = [tcp4(payload(1000), seq=1000, ident=1), tcp4(payload(500), seq=2000, ident=2)]
    after_short = tcp4(payload(500), seq=2500, ident=3)
    frames = coalesce([*short, after_short])
    assert [h.gso_type for h in headers(frames)] == [GSO_TCPV4, GSO_NONE]
    pushed = [tcp4(payload(1000), seq=1000, ident=1, flags="PA")]
    assert len(coalesce([*pushed, tcp4(payload(1000), seq=2000, ident=2)])) == 2


def test_identification_must_count_up_unless_dont_fragment() -> None:
    def no_df(ident: int, seq: int) -> bytes:
        packet = IP(tcp4(payload(1000), seq=seq, ident=ident))
        packet.flags = 0
        del packet.chksum
        return bytes(packet)

    assert len(coalesce([no_df(1, 1000), no_df(2, 2000)])) == 1
    assert len(coalesce([no_df(1, 1000), no_df(7, 2000)])) == 2
    with_df = [tcp4(payload(1000), seq=1000, ident=1), tcp4(payload(1000), seq=2000, ident=9)]
    assert len(coalesce(with_df)) == 1


def test_a_segment_that_cannot_merge_keeps_its_place_in_the_flow() -> None:
    data = flow4(3)
    fin = tcp4(b"", seq=4000, ident=4, flags="FA")
    later = tcp4(payload(1000), seq=4000, ident=5)  # would continue the first run's bytes
    frames = coalesce([*data, fin, later])
    assert resegment(frames) == [*data, fin, later]
    assert [h.gso_type for h in headers(frames)] == [GSO_TCPV4, GSO_NONE, GSO_NONE]


def test_super_packets_stay_within_64_kib() -> None:
    packets = flow4(70, size=1400)
    frames = coalesce(packets)
    assert len(frames) == 2
    assert all(len(frame) - VNET_HDR_LEN <= 0xFFFF for frame in frames)
    assert resegment(frames) == packets


def test_what_is_not_plain_tcp_is_written_alone() -> None:
    udp = bytes(IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=2) / Raw(payload(1000)))
    options = IP(tcp4(payload(1000), seq=2000, ident=2))
    options.options = [b"\x01\x01\x01\x00"]  # NOPs and end of list
    del options.chksum, options.len, options.ihl
    fragment = IP(tcp4(payload(1000), seq=3000, ident=3))
    fragment.flags = "MF"
    del fragment.chksum
    trailing = tcp4(payload(1000), seq=4000, ident=4) + b"tfc"
    oddities = [udp, bytes(options), bytes(fragment), trailing, b"", b"\x00" * 30]
    packets = [tcp4(payload(1000), seq=1000, ident=1), *oddities]
    assert coalesce(packets) == [PLAIN_HEADER + p for p in packets]


def test_a_packet_of_the_flow_with_ip_options_ends_its_run() -> None:
    first = tcp4(payload(1000), seq=1000, ident=1)
    options = IP(tcp4(b"", seq=2000, ident=2))
    options.options = [b"\x01\x01\x01\x00"]
    del options.chksum, options.len, options.ihl
    after = tcp4(payload(1000), seq=2000, ident=3)
    frames = coalesce([first, bytes(options), after])
    assert len(frames) == 3 and resegment(frames)[2] == after


@given(st.lists(st.binary(max_size=120), max_size=20))
def test_coalescer_takes_any_bytes(packets: list[bytes]) -> None:
    prefix = tcp4(payload(10))[:40]
    frames = coalesce([prefix + p for p in packets] + packets)
    assert len(frames) <= 2 * len(packets)
