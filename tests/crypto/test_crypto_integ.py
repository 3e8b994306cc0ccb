"""Known-answer tests for the integrity transforms (RFC 2202, 4231, 4868, 3566, 4494)."""

from __future__ import annotations

import pytest

from pyike.codec.registry import IntegId
from pyike.crypto.errors import CryptoError, UnsupportedTransform
from pyike.crypto.integ import integ_algorithm
from pyike.crypto.mac import aes_cmac, aes_xcbc_mac

h = bytes.fromhex

XCBC_KEY = h("000102030405060708090a0b0c0d0e0f")


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        # RFC 3566 section 4.6, test cases 1-6 (message = 00 01 02 ... of `length`).
        (0, "75f0251d528ac01c4573dfd584d79f29"),
        (3, "5b376580ae2f19afe7219ceef172756f"),
        (16, "d2a246fa349b68a79998a4394ff7a263"),
        (20, "47f51b4564966215b8985c63055ed308"),
        (32, "f54f0ec8d2b9f3d36807734bd5283fd4"),
        (34, "becbb3bccdb518a30677d5481fb6b4d8"),
    ],
)
def test_aes_xcbc_mac_rfc3566(length: int, expected: str) -> None:
    message = bytes(range(length))
    assert aes_xcbc_mac(XCBC_KEY, message) == h(expected)
    integ = integ_algorithm(IntegId.AES_XCBC_96)
    assert integ.compute(XCBC_KEY, message) == h(expected)[:12]
    assert integ.verify(XCBC_KEY, message, h(expected)[:12])


CMAC_KEY = h("2b7e151628aed2a6abf7158809cf4f3c")
CMAC_MESSAGE = h(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
)


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        # RFC 4493 section 4 / RFC 4494 section 4 (AES-CMAC-96 is the first 96 bits).
        (0, "bb1d6929e95937287fa37d129b756746"),
        (16, "070a16b46b4d4144f79bdd9dd04a287c"),
        (40, "dfa66747de9ae63030ca32611497c827"),
        (64, "51f0bebf7e3b9d92fc49741779363cfe"),
    ],
)
def test_aes_cmac_rfc4493_and_cmac_96_rfc4494(length: int, expected: str) -> None:
    message = CMAC_MESSAGE[:length]
    assert aes_cmac(CMAC_KEY, message) == h(expected)
    assert integ_algorithm(IntegId.AES_CMAC_96).compute(CMAC_KEY, message) == h(expected)[:12]


TRUNCATION = b"Test With Truncation"


@pytest.mark.parametrize(
    ("integ_id", "key", "data", "expected"),
    [
        # RFC 2202 test case 5 gives HMAC-MD5-96 and HMAC-SHA1-96 directly.
        (IntegId.HMAC_MD5_96, b"\x0c" * 16, TRUNCATION, "56461ef2342edc00f9bab995"),
        (IntegId.HMAC_SHA1_96, b"\x0c" * 20, TRUNCATION, "4c1a03424b55e07fe7f27be1"),
        # RFC 4868 section 2.7.2.1-2.7.2.3: test case AUTH*-1, keys of the full key size.
        (
            IntegId.HMAC_SHA2_256_128,
            b"\x0b" * 32,
            b"Hi There",
            "198a607eb44bfbc69903a0f1cf2bbdc5",
        ),
        (
            IntegId.HMAC_SHA2_384_192,
            b"\x0b" * 48,
            b"Hi There",
            "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973",
        ),
        (
            IntegId.HMAC_SHA2_512_256,
            b"\x0b" * 64,
            b"Hi There",
            "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8",
        ),
        # RFC 4595's untruncated HMACs: RFC 2202 test case 1 for HMAC-MD5 and HMAC-SHA1.
        (IntegId.HMAC_MD5_128, b"\x0b" * 16, b"Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
        (
            IntegId.HMAC_SHA1_160,
            b"\x0b" * 20,
            b"Hi There",
            "b617318655057264e28bc0b6fb378c8ef146be00",
        ),
        # The pre-RFC 4868 truncation: AUTH256-1 cut to its first 96 bits.
        (IntegId.HMAC_SHA2_256_96, b"\x0b" * 32, b"Hi There", "198a607eb44bfbc69903a0f1"),
    ],
)
def test_truncated_hmacs(integ_id: IntegId, key: bytes, data: bytes, expected: str) -> None:
    integ = integ_algorithm(integ_id)
    assert integ.key_size == len(key)
    assert integ.icv_size == len(expected) // 2
    assert integ.compute(key, data) == h(expected)
    assert integ.verify(key, data, h(expected))


@pytest.mark.parametrize(
    "integ_id",
    [
        IntegId.HMAC_MD5_96,
        IntegId.HMAC_SHA1_96,
        IntegId.AES_XCBC_96,
        IntegId.AES_CMAC_96,
        IntegId.HMAC_SHA2_256_128,
        IntegId.HMAC_SHA2_384_192,
        IntegId.HMAC_SHA2_512_256,
        IntegId.HMAC_MD5_128,
        IntegId.HMAC_SHA1_160,
        IntegId.HMAC_SHA2_256_96,
    ],
)
def test_verify_rejects_any_change(integ_id: IntegId) -> None:
    integ = integ_algorithm(integ_id)
    key = bytes(range(integ.key_size))
    icv = integ.compute(key, b"message")
    assert integ.verify(key, b"message", icv)
    assert not integ.verify(key, b"messagE", icv)
    assert not integ.verify(key, b"message", icv[:-1] + bytes([icv[-1] ^ 0x80]))
    assert not integ.verify(key, b"message", icv[:-1])
    with pytest.raises(CryptoError, match="key must be"):
        integ.compute(key + b"x", b"message")


def test_mac_keys_must_be_128_bits() -> None:
    with pytest.raises(CryptoError):
        aes_xcbc_mac(bytes(15), b"")
    with pytest.raises(CryptoError):
        aes_cmac(bytes(17), b"")


@pytest.mark.parametrize("integ_id", [IntegId.NONE, IntegId.DES_MAC, IntegId.AES_128_GMAC, 77])
def test_unsupported_integ(integ_id: int) -> None:
    with pytest.raises(UnsupportedTransform, match="AUTH"):
        integ_algorithm(integ_id)
