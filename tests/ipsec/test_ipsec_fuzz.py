"""Properties over arbitrary input: decapsulation and unwrapping raise nothing but EspError,
and whatever an outbound SA seals, the matching inbound SA opens unchanged."""

from __future__ import annotations

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyike.codec.registry import EncrId, IntegId
from pyike.ipsec import (
    EspError,
    EspMode,
    EspTransform,
    InboundEspSa,
    OutboundEspSa,
    esp_transform,
    unwrap,
    wrap,
)

SPI = 0x01020304
TRANSFORMS = [
    esp_transform(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96),
    esp_transform(EncrId.TRIPLE_DES, None, IntegId.HMAC_MD5_96),
    esp_transform(EncrId.AES_CBC, 256),  # no integrity: garbage reaches the trailer checks
    esp_transform(EncrId.NULL, None, IntegId.HMAC_SHA2_256_128),
    esp_transform(EncrId.AES_GCM_16, 128),
    esp_transform(EncrId.AES_GCM_8, 256),
    esp_transform(EncrId.CHACHA20_POLY1305, None),
    esp_transform(EncrId.AES_CBC, 128, IntegId.AES_XCBC_96),
]
transforms = st.sampled_from(TRANSFORMS)
modes = st.sampled_from(list(EspMode))


def inbound(transform: EspTransform, mode: EspMode, esn: bool, window: int) -> InboundEspSa:
    return InboundEspSa(
        SPI,
        transform,
        bytes(transform.encr_key_size),
        bytes(transform.integ_key_size),
        mode=mode,
        esn=esn,
        replay_window=window,
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transform=transforms,
    mode=modes,
    esn=st.booleans(),
    window=st.sampled_from([0, 64, 1024]),
    spi_prefix=st.booleans(),
    data=st.binary(max_size=300),
)
def test_random_bytes_never_raise_anything_but_esp_error(
    transform, mode, esn, window, spi_prefix, data
) -> None:  # type: ignore[no-untyped-def]
    sa = inbound(transform, mode, esn, window)
    packet = SPI.to_bytes(4, "big") + data if spi_prefix else data
    for _ in range(2):  # a second pass sees a window that may have moved
        with contextlib.suppress(EspError):
            sa.decapsulate(packet)
    assert sa.counters.packets + sa.counters.recv_errors == 2


@settings(max_examples=300, deadline=None)
@given(
    transform=st.sampled_from([t for t in TRANSFORMS if t.integ is None and not t.is_aead]),
    data=st.binary(min_size=16, max_size=200),
)
def test_without_integrity_any_block_aligned_ciphertext_is_handled(
    transform: EspTransform, data: bytes
) -> None:
    sa = inbound(transform, EspMode.TUNNEL, False, 64)
    body = data[: len(data) // transform.alignment * transform.alignment] or bytes(
        transform.alignment
    )
    packet = SPI.to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes(transform.iv_size) + body
    try:
        sa.decapsulate(packet)
    except EspError:
        assert sa.counters.malformed == 1


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=200), version=st.sampled_from([0x45, 0x46, 0x60, 0x00]))
def test_unwrap_raises_nothing_but_esp_error(data: bytes, version: int) -> None:
    with contextlib.suppress(EspError):
        unwrap(bytes([version]) + data)


@settings(max_examples=300, deadline=None)
@given(
    transform=transforms,
    esn=st.booleans(),
    payload=st.binary(max_size=1500),
    next_header=st.integers(min_value=0, max_value=255),
    tfc=st.sampled_from([0, 100, 600]),
    seed=st.integers(),
)
def test_what_is_sealed_opens_unchanged(
    transform: EspTransform, esn: bool, payload: bytes, next_header: int, tfc: int, seed: int
) -> None:
    # Transport mode: the payload is opaque, so TFC padding comes back as trailing zeros.
    rng = random.Random(seed)
    encr, integ = rng.randbytes(transform.encr_key_size), rng.randbytes(transform.integ_key_size)
    start = rng.choice([1, 0xFFFFFFFF - 1, (7 << 32) - 1]) if esn else 1
    mode = EspMode.TRANSPORT
    out = OutboundEspSa(
        SPI,
        transform,
        encr,
        integ,
        random_bytes=rng.randbytes,
        mode=mode,
        esn=esn,
        next_seq=start,
        tfc_pad_to=tfc,
    )
    sa = InboundEspSa(SPI, transform, encr, integ, mode=mode, esn=esn)
    sa.replay.accept(start - 1)
    for _ in range(3):
        esp = out.encapsulate(payload, next_header)
        outer = unwrap(wrap(esp, "10.1.1.1", "10.2.2.2", nat_t=(4500, 4500)))
        result = sa.decapsulate(outer.payload)
        assert result.next_header == next_header
        assert result.payload[: len(payload)] == payload
        assert result.payload[len(payload) :] == bytes(len(result.payload) - len(payload))
