"""SK payload protection: cipher + MAC and AEAD, padding, tampering, codec round trip."""

from __future__ import annotations

import pytest

from pyike.codec.header import IkeHeader
from pyike.codec.message import Payload
from pyike.codec.payloads import NoncePayload, NotifyPayload
from pyike.codec.protect import encode_protected, open_protected
from pyike.codec.registry import DhId, EncrId, ExchangeType, IntegId, NotifyType, PrfId
from pyike.crypto.encr import CbcAlgorithm
from pyike.crypto.errors import CryptoError, IntegrityError, UnsupportedTransform
from pyike.crypto.keys import IkeSuite, derive_ike_keys
from pyike.crypto.sk import IkeSkCipher


def suite(encr: EncrId, bits: int | None, integ: IntegId = IntegId.NONE) -> IkeSuite:
    return IkeSuite(encr, bits, PrfId.HMAC_SHA2_256, integ, DhId.ECP_256)


SUITES = [
    suite(EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96),
    suite(EncrId.AES_CBC, 128, IntegId.HMAC_MD5_96),
    suite(EncrId.AES_CBC, 192, IntegId.AES_XCBC_96),
    suite(EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_512_256),
    suite(EncrId.AES_CBC, 128, IntegId.HMAC_SHA2_384_192),
    suite(EncrId.AES_GCM_8, 128),
    suite(EncrId.AES_GCM_12, 192),
    suite(EncrId.AES_GCM_16, 256),
    suite(EncrId.CHACHA20_POLY1305, None),
]


def cipher_for(s: IkeSuite) -> IkeSkCipher:
    _, keys = derive_ike_keys(s, b"g^ir" * 8, b"n" * 32, b"N" * 32, b"i" * 8, b"r" * 8)
    return IkeSkCipher.pair(s, keys)[0]


PREFIX = bytes(range(28)) + b"\x29\x00\x00\x40"


@pytest.mark.parametrize("s", SUITES, ids=lambda s: f"{s.encr.name}-{s.encr_key_bits}")
def test_round_trip_and_announced_length(s: IkeSuite) -> None:
    cipher = cipher_for(s)
    iv = bytes(range(cipher.iv_size))
    for length in range(0, 41):
        plaintext = bytes(range(length))
        sealed = cipher.seal(PREFIX, plaintext, iv)
        assert len(sealed) == cipher.sealed_length(length)
        assert sealed.startswith(iv)
        assert cipher.open(PREFIX, sealed) == plaintext


@pytest.mark.parametrize("s", SUITES, ids=lambda s: f"{s.encr.name}-{s.encr_key_bits}")
def test_any_tampering_fails_integrity(s: IkeSuite) -> None:
    cipher = cipher_for(s)
    sealed = cipher.seal(PREFIX, b"inner payloads", bytes(cipher.iv_size))
    with pytest.raises(IntegrityError):
        cipher.open(PREFIX[:-1] + b"\x41", sealed)  # the prefix is authenticated
    for position in (0, cipher.iv_size, len(sealed) - 1):  # IV, ciphertext, ICV
        damaged = bytearray(sealed)
        damaged[position] ^= 0x01
        with pytest.raises(IntegrityError):
            cipher.open(PREFIX, bytes(damaged))
    with pytest.raises(IntegrityError):
        cipher.open(PREFIX, sealed[: cipher.iv_size + cipher.icv_size])


def test_cbc_padding_is_minimal_and_zero() -> None:
    s = suite(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    _, keys = derive_ike_keys(s, b"x" * 32, b"n" * 32, b"N" * 32, b"i" * 8, b"r" * 8)
    cipher = IkeSkCipher.create(s, keys.sk_ei, keys.sk_ai)
    assert cipher.sealed_length(15) == 16 + 16 + 12  # one block: 15 + pad-length octet
    assert cipher.sealed_length(16) == 16 + 32 + 12
    iv = bytes(16)
    sealed = cipher.seal(PREFIX, b"abc", iv)
    encr = s.encr_algorithm()
    assert isinstance(encr, CbcAlgorithm)
    padded = encr.decrypt(keys.sk_ei, iv, sealed[16:-12])
    assert padded == b"abc" + bytes(12) + b"\x0c"


def test_aead_pads_only_the_pad_length_octet() -> None:
    cipher = cipher_for(suite(EncrId.AES_GCM_16, 128))
    assert cipher.sealed_length(10) == 8 + 11 + 16


def forge_cbc(
    plaintext_block: bytes, ciphertext_len: int | None = None
) -> tuple[IkeSkCipher, bytes]:
    """A message with a valid ICV whose decryption is `plaintext_block` (not real padding)."""
    s = suite(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    cipher = cipher_for(s)
    encr = s.encr_algorithm()
    integ = s.integ_algorithm()
    assert isinstance(encr, CbcAlgorithm) and integ is not None
    iv = bytes(16)
    ciphertext = encr.encrypt(cipher._sk_e, iv, plaintext_block)
    if ciphertext_len is not None:
        ciphertext = ciphertext[:ciphertext_len]
    icv = integ.compute(cipher._sk_a, PREFIX + iv + ciphertext)
    return cipher, iv + ciphertext + icv


def test_pad_length_beyond_the_data_is_an_integrity_error() -> None:
    cipher, sealed = forge_cbc(bytes(15) + b"\x10")  # claims 16 pad octets in a 16-octet block
    with pytest.raises(IntegrityError, match="pad length 16"):
        cipher.open(PREFIX, sealed)
    cipher, sealed = forge_cbc(bytes(15) + b"\x0f")  # exactly all but the last octet: empty
    assert cipher.open(PREFIX, sealed) == b""


def test_partial_block_with_valid_icv_is_an_integrity_error() -> None:
    cipher, sealed = forge_cbc(bytes(32), ciphertext_len=20)
    with pytest.raises(IntegrityError, match="whole number"):
        cipher.open(PREFIX, sealed)


def test_null_encryption_is_not_for_ike() -> None:
    s = suite(EncrId.NULL, None, IntegId.HMAC_SHA1_96)
    with pytest.raises(UnsupportedTransform, match="ESP only"):
        IkeSkCipher.create(s, b"", bytes(20))


def test_key_and_iv_sizes_are_checked() -> None:
    cbc = suite(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    with pytest.raises(CryptoError, match="SK_e must be 16"):
        IkeSkCipher.create(cbc, bytes(15), bytes(20))
    with pytest.raises(CryptoError, match="SK_a must be 20"):
        IkeSkCipher.create(cbc, bytes(16), bytes(16))
    with pytest.raises(CryptoError, match="IV must be 16"):
        IkeSkCipher.create(cbc, bytes(16), bytes(20)).seal(PREFIX, b"", bytes(8))
    encr = cbc.encr_algorithm()
    with pytest.raises(CryptoError, match="cannot be combined"):
        IkeSkCipher(encr, None, bytes(16), b"")
    with pytest.raises(CryptoError, match="combined-mode"):
        IkeSkCipher.create(suite(EncrId.AES_GCM_16, 128, IntegId.HMAC_SHA1_96), bytes(20))


def test_repr_names_transforms_not_keys() -> None:
    cbc = suite(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    cipher = IkeSkCipher.create(cbc, b"\xab" * 16, b"\xcd" * 20)
    assert repr(cipher) == "<IkeSkCipher AES-CBC-128, HMAC-SHA1-96>"
    assert repr(cipher_for(suite(EncrId.AES_GCM_16, 256))) == "<IkeSkCipher AES-GCM-256-ICV16>"


@pytest.mark.parametrize("s", [SUITES[1], SUITES[7]], ids=["cbc", "gcm"])
def test_codec_round_trip_through_open_protected(s: IkeSuite) -> None:
    cipher = cipher_for(s)
    header = IkeHeader(
        spi_i=b"i" * 8,
        spi_r=b"r" * 8,
        exchange_type=ExchangeType.INFORMATIONAL,
        flags=0x08,
        message_id=7,
    )
    inner: list[Payload] = [NotifyPayload(NotifyType.INITIAL_CONTACT), NoncePayload(b"\x42" * 32)]
    data = encode_protected(header, inner, cipher, bytes(cipher.iv_size))
    message, payloads = open_protected(data, cipher)
    assert message.header.message_id == 7
    assert payloads == inner
    with pytest.raises(IntegrityError):
        open_protected(data[:-1] + bytes([data[-1] ^ 1]), cipher)
