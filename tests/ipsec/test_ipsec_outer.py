"""Outer IPv4/IPv6 headers and RFC 3948 UDP encapsulation, checked against scapy's dissector."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.packet import raw

from pyike.ipsec import Carried, DfBit, EspMalformedPacket, outer_df, unwrap, wrap
from pyike.ipsec.outer import internet_checksum, ipv4_header

ESP = bytes.fromhex("8a1b2c3d00000001") + bytes(range(40))


def test_ipv4_header_fields_and_checksum() -> None:
    packet = wrap(ESP, "10.0.0.1", "10.0.0.2", ttl=64, df=True, tos=0xB8, identification=0x1234)
    ip = IP(packet)
    assert (ip.version, ip.ihl, ip.len, ip.proto, ip.ttl, ip.tos, ip.id) == (
        4,
        5,
        20 + len(ESP),
        50,
        64,
        0xB8,
        0x1234,
    )
    assert ip.flags == "DF" and (ip.src, ip.dst) == ("10.0.0.1", "10.0.0.2")
    sent = ip.chksum
    del ip.chksum
    assert IP(raw(ip)).chksum == sent  # scapy computes the same checksum
    assert internet_checksum(packet[:20]) == 0


def test_default_outer_ttl_is_ios_tunnel_ttl_and_no_df() -> None:
    ip = IP(wrap(ESP, IPv4Address("192.0.2.1"), IPv4Address("192.0.2.2")))
    assert ip.ttl == 255 and ip.flags == 0


def test_ipv6_header_fields() -> None:
    packet = wrap(ESP, "2001:db8::1", "2001:db8::2", ttl=10, tos=0x20, flow_label=0xABCDE)
    ip = IPv6(packet)
    assert (ip.version, ip.nh, ip.hlim, ip.plen, ip.tc, ip.fl) == (
        6,
        50,
        10,
        len(ESP),
        0x20,
        0xABCDE,
    )
    assert raw(ip.payload) == ESP


def test_nat_t_over_ipv4_has_a_zero_udp_checksum() -> None:
    ip = IP(wrap(ESP, "10.0.0.1", "10.0.0.2", nat_t=(4500, 4500)))
    assert ip.proto == 17 and (ip[UDP].sport, ip[UDP].dport, ip[UDP].len, ip[UDP].chksum) == (
        4500,
        4500,
        8 + len(ESP),
        0,
    )


def test_nat_t_over_ipv6_carries_a_valid_udp_checksum() -> None:
    packet = IPv6(wrap(ESP, "2001:db8::1", "2001:db8::2", nat_t=(4500, 4500)))
    sent = packet[UDP].chksum
    del packet[UDP].chksum
    assert sent != 0 and IPv6(raw(packet))[UDP].chksum == sent


@pytest.mark.parametrize("addresses", [("10.0.0.1", "10.0.0.2"), ("2001:db8::1", "2001:db8::2")])
@pytest.mark.parametrize("nat_t", [None, (4500, 4500), (4500, 61234)])
def test_unwrap_undoes_wrap(addresses: tuple[str, str], nat_t: tuple[int, int] | None) -> None:
    outer = unwrap(wrap(ESP, *addresses, nat_t=nat_t, ttl=33, df=True, tos=4))
    assert outer.carried is (Carried.ESP if nat_t is None else Carried.ESP_IN_UDP)
    assert outer.payload == ESP and (str(outer.src), str(outer.dst)) == addresses
    assert (outer.sport, outer.dport) == (nat_t or (None, None))
    assert outer.ttl == 33 and outer.tos == 4
    assert outer.df is (":" not in addresses[0])


def test_unwrap_ignores_link_layer_padding_after_the_ip_packet() -> None:
    assert unwrap(wrap(ESP, "10.0.0.1", "10.0.0.2") + bytes(6)).payload == ESP


def test_unwrap_tells_ike_and_keepalives_from_esp() -> None:
    ike = unwrap(wrap(b"\x00\x00\x00\x00IKEMSG", "10.0.0.1", "10.0.0.2", nat_t=(4500, 4500)))
    assert (ike.carried, ike.payload) == (Carried.IKE, b"IKEMSG")
    keepalive = unwrap(wrap(b"\xff", "10.0.0.1", "10.0.0.2", nat_t=(4500, 4500)))
    assert keepalive.carried is Carried.NAT_KEEPALIVE
    plain = unwrap(wrap(b"IKEMSG", "10.0.0.1", "10.0.0.2", nat_t=(500, 500)))
    assert (plain.carried, plain.payload) == (Carried.IKE, b"IKEMSG")


def _broken_ipv4(**changes: int) -> bytes:
    ip = IP(wrap(ESP, "10.0.0.1", "10.0.0.2"))
    for name, value in changes.items():
        setattr(ip, name, value)
    if "chksum" not in changes:
        del ip.chksum
    return raw(ip)


@pytest.mark.parametrize(
    ("packet", "message"),
    [
        (b"", "not an IPv4 or IPv6"),
        (b"\x10" * 30, "not an IPv4 or IPv6"),
        (b"\x45" * 10, "truncated"),
        (b"\x60" * 39, "truncated"),
        (_broken_ipv4(ihl=4), "inconsistent"),
        (_broken_ipv4(len=10_000), "inconsistent"),
        (_broken_ipv4(chksum=0x1234), "checksum"),
        (_broken_ipv4(flags=1), "fragment"),
        (_broken_ipv4(frag=100), "fragment"),
        (_broken_ipv4(proto=6), "neither ESP nor UDP"),
        (raw(IP(src="1.1.1.1", dst="2.2.2.2", proto=17) / b"\x11\x94"), "UDP header is truncated"),
        (
            raw(IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=4500, dport=4500, len=4) / ESP),
            "UDP length",
        ),
        (raw(IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=53, dport=53) / ESP), "not IKE or NAT-T"),
        (raw(IPv6(src="::1", dst="::2", plen=500) / ESP), "payload length"),
        (raw(IPv6(src="::1", dst="::2", nh=0) / ESP), "neither ESP nor UDP"),
    ],
)
def test_unwrap_refuses_what_it_cannot_take_apart(packet: bytes, message: str) -> None:
    with pytest.raises(EspMalformedPacket, match=message):
        unwrap(packet)


def test_wrap_refuses_bad_addresses_and_oversized_packets() -> None:
    with pytest.raises(EspMalformedPacket, match="different families"):
        wrap(ESP, "10.0.0.1", "2001:db8::1")
    with pytest.raises(EspMalformedPacket, match="not an IP address"):
        wrap(ESP, "10.0.0.300", "10.0.0.1")
    with pytest.raises(EspMalformedPacket, match="too long"):
        wrap(bytes(65_520), "10.0.0.1", "10.0.0.2")
    with pytest.raises(EspMalformedPacket, match="jumbogram"):
        wrap(bytes(65_536), IPv6Address("::1"), IPv6Address("::2"))
    assert len(ipv4_header(IPv4Address("1.2.3.4"), IPv4Address("5.6.7.8"), 65_515)) == 20


def test_df_bit_policy() -> None:
    with_df = raw(IP(src="1.1.1.1", dst="2.2.2.2", flags="DF"))
    without_df = raw(IP(src="1.1.1.1", dst="2.2.2.2"))
    inner_v6 = raw(IPv6(src="::1", dst="::2"))
    assert [outer_df(DfBit.COPY, p) for p in (with_df, without_df, inner_v6, b"")] == [
        True,
        False,
        False,
        False,
    ]
    assert outer_df(DfBit.SET, without_df) and not outer_df(DfBit.CLEAR, with_df)


def test_internet_checksum_of_odd_lengths() -> None:
    assert internet_checksum(b"\x01") == 0xFEFF
    assert internet_checksum(memoryview(b"\x00\x01\xf2")) == ~(0x0001 + 0xF200) & 0xFFFF
