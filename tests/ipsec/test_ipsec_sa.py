"""ESP SAs as the data plane uses them: counters, anti-replay order of checks, volume
limits, every malformed-input path, TFC padding, dummy packets, and configuration errors."""

from __future__ import annotations

import random

import pytest

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto.keys import ChildKeys
from pyike.ipsec import (
    NO_NEXT_HEADER,
    EspConfigError,
    EspIntegrityError,
    EspLifetimeExpired,
    EspMalformedPacket,
    EspMode,
    EspPaddingError,
    EspPayloadError,
    EspReplayError,
    EspSpiMismatch,
    EspTransform,
    InboundEspSa,
    LimitState,
    OutboundEspSa,
    SaLimits,
    child_sa_pair,
    esp_transform,
)
from pyike.ipsec.contexts import esp_context
from pyike.ipsec.esp import encrypted_part, pack_header

SPI = 0xC0FFEE01
AES_SHA = esp_transform(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
GCM = esp_transform(EncrId.AES_GCM_16, 256)
NULL_SHA = esp_transform(EncrId.NULL, None, IntegId.HMAC_SHA1_96)
AES_ONLY = esp_transform(EncrId.AES_CBC, 256)
ALL_IOS = [
    esp_transform(e, b, i)
    for e, b in (
        (EncrId.DES, None),
        (EncrId.TRIPLE_DES, None),
        (EncrId.AES_CBC, 128),
        (EncrId.AES_CBC, 192),
        (EncrId.AES_CBC, 256),
        (EncrId.NULL, None),
    )
    for i in (
        IntegId.HMAC_MD5_96,
        IntegId.HMAC_SHA1_96,
        IntegId.HMAC_SHA2_256_128,
        IntegId.HMAC_SHA2_384_192,
        IntegId.HMAC_SHA2_512_256,
    )
] + [
    esp_transform(EncrId.AES_GCM_16, 128),
    esp_transform(EncrId.AES_GCM_16, 256),
    esp_transform(EncrId.CHACHA20_POLY1305, None),
]


def ipv4(length: int, *, df: bool = False) -> bytes:
    header = bytearray(20)
    header[0] = 0x45
    header[2:4] = length.to_bytes(2, "big")
    header[6] = 0x40 if df else 0
    header[9] = 1
    return bytes(header) + bytes(i & 0xFF for i in range(length - 20))


def ipv6(payload_length: int) -> bytes:
    return (
        bytes([0x60])
        + bytes(3)
        + payload_length.to_bytes(2, "big")
        + bytes([58, 64])
        + bytes(32 + payload_length)
    )


def pair(
    transform: EspTransform = AES_SHA, *, seed: int = 1, **kwargs: object
) -> tuple[OutboundEspSa, InboundEspSa]:
    rng = random.Random(seed)
    encr, integ = rng.randbytes(transform.encr_key_size), rng.randbytes(transform.integ_key_size)
    out_kwargs = {
        k: v for k, v in kwargs.items() if k in ("mode", "esn", "tfc_pad_to", "next_seq", "limits")
    }
    in_kwargs = {k: v for k, v in kwargs.items() if k in ("mode", "esn", "replay_window", "limits")}
    outbound = OutboundEspSa(SPI, transform, encr, integ, random_bytes=rng.randbytes, **out_kwargs)  # type: ignore[arg-type]
    inbound = InboundEspSa(SPI, transform, encr, integ, **in_kwargs)  # type: ignore[arg-type]
    return outbound, inbound


@pytest.mark.parametrize("transform", ALL_IOS, ids=lambda t: t.name)
def test_every_ios_suite_round_trips_with_exact_overhead(transform: EspTransform) -> None:
    outbound, inbound = pair(transform)
    for length in (20, 21, 22, 23, 64, 511, 1400):
        packet = ipv4(length)
        esp = outbound.encapsulate(packet)
        assert len(esp) == length + transform.overhead(length)
        assert (len(esp) - 8 - transform.iv_size - transform.icv_size) % transform.alignment == 0
        result = inbound.decapsulate(esp)
        assert (result.next_header, result.payload) == (4, packet)
    assert outbound.counters.packets == inbound.counters.packets == 7
    assert outbound.counters.bytes == inbound.counters.bytes == 20 + 21 + 22 + 23 + 64 + 511 + 1400


def test_padding_is_monotonic_and_fills_the_block() -> None:
    # NULL encryption leaves the trailer visible: payload | 1 2 ... n | n | next header.
    outbound, _ = pair(NULL_SHA)
    assert outbound.encapsulate(b"abcde", next_header=17)[8:-12] == b"abcde\x01\x01\x11"
    assert outbound.encapsulate(b"abcd", next_header=17)[8:-12] == b"abcd\x01\x02\x02\x11"
    assert outbound.encapsulate(b"ab", next_header=6)[8:-12] == b"ab\x00\x06"
    # AES-CBC pads to its 16-octet block.
    assert (
        encrypted_part(b"abcde", 4, AES_SHA.alignment)
        == b"abcde" + bytes(range(1, 10)) + b"\x09\x04"
    )


def test_aead_ivs_are_the_sequence_number_and_cbc_ivs_come_from_random_bytes() -> None:
    outbound, _ = pair(GCM, esn=True, next_seq=0x1122334455)
    esp = outbound.encapsulate(ipv4(40))
    assert esp[8:16] == (0x1122334455).to_bytes(8, "big")
    drawn: list[int] = []
    cbc = OutboundEspSa(
        SPI, AES_SHA, bytes(16), bytes(20), random_bytes=lambda n: drawn.append(n) or b"\x5a" * n
    )
    assert cbc.encapsulate(ipv4(40))[8:24] == b"\x5a" * 16 and drawn == [16]


def test_esn_sends_only_the_low_half_but_authenticates_the_high_half() -> None:
    start = (3 << 32) | 0xFFFFFFFF
    outbound, inbound = pair(AES_SHA, esn=True, next_seq=start)
    inbound.replay.accept(start - 1)
    first, second = outbound.encapsulate(ipv4(30)), outbound.encapsulate(ipv4(30))
    assert first[4:8] == b"\xff\xff\xff\xff" and second[4:8] == b"\x00\x00\x00\x00"
    assert inbound.decapsulate(first).seq == start
    assert inbound.decapsulate(second).seq == start + 1
    assert inbound.replay.highest == 4 << 32


def test_gcm_short_icvs_are_the_full_tag_truncated() -> None:
    keymat = bytes(range(20))
    header, iv, plaintext = pack_header(SPI, 9), bytes(8), b"payload\x01\x02\x02\x04"
    full = esp_context(esp_transform(EncrId.AES_GCM_16, 128), keymat, b"").seal(
        header, iv, plaintext, b""
    )
    for encr_id, icv in ((EncrId.AES_GCM_12, 12), (EncrId.AES_GCM_8, 8)):
        transform = esp_transform(encr_id, 128)
        short = esp_context(transform, keymat, b"").seal(header, iv, plaintext, b"")
        assert short == full[: len(full) - 16 + icv]
        sa = InboundEspSa(SPI, transform, keymat, mode=EspMode.TRANSPORT)
        with pytest.raises(EspIntegrityError):
            sa.decapsulate(short[:-1] + bytes([short[-1] ^ 1]))
        assert sa.decapsulate(short).payload == b"payload"


@pytest.mark.parametrize("integ", [IntegId.AES_XCBC_96, IntegId.AES_CMAC_96])
def test_aes_mac_integrity_round_trips_and_detects_tampering(integ: IntegId) -> None:
    outbound, inbound = pair(esp_transform(EncrId.AES_CBC, 128, integ))
    esp = outbound.encapsulate(ipv4(50))
    assert inbound.decapsulate(esp).payload == ipv4(50)
    forged = outbound.encapsulate(ipv4(50))
    with pytest.raises(EspIntegrityError):
        inbound.decapsulate(forged[:20] + bytes([forged[20] ^ 0x80]) + forged[21:])


@pytest.mark.parametrize(
    "transform",
    [
        esp_transform(EncrId.AES_CTR, 128, IntegId.HMAC_SHA1_96),
        esp_transform(EncrId.AES_CTR, 256, IntegId.HMAC_SHA2_256_128),
        esp_transform(EncrId.AES_CCM_8, 128),
        esp_transform(EncrId.AES_CCM_12, 192),
        esp_transform(EncrId.AES_CCM_16, 256),
    ],
    ids=lambda t: t.name,
)
def test_aes_ctr_and_ccm_round_trip_and_detect_tampering(transform: EspTransform) -> None:
    """RFC 3686 and RFC 4309: 8-octet IVs, 4-octet alignment, the cipher's own key stream."""
    outbound, inbound = pair(transform)
    packet = ipv4(61)
    esp = outbound.encapsulate(packet)
    assert len(esp) == 61 + transform.overhead(61) and transform.alignment == 4
    assert packet[20:] not in esp  # encrypted, not merely framed
    assert inbound.decapsulate(esp).payload == packet
    forged = outbound.encapsulate(packet)
    with pytest.raises(EspIntegrityError):
        inbound.decapsulate(forged[:20] + bytes([forged[20] ^ 0x80]) + forged[21:])


# --- anti-replay through the SA ----------------------------------------------------------------


@pytest.mark.parametrize("window", [64, 1024])
def test_replays_are_dropped_and_counted(window: int) -> None:
    outbound, inbound = pair(replay_window=window)
    packets = [outbound.encapsulate(ipv4(28)) for _ in range(window + 10)]
    inbound.decapsulate(packets[-1])
    inbound.decapsulate(packets[10])  # window - 1 behind: still inside
    with pytest.raises(EspReplayError) as too_old:
        inbound.decapsulate(packets[9])  # window behind: outside
    assert too_old.value.seq == 10 and "replay check failed" in str(too_old.value)
    with pytest.raises(EspReplayError, match="already received"):
        inbound.decapsulate(packets[10])
    assert inbound.counters.replay_failures == 2 and inbound.counters.packets == 2
    assert inbound.counters.recv_errors == 2


def test_a_forged_icv_does_not_move_the_window() -> None:
    outbound, inbound = pair()
    packets = [outbound.encapsulate(ipv4(28)) for _ in range(3)]
    inbound.decapsulate(packets[0])
    forged = bytearray(packets[2])
    forged[4:8] = (1000).to_bytes(4, "big")  # an attacker claims sequence number 1000
    with pytest.raises(EspIntegrityError, match="mac verification failed"):
        inbound.decapsulate(bytes(forged))
    assert inbound.replay.highest == 1 and inbound.counters.integrity_failures == 1
    assert inbound.decapsulate(packets[1]).seq == 2  # the genuine traffic still flows
    assert inbound.decapsulate(packets[2]).seq == 3


def test_replay_is_checked_before_the_icv() -> None:
    # A replayed packet with a broken ICV counts as a replay: the cheap check runs first.
    outbound, inbound = pair()
    packet = outbound.encapsulate(ipv4(28))
    inbound.decapsulate(packet)
    with pytest.raises(EspReplayError):
        inbound.decapsulate(packet[:-1] + bytes([packet[-1] ^ 1]))
    assert inbound.counters.integrity_failures == 0


def test_replay_detection_can_be_disabled() -> None:
    outbound, inbound = pair(replay_window=0)
    packet = outbound.encapsulate(ipv4(28))
    assert inbound.decapsulate(packet).seq == inbound.decapsulate(packet).seq == 1


# --- volume limits -----------------------------------------------------------------------------


def test_outbound_byte_limits() -> None:
    outbound, _ = pair(limits=SaLimits(soft_bytes=100, hard_bytes=150))
    assert outbound.limit_state is LimitState.OK and outbound.remaining_bytes == 150
    outbound.encapsulate(ipv4(60))
    outbound.encapsulate(ipv4(60))
    assert outbound.limit_state is LimitState.SOFT and outbound.remaining_bytes == 30
    outbound.encapsulate(ipv4(60))  # crosses the hard limit: still sent, then no more
    assert outbound.limit_state is LimitState.HARD and outbound.remaining_bytes == 0
    with pytest.raises(EspLifetimeExpired):
        outbound.encapsulate(ipv4(60))
    assert outbound.counters.packets == 3 and outbound.counters.send_errors == 1


def test_inbound_packet_limits() -> None:
    outbound, inbound = pair(limits=SaLimits(soft_packets=2, hard_packets=3))
    packets = [outbound.encapsulate(ipv4(28)) for _ in range(3)]
    assert outbound.limit_state is LimitState.HARD
    states = []
    for packet in packets:
        inbound.decapsulate(packet)
        states.append(inbound.limit_state)
    assert states == [LimitState.OK, LimitState.SOFT, LimitState.HARD]
    late = OutboundEspSa(SPI, AES_SHA, *_keys(), random_bytes=bytes, next_seq=4)
    with pytest.raises(EspLifetimeExpired):
        inbound.decapsulate(late.encapsulate(ipv4(28)))
    assert inbound.counters.expired == 1 and inbound.remaining_bytes is None


def _keys() -> tuple[bytes, bytes]:
    rng = random.Random(1)
    return rng.randbytes(16), rng.randbytes(20)


def test_32_bit_sequence_numbers_run_out_and_esn_ones_do_not() -> None:
    outbound, _ = pair(next_seq=0xFFFFFFFF)
    outbound.encapsulate(ipv4(28))
    assert outbound.limit_state is LimitState.HARD
    with pytest.raises(EspLifetimeExpired):
        outbound.encapsulate(ipv4(28))
    esn, _ = pair(esn=True, next_seq=0xFFFFFFFF)
    esn.encapsulate(ipv4(28))
    esn.encapsulate(ipv4(28))
    assert esn.next_seq == 1 << 32 | 1 and esn.limit_state is LimitState.OK
    last, _ = pair(esn=True, next_seq=(1 << 64) - 1)
    last.encapsulate(ipv4(28))
    assert last.limit_state is LimitState.HARD


@pytest.mark.parametrize(
    "limits",
    [
        {"soft_bytes": 10, "hard_bytes": 5},
        {"soft_packets": 3, "hard_packets": 2},
        {"hard_bytes": -1},
    ],
)
def test_inconsistent_limits_are_refused(limits: dict[str, int]) -> None:
    with pytest.raises(EspConfigError):
        SaLimits(**limits)


# --- malformed input ---------------------------------------------------------------------------


def test_packets_too_short_or_not_whole_blocks() -> None:
    outbound, inbound = pair()
    good = outbound.encapsulate(ipv4(28))
    for bad in (b"", good[:7], good[: 8 + 16 + 12], good[:-1], good + b"\x00"):
        with pytest.raises(EspMalformedPacket):
            inbound.decapsulate(bad)
    assert inbound.counters.malformed == 5 and inbound.replay.highest == 0


def test_a_packet_for_another_spi() -> None:
    outbound, inbound = pair()
    packet = bytearray(outbound.encapsulate(ipv4(28)))
    packet[:4] = b"\x00\x00\x00\x07"
    with pytest.raises(EspSpiMismatch, match="invalid spi 0x00000007"):
        inbound.decapsulate(bytes(packet))
    assert inbound.counters.spi_mismatches == 1


def _sealed(transform: EspTransform, plaintext: bytes, seq: int = 1) -> tuple[bytes, InboundEspSa]:
    """A packet with a valid ICV around any decrypted part, to reach the trailer checks."""
    encr, integ = bytes(transform.encr_key_size), bytes(range(transform.integ_key_size))
    context = esp_context(transform, encr, integ)
    packet = context.seal(pack_header(SPI, seq), bytes(transform.iv_size), plaintext, b"")
    return packet, InboundEspSa(SPI, transform, encr, integ, mode=EspMode.TRANSPORT)


@pytest.mark.parametrize("transform", [NULL_SHA, AES_SHA, GCM], ids=lambda t: t.name)
def test_bad_padding_is_refused_after_the_icv_verified(transform: EspTransform) -> None:
    packet, sa = _sealed(transform, b"0123456789" + bytes([1, 2, 9, 4]) + bytes([4, 17]))
    with pytest.raises(EspPaddingError, match="monotonic"):
        sa.decapsulate(packet)
    assert sa.counters.malformed == 1 and sa.replay.highest == 1  # authentic: window moved


@pytest.mark.parametrize("transform", [NULL_SHA, AES_SHA, GCM], ids=lambda t: t.name)
def test_a_pad_length_longer_than_the_payload(transform: EspTransform) -> None:
    packet, sa = _sealed(transform, b"\x00" * 14 + b"\xf0\x04")
    with pytest.raises(EspPaddingError, match="exceeds"):
        sa.decapsulate(packet)


def test_without_integrity_a_corrupted_cbc_packet_shows_up_as_bad_padding_at_worst() -> None:
    outbound, inbound = pair(AES_ONLY)
    packet = bytearray(outbound.encapsulate(ipv4(60)))
    packet[-1] ^= 0xFF  # last ciphertext block: the trailer decrypts to garbage
    with pytest.raises(EspMalformedPacket):
        inbound.decapsulate(bytes(packet))


def test_dummy_packets_are_reported_as_such() -> None:
    outbound, inbound = pair(GCM)
    result = inbound.decapsulate(outbound.encapsulate(b"\x00" * 32, next_header=NO_NEXT_HEADER))
    assert result.is_dummy and result.next_header == 59


def test_tfc_padding_is_stripped_from_ipv4_and_ipv6_inner_packets() -> None:
    outbound, inbound = pair(GCM, tfc_pad_to=600)
    for packet in (ipv4(100), ipv6(60)):
        esp = outbound.encapsulate(packet)
        assert len(esp) > 600
        assert inbound.decapsulate(esp).payload == packet
    big = ipv4(700)
    assert len(outbound.encapsulate(big)) == len(big) + GCM.overhead(len(big))


def test_transport_mode_keeps_what_follows_the_payload() -> None:
    outbound, inbound = pair(GCM, mode=EspMode.TRANSPORT, tfc_pad_to=64)
    result = inbound.decapsulate(outbound.encapsulate(b"udp-ish", next_header=17))
    assert result.payload == b"udp-ish" + bytes(64 - 7)


def test_a_tunnel_payload_shorter_than_its_ip_header_is_left_alone() -> None:
    outbound, inbound = pair(GCM)
    assert (
        inbound.decapsulate(outbound.encapsulate(b"\x45\x00", next_header=4)).payload == b"\x45\x00"
    )


# --- outbound input errors ---------------------------------------------------------------------


@pytest.mark.parametrize("payload", [b"", b"\x20abc", b"\x70"])
def test_tunnel_mode_needs_an_ip_packet(payload: bytes) -> None:
    outbound, _ = pair()
    with pytest.raises(EspPayloadError, match="not an IPv4 or IPv6"):
        outbound.encapsulate(payload)
    assert outbound.counters.send_errors == 1 and outbound.next_seq == 1


def test_tunnel_mode_reads_the_next_header_from_the_ip_version() -> None:
    outbound, inbound = pair()
    assert inbound.decapsulate(outbound.encapsulate(ipv6(8))).next_header == 41


def test_transport_mode_needs_the_protocol_and_it_must_be_an_octet() -> None:
    outbound, _ = pair(mode=EspMode.TRANSPORT)
    with pytest.raises(EspPayloadError, match="protocol number"):
        outbound.encapsulate(b"data")
    with pytest.raises(EspPayloadError, match="not an octet"):
        outbound.encapsulate(b"data", next_header=256)


# --- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encr", "bits", "integ", "message"),
    [
        (EncrId.AES_GCM_16, 128, IntegId.HMAC_SHA1_96, "combined-mode"),
        (EncrId.NULL, None, IntegId.NONE, "neither encryption nor integrity"),
        (EncrId.CAMELLIA_CTR, 128, IntegId.HMAC_SHA1_96, "not supported"),
        (EncrId.AES_CBC, 100, IntegId.HMAC_SHA1_96, "not supported"),
        (EncrId.AES_CBC, 128, IntegId.DES_MAC, "not supported"),
    ],
)
def test_transforms_that_make_no_esp_sa(
    encr: EncrId, bits: int | None, integ: IntegId, message: str
) -> None:
    with pytest.raises(EspConfigError, match=message):
        esp_transform(encr, bits, integ)


def test_sa_parameters_are_checked() -> None:
    encr, integ = _keys()
    with pytest.raises(EspConfigError, match="key must be 16 octets"):
        InboundEspSa(SPI, AES_SHA, encr[:8], integ)
    with pytest.raises(EspConfigError, match="integrity key"):
        InboundEspSa(SPI, AES_SHA, encr, integ[:4])
    with pytest.raises(EspConfigError, match="random_bytes"):
        OutboundEspSa(SPI, AES_SHA, encr, integ)
    with pytest.raises(EspConfigError, match="SPI"):
        OutboundEspSa(0, AES_SHA, encr, integ, random_bytes=bytes)
    with pytest.raises(EspConfigError, match="first sequence number"):
        OutboundEspSa(SPI, AES_SHA, encr, integ, random_bytes=bytes, next_seq=0)
    with pytest.raises(EspConfigError, match="TFC"):
        OutboundEspSa(SPI, AES_SHA, encr, integ, random_bytes=bytes, tfc_pad_to=-1)
    with pytest.raises(EspConfigError, match="window"):
        InboundEspSa(SPI, AES_SHA, encr, integ, replay_window=2048)
    # AEAD and NULL need no randomness.
    OutboundEspSa(SPI, GCM, bytes(36)).encapsulate(ipv4(20))
    OutboundEspSa(SPI, NULL_SHA, b"", integ).encapsulate(ipv4(20))


def test_reprs_name_the_sa_but_never_its_keys() -> None:
    key = bytes.fromhex("6b6579206d6174657269616c21212121")
    sa = InboundEspSa(SPI, AES_SHA, key, bytes(20), esn=True)
    out = OutboundEspSa(SPI, GCM, key + key + b"salt", random_bytes=bytes)
    for text in (repr(sa), repr(out), repr(sa._context), repr(out._context), repr(sa.replay)):
        assert key.hex() not in text and "key material" not in text and str(key) not in text
    assert repr(sa) == "InboundEspSa(spi=0xC0FFEE01, AES-CBC-128/HMAC-SHA1-96, Tunnel, ESN)"


def test_child_sa_pair_wires_initiator_keys_to_initiator_traffic() -> None:
    transform = AES_SHA
    keys = ChildKeys(b"I" * 16, b"i" * 20, b"R" * 16, b"r" * 20)
    rng = random.Random(3)
    i_in, i_out = child_sa_pair(
        transform, keys, initiator=True, spi_in=0x111, spi_out=0x222, random_bytes=rng.randbytes
    )
    r_in, r_out = child_sa_pair(
        transform, keys, initiator=False, spi_in=0x222, spi_out=0x111, random_bytes=rng.randbytes
    )
    assert r_in.decapsulate(i_out.encapsulate(ipv4(40))).payload == ipv4(40)
    assert i_in.decapsulate(r_out.encapsulate(ipv4(41))).payload == ipv4(41)
    with pytest.raises(EspSpiMismatch):
        i_in.decapsulate(i_out.encapsulate(ipv4(40)))


# --- the long-lived cipher contexts ------------------------------------------------------------


@pytest.mark.parametrize(
    "transform",
    [AES_SHA, esp_transform(EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96)],
    ids=lambda t: t.name,
)
def test_long_lived_cbc_contexts_match_a_fresh_cipher_per_packet(transform: EspTransform) -> None:
    rng = random.Random(5)
    encr, integ = rng.randbytes(transform.encr_key_size), rng.randbytes(transform.integ_key_size)
    context = esp_context(transform, encr, integ)
    block = transform.encr.block_size
    for seq in range(1, 60):
        iv = rng.randbytes(block)
        plaintext = rng.randbytes(block * rng.randint(1, 90))
        header = pack_header(SPI, seq)
        packet = context.seal(header, iv, plaintext, b"")
        fresh = transform.encr.encrypt(encr, iv, plaintext)  # type: ignore[attr-defined]
        assert packet[8 + block : -12] == fresh
        assert packet[-12:] == transform.integ.compute(integ, packet[:-12])  # type: ignore[union-attr]
        opened, start = context.open(packet, b"")
        assert opened[start:] == plaintext


def test_a_cbc_context_refuses_partial_blocks_and_stays_usable() -> None:
    context = esp_context(AES_ONLY, bytes(32), b"")
    with pytest.raises(EspPayloadError, match="whole blocks"):
        context.seal(pack_header(SPI, 1), bytes(15), bytes(range(32)), b"")
    with pytest.raises(EspPayloadError, match="whole blocks"):
        context.seal(pack_header(SPI, 1), bytes(16), bytes(range(31)), b"")
    packet = context.seal(pack_header(SPI, 1), bytes(16), bytes(range(32)), b"")
    assert packet[24:] == AES_ONLY.encr.encrypt(bytes(32), bytes(16), bytes(range(32)))  # type: ignore[attr-defined]
    with pytest.raises(EspMalformedPacket, match="whole number of blocks"):
        context.open(packet[:-1], b"")
    opened, start = context.open(packet, b"")
    assert opened[start:] == bytes(range(32))


def test_decapsulate_takes_any_buffer() -> None:
    for transform in (AES_SHA, GCM):
        outbound, inbound = pair(transform)
        for wrap_as in (bytes, bytearray, memoryview):
            packet = wrap_as(outbound.encapsulate(ipv4(99)))
            assert inbound.decapsulate(packet).payload == ipv4(99)
