"""The NHRP codec: a packet built by hand from RFC 2332's layout, round trips over generated
packets, and malformed bytes that only ever raise NhrpDecodeError."""

from __future__ import annotations

import struct
from dataclasses import replace
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.utils import checksum as scapy_checksum

from pyike.nhrp.codec import (
    GRE_PROTOCOL_NHRP,
    AuthenticationExtension,
    Cie,
    CieExtension,
    ExtensionType,
    NhrpDecodeError,
    Packet,
    PacketType,
    UnknownExtension,
    VendorPrivateExtension,
    decode,
    encode,
)


def _with_checksum(wire: bytes) -> bytes:
    """`wire` with its ar$chksum set, computed by scapy's RFC 1071 checksum (not pyike's)."""
    zeroed = wire[:12] + b"\x00\x00" + wire[14:]
    return zeroed[:12] + struct.pack("!H", scapy_checksum(zeroed)) + zeroed[14:]


REGISTRATION = Packet(
    PacketType.REGISTRATION_REQUEST,
    src_nbma=ip_address("198.51.100.2"),
    src_protocol=ip_address("10.0.0.2"),
    dst_protocol=ip_address("10.0.0.1"),
    flags=0x8002,  # unique, nat
    request_id=1,
    cies=(Cie(code=0, prefix_length=32, mtu=1400, holding_time=7200),),
    extensions=(CieExtension(ExtensionType.RESPONDER_ADDRESS),),
)
# RFC 2332 section 5.2.0.1 (fixed header), 5.2.0.2 (mandatory part), 5.2.0.1 CIE, 5.3.
REGISTRATION_WIRE = _with_checksum(
    bytes.fromhex(
        "0001"  # ar$afn: IPv4 NBMA
        "0800"  # ar$pro.type: IPv4
        "0000000000"  # ar$pro.snap
        "ff"  # ar$hopcnt
        "003c"  # ar$pktsz: 60
        "0000"  # ar$chksum (filled in)
        "0034"  # ar$extoff: 52
        "01"  # ar$op.version
        "03"  # ar$op.type: Registration Request
        "04"  # ar$shtl: 4-octet NSAP-format NBMA address
        "00"  # ar$sstl
        "04"  # Src Proto Len
        "04"  # Dst Proto Len
        "8002"  # Flags: U, and Cisco's NAT bit
        "00000001"  # Request ID
        "c6336402"  # Source NBMA Address 198.51.100.2
        "0a000002"  # Source Protocol Address 10.0.0.2
        "0a000001"  # Destination Protocol Address 10.0.0.1
        "00"  # CIE Code
        "20"  # Prefix Length 32
        "0000"  # unused
        "0578"  # Maximum Transmission Unit 1400
        "1c20"  # Holding Time 7200
        "00000000"  # Cli Addr T/L, Cli SAddr T/L, Cli Proto Len, Preference
        "80030000"  # Responder Address extension, compulsory, empty
        "80000000"  # End extension
    )
)


def test_a_registration_request_built_by_hand_from_the_rfc_layout() -> None:
    assert encode(REGISTRATION) == REGISTRATION_WIRE
    assert decode(REGISTRATION_WIRE) == REGISTRATION


def test_nhrp_rides_gre_with_protocol_type_0x2001() -> None:
    assert GRE_PROTOCOL_NHRP == 0x2001


def test_octets_past_the_packet_size_are_ignored() -> None:
    assert decode(REGISTRATION_WIRE + b"\x00" * 6) == REGISTRATION


# --- generated packets ------------------------------------------------------------------

v4 = st.builds(IPv4Address, st.integers(0, 2**32 - 1))
v6 = st.builds(IPv6Address, st.integers(0, 2**128 - 1))
u8, u16, u32 = st.integers(0, 255), st.integers(0, 0xFFFF), st.integers(0, 2**32 - 1)


def _cies(nbma: st.SearchStrategy[object], protocol: st.SearchStrategy[object]) -> object:
    cie = st.builds(Cie, u8, u8, u16, u16, st.none() | nbma, st.none() | protocol, u8)
    return st.lists(cie, max_size=3).map(tuple)


@st.composite
def packets(draw: st.DrawFn) -> Packet:
    nbma = draw(st.sampled_from([v4, v6]))
    protocol = draw(st.sampled_from([v4, v6]))
    kind = draw(st.sampled_from(list(PacketType)))
    indication = kind in (PacketType.ERROR_INDICATION, PacketType.TRAFFIC_INDICATION)
    cie_lists = _cies(nbma, protocol)
    extension = st.one_of(
        st.builds(
            CieExtension,
            st.sampled_from([3, 4, 5, 9]),
            cie_lists,  # type: ignore[arg-type]
            st.booleans(),
        ),
        st.builds(AuthenticationExtension, st.binary(max_size=8), u32, st.booleans()),
        st.builds(VendorPrivateExtension, st.integers(0, 2**24 - 1), st.binary(max_size=8)),
        st.builds(UnknownExtension, st.integers(10, 0x7FFF), st.binary(max_size=8)),
    )
    return Packet(
        kind,
        draw(nbma),
        draw(protocol),
        draw(protocol),
        flags=draw(u16),
        request_id=draw(u32),
        hop_count=draw(u8),
        cies=() if indication else draw(cie_lists),  # type: ignore[arg-type]
        payload=draw(st.binary(max_size=40)) if indication else b"",
        extensions=tuple(draw(st.lists(extension, max_size=4))),
        snap=draw(st.binary(min_size=5, max_size=5)),
    )


@given(packets())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_decode_inverts_encode(packet: Packet) -> None:
    wire = encode(packet)
    assert decode(wire) == packet
    assert encode(decode(wire)) == wire


def _decodes_or_refuses(data: bytes) -> None:
    try:
        decode(data)
    except NhrpDecodeError as error:
        assert error.detail and 0 <= error.offset <= max(len(data), 20)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_decode_errors(data: bytes) -> None:
    _decodes_or_refuses(data)


@given(packets(), st.data())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_packets_with_a_good_checksum_raise_only_decode_errors(
    packet: Packet, data: st.DataObject
) -> None:
    """Damage past the checksum reaches the length and address checks."""
    wire = bytearray(encode(packet))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(wire) - 1))
        wire[at] = data.draw(u8)
    cut = data.draw(st.integers(20, len(wire)))
    _decodes_or_refuses(_with_checksum(bytes(wire[:cut])))


# --- malformed packets, one fault each --------------------------------------------------


def _patched(offset: int, value: bytes, fix_checksum: bool = True) -> bytes:
    wire = REGISTRATION_WIRE[:offset] + value + REGISTRATION_WIRE[offset + len(value) :]
    return _with_checksum(wire) if fix_checksum else wire


@pytest.mark.parametrize(
    ("wire", "complaint"),
    [
        (REGISTRATION_WIRE[:27], "shorter than the NHRP headers"),
        (_patched(12, b"\x12\x34", fix_checksum=False), "bad checksum"),
        (_patched(16, b"\x02"), "version 2 is not 1"),
        (_patched(17, b"\x09"), "unknown packet type 9"),
        (_patched(10, b"\x00\x50"), "packet size 80 does not fit"),
        (_patched(0, b"\x00\x03"), "unsupported NBMA address family 3"),
        (_patched(2, b"\x08\x06"), "unsupported protocol type 0x0806"),
        (_patched(18, b"\x44"), "E.164"),
        (_patched(20, b"\x10"), "source protocol address is 16 octets"),
        (_patched(18, b"\x00"), "source NBMA is missing"),
        (_patched(14, b"\x00\x40"), "extension offset 64 is outside"),
        (_patched(48, b"\x05"), "client NBMA address is 5 octets"),
        (_patched(50, b"\x04"), "client protocol address runs past"),
        (_patched(54, b"\x00\x20"), "runs past the packet"),
        (_patched(49, b"\x01"), "subaddress"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_malformed_packets_are_refused_with_what_is_wrong(wire: bytes, complaint: str) -> None:
    with pytest.raises(NhrpDecodeError, match=complaint):
        decode(wire)


def test_the_password_never_shows_in_a_repr() -> None:
    packet = replace(REGISTRATION, extensions=(AuthenticationExtension(b"s3cr3t!"),))
    assert "s3cr3t" not in repr(packet)
    assert "s3cr3t" not in repr(decode(encode(packet)))
