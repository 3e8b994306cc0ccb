"""The key schedule's shape: key sizes per suite, the XCBC/CMAC nonce rule, rekeying."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.crypto.errors import CryptoError
from pyike.crypto.keys import (
    IkeSuite,
    derive_child_keys,
    derive_ike_keys,
    derive_rekeyed_ike_keys,
)
from pyike.crypto.prf import prf_algorithm, prf_plus

NI = bytes(range(32))
NR = bytes(range(100, 132))
SPI_I = bytes.fromhex("0102030405060708")
SPI_R = bytes.fromhex("1112131415161718")
GIR = bytes(range(256)) * 1

AES_SHA256 = IkeSuite(
    EncrId.AES_CBC, 256, PrfId.HMAC_SHA2_256, IntegId.HMAC_SHA2_256_128, DhId.MODP_2048
)
GCM_128 = IkeSuite(EncrId.AES_GCM_16, 128, PrfId.HMAC_SHA2_384, IntegId.NONE, DhId.ECP_384)
XCBC = IkeSuite(EncrId.AES_CBC, 128, PrfId.AES128_XCBC, IntegId.AES_XCBC_96, DhId.MODP_2048)
CMAC = IkeSuite(EncrId.AES_CBC, 128, PrfId.AES128_CMAC, IntegId.AES_CMAC_96, DhId.ECP_256)


def test_skeyseed_and_keymat_follow_rfc7296() -> None:
    skeyseed, keys = derive_ike_keys(AES_SHA256, GIR, NI, NR, SPI_I, SPI_R)
    expected_seed = hmac.new(NI + NR, GIR, hashlib.sha256).digest()
    assert skeyseed == expected_seed
    keymat = prf_plus(prf_algorithm(PrfId.HMAC_SHA2_256), skeyseed, NI + NR + SPI_I + SPI_R, 32 * 7)
    # SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr, all 32 octets here.
    parts = [keymat[i : i + 32] for i in range(0, 224, 32)]
    assert [
        keys.sk_d,
        keys.sk_ai,
        keys.sk_ar,
        keys.sk_ei,
        keys.sk_er,
        keys.sk_pi,
        keys.sk_pr,
    ] == parts


def test_aead_suite_has_salted_encryption_keys_and_no_integrity_keys() -> None:
    _, keys = derive_ike_keys(GCM_128, GIR, NI, NR, SPI_I, SPI_R)
    assert len(keys.sk_ei) == len(keys.sk_er) == 16 + 4
    assert keys.sk_ai == keys.sk_ar == b""
    assert len(keys.sk_d) == len(keys.sk_pi) == 48


@pytest.mark.parametrize("suite", [XCBC, CMAC])
def test_fixed_key_prfs_key_skeyseed_with_64_bits_of_each_nonce(suite: IkeSuite) -> None:
    skeyseed, keys = derive_ike_keys(suite, GIR, NI, NR, SPI_I, SPI_R)
    prf = prf_algorithm(suite.prf)
    assert skeyseed == prf(NI[:8] + NR[:8], GIR)
    # The nonces' tails do not reach SKEYSEED, but they are in prf+'s seed.
    other_seed, other_keys = derive_ike_keys(
        suite, GIR, NI[:8] + bytes(24), NR[:8] + bytes(24), SPI_I, SPI_R
    )
    assert other_seed == skeyseed
    assert other_keys.sk_d != keys.sk_d
    assert len(keys.sk_d) == len(keys.sk_pi) == 16
    assert len(keys.sk_ai) == 16


def test_rekeyed_skeyseed_uses_old_sk_d_and_new_secret() -> None:
    old_sk_d = bytes(range(32))
    skeyseed, keys = derive_rekeyed_ike_keys(AES_SHA256, old_sk_d, GIR, NI, NR, SPI_I, SPI_R)
    assert skeyseed == hmac.new(old_sk_d, GIR + NI + NR, hashlib.sha256).digest()
    _, fresh = derive_ike_keys(AES_SHA256, GIR, NI, NR, SPI_I, SPI_R)
    assert keys.sk_d != fresh.sk_d


def test_rekey_with_a_new_prf_keys_skeyseed_with_the_old_one() -> None:
    old_sk_d = bytes(20)
    skeyseed, keys = derive_rekeyed_ike_keys(
        AES_SHA256, old_sk_d, GIR, NI, NR, SPI_I, SPI_R, old_prf=PrfId.HMAC_SHA1
    )
    assert skeyseed == hmac.new(old_sk_d, GIR + NI + NR, hashlib.sha1).digest()
    assert len(keys.sk_d) == 32  # the new SA's PRF sizes its keys


def test_child_keys_without_and_with_pfs() -> None:
    sk_d = bytes(range(32))
    prf = prf_algorithm(PrfId.HMAC_SHA2_256)
    keys = derive_child_keys(
        PrfId.HMAC_SHA2_256, sk_d, NI, NR, None, EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96
    )
    keymat = prf_plus(prf, sk_d, NI + NR, 2 * (16 + 20))
    assert keys.encr_i == keymat[:16]
    assert keys.integ_i == keymat[16:36]
    assert keys.encr_r == keymat[36:52]
    assert keys.integ_r == keymat[52:72]
    pfs = derive_child_keys(
        PrfId.HMAC_SHA2_256, sk_d, NI, NR, GIR, EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96
    )
    assert pfs.encr_i == prf_plus(prf, sk_d, GIR + NI + NR, 16)


def test_child_keys_for_aead_esp() -> None:
    keys = derive_child_keys(
        PrfId.HMAC_SHA1, bytes(20), NI, NR, None, EncrId.AES_GCM_16, 256, IntegId.NONE
    )
    assert len(keys.encr_i) == len(keys.encr_r) == 36
    assert keys.integ_i == keys.integ_r == b""
    null = derive_child_keys(
        PrfId.HMAC_SHA1, bytes(20), NI, NR, None, EncrId.NULL, None, IntegId.HMAC_SHA1_96
    )
    assert null.encr_i == b"" and len(null.integ_i) == 20


def test_reprs_never_show_key_bytes() -> None:
    _, keys = derive_ike_keys(AES_SHA256, GIR, NI, NR, SPI_I, SPI_R)
    text = repr(keys)
    assert text.startswith("IkeKeys(sk_d=<32 octets>, sk_ai=<32 octets>")
    for value in (keys.sk_d, keys.sk_ei, keys.sk_pr):
        assert value.hex() not in text and repr(value) not in text
    child = derive_child_keys(
        PrfId.HMAC_SHA1, bytes(20), NI, NR, None, EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96
    )
    assert repr(child) == (
        "ChildKeys(encr_i=<16 octets>, integ_i=<20 octets>, encr_r=<16 octets>, "
        "integ_r=<20 octets>)"
    )


def test_inconsistent_suites_are_refused() -> None:
    gcm_with_integ = IkeSuite(
        EncrId.AES_GCM_16, 128, PrfId.HMAC_SHA1, IntegId.HMAC_SHA1_96, DhId.MODP_2048
    )
    with pytest.raises(CryptoError, match="combined-mode"):
        derive_ike_keys(gcm_with_integ, GIR, NI, NR, SPI_I, SPI_R)
    cbc_without_integ = IkeSuite(EncrId.AES_CBC, 128, PrfId.HMAC_SHA1, IntegId.NONE, DhId.MODP_2048)
    with pytest.raises(CryptoError, match="needs an integrity"):
        derive_ike_keys(cbc_without_integ, GIR, NI, NR, SPI_I, SPI_R)
