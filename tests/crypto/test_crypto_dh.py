"""Key exchange: RFC 5903 and RFC 7748 vectors, MODP consistency, public-value checks."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

import gmpy2
import pytest

from pyike.codec.registry import DhId
from pyike.crypto import catalogue, dh
from pyike.crypto.dh import (
    SUPPORTED_GROUPS,
    key_exchange_from_private,
    new_key_exchange,
    public_key_size,
)
from pyike.crypto.errors import CryptoError, InvalidKeyExchange, UnsupportedTransform

h = bytes.fromhex
GENERATOR = 2  # of every safe-prime MODP group
# The safe-prime MODP groups (RFC 2409, RFC 3526) and their primes.
MODP_PRIMES = {
    g.id: g.modp.prime for g in catalogue.GROUPS if g.modp and g.modp.subgroup_order is None
}

MODP_GROUPS = list(MODP_PRIMES)
ECP_GROUPS = [DhId.ECP_256, DhId.ECP_384, DhId.ECP_521]


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


@pytest.mark.parametrize("group", ECP_GROUPS)
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


@pytest.mark.parametrize("group", ECP_GROUPS)
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


def test_rejection_sampling_skips_values_out_of_range() -> None:
    draws = iter([b"\xff" * 96, b"\xff" * 96, (7).to_bytes(96, "big")])
    exchange = new_key_exchange(DhId.MODP_768, lambda n: next(draws))
    p = MODP_PRIMES[DhId.MODP_768]
    assert exchange.public_key() == pow(2, 2 + 7, p).to_bytes(96, "big")


def test_repr_hides_private_values() -> None:
    exchange = key_exchange_from_private(DhId.MODP_1024, (0xABCDEF).to_bytes(3, "big"))
    assert repr(exchange) == "<ModpKeyExchange MODP_1024>"
    assert "abcdef" not in repr(exchange).lower()


@pytest.mark.parametrize("group", [DhId.NONE, DhId.MODP_2048_224, DhId.BRAINPOOLP256R1])
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


# --- MODP backends ----------------------------------------------------------------------------


def test_backend_prefers_gmpy2() -> None:
    assert dh.backend_name() == "gmpy2 powmod_sec"


def test_cryptography_fallback_backend_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
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
    monkeypatch.setitem(sys.modules, "gmpy2", None)
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.dh", None)
    name, modexp = dh.select_backend()
    assert modexp is None and "unavailable" in name
    monkeypatch.setattr(dh, "_MODEXP", None)
    with pytest.raises(UnsupportedTransform, match="no MODP backend"):
        dh.ModpKeyExchange(DhId.MODP_1024, 5)
