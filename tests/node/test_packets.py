"""The hand-written IPv4/IPv6/ICMP/UDP codec, cross-checked with scapy."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import UDP as UDP6
from scapy.layers.inet6 import IPv6

from pyike.node import icmp, udp
from pyike.node.fragments import Reassembler, fragment
from pyike.node.ip import (
    PROTO_UDP,
    IPv4Packet,
    IPv6Packet,
    MalformedPacket,
    checksum,
    parse_ipv4,
    parse_ipv6,
)

A = int(IPv4Address("10.0.0.1"))
B = int(IPv4Address("10.0.0.2"))


def test_checksum_matches_rfc1071_example() -> None:
    # RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, complement 220d.
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    assert checksum(b"\x01") == 0xFEFF  # odd length pads with zero


def test_ipv4_packet_is_what_scapy_reads() -> None:
    packet = IPv4Packet(A, B, 17, b"payload", ttl=64, ident=0x1234, df=True, tos=0x10)
    parsed = IP(packet.to_bytes())
    assert (parsed.src, parsed.dst, parsed.ttl, parsed.id) == ("10.0.0.1", "10.0.0.2", 64, 0x1234)
    assert parsed.flags == "DF" and parsed.tos == 0x10 and parsed.len == 27
    assert parsed.chksum == IP(bytes(IP(parsed.build()))).chksum  # scapy agrees on the checksum
    again = IP(bytes(parsed))
    del again.chksum
    assert IP(bytes(again)).chksum == parsed.chksum


def test_parse_ipv4_reads_scapy_packets() -> None:
    raw = bytes(
        IP(src="192.0.2.1", dst="198.51.100.7", ttl=9, id=77, flags="MF", frag=3) / b"xxxxxxxx"
    )
    packet = parse_ipv4(raw)
    assert packet.src_address == IPv4Address("192.0.2.1")
    assert packet.dst_address == IPv4Address("198.51.100.7")
    assert (packet.ttl, packet.ident, packet.mf, packet.frag_offset) == (9, 77, True, 24)
    assert packet.is_fragment


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x45" * 10,
        bytes(IPv6(src="::1", dst="::2")),
        bytes.fromhex("4f000014000000004011000000000000000000"),
        bytes(IP(src="1.1.1.1", dst="2.2.2.2"))[:-1],
    ],
)
def test_malformed_ipv4_is_a_typed_error(raw: bytes) -> None:
    with pytest.raises(MalformedPacket):
        parse_ipv4(raw)


def test_bad_ipv4_checksum_is_rejected() -> None:
    raw = bytearray(IPv4Packet(A, B, 1, b"").to_bytes())
    raw[10] ^= 0xFF
    with pytest.raises(MalformedPacket, match="checksum"):
        parse_ipv4(bytes(raw))
    assert parse_ipv4(bytes(raw), verify_checksum=False).src == A


def test_udp_checksum_verified_by_scapy() -> None:
    data = udp.packet(A, B, udp.UdpDatagram(500, 4500, b"ike!"), ident=3).to_bytes()
    parsed = IP(data)
    assert parsed[UDP].sport == 500 and parsed[UDP].dport == 4500
    assert bytes(parsed[UDP].payload) == b"ike!"
    recomputed = parsed.copy()
    del recomputed[UDP].chksum
    assert IP(bytes(recomputed))[UDP].chksum == parsed[UDP].chksum


def test_udp_parse_rejects_bad_checksum_and_length() -> None:
    data = udp.UdpDatagram(1, 2, b"abc").to_bytes(A, B)
    assert udp.parse_udp(data, A, B).payload == b"abc"
    with pytest.raises(MalformedPacket):
        udp.parse_udp(data[:-1] + b"x", A, B)
    with pytest.raises(MalformedPacket):
        udp.parse_udp(data[:5], A, B)
    with pytest.raises(MalformedPacket):
        udp.parse_udp(data[:4] + b"\x00\x40" + data[6:], A, B)
    no_checksum = data[:6] + b"\x00\x00" + data[8:]
    assert udp.parse_udp(no_checksum, A, B).payload == b"abc"
    assert udp.udp_ports(data) == (1, 2) and udp.udp_ports(b"\x00") is None


def test_icmp_echo_and_errors_read_by_scapy() -> None:
    request = icmp.packet(A, B, icmp.echo(True, 0x77, 3, b"\xab\xcd" * 4))
    parsed = IP(request.to_bytes())
    assert (parsed[ICMP].type, parsed[ICMP].id, parsed[ICMP].seq) == (8, 0x77, 3)
    error = icmp.unreachable(icmp.FRAGMENTATION_NEEDED, request, next_hop_mtu=1400)
    assert error.next_hop_mtu == 1400 and error.is_error
    parsed_error = IP(icmp.packet(B, A, error).to_bytes())
    assert parsed_error[ICMP].type == 3 and parsed_error[ICMP].code == 4
    quoted = icmp.quoted_packet(icmp.parse_icmp(error.to_bytes()))
    assert quoted is not None and quoted.src == A and quoted.payload[:1] == b"\x08"
    assert icmp.quoted_packet(icmp.IcmpMessage(3, 1, b"\x00" * 4, b"short")) is None
    with pytest.raises(MalformedPacket):
        icmp.parse_icmp(error.to_bytes()[:-1] + b"\x00")
    with pytest.raises(MalformedPacket):
        icmp.parse_icmp(b"\x00" * 4)


def test_ipv6_basics_with_scapy() -> None:
    src, dst = int(IPv6Address("2001:db8::1")), int(IPv6Address("2001:db8::2"))
    payload = udp.UdpDatagram(500, 500, b"v6").to_bytes(src, dst, version=6)
    packet = IPv6Packet(src, dst, PROTO_UDP, payload, hop_limit=7)
    parsed = IPv6(packet.to_bytes())
    assert parsed.src == "2001:db8::1" and parsed.hlim == 7
    assert bytes(parsed[UDP6].payload) == b"v6"
    check = parsed.copy()
    del check[UDP6].chksum
    assert IPv6(bytes(check))[UDP6].chksum == parsed[UDP6].chksum
    back = parse_ipv6(packet.to_bytes())
    assert back == packet and back.dst_address == IPv6Address("2001:db8::2")
    assert udp.parse_udp(back.payload, src, dst, version=6).payload == b"v6"
    for bad in (b"\x60" * 10, bytes(IP()), packet.to_bytes()[:-1]):
        with pytest.raises(MalformedPacket):
            parse_ipv6(bad)


@given(st.binary(min_size=0, max_size=3000), st.integers(min_value=68, max_value=1500))
def test_fragments_reassemble_to_the_original(payload: bytes, mtu: int) -> None:
    packet = IPv4Packet(A, B, 17, payload, ident=42)
    pieces = fragment(packet, mtu)
    assert all(p.total_length <= mtu for p in pieces)
    assert all(p.frag_offset % 8 == 0 for p in pieces)
    reassembler = Reassembler()
    results = [reassembler.add(p, 0.0) for p in reversed(pieces)]
    assert results[-1] == packet
    assert len(reassembler) == 0


def test_fragments_are_what_scapy_makes() -> None:
    packet = IPv4Packet(A, B, 17, bytes(range(256)) * 8, ident=9)
    ours = [IP(p.to_bytes()) for p in fragment(packet, 576)]
    assert [(f.frag, f.flags.value, len(f)) for f in ours] == [
        (0, 1, 572),
        (69, 1, 572),
        (138, 1, 572),
        (207, 0, 412),
    ]
    with pytest.raises(ValueError):
        fragment(packet, 24)


def test_reassembly_times_out_and_ignores_holes() -> None:
    packet = IPv4Packet(A, B, 17, b"x" * 100, ident=5)
    first, second = fragment(packet, 68)[:2]
    reassembler = Reassembler(timeout=15.0)
    assert reassembler.add(first, 0.0) is None
    assert reassembler.add(fragment(packet, 68)[-1], 1.0) is None  # hole in the middle
    assert len(reassembler) == 1
    reassembler.expire(20.0)
    assert len(reassembler) == 0 and reassembler.timeouts == 1
    assert reassembler.add(second, 21.0) is None
