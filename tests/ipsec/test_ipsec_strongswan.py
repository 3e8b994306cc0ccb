"""Known answers from real strongSwan 5.9.8 traffic: the UDP-encapsulated ESP pings in
tests/data/vectors/*/handshake.pcap, keyed with the esp_sa tables tshark used.

Every packet must verify and decrypt to the ICMP echo tshark listed, and encrypting that echo
again with the packet's IV and sequence number must give the captured bytes exactly.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from pyike.capture import read_capture
from pyike.codec.udp_encap import Carried
from pyike.ipsec import (
    NEXT_HEADER_IPV4,
    EspIntegrityError,
    InboundEspSa,
    OutboundEspSa,
    esp_transform,
)
from pyike.ipsec.outer import unwrap, wrap
from tests.support.paths import VECTOR_NAMES, VECTORS
from tests.support.vectors import read_esp_sa, read_pings

EXPECTED_ESP_PACKETS = {
    "strongswan-3des": 12,
    "strongswan-aes128": 12,
    "strongswan-cbc256-pfs": 24,
}


def esp_datagrams(vector: Path) -> list[tuple[int, str, str, bytes]]:
    return [
        (d.index, d.src, d.dst, d.payload)
        for d in read_capture(vector / "handshake.pcap", ike_only=False)
        if d.kind is Carried.ESP_IN_UDP
    ]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_every_captured_esp_packet_decrypts_to_the_ping_tshark_saw(name: str) -> None:
    vector = VECTORS / name
    sas = read_esp_sa(vector / "esp_sa")
    pings = read_pings(vector / "handshake.tshark-summary.txt")
    inbound = {
        spi: InboundEspSa(spi, sa.transform, sa.encr_key, sa.integ_key) for spi, sa in sas.items()
    }
    datagrams = esp_datagrams(vector)
    assert len(datagrams) == EXPECTED_ESP_PACKETS[name] == len(pings)
    for frame, src, dst, payload in datagrams:
        spi = int.from_bytes(payload[:4], "big")
        assert (sas[spi].src, sas[spi].dst) == (src, dst)
        result = inbound[spi].decapsulate(payload)
        ping = pings[frame]
        inner = result.payload
        assert result.next_header == NEXT_HEADER_IPV4
        assert len(inner) == int.from_bytes(inner[2:4], "big") == 84
        assert inner[8] == ping.ttl and inner[9] == 1  # TTL, protocol ICMP
        assert str(ipaddress.IPv4Address(inner[12:16])) == ping.src
        assert str(ipaddress.IPv4Address(inner[16:20])) == ping.dst
        assert inner[20] == ping.icmp_type
        assert int.from_bytes(inner[24:26], "big") == ping.ident
        assert int.from_bytes(inner[26:28], "big") == ping.seq
    counted = sum(sa.counters.packets for sa in inbound.values())
    assert counted == len(datagrams)
    assert all(sa.counters.recv_errors == 0 for sa in inbound.values())


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_reencrypting_with_the_same_iv_gives_strongswans_bytes(name: str) -> None:
    vector = VECTORS / name
    sas = read_esp_sa(vector / "esp_sa")
    for _frame, _src, _dst, payload in esp_datagrams(vector):
        sa = sas[int.from_bytes(payload[:4], "big")]
        inbound = InboundEspSa(sa.spi, sa.transform, sa.encr_key, sa.integ_key)
        result = inbound.decapsulate(payload)
        iv = payload[8 : 8 + sa.transform.iv_size]
        outbound = OutboundEspSa(
            sa.spi,
            sa.transform,
            sa.encr_key,
            sa.integ_key,
            random_bytes=lambda n, iv=iv: iv[:n],
            next_seq=result.seq,
        )
        assert outbound.encapsulate(result.payload) == payload


def test_one_outbound_sa_reproduces_a_whole_direction_of_traffic() -> None:
    # The long-lived CBC context must give each packet the bytes a fresh one would.
    vector = VECTORS / "strongswan-aes128"
    sas = read_esp_sa(vector / "esp_sa")
    spi = 0x6245DA4F
    sa = sas[spi]
    packets = [p for _f, _s, _d, p in esp_datagrams(vector) if p[:4] == spi.to_bytes(4, "big")]
    ivs = iter(p[8:24] for p in packets)
    inbound = InboundEspSa(spi, sa.transform, sa.encr_key, sa.integ_key)
    outbound = OutboundEspSa(
        spi, sa.transform, sa.encr_key, sa.integ_key, random_bytes=lambda n: next(ivs)
    )
    for packet in packets:
        assert outbound.encapsulate(inbound.decapsulate(packet).payload) == packet
    assert outbound.next_seq == 7 and outbound.counters.packets == 6
    assert outbound.counters.bytes == inbound.counters.bytes == 6 * 84


def test_wrapping_in_udp_4500_rebuilds_the_captured_datagram_payload() -> None:
    vector = VECTORS / "strongswan-3des"
    _frame, src, dst, payload = esp_datagrams(vector)[0]
    outer = unwrap(wrap(payload, src, dst, nat_t=(4500, 4500), ttl=64))
    assert outer.payload == payload
    assert (str(outer.src), str(outer.dst), outer.sport, outer.dport) == (src, dst, 4500, 4500)


def test_the_other_directions_keys_do_not_verify() -> None:
    vector = VECTORS / "strongswan-aes128"
    sas = read_esp_sa(vector / "esp_sa")
    _frame, _src, _dst, payload = esp_datagrams(vector)[0]
    right = sas[int.from_bytes(payload[:4], "big")]
    other = next(sa for sa in sas.values() if sa.spi != right.spi)
    transform = esp_transform(right.transform.encr.encr_id, 128, right.transform.integ.integ_id)  # type: ignore[union-attr]
    wrong = InboundEspSa(right.spi, transform, other.encr_key, other.integ_key)
    with pytest.raises(EspIntegrityError):
        wrong.decapsulate(payload)
    assert wrong.counters.integrity_failures == 1
    assert wrong.replay.highest == 0
