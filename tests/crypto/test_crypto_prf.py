"""Known-answer tests for the PRFs (RFC 2202, 4231, 4868, 4434, 4615) and prf+."""

from __future__ import annotations

import pytest

from pyike.codec.registry import PrfId
from pyike.crypto.errors import CryptoError, UnsupportedTransform
from pyike.crypto.prf import prf_algorithm, prf_plus

h = bytes.fromhex

JEFE = (b"Jefe", b"what do ya want for nothing?")

HMAC_CASES = [
    # RFC 2202 section 2 (HMAC-MD5), test cases 1, 2, 3, 6.
    (PrfId.HMAC_MD5, b"\x0b" * 16, b"Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
    (PrfId.HMAC_MD5, *JEFE, "750c783e6ab0b503eaa86e310a5db738"),
    (PrfId.HMAC_MD5, b"\xaa" * 16, b"\xdd" * 50, "56be34521d144c88dbb8c733f0e8b3f6"),
    (
        PrfId.HMAC_MD5,
        b"\xaa" * 80,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
    ),
    # RFC 2202 section 3 (HMAC-SHA-1), test cases 1, 2, 3, 6.
    (PrfId.HMAC_SHA1, b"\x0b" * 20, b"Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
    (PrfId.HMAC_SHA1, *JEFE, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    (PrfId.HMAC_SHA1, b"\xaa" * 20, b"\xdd" * 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
    (
        PrfId.HMAC_SHA1,
        b"\xaa" * 80,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "aa4ae5e15272d00e95705637ce8a3b55ed402112",
    ),
    # RFC 4231 test cases 1 and 2.
    (
        PrfId.HMAC_SHA2_256,
        b"\x0b" * 20,
        b"Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ),
    (
        PrfId.HMAC_SHA2_256,
        *JEFE,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (
        PrfId.HMAC_SHA2_384,
        b"\x0b" * 20,
        b"Hi There",
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
        "faea9ea9076ede7f4af152e8b2fa9cb6",
    ),
    (
        PrfId.HMAC_SHA2_384,
        *JEFE,
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
        "8e2240ca5e69e2c78b3239ecfab21649",
    ),
    (
        PrfId.HMAC_SHA2_512,
        b"\x0b" * 20,
        b"Hi There",
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
    ),
    (
        PrfId.HMAC_SHA2_512,
        *JEFE,
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    ),
]


@pytest.mark.parametrize(("prf_id", "key", "data", "expected"), HMAC_CASES)
def test_hmac_prfs(prf_id: PrfId, key: bytes, data: bytes, expected: str) -> None:
    prf = prf_algorithm(prf_id)
    assert prf(key, data) == h(expected)
    assert prf.output_size == len(expected) // 2 == prf.key_size
    assert not prf.fixed_key


XCBC_MESSAGE = bytes(range(20))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # RFC 4434 section 4: key exactly 128 bits, shorter (padded), longer (XCBC'd).
        ("000102030405060708090a0b0c0d0e0f", "47f51b4564966215b8985c63055ed308"),
        ("00010203040506070809", "0fa087af7d866e7653434e602fdde835"),
        ("000102030405060708090a0b0c0d0e0fedcb", "8cd3c93ae598a9803006ffb67c40e9e4"),
    ],
)
def test_aes_xcbc_prf_128_rfc4434(key: str, expected: str) -> None:
    prf = prf_algorithm(PrfId.AES128_XCBC)
    assert prf(h(key), XCBC_MESSAGE) == h(expected)
    assert prf.fixed_key and prf.key_size == 16 and prf.output_size == 16


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # RFC 4615 section 4: 18-octet, 16-octet and 10-octet keys (both lengths CMAC'd).
        ("000102030405060708090a0b0c0d0e0fedcb", "84a348a4a45d235babfffc0d2b4da09a"),
        ("000102030405060708090a0b0c0d0e0f", "980ae87b5f4c9c5214f5b6a8455e4c2d"),
        ("00010203040506070809", "290d9e112edb09ee141fcf64c0b72f3d"),
    ],
)
def test_aes_cmac_prf_128_rfc4615(key: str, expected: str) -> None:
    prf = prf_algorithm(PrfId.AES128_CMAC)
    assert prf(h(key), XCBC_MESSAGE) == h(expected)
    assert prf.fixed_key


def test_prf_plus_follows_rfc7296_definition() -> None:
    prf = prf_algorithm(PrfId.HMAC_SHA1)
    key, seed = b"k" * 20, b"seed"
    t1 = prf(key, seed + b"\x01")
    t2 = prf(key, t1 + seed + b"\x02")
    t3 = prf(key, t2 + seed + b"\x03")
    assert prf_plus(prf, key, seed, 50) == (t1 + t2 + t3)[:50]
    assert prf_plus(prf, key, seed, 20) == t1
    assert prf_plus(prf, key, seed, 0) == b""


def test_prf_plus_limit_is_255_blocks() -> None:
    prf = prf_algorithm(PrfId.HMAC_MD5)
    assert len(prf_plus(prf, b"k", b"s", 255 * 16)) == 255 * 16
    with pytest.raises(CryptoError, match="cannot produce"):
        prf_plus(prf, b"k", b"s", 255 * 16 + 1)


@pytest.mark.parametrize("prf_id", [PrfId.HMAC_TIGER, PrfId.HMAC_STREEBOG_512, 99])
def test_unsupported_prf(prf_id: int) -> None:
    with pytest.raises(UnsupportedTransform, match="PRF"):
        prf_algorithm(prf_id)


@pytest.mark.parametrize(
    "prf_id", [PrfId.HMAC_SHA2_256, PrfId.HMAC_SHA2_512, PrfId.AES128_XCBC, PrfId.AES128_CMAC]
)
def test_prf_plus_keys_each_block_as_prf_does(prf_id: PrfId) -> None:
    """prf+ keys its PRF once for all blocks (AES-based ones normalise a 20-octet key)."""
    prf = prf_algorithm(prf_id)
    key, seed = bytes(range(20)), b"seed" * 9
    blocks, block = [], b""
    for counter in range(1, 5):
        block = prf(key, block + seed + bytes([counter]))
        blocks.append(block)
    assert (
        prf_plus(prf, key, seed, 3 * prf.output_size + 5)
        == b"".join(blocks)[: 3 * prf.output_size + 5]
    )
