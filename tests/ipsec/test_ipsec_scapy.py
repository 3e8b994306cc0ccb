"""Cross-checks against scapy's independent ESP (scapy.layers.ipsec.SecurityAssociation), in
both directions, for every suite the IOS configuration accepts and the extra ones pyike has
(AES-GCM-192, AES-CMAC-96), in tunnel and transport mode, with and without ESN, over IPv4
and IPv6, and in UDP 4500 (NAT-T).

What scapy cannot check: AES-XCBC-96 integrity (scapy has none) and AES-GCM with 8 or 12
octet ICVs (scapy's AESGCM only makes 16-octet tags; test_ipsec_sa.py checks those are the
16-octet ICV truncated). Anti-replay, TFC padding removal and volume limits are not in scapy at all and are tested
on their own in test_ipsec_sa.py and test_ipsec_replay.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation
from scapy.packet import Packet, Raw, raw

from pyike.codec.registry import EncrId, IntegId
from pyike.ipsec import (
    Carried,
    EspIntegrityError,
    EspMode,
    EspTransform,
    InboundEspSa,
    OutboundEspSa,
    esp_transform,
)
from pyike.ipsec.outer import unwrap, wrap

SPI = 0x8A1B2C3D
OUTER_V4 = ("10.0.0.1", "10.0.0.2")
INNER_V4 = ("192.168.1.1", "192.168.2.1")
OUTER_V6 = ("2001:db8::1", "2001:db8::2")
INNER_V6 = ("2001:db8:1::1", "2001:db8:2::1")
PAYLOAD_SIZES = (0, 1, 3, 17, 61, 1400)
# ESN runs cross a 2^32 boundary: the high half changes mid-test.
ESN_START = (5 << 32) | 0xFFFFFFFD


@dataclass(frozen=True)
class Suite:
    name: str
    encr_id: EncrId
    key_bits: int | None
    integ_id: IntegId
    scapy_crypt: str
    scapy_auth: str | None
    icv: int | None = None  # scapy's crypt_icv_size for truncated GCM

    def transform(self) -> EspTransform:
        return esp_transform(self.encr_id, self.key_bits, self.integ_id)


_CIPHERS = [
    ("esp-des", EncrId.DES, None, "DES"),
    ("esp-3des", EncrId.TRIPLE_DES, None, "3DES"),
    ("esp-aes", EncrId.AES_CBC, 128, "AES-CBC"),
    ("esp-aes-192", EncrId.AES_CBC, 192, "AES-CBC"),
    ("esp-aes-256", EncrId.AES_CBC, 256, "AES-CBC"),
    ("esp-null", EncrId.NULL, None, "NULL"),
]
_MACS = [
    ("esp-md5-hmac", IntegId.HMAC_MD5_96, "HMAC-MD5-96"),
    ("esp-sha-hmac", IntegId.HMAC_SHA1_96, "HMAC-SHA1-96"),
    ("esp-sha256-hmac", IntegId.HMAC_SHA2_256_128, "SHA2-256-128"),
    ("esp-sha384-hmac", IntegId.HMAC_SHA2_384_192, "SHA2-384-192"),
    ("esp-sha512-hmac", IntegId.HMAC_SHA2_512_256, "SHA2-512-256"),
    ("aes-cmac-96", IntegId.AES_CMAC_96, "AES-CMAC-96"),
]
SUITES = [
    Suite(f"{c}/{m}", encr, bits, integ, crypt, auth)
    for c, encr, bits, crypt in _CIPHERS
    for m, integ, auth in _MACS
]
SUITES += [
    Suite(f"{c}/none", encr, bits, IntegId.NONE, crypt, None)
    for c, encr, bits, crypt in _CIPHERS
    if encr != EncrId.NULL
]
SUITES += [
    Suite(f"esp-gcm-{bits}-icv{icv}", encr, bits, IntegId.NONE, "AES-GCM", None, icv)
    for bits in (128, 192, 256)
    for encr, icv in ((EncrId.AES_GCM_16, 16),)
]
SUITES.append(
    Suite(
        "esp-chacha20-poly1305",
        EncrId.CHACHA20_POLY1305,
        None,
        IntegId.NONE,
        "CHACHA20-POLY1305",
        None,
    )
)
MODES = [EspMode.TUNNEL, EspMode.TRANSPORT]


@dataclass
class Peer:
    """The same SA as pyike and scapy see it."""

    suite: Suite
    mode: EspMode
    esn: bool
    encr_key: bytes
    integ_key: bytes
    rng: random.Random

    def scapy_sa(
        self, tunnel_header: Packet | None = None, nat_t: bool = False
    ) -> SecurityAssociation:
        return SecurityAssociation(
            ESP,
            spi=SPI,
            crypt_algo=self.suite.scapy_crypt,
            crypt_key=self.encr_key or None,
            crypt_icv_size=self.suite.icv,
            auth_algo=self.suite.scapy_auth,
            auth_key=self.integ_key or None,
            tunnel_header=tunnel_header,
            nat_t_header=UDP(sport=4500, dport=4500) if nat_t else None,
            esn_en=self.esn,
        )

    def outbound(self, next_seq: int) -> OutboundEspSa:
        return OutboundEspSa(
            SPI,
            self.suite.transform(),
            self.encr_key,
            self.integ_key,
            random_bytes=self.rng.randbytes,
            mode=self.mode,
            esn=self.esn,
            next_seq=next_seq,
        )

    def inbound(self, first_seq: int) -> InboundEspSa:
        sa = InboundEspSa(
            SPI, self.suite.transform(), self.encr_key, self.integ_key, mode=self.mode, esn=self.esn
        )
        sa.replay.accept(first_seq - 1)  # as if the traffic before had arrived
        return sa


def peer(suite: Suite, mode: EspMode, esn: bool) -> Peer:
    rng = random.Random(f"{suite.name}/{mode}/{esn}")
    transform = suite.transform()
    return Peer(
        suite,
        mode,
        esn,
        rng.randbytes(transform.encr_key_size),
        rng.randbytes(transform.integ_key_size),
        rng,
    )


def ping4(size: int) -> Packet:
    data = (bytes(range(256)) * 6)[:size]
    return IP(src=INNER_V4[0], dst=INNER_V4[1], id=size) / ICMP(id=7, seq=size) / Raw(data)


def ping6(size: int) -> Packet:
    return IPv6(src=INNER_V6[0], dst=INNER_V6[1]) / ICMPv6EchoRequest(
        id=7, seq=size, data=bytes(size)
    )


def first_seq(esn: bool) -> int:
    return ESN_START if esn else 1


def make_inner(size: int, v6: bool) -> Packet:
    packet = ping6(size) if v6 else ping4(size)
    return packet.__class__(raw(packet))  # checksums and lengths filled in


@pytest.mark.parametrize("esn", [False, True], ids=["no-esn", "esn"])
@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_scapy_decrypts_what_pyike_encrypts(suite: Suite, mode: EspMode, esn: bool) -> None:
    p = peer(suite, mode, esn)
    outbound = p.outbound(first_seq(esn))
    tunnel = mode is EspMode.TUNNEL
    scapy = p.scapy_sa(IP(src=OUTER_V4[0], dst=OUTER_V4[1]) if tunnel else None)
    for size in PAYLOAD_SIZES:
        inner = make_inner(size, v6=False)
        seq = outbound.next_seq
        if tunnel:
            esp = outbound.encapsulate(raw(inner))
            wire = IP(wrap(esp, *OUTER_V4))
        else:
            esp = outbound.encapsulate(raw(inner[ICMP]), next_header=1)
            wire = IP(wrap(esp, *INNER_V4))
        assert wire[ESP].seq == seq & 0xFFFFFFFF
        clear = scapy.decrypt(wire, esn_en=esn, esn=seq >> 32)
        if tunnel:
            assert raw(clear) == raw(inner)
        else:
            assert raw(clear[ICMP]) == raw(inner[ICMP])
            assert (clear.src, clear.dst, clear.proto) == (*INNER_V4, 1)
        # Same padding rule on both sides: scapy's own packet has the same length.
        reference = scapy.encrypt(inner, seq_num=1)
        assert len(reference[ESP]) == len(esp)


@pytest.mark.parametrize("esn", [False, True], ids=["no-esn", "esn"])
@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_pyike_decrypts_what_scapy_encrypts(suite: Suite, mode: EspMode, esn: bool) -> None:
    p = peer(suite, mode, esn)
    seq = first_seq(esn)
    inbound = p.inbound(seq)
    tunnel = mode is EspMode.TUNNEL
    scapy = p.scapy_sa(IP(src=OUTER_V4[0], dst=OUTER_V4[1]) if tunnel else None)
    for size in PAYLOAD_SIZES:
        inner = make_inner(size, v6=False)
        # scapy treats 0 as "not given": set the SA's own counters instead.
        scapy.seq_num, scapy.esn = seq & 0xFFFFFFFF, seq >> 32
        iv = p.rng.randbytes(scapy.crypt_algo.iv_size)
        wire = scapy.encrypt(inner, iv=iv)
        outer = unwrap(raw(wire))
        assert outer.carried is Carried.ESP
        result = inbound.decapsulate(outer.payload)
        assert result.seq == seq
        if tunnel:
            assert (result.next_header, result.payload) == (4, raw(inner))
        else:
            assert (result.next_header, result.payload) == (1, raw(inner[ICMP]))
        seq += 1
    assert inbound.counters.packets == len(PAYLOAD_SIZES)
    assert inbound.replay.highest == seq - 1


IPV6_SUITES = [
    s
    for s in SUITES
    if s.name
    in (
        "esp-aes/esp-sha-hmac",
        "esp-gcm-256-icv16",
        "esp-chacha20-poly1305",
        "esp-3des/esp-sha512-hmac",
    )
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("suite", IPV6_SUITES, ids=lambda s: s.name)
def test_ipv6_both_directions(suite: Suite, mode: EspMode) -> None:
    p = peer(suite, mode, esn=False)
    tunnel = mode is EspMode.TUNNEL
    scapy = p.scapy_sa(IPv6(src=OUTER_V6[0], dst=OUTER_V6[1]) if tunnel else None)
    outbound, inbound = p.outbound(1), p.inbound(1)
    for size in (0, 40, 1300):
        inner = make_inner(size, v6=True)
        body = raw(inner) if tunnel else raw(inner[ICMPv6EchoRequest])
        next_header = None if tunnel else 58
        addresses = OUTER_V6 if tunnel else INNER_V6
        wire = IPv6(wrap(outbound.encapsulate(body, next_header), *addresses))
        clear = scapy.decrypt(wire)
        assert raw(clear if tunnel else clear[ICMPv6EchoRequest]) == body
        back = scapy.encrypt(inner)
        result = inbound.decapsulate(unwrap(raw(back)).payload)
        assert (result.next_header, result.payload) == (41 if tunnel else 58, body)


NAT_T_SUITES = [
    s
    for s in SUITES
    if s.name
    in (
        "esp-aes/esp-sha-hmac",
        "esp-3des/esp-sha-hmac",
        "esp-gcm-128-icv16",
        "esp-aes-256/esp-sha256-hmac",
    )
]


@pytest.mark.parametrize("suite", NAT_T_SUITES, ids=lambda s: s.name)
def test_udp_encapsulated_both_directions(suite: Suite) -> None:
    p = peer(suite, EspMode.TUNNEL, esn=False)
    scapy = p.scapy_sa(IP(src=OUTER_V4[0], dst=OUTER_V4[1]), nat_t=True)
    outbound, inbound = p.outbound(1), p.inbound(1)
    for size in (0, 100, 1400):
        inner = make_inner(size, v6=False)
        datagram = wrap(outbound.encapsulate(raw(inner)), *OUTER_V4, nat_t=(4500, 4500))
        wire = IP(datagram)
        assert (wire[UDP].sport, wire[UDP].dport, wire[UDP].chksum) == (4500, 4500, 0)
        assert raw(scapy.decrypt(wire)) == raw(inner)
        outer = unwrap(raw(scapy.encrypt(inner)))
        assert (outer.carried, outer.sport, outer.dport) == (Carried.ESP_IN_UDP, 4500, 4500)
        assert inbound.decapsulate(outer.payload).payload == raw(inner)


def test_scapy_rejects_a_packet_pyike_sealed_with_other_keys() -> None:
    # The cross-checks above can fail: a wrong integrity key is caught by scapy.
    suite = SUITES[1]
    p = peer(suite, EspMode.TUNNEL, esn=False)
    wire = IP(wrap(p.outbound(1).encapsulate(raw(make_inner(10, v6=False))), *OUTER_V4))
    other = peer(SUITES[1], EspMode.TRANSPORT, esn=False)
    with pytest.raises(IPSecIntegrityError):
        SecurityAssociation(
            ESP,
            spi=SPI,
            crypt_algo=suite.scapy_crypt,
            crypt_key=p.encr_key,
            auth_algo=suite.scapy_auth,
            auth_key=other.integ_key,
        ).decrypt(wire)


def test_esn_high_half_must_match_scapys() -> None:
    suite = next(s for s in SUITES if s.name == "esp-aes/esp-sha256-hmac")
    p = peer(suite, EspMode.TUNNEL, esn=True)
    inbound = p.inbound(ESN_START)
    scapy = p.scapy_sa(IP(src=OUTER_V4[0], dst=OUTER_V4[1]))
    scapy.seq_num, scapy.esn = ESN_START & 0xFFFFFFFF, (ESN_START >> 32) + 1  # wrong epoch
    wire = scapy.encrypt(make_inner(10, v6=False))
    with pytest.raises(EspIntegrityError):
        inbound.decapsulate(unwrap(raw(wire)).payload)


def test_tfc_padded_tunnel_packets_decrypt_in_scapy_and_pyike_strips_the_padding() -> None:
    suite = next(s for s in SUITES if s.name == "esp-gcm-128-icv16")
    p = peer(suite, EspMode.TUNNEL, esn=False)
    outbound = OutboundEspSa(SPI, suite.transform(), p.encr_key, tfc_pad_to=1000)
    inbound = p.inbound(1)
    inner = raw(make_inner(20, v6=False))
    esp = outbound.encapsulate(inner)
    assert len(esp) >= 1000
    clear = p.scapy_sa(IP(src=OUTER_V4[0], dst=OUTER_V4[1])).decrypt(IP(wrap(esp, *OUTER_V4)))
    assert raw(clear)[: len(inner)] == inner and len(raw(clear)) == 1000
    assert inbound.decapsulate(esp).payload == inner
