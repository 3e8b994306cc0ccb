"""Key exchange: RFC 5903 and RFC 7748 vectors, MODP consistency, public-value checks."""

from __future__ import annotations

import ctypes.util
import os
import random
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import gmpy2
import pytest
from cryptography.exceptions import UnsupportedAlgorithm

from pyike.codec.registry import DhId
from pyike.crypto import catalogue, dh
from pyike.crypto.dh import (
    SUPPORTED_GROUPS,
    KeyExchange,
    key_exchange_from_private,
    new_key_exchange,
    public_key_size,
)
from pyike.crypto.errors import CryptoError, InvalidKeyExchange, UnsupportedTransform
from pyike.crypto.libcrypto_modexp import LibcryptoUnavailable, libcrypto_modexp

h = bytes.fromhex
GENERATOR = 2  # of every safe-prime MODP group
# The safe-prime MODP groups (RFC 2409, RFC 3526) and their primes.
MODP_PRIMES = {
    g.id: g.modp.prime for g in catalogue.GROUPS if g.modp and g.modp.subgroup_order is None
}

MODP_GROUPS = list(MODP_PRIMES)
ECP_GROUPS = [DhId.ECP_256, DhId.ECP_384, DhId.ECP_521]
# The ECP groups of RFC 5114 (NIST P-192, P-224) and RFC 6954 (Brainpool), pyike extensions.
MORE_ECP_GROUPS = [
    DhId.ECP_192,
    DhId.ECP_224,
    DhId.BRAINPOOLP224R1,
    DhId.BRAINPOOLP256R1,
    DhId.BRAINPOOLP384R1,
    DhId.BRAINPOOLP512R1,
]


def seeded(seed: int) -> Callable[[int], bytes]:
    rng = random.Random(seed)
    return rng.randbytes


# --- ECP (RFC 5903 section 8) ---------------------------------------------------------------

RFC5903: dict[DhId, dict[str, Any]] = {
    DhId.ECP_256: dict(
        i="C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
        gi="DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
        "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
        r="C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
        gr="D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
        "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
        gir="D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
    ),
    DhId.ECP_384: dict(
        i="099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
        "E35B538041E649EE3FAEF896783AB194",
        gi="667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
        "DE3AC808ACB4BDB4C88732AEE95F41AA9482ED1FC0EEB9CAFC4984625CCFC23F"
        "65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
        r="41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
        "E0308312916B8ED2960E4BD55A7448FC",
        gr="E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
        "0D1AC43A0336DEF96FDA41D0774A3571DCFBEC7AACF3196472169E838430367F"
        "66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
        gir="11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
        "D603135569B9E9D09CF5D4A270F59746",
    ),
    DhId.ECP_521: dict(
        i="0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
        "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
        gi=None,
        r="0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
        "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
        gr=None,
        gir="01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
        "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA",
    ),
}


@pytest.mark.parametrize("group", ECP_GROUPS)
def test_ecp_rfc5903(group: DhId) -> None:
    vector = RFC5903[group]
    initiator = key_exchange_from_private(group, h(vector["i"]))
    responder = key_exchange_from_private(group, h(vector["r"]))
    if vector["gi"]:
        assert initiator.public_key() == h(vector["gi"])
        assert responder.public_key() == h(vector["gr"])
    assert len(initiator.public_key()) == public_key_size(group)
    assert initiator.shared_secret(responder.public_key()) == h(vector["gir"])
    assert responder.shared_secret(initiator.public_key()) == h(vector["gir"])


@pytest.mark.parametrize("group", ECP_GROUPS + MORE_ECP_GROUPS)
def test_ecp_rejects_bad_points(group: DhId) -> None:
    exchange = new_key_exchange(group, seeded(1))
    peer = bytearray(new_key_exchange(group, seeded(2)).public_key())
    size = len(peer)
    with pytest.raises(InvalidKeyExchange, match="octets"):
        exchange.shared_secret(bytes(peer[:-1]))
    with pytest.raises(InvalidKeyExchange, match="octets"):
        exchange.shared_secret(b"\x04" + bytes(peer))
    peer[-1] ^= 1  # y no longer matches x
    with pytest.raises(InvalidKeyExchange, match="not on the curve"):
        exchange.shared_secret(bytes(peer))
    # (0, 0) stands for the point at infinity in some encodings: never a valid value.
    with pytest.raises(InvalidKeyExchange):
        exchange.shared_secret(bytes(size))
    # Coordinates >= the field prime.
    with pytest.raises(InvalidKeyExchange):
        exchange.shared_secret(b"\xff" * size)


@pytest.mark.parametrize("group", ECP_GROUPS + MORE_ECP_GROUPS)
def test_ecp_private_scalar_range(group: DhId) -> None:
    curve = catalogue.dh_group(group).ecp  # type: ignore[union-attr]
    assert curve is not None
    order, size = curve.order, curve.size
    with pytest.raises(CryptoError):
        key_exchange_from_private(group, bytes(size))
    with pytest.raises(CryptoError):
        key_exchange_from_private(group, order.to_bytes(size, "big"))
    # n - 1 is the largest valid scalar: its point is -G, with G's x coordinate.
    last = key_exchange_from_private(group, (order - 1).to_bytes(size, "big")).public_key()
    one = key_exchange_from_private(group, (1).to_bytes(size, "big")).public_key()
    assert last[:size] == one[:size] and last[size:] != one[size:]


# --- Curve25519 / Curve448 (RFC 7748 section 6) ---------------------------------------------

RFC7748: dict[DhId, dict[str, str]] = {
    DhId.CURVE25519: dict(
        a="77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        ga="8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        b="5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
        gb="de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        k="4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    ),
    DhId.CURVE448: dict(
        a="9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28d"
        "d9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
        ga="9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c"
        "22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
        b="1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d"
        "6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
        gb="3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b430"
        "27d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
        k="07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
        "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d",
    ),
}


@pytest.mark.parametrize("group", [DhId.CURVE25519, DhId.CURVE448])
def test_montgomery_rfc7748(group: DhId) -> None:
    vector = RFC7748[group]
    alice = key_exchange_from_private(group, h(vector["a"]))
    bob = key_exchange_from_private(group, h(vector["b"]))
    assert alice.public_key() == h(vector["ga"])
    assert bob.public_key() == h(vector["gb"])
    assert alice.shared_secret(bob.public_key()) == h(vector["k"])
    assert bob.shared_secret(alice.public_key()) == h(vector["k"])
    assert public_key_size(group) == len(h(vector["ga"]))


@pytest.mark.parametrize("group", [DhId.CURVE25519, DhId.CURVE448])
def test_montgomery_rejects_low_order_points_and_bad_lengths(group: DhId) -> None:
    exchange = new_key_exchange(group, seeded(3))
    size = public_key_size(group)
    # u = 0 and u = 1 are of small order: the shared secret would be all zero.
    for u in (0, 1):
        with pytest.raises(InvalidKeyExchange, match="all zero"):
            exchange.shared_secret(u.to_bytes(size, "little"))
    with pytest.raises(InvalidKeyExchange, match="octets"):
        exchange.shared_secret(bytes(size + 1))
    with pytest.raises(CryptoError):
        key_exchange_from_private(group, bytes(size - 1))


def test_montgomery_all_zero_check_without_backend_help() -> None:
    exchange = new_key_exchange(DhId.CURVE25519, seeded(4))
    assert isinstance(exchange, dh._MontgomeryKeyExchange)
    with pytest.raises(InvalidKeyExchange, match="all zero"):
        exchange._check_secret(bytes(32))
    assert exchange._check_secret(b"\x01" + bytes(31)) == b"\x01" + bytes(31)


# --- MODP -------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", MODP_GROUPS)
def test_modp_primes_are_the_rfc_safe_primes(group: DhId) -> None:
    p = MODP_PRIMES[group]
    bits = p.bit_length()
    gmpy2.get_context().precision = bits + 200
    pi_part = int(gmpy2.floor(gmpy2.const_pi() * gmpy2.mpz(2) ** (bits - 130)))
    k = (p - 2**bits + 2 ** (bits - 64) + 1) // 2**64 - pi_part
    assert 2**bits - 2 ** (bits - 64) - 1 + 2**64 * (pi_part + k) == p
    assert 0 < k < 2**23  # the RFCs' offsets are small
    assert gmpy2.is_prime(p, 25) and gmpy2.is_prime((p - 1) // 2, 25)
    assert public_key_size(group) == bits // 8


def test_modp_1024_prime_prefix_and_known_offset() -> None:
    p = MODP_PRIMES[DhId.MODP_1024]
    assert format(p, "X").startswith("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1")
    assert format(p, "X").endswith("ECE65381FFFFFFFFFFFFFFFF")


@pytest.mark.parametrize("group", MODP_GROUPS)
def test_modp_both_sides_agree(group: DhId) -> None:
    a = new_key_exchange(group, seeded(10))
    b = new_key_exchange(group, seeded(11))
    size = public_key_size(group)
    assert len(a.public_key()) == size
    secret = a.shared_secret(b.public_key())
    assert secret == b.shared_secret(a.public_key())
    assert len(secret) == size
    assert a.public_key() != b.public_key()


def test_modp_known_private_matches_plain_modexp() -> None:
    p = MODP_PRIMES[DhId.MODP_1024]
    x, y = 0x1234567890ABCDEF, 0xFEDCBA0987654321
    a = key_exchange_from_private(DhId.MODP_1024, x.to_bytes(8, "big"))
    b = key_exchange_from_private(DhId.MODP_1024, y.to_bytes(8, "big"))
    assert a.public_key() == pow(GENERATOR, x, p).to_bytes(128, "big")
    assert a.shared_secret(b.public_key()) == pow(GENERATOR, x * y, p).to_bytes(128, "big")


def test_modp_shared_secret_is_padded_to_prime_length() -> None:
    # A peer value whose power has leading zero octets: keep the modulus length.
    p = MODP_PRIMES[DhId.MODP_768]
    x = 3
    # y = 2^85: y^3 = 2^255 < p, 32 significant octets out of 96.
    exchange = key_exchange_from_private(DhId.MODP_768, bytes([x]))
    peer = (2**85).to_bytes(96, "big")
    secret = exchange.shared_secret(peer)
    assert len(secret) == 96 and int.from_bytes(secret, "big") == pow(2**85, 3, p)
    assert secret[:64] == bytes(64)


@pytest.mark.parametrize("group", MODP_GROUPS)
def test_modp_rejects_out_of_range_public_values(group: DhId) -> None:
    p = MODP_PRIMES[group]
    size = public_key_size(group)
    exchange = key_exchange_from_private(group, (12345).to_bytes(2, "big"))
    for bad in (0, 1, p - 1, p, p + 1, 2 ** (size * 8) - 1):
        with pytest.raises(InvalidKeyExchange, match="out of range"):
            exchange.shared_secret(bad.to_bytes(size, "big"))
    with pytest.raises(InvalidKeyExchange, match="octets"):
        exchange.shared_secret((5).to_bytes(size - 1, "big"))
    assert len(exchange.shared_secret((2).to_bytes(size, "big"))) == size


def test_modp_private_range() -> None:
    p = MODP_PRIMES[DhId.MODP_768]
    for bad in (0, 1, p - 1):
        with pytest.raises(CryptoError, match="out of range"):
            key_exchange_from_private(DhId.MODP_768, bad.to_bytes(96, "big"))


def test_new_key_exchange_draws_from_the_given_randomness() -> None:
    for group in SUPPORTED_GROUPS:
        first = new_key_exchange(group, seeded(5)).public_key()
        assert new_key_exchange(group, seeded(5)).public_key() == first
        assert new_key_exchange(group, seeded(6)).public_key() != first


@pytest.mark.parametrize("group", ECP_GROUPS + MORE_ECP_GROUPS)
def test_keys_from_the_system_source_are_fresh_and_agree(group: DhId) -> None:
    """With os.urandom (the daemon's source) OpenSSL draws the scalar itself: each key is new,
    on the curve, and agrees with a peer made from a known scalar."""
    peer = new_key_exchange(group, seeded(7))
    first, second = new_key_exchange(group, os.urandom), new_key_exchange(group, os.urandom)
    assert first.public_key() != second.public_key()
    for exchange in (first, second):
        assert len(exchange.public_key()) == public_key_size(group)
        assert exchange.shared_secret(peer.public_key()) == peer.shared_secret(
            exchange.public_key()
        )


def test_rejection_sampling_skips_values_out_of_range() -> None:
    draws = iter([b"\xff" * 96, b"\xff" * 96, (7).to_bytes(96, "big")])
    exchange = new_key_exchange(DhId.MODP_768, lambda n: next(draws))
    p = MODP_PRIMES[DhId.MODP_768]
    assert exchange.public_key() == pow(2, 2 + 7, p).to_bytes(96, "big")


def test_repr_hides_private_values() -> None:
    exchange = key_exchange_from_private(DhId.MODP_1024, (0xABCDEF).to_bytes(3, "big"))
    assert repr(exchange) == "<ModpKeyExchange MODP_1024>"
    assert "abcdef" not in repr(exchange).lower()


@pytest.mark.parametrize("group", [DhId.NONE, DhId.GOST3410_2012_256, DhId.ML_KEM_768])
def test_unsupported_groups(group: DhId) -> None:
    with pytest.raises(UnsupportedTransform, match="DH_"):
        new_key_exchange(group, seeded(1))
    with pytest.raises(UnsupportedTransform):
        key_exchange_from_private(group, b"\x05")
    with pytest.raises(UnsupportedTransform):
        public_key_size(group)


# --- Group 24: MODP-2048 with a 256-bit prime-order subgroup (RFC 5114) -------------------

# RFC 5114 appendix A.3, "2048-bit MODP Group with 256-bit Prime Order Subgroup" test data.
RFC5114_A3 = dict(
    xA="0881382CDB87660C6DC13E614938D5B9C8B2F248581CC5E31B35454397FCE50E",
    yA="2E9380C8323AF97545BC4941DEB0EC3742C62FE0ECE824A6ABDBE66C59BEE024"
    "2911BFB967235CEBA35AE13E4EC752BE630B92DC4BDE2847A9C62CB815274542"
    "1FB7EB60A63C0FE9159FCCE726CE7CD8523D7450667EF840E4919121EB5F01C8"
    "C9B0D3D648A93BFB75689E8244AC134AF544711CE79A02DCC34226684780DDDC"
    "B498594106C37F5BC79856487AF5AB022A2E5E42F09897C1A85A11EA0212AF04"
    "D9B4CEBC937C3C1A3E15A8A0342E337615C84E7FE3B8B9B87FB1E73A15AF12A3"
    "0D746E06DFC34F290D797CE51AA13AA785BF6658AFF5E4B093003CBEAF665B3C"
    "2E113A3A4E905269341DC0711426685F4EF37E868A8126FF3F2279B57CA67E29",
    xB="7D62A7E3EF36DE617B13D1AFB82C780D83A23BD4EE6705645121F371F546A53D",
    yB="575F0351BD2B1B817448BDF87A6C362C1E289D3903A30B9832C5741FA250363E"
    "7ACBC7F77F3DACBC1F131ADD8E03367EFF8FBBB3E1C5784424809B25AFE4D226"
    "2A1A6FD2FAB64105CA30A674E07F7809852088632FC049233791AD4EDD083A97"
    "8B883EE618BC5E0DD047415F2D95E683CF14826B5FBE10D3CE41C6C120C78AB2"
    "0008C698BF7F0BCAB9D7F407BED0F43AFB2970F57F8D12043963E66DDD320D59"
    "9AD9936C8F44137C08B180EC5E985CEBE186F3D549677E80607331EE17AF3380"
    "A725B0782317D7DD43F59D7AF9568A9BB63A84D365F92244ED120988219302F4"
    "2924C7CA90B89D24F71B0AB697823D7DEB1AFF5B0E8E4A45D49F7F53757E1913",
    Z="86C70BF8D0BB81BB01078A17219CB7D27203DB2A19C877F1D1F19FD7D77EF225"
    "46A68F005AD52DC84553B78FC60330BE51EA7C0672CAC1515E4B35C047B9A551"
    "B88F39DC26DA14A09EF74774D47C762DD177F9ED5BC2F11E52C879BD95098504"
    "CD9EECD8A8F9B3EFBD1F008AC5853097D9D1837F2B18F77CD7BE01AF80A7C7B5"
    "EA3CA54CC02D0C116FEE3F95BB87399385875D7E86747E676E728938ACBFF709"
    "8E05BE4DCFB24052B83AEFFB14783F029ADBDE7F53FAE92084224090E007CEE9"
    "4D4BF2BACE9FFD4B57D2AF7C724D0CAA19BF0501F6F17B4AA10F425E3EA76080"
    "B4B9D6B3CEFEA115B2CEB8789BB8A3B0EA87FEBE63B6C8F846EC6DB0C26C5D7C",
)
GROUP_24 = DhId.MODP_2048_256


def _group_24_parameters() -> tuple[int, int]:
    params = catalogue.dh_group(GROUP_24).modp  # type: ignore[union-attr]
    assert params is not None and params.subgroup_order is not None
    return params.prime, params.subgroup_order


def test_group_24_rfc5114_known_answer() -> None:
    v = RFC5114_A3
    a = key_exchange_from_private(GROUP_24, h(v["xA"]))
    b = key_exchange_from_private(GROUP_24, h(v["xB"]))
    assert a.public_key() == h(v["yA"]) and b.public_key() == h(v["yB"])
    assert a.shared_secret(b.public_key()) == h(v["Z"])
    assert b.shared_secret(a.public_key()) == h(v["Z"])
    assert public_key_size(GROUP_24) == 256


def test_group_24_parameters_form_a_prime_order_subgroup() -> None:
    p, q = _group_24_parameters()
    generator = catalogue.dh_group(GROUP_24).modp.generator  # type: ignore[union-attr]
    assert p.bit_length() == 2048 and q.bit_length() == 256
    assert (p - 1) % q == 0 and gmpy2.is_prime(p, 25) and gmpy2.is_prime(q, 25)
    assert generator != 1 and pow(generator, q, p) == 1


def test_group_24_rejects_public_values_outside_the_subgroup() -> None:
    """RFC 6989 section 2.2: with a small subgroup, 1 < y < p-1 is not enough."""
    p, q = _group_24_parameters()
    exchange = key_exchange_from_private(GROUP_24, h(RFC5114_A3["xA"]))
    assert pow(2, q, p) != 1  # 2 is in range but not in the subgroup
    with pytest.raises(InvalidKeyExchange, match="not in the subgroup"):
        exchange.shared_secret((2).to_bytes(256, "big"))
    for bad in (0, 1, p - 1, p):
        with pytest.raises(InvalidKeyExchange, match="out of range"):
            exchange.shared_secret(bad.to_bytes(256, "big"))


def test_group_24_private_exponent_lies_below_the_subgroup_order() -> None:
    _, q = _group_24_parameters()
    for bad in (0, q, q + 1):
        with pytest.raises(CryptoError, match="out of range"):
            key_exchange_from_private(GROUP_24, bad.to_bytes(32, "big"))
    key_exchange_from_private(GROUP_24, (q - 1).to_bytes(32, "big"))
    # A 256-bit exponent drawn from the given randomness, whatever the prime's length.
    drawn: list[int] = []

    def counting(n: int) -> bytes:
        drawn.append(n)
        return seeded(7)(n)

    a, b = new_key_exchange(GROUP_24, counting), new_key_exchange(GROUP_24, seeded(8))
    assert drawn and all(n == 32 for n in drawn)
    assert a.shared_secret(b.public_key()) == b.shared_secret(a.public_key())


# --- Groups 22, 23, 25 to 30: RFC 5114 appendix A and the Brainpool vectors --------------------

# i and r are the private values, gi and gr the KE data, gir the shared secret: RFC 5114
# appendix A.1, A.2, A.4 and A.5 (as xA, yA, xB, yB, Z; the ECP ones' y coordinates appended),
# and RFC 6932 appendix A / RFC 7027 appendix A for brainpoolP224r1 to brainpoolP512r1.
KNOWN_ANSWERS: dict[DhId, dict[str, str]] = {
    DhId.MODP_1024_160: dict(
        i="B9A3B3AE8FEFC1A2930496507086F8455D48943E",
        gi="2A853B3D92197501B9015B2DEB3ED84F5E021DCC3E52F109D3273D2B7521281C"
        "BABE0E76FF5727FA8ACCE26956BA9A1FCA26F20228D8693FEB10841D84A73600"
        "54ECE5A7F5B7A61AD3DFB3C60D2E43106D8727DA37DF9CCE95B478755D06BCEA"
        "8F9D45965F75A5F3D1DF3701165FC9E50C4279CEB07F989540AE96D5D88ED776",
        r="9392C9F9EB6A7A6A9022F7D83E7223C6835BBDDA",
        gr="717A6CB053371FF4A3B932941C1E5663F861A1D6AD34AE66576DFB98F6C6CBF9"
        "DDD5A56C7833F6BCFDFF095582AD868E440E8D09FD769E3CECCDC3D3B1E4CFA0"
        "57776CAAF9739B6A9FEE8E7411F8D6DAC09D6A4EDB46CC2B5D5203090EAE6126"
        "311E53FD2C14B574E6A3109A3DA1BE41BDCEAA186F5CE06716A2B6A07B3C33FE",
        gir="5C804F454D30D9C4DF85271F93528C91DF6B48AB5F80B3B59CAAC1B28F8ACBA9"
        "CD3E39F3CB614525D9521D2E644C53B807B810F340062F257D7D6FBFE8D5E8F0"
        "72E9B6E9AFDA9413EAFB2E8B0699B1FB5A0CACEDDEAEAD7E9CFBB36AE2B42083"
        "5BD83A19FB0B5E96BF8FA4D09E345525167ECD9155416F46F408ED31B63C6E6D",
    ),
    DhId.MODP_2048_224: dict(
        i="22E62601DBFFD06708A680F747F361F76D8F4F721A0548E483294B0C",
        gi="1B3A63451BD886E699E67B494E288BD7F8E0D370BADDA7A0EFD2FDE7D8F66145"
        "CC9F280419975EB808877C8A4C0C8E0BD48D4A5401EB1E8776BFEEE134C03831"
        "AC273CD9D635AB0CE006A42A887E3F52FB8766B650F38078BC8EE8580CEFE243"
        "968CFC4F8DC3DB084554171D41BF2E861B7BB4D69DD0E01EA387CBAA5CA672AF"
        "CBE8BDB9D62D4CE15F17DD36F91ED1EEDD65CA4A06455CB94CD40A52EC360E84"
        "B3C926E22C4380A3BF309D56849768B7F52CFDF655FD053A7EF706979E7E5806"
        "B17DFAE53AD2A5BC568EBB529A7A61D68D256F8FC97C074A861D827E2EBC8C61"
        "34553115B70E7103920AA16D85E52BCBAB8D786A68178FA8FF7C2F5C71648D6F",
        r="4FF3BC96C7FC6A6D71D3B363800A7CDFEF6FC41B4417EA15353B7590",
        gr="4DCEE992A9762A13F2F83844AD3D77EE0E31C9718B3DB6C2035D3961182C3E0B"
        "A247EC4182D760CD48D99599970622A1881BBA2DC822939C78C3912C6661FA54"
        "38B20766222B75E24C2E3AD0C7287236129525EE15B5DD7998AA04C4A9696CAC"
        "D7172083A97A81664EAD2C479E444E4C0654CC19E28D7703CEE8DACD6126F5D6"
        "65EC52C67255DB92014B037EB621A2AC8E365DE071FFC1400ACF077A12913DD8"
        "DE89473437AB7BA346743C1B215DD9C12164A7E4053118D199BEC8EF6FC56117"
        "0C84C87D10EE9A674A1FA8FFE13BDFBA1D44DE48946D68DC0CDD777635A7AB5B"
        "FB1E4BB7B856F96827734C184138E915D9C3002EBCE53120546A7E2002142B6C",
        gir="34D9BDDC1B42176C313FEA034C21034D074A6313BB4ECDB3703FFF424567A46B"
        "DF75530EDE0A9DA5229DE7D76732286CBC0F91DA4C3C852FC099C679531D94C7"
        "8AB03D9DECB0A4E4CA8B2BB4591C4021CF8CE3A20A541D33994017D0200AE2C9"
        "516E2FF5145779269E862B0FB474A2D56DC31ED569A7700B4C4AB16B22A45513"
        "531EF523D71212077B5A169BDEFFAD7AD9608284C7795B6D5A5183B87066DE17"
        "D8D671C9EBD8EC89544D45EC061593D442C62AB9CE3B1CB9943A1D23A5EA3BCF"
        "21A01471E67E003E7F8A69C728BE490B2FC88CFEB92DB6A215E5D03C17C464C9"
        "AC1A46E203E13F952995FB03C69D3CC47FCB510B6998FFD3AA6DE73CF9F63869",
    ),
    DhId.ECP_192: dict(
        i="323FA3169D8E9C6593F59476BC142000AB5BE0E249C43426",
        gi="CD46489ECFD6C105E7B3D32566E2B122E249ABAADD87061268887B4877DF51DD"
        "4DC3D6FD11F0A26F8FD3844317916E9A",
        r="631F95BB4A67632C9C476EEE9AB695AB240A0499307FCF62",
        gr="519A121680E0045466BA21DF2EEE47F5973B500577EF13D5FF613AB4D64CEE3A"
        "20875BDB10F953F6B30CA072C60AA57F",
        gir="AD420182633F8526BFE954ACDA376F05E5FF4F837F54FEBE",
    ),
    DhId.ECP_224: dict(
        i="B558EB6C288DA707BBB4F8FBAE2AB9E9CB62E3BC5C7573E22E26D37F",
        gi="49DFEF309F81488C304CFF5AB3EE5A2154367DC7833150E0A51F3EEB4F2B5EE4"
        "5762C4F654C1A0C67F54CF88B016B51BCE3D7C228D57ADB4",
        r="AC3B1ADD3D9770E6F6A708EE9F3B8E0AB3B480E9F27F85C88B5E6D18",
        gr="6B3AC96A8D0CDE6A5599BE8032EDF10C162D0A8AD219506DCD42A207D491BE99"
        "C213A7D1CA3706DEBFE305F361AFCBB33E2609C8B1618AD5",
        gir="52272F50F46F4EDC9151569092F46DF2D96ECC3B6DC1714A4EA949FA",
    ),
    DhId.BRAINPOOLP224R1: dict(
        i="7C4B7A2C8A4BAD1FBB7D79CC0955DB7C6A4660CA64CC4778159B495E",
        gi="B104A67A6F6E85E14EC1825E1539E8ECDBBF584922367DD88C6BDCF246D782E7"
        "FDB5F60CD8404301AC5949C58EDB26BC68BA07695B750A94",
        r="63976D4AAE6CD0F6DD18DEFEF55D96569D0507C03E74D6486FFA28FB",
        gr="2A97089A9296147B71B21A4B574E1278245B536F14D8C2B9D07A874E9B900D7C"
        "77A709A797276B8CA1BA61BB95B546FC29F862E44D59D25B",
        gir="312DFD98783F9FB77B9704945A73BEB6DCCBE3B65D0F967DCAB574EB",
    ),
    DhId.BRAINPOOLP256R1: dict(
        i="81DB1EE100150FF2EA338D708271BE38300CB54241D79950F77B063039804F1D",
        gi="44106E913F92BC02A1705D9953A8414DB95E1AAA49E81D9E85F929A8E3100BE5"
        "8AB4846F11CACCB73CE49CBDD120F5A900A69FD32C272223F789EF10EB089BDC",
        r="55E40BC41E37E3E2AD25C3C6654511FFA8474A91A0032087593852D3E7D76BD3",
        gr="8D2D688C6CF93E1160AD04CC4429117DC2C41825E1E9FCA0ADDD34E6F1B39F7B"
        "990C57520812BE512641E47034832106BC7D3E8DD0E4C7F1136D7006547CEC6A",
        gir="89AFC39D41D3B327814B80940B042590F96556EC91E6AE7939BCE31F3A18BF2B",
    ),
    DhId.BRAINPOOLP384R1: dict(
        i="1E20F5E048A5886F1F157C74E91BDE2B98C8B52D58E5003D57053FC4B0BD65D6"
        "F15EB5D1EE1610DF870795143627D042",
        gi="68B665DD91C195800650CDD363C625F4E742E8134667B767B1B476793588F885"
        "AB698C852D4A6E77A252D6380FCAF06855BC91A39C9EC01DEE36017B7D673A93"
        "1236D2F1F5C83942D049E3FA20607493E0D038FF2FD30C2AB67D15C85F7FAA59",
        r="032640BC6003C59260F7250C3DB58CE647F98E1260ACCE4ACDA3DD869F74E01F"
        "8BA5E0324309DB6A9831497ABAC96670",
        gr="4D44326F269A597A5B58BBA565DA5556ED7FD9A8A9EB76C25F46DB69D19DC8CE"
        "6AD18E404B15738B2086DF37E71D1EB462D692136DE56CBE93BF5FA3188EF58B"
        "C8A3A0EC6C1E151A21038A42E9185329B5B275903D192F8D4E1F32FE9CC78C48",
        gir="0BD9D3A7EA0B3D519D09D8E48D0785FB744A6B355E6304BC51C229FBBCE239BB"
        "ADF6403715C35D4FB2A5444F575D4F42",
    ),
    DhId.BRAINPOOLP512R1: dict(
        i="16302FF0DBBB5A8D733DAB7141C1B45ACBC8715939677F6A56850A38BD87BD59"
        "B09E80279609FF333EB9D4C061231FB26F92EEB04982A5F1D1764CAD57665422",
        gi="0A420517E406AAC0ACDCE90FCD71487718D3B953EFD7FBEC5F7F27E28C614999"
        "9397E91E029E06457DB2D3E640668B392C2A7E737A7F0BF04436D11640FD09FD"
        "72E6882E8DB28AAD36237CD25D580DB23783961C8DC52DFA2EC138AD472A0FCE"
        "F3887CF62B623B2A87DE5C588301EA3E5FC269B373B60724F5E82A6AD147FDE7",
        r="230E18E1BCC88A362FA54E4EA3902009292F7F8033624FD471B5D8ACE49D12CF"
        "ABBC19963DAB8E2F1EBA00BFFB29E4D72D13F2224562F405CB80503666B25429",
        gr="9D45F66DE5D67E2E6DB6E93A59CE0BB48106097FF78A081DE781CDB31FCE8CCB"
        "AAEA8DD4320C4119F1E9CD437A2EAB3731FA9668AB268D871DEDA55A5473199F"
        "2FDC313095BCDD5FB3A91636F07A959C8E86B5636A1E930E8396049CB481961D"
        "365CC11453A06C719835475B12CB52FC3C383BCE35E27EF194512B71876285FA",
        gir="A7927098655F1F9976FA50A9D566865DC530331846381C87256BAF3226244B76"
        "D36403C024D7BBF0AA0803EAFF405D3D24F11A9B5C0BEF679FE1454B21C4CD1F",
    ),
}


@pytest.mark.parametrize("group", list(KNOWN_ANSWERS), ids=lambda g: g.name)
def test_rfc5114_and_brainpool_known_answers(group: DhId) -> None:
    vector = KNOWN_ANSWERS[group]
    initiator = key_exchange_from_private(group, h(vector["i"]))
    responder = key_exchange_from_private(group, h(vector["r"]))
    assert initiator.public_key() == h(vector["gi"])
    assert responder.public_key() == h(vector["gr"])
    assert initiator.shared_secret(responder.public_key()) == h(vector["gir"])
    assert responder.shared_secret(initiator.public_key()) == h(vector["gir"])
    assert public_key_size(group) == len(h(vector["gi"]))


@pytest.mark.parametrize("group", [DhId.MODP_1024_160, DhId.MODP_2048_224])
def test_rfc5114_modp_groups_check_the_subgroup(group: DhId) -> None:
    params = catalogue.dh_group(group).modp  # type: ignore[union-attr]
    assert params is not None and params.subgroup_order is not None
    p, q, g = params.prime, params.subgroup_order, params.generator
    assert (p - 1) % q == 0 and gmpy2.is_prime(p, 25) and gmpy2.is_prime(q, 25)
    assert pow(g, q, p) == 1
    exchange = new_key_exchange(group, seeded(3))
    with pytest.raises(InvalidKeyExchange, match="not in the subgroup"):
        exchange.shared_secret((2).to_bytes(params.size, "big"))


# --- MODP backends ----------------------------------------------------------------------------


def test_backend_is_openssl_for_every_group(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dh.backend_name() == (
        "OpenSSL for RFC 3526 groups, libcrypto BN_mod_exp_mont_consttime for the rest"
    )
    monkeypatch.setattr(dh, "_KEYS_BY_OPENSSL", True)  # a slower backend than the system's
    assert dh.backend_name() == (
        "OpenSSL for RFC 3526 groups and the daemon's own keys in groups 1 and 2,"
        " libcrypto BN_mod_exp_mont_consttime for the rest"
    )


MODP_GROUPS = [g.id for g in catalogue.GROUPS if g.modp is not None]


@pytest.mark.parametrize("group", MODP_GROUPS)
def test_libcrypto_modexp_is_the_modular_power(group: DhId) -> None:
    """The system's libcrypto gives g^x and y^x mod p in every MODP group, including results
    with leading zero octets and the extremes of the base and exponent."""
    params = catalogue.dh_group(group).modp  # type: ignore[union-attr]
    assert params is not None
    modexp = libcrypto_modexp()
    p = params.prime
    rng = random.Random(int(group))
    x, y = rng.randrange(2, p - 1), rng.randrange(2, p - 1)
    for base, exponent in (
        (params.generator, x),
        (y, x),
        (2**100, 2),
        (p - 1, p - 2),
        (0, 5),
        (y, 0),
    ):
        assert modexp(base, exponent, p) == pow(base, exponent, p)


def test_libcrypto_modexp_refuses_what_it_cannot_compute() -> None:
    modexp = libcrypto_modexp()
    for base, exponent, modulus in ((2, 3, 16), (23, 3, 23), (-1, 3, 23), (2, -1, 23)):
        with pytest.raises(ValueError, match="odd modulus"):
            modexp(base, exponent, modulus)


def test_without_libcrypto_gmpy2_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    with pytest.raises(LibcryptoUnavailable, match="not found"):
        libcrypto_modexp()
    name, modexp = dh.select_backend()
    assert name == "gmpy2 powmod_sec" and modexp is not None
    p = MODP_PRIMES[DhId.MODP_1024]
    assert modexp(3, p - 2, p) == pow(3, p - 2, p)


RFC3526_GROUPS = [DhId.MODP_1536, DhId.MODP_2048, DhId.MODP_3072, DhId.MODP_4096,
                  DhId.MODP_6144, DhId.MODP_8192]  # fmt: skip


@pytest.mark.parametrize("group", RFC3526_GROUPS)
def test_openssl_groups_agree_with_gmpy2(group: DhId) -> None:
    # Full-length exponents: OpenSSL's answers are gmpy2's.
    params = catalogue.dh_group(group).modp  # type: ignore[union-attr]
    assert params is not None and params in dh._OPENSSL_GROUPS
    rng = random.Random(int(group))
    x, y = (rng.randrange(2, params.prime - 1) for _ in range(2))
    fast = dh.ModpKeyExchange(group, x)
    reference = dh.ModpKeyExchange(group, y, modexp=lambda b, e, m: int(gmpy2.powmod(b, e, m)))
    assert fast.public_key() == int(gmpy2.powmod(2, x, params.prime)).to_bytes(params.size, "big")
    secret = fast.shared_secret(reference.public_key())
    assert secret == reference.shared_secret(fast.public_key())
    # a secret with leading zero octets keeps the prime's length: (2^100)^2 = 2^200
    squarer = dh.ModpKeyExchange(group, 2)
    secret = squarer.shared_secret((2**100).to_bytes(params.size, "big"))
    assert secret == (2**200).to_bytes(params.size, "big")


def test_no_deprecation_warning_reaches_the_user() -> None:
    """`cryptography` warns of finite-field DH's deprecation on import of some names and on
    every DH call; a user of `pyike run` or `pyike lab` must not see it on stderr."""
    script = (
        "import os\n"
        "from pyike.codec.registry import DhId\n"
        "from pyike.crypto.dh import new_key_exchange\n"
        "for group in (DhId.MODP_1024, DhId.MODP_2048, DhId.ECP_256):\n"
        "    a, b = new_key_exchange(group, os.urandom), new_key_exchange(group, os.urandom)\n"
        "    assert a.shared_secret(b.public_key()) == b.shared_secret(a.public_key())\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "default", "-c", script], capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stderr) == (0, "")


def test_without_openssl_dh_keys_the_rfc3526_groups_use_libcrypto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: object) -> object:
        raise UnsupportedAlgorithm("finite-field DH is gone")

    monkeypatch.setattr(dh, "load_der_private_key", refuse)
    assert dh._openssl_groups() == {}
    monkeypatch.setattr(dh, "_OPENSSL_GROUPS", {})
    assert dh.backend_name() == "libcrypto BN_mod_exp_mont_consttime"
    a, b = dh.ModpKeyExchange(DhId.MODP_2048, 12345), dh.ModpKeyExchange(DhId.MODP_2048, 67890)
    assert a.shared_secret(b.public_key()) == b.shared_secret(a.public_key())


def _system_keys_agree(group: DhId, peer: KeyExchange) -> None:
    """Keys from the system source: fresh, full length (OpenSSL sets an exponent's top bit; a
    uniform one is shorter by three bits or more one time in eight, all eight of them never in
    practice), g^x right, and agreeing with ``peer``."""
    p = MODP_PRIMES[group]
    exchanges = [new_key_exchange(group, os.urandom) for _ in range(8)]
    assert len({exchange.public_key() for exchange in exchanges}) == len(exchanges)
    privates = [exchange._private for exchange in exchanges]  # type: ignore[attr-defined]
    assert max(x.bit_length() for x in privates) >= p.bit_length() - 2  # not a short exponent
    assert all(1 < x < p - 1 for x in privates)
    for exchange in exchanges[:2]:
        assert isinstance(exchange, dh.ModpKeyExchange)
        private = exchange._private
        assert exchange.public_key() == pow(GENERATOR, private, p).to_bytes(
            len(peer.public_key()), "big"
        )
        assert exchange.shared_secret(peer.public_key()) == peer.shared_secret(
            exchange.public_key()
        )


@pytest.mark.parametrize("group", [DhId.MODP_768, DhId.MODP_1024])
def test_groups_1_and_2_from_the_system_source_are_computed_by_libcrypto(
    group: DhId, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon's keys in groups OpenSSL knows no name for, with the system's libcrypto:
    a full-length exponent from the kernel, g^x and the shared secret by libcrypto."""

    def not_openssl(*_args: object) -> object:
        raise AssertionError("the key was generated by cryptography, not computed by libcrypto")

    monkeypatch.setattr(dh, "_drawn_by_openssl", not_openssl)
    _system_keys_agree(group, new_key_exchange(group, seeded(8)))


@pytest.mark.parametrize("group", [DhId.MODP_768, DhId.MODP_1024])
def test_groups_1_and_2_from_the_system_source_are_drawn_by_openssl_after_a_slower_backend(
    group: DhId, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a backend slower than OpenSSL (gmpy2), OpenSSL draws the exponent and computes
    g^x."""

    def not_ours(*_args: object) -> int:
        raise AssertionError("the exponent was drawn by pyike, not by OpenSSL")

    peer = new_key_exchange(group, seeded(8))
    monkeypatch.setattr(dh, "_KEYS_BY_OPENSSL", True)
    monkeypatch.setattr(dh, "_random_private", not_ours)
    _system_keys_agree(group, peer)


def test_prepare_loads_openssl_parameters_for_groups_1_and_2_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A daemon prepares its configured groups at start: when OpenSSL draws its keys in group
    1 or 2, OpenSSL's checked copy of the group is then loaded before the first peer comes,
    and nothing is loaded for the others; with libcrypto computing them, nothing at all."""
    dh._openssl_parameters.cache_clear()
    dh.prepare([DhId.MODP_1024])
    assert dh._openssl_parameters.cache_info().currsize == 0
    monkeypatch.setattr(dh, "_KEYS_BY_OPENSSL", True)
    dh.prepare([DhId.MODP_2048, DhId.ECP_256, DhId.MODP_1024_160, DhId.CURVE25519])
    assert dh._openssl_parameters.cache_info().currsize == 0
    dh.prepare([DhId.MODP_1024, DhId.MODP_1024, DhId.ECP_256])
    info = dh._openssl_parameters.cache_info()
    assert (info.currsize, info.misses) == (1, 1)
    new_key_exchange(DhId.MODP_1024, os.urandom)  # uses the loaded copy
    assert dh._openssl_parameters.cache_info().misses == 1


def test_groups_1_and_2_without_openssl_dh_use_the_system_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dh, "_openssl_parameters", lambda params: None)
    params = catalogue.dh_group(DhId.MODP_1024).modp  # type: ignore[union-attr]
    assert params is not None and dh._drawn_by_openssl(params) is None
    peer = new_key_exchange(DhId.MODP_1024, seeded(9))
    mine = new_key_exchange(DhId.MODP_1024, os.urandom)  # drawn by rejection sampling instead
    assert mine.shared_secret(peer.public_key()) == peer.shared_secret(mine.public_key())


def test_cryptography_fallback_backend_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setitem(sys.modules, "gmpy2", None)  # import gmpy2 now fails
    name, modexp = dh.select_backend()
    assert name == "cryptography dh"
    assert modexp is not None
    p = MODP_PRIMES[DhId.MODP_2048]
    for base, exponent in ((2, 12345), (0xDEADBEEF, 2**300 + 7), (p - 2, p - 3)):
        assert modexp(base, exponent, p) == pow(base, exponent, p)
    a = dh.ModpKeyExchange(DhId.MODP_1024, 1234567, modexp=modexp)
    b = dh.ModpKeyExchange(DhId.MODP_1024, 7654321)
    assert a.public_key() == b.__class__(DhId.MODP_1024, 1234567).public_key()
    assert a.shared_secret(b.public_key()) == b.shared_secret(a.public_key())


def test_no_backend_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setitem(sys.modules, "gmpy2", None)
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.dh", None)
    name, modexp = dh.select_backend()
    assert modexp is None and "unavailable" in name
    monkeypatch.setattr(dh, "_MODEXP", None)
    with pytest.raises(UnsupportedTransform, match="no MODP backend"):
        dh.ModpKeyExchange(DhId.MODP_1024, 5)
