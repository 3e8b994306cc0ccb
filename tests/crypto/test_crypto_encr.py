"""Known-answer tests for the encryption transforms."""

from __future__ import annotations

import pytest

from pyike.codec.registry import EncrId
from pyike.crypto.encr import AeadAlgorithm, CipherAlgorithm, encr_algorithm
from pyike.crypto.errors import CryptoError, IntegrityError, UnsupportedTransform

h = bytes.fromhex


def cipher(encr_id: EncrId, bits: int | None) -> CipherAlgorithm:
    algorithm = encr_algorithm(encr_id, bits)
    assert isinstance(algorithm, CipherAlgorithm)
    return algorithm


def aead(encr_id: EncrId, bits: int | None) -> AeadAlgorithm:
    algorithm = encr_algorithm(encr_id, bits)
    assert isinstance(algorithm, AeadAlgorithm)
    return algorithm


# RFC 3602 section 4, cases 1-4 (AES-128-CBC).
RFC3602 = [
    (
        "06a9214036b8a15b512e03d534120006",
        "3dafba429d9eb430b422da802c9fac41",
        b"Single block msg".hex(),
        "e353779c1079aeb82708942dbe77181a",
    ),
    (
        "c286696d887c9aa0611bbb3e2025a45a",
        "562e17996d093d28ddb3ba695a2e6f58",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
    ),
]

# NIST SP 800-38A F.2.3 and F.2.5 (CBC-AES192/256), first two blocks.
SP800_38A_PLAIN = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
SP800_38A = [
    (
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a",
    ),
    (
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d",
    ),
]


@pytest.mark.parametrize(("key", "iv", "plain", "expected"), RFC3602)
def test_aes_cbc_128_rfc3602(key: str, iv: str, plain: str, expected: str) -> None:
    algorithm = cipher(EncrId.AES_CBC, 128)
    assert algorithm.encrypt(h(key), h(iv), h(plain)) == h(expected)
    assert algorithm.decrypt(h(key), h(iv), h(expected)) == h(plain)


@pytest.mark.parametrize(("key", "expected"), SP800_38A)
def test_aes_cbc_192_256_sp800_38a(key: str, expected: str) -> None:
    algorithm = cipher(EncrId.AES_CBC, len(key) * 4)
    iv = h("000102030405060708090a0b0c0d0e0f")
    assert algorithm.encrypt(h(key), iv, h(SP800_38A_PLAIN)) == h(expected)
    assert algorithm.decrypt(h(key), iv, h(expected)) == h(SP800_38A_PLAIN)


def test_3des_cbc_sp800_67_example() -> None:
    # NIST SP 800-67 example (three-key TDEA, ECB); CBC with a zero IV on each single
    # block is that block's ECB encryption.
    algorithm = cipher(EncrId.TRIPLE_DES, None)
    key = h("0123456789abcdef23456789abcdef01456789abcdef0123")
    plain = b"The qufck brown fox jump"
    expected = h("a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900")
    for block in range(3):
        chunk = plain[block * 8 : block * 8 + 8]
        assert algorithm.encrypt(key, bytes(8), chunk) == expected[block * 8 : block * 8 + 8]
    # And chained: decrypting the chained ciphertext returns the text.
    iv = h("0001020304050607")
    assert algorithm.decrypt(key, iv, algorithm.encrypt(key, iv, plain)) == plain


def test_des_cbc_fips81_example() -> None:
    # FIPS 81 appendix C, the CBC example: "Now is the time for all " under key
    # 0123456789abcdef and IV 1234567890abcdef. DES-CBC is ENCR_DES (RFC 2405), 8-octet key.
    algorithm = cipher(EncrId.DES, None)
    key, iv = h("0123456789abcdef"), h("1234567890abcdef")
    plain = b"Now is the time for all "
    expected = h("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6")
    assert algorithm.encrypt(key, iv, plain) == expected
    assert algorithm.decrypt(key, iv, expected) == plain
    with pytest.raises(CryptoError, match="key must be 8 octets"):
        algorithm.encrypt(key * 3, iv, plain)


# The GCM specification (McGrew and Viega), test cases 4, 10 and 16.
GCM_PLAIN = (
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
GCM_AAD = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
GCM_NONCE = "cafebabefacedbaddecaf888"
GCM_CASES = [
    (
        "feffe9928665731c6d6a8f9467308308",
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        "5bc94fbc3221a5db94fae95ae7121a47",
    ),
    (
        "feffe9928665731c6d6a8f9467308308feffe9928665731c",
        "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
        "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
        "2519498e80f1478f37ba55bd6d27618c",
    ),
    (
        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b",
    ),
]


@pytest.mark.parametrize(("key", "ciphertext", "tag"), GCM_CASES)
@pytest.mark.parametrize(
    ("encr_id", "icv"), [(EncrId.AES_GCM_8, 8), (EncrId.AES_GCM_12, 12), (EncrId.AES_GCM_16, 16)]
)
def test_aes_gcm_spec_vectors(
    key: str, ciphertext: str, tag: str, encr_id: EncrId, icv: int
) -> None:
    # RFC 4106/5282 keying: key | 4-byte salt; nonce = salt | 8-byte IV.
    algorithm = aead(encr_id, len(key) * 4)
    keymat = h(key) + h(GCM_NONCE)[:4]
    iv = h(GCM_NONCE)[4:]
    sealed = algorithm.seal(keymat, iv, h(GCM_PLAIN), h(GCM_AAD))
    assert sealed == h(ciphertext) + h(tag)[:icv]
    assert algorithm.open(keymat, iv, sealed, h(GCM_AAD)) == h(GCM_PLAIN)
    assert algorithm.key_size == len(key) // 2 + 4
    assert algorithm.icv_size == icv


def test_aes_gcm_rejects_tampering() -> None:
    algorithm = aead(EncrId.AES_GCM_16, 128)
    keymat, iv = bytes(20), bytes(8)
    sealed = algorithm.seal(keymat, iv, b"payload", b"header")
    with pytest.raises(IntegrityError):
        algorithm.open(keymat, iv, sealed, b"Header")
    with pytest.raises(IntegrityError):
        algorithm.open(keymat, iv, sealed[:-1] + bytes([sealed[-1] ^ 1]), b"header")
    with pytest.raises(IntegrityError):
        algorithm.open(keymat, iv, sealed[:10], b"header")


# RFC 8439 section 2.8.2.
CHACHA_PLAIN = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
    b"for the future, sunscreen would be it."
)
CHACHA_CIPHER = (
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116"
)
CHACHA_TAG = "1ae10b594f09e26a7e902ecbd0600691"


def test_chacha20_poly1305_rfc8439() -> None:
    algorithm = aead(EncrId.CHACHA20_POLY1305, None)
    key = bytes(range(0x80, 0xA0))
    keymat = key + h("07000000")  # RFC 7634: the salt is the nonce's first 4 octets
    iv = h("4041424344454647")
    aad = h("50515253c0c1c2c3c4c5c6c7")
    sealed = algorithm.seal(keymat, iv, CHACHA_PLAIN, aad)
    assert sealed == h(CHACHA_CIPHER) + h(CHACHA_TAG)
    assert algorithm.open(keymat, iv, sealed, aad) == CHACHA_PLAIN
    with pytest.raises(IntegrityError):
        algorithm.open(keymat, iv, sealed, aad + b"x")
    assert encr_algorithm(EncrId.CHACHA20_POLY1305, 256) is algorithm


def test_null_encryption_is_identity() -> None:
    algorithm = cipher(EncrId.NULL, None)
    assert algorithm.key_size == 0 and algorithm.iv_size == 0
    assert algorithm.encrypt(b"", b"", b"abc") == b"abc"
    assert algorithm.decrypt(b"", b"", b"abc") == b"abc"
    with pytest.raises(CryptoError):
        algorithm.encrypt(b"k", b"", b"abc")


@pytest.mark.parametrize(
    ("encr_id", "bits", "key_size", "block", "iv", "salt"),
    [
        (EncrId.DES, None, 8, 8, 8, 0),
        (EncrId.TRIPLE_DES, None, 24, 8, 8, 0),
        (EncrId.TRIPLE_DES, 192, 24, 8, 8, 0),
        (EncrId.AES_CBC, 128, 16, 16, 16, 0),
        (EncrId.AES_CBC, 192, 24, 16, 16, 0),
        (EncrId.AES_CBC, 256, 32, 16, 16, 0),
        (EncrId.AES_GCM_16, 256, 36, 1, 8, 4),
        (EncrId.AES_GCM_8, 192, 28, 1, 8, 4),
        (EncrId.CHACHA20_POLY1305, None, 36, 1, 8, 4),
        (EncrId.NULL, None, 0, 1, 0, 0),
    ],
)
def test_sizes(
    encr_id: EncrId, bits: int | None, key_size: int, block: int, iv: int, salt: int
) -> None:
    algorithm = encr_algorithm(encr_id, bits)
    assert (algorithm.key_size, algorithm.block_size, algorithm.iv_size, algorithm.salt_size) == (
        key_size,
        block,
        iv,
        salt,
    )


@pytest.mark.parametrize(
    ("encr_id", "bits"),
    [
        (EncrId.AES_CBC, None),
        (EncrId.AES_CBC, 64),
        (EncrId.AES_GCM_16, None),
        (EncrId.TRIPLE_DES, 128),
        (EncrId.DES, 128),
        (EncrId.CAMELLIA_CBC, 128),
        (250, 128),
    ],
)
def test_unsupported_transforms(encr_id: int, bits: int | None) -> None:
    with pytest.raises(UnsupportedTransform, match="ENCR"):
        encr_algorithm(encr_id, bits)


def test_wrong_key_iv_and_length_are_crypto_errors() -> None:
    algorithm = cipher(EncrId.AES_CBC, 128)
    with pytest.raises(CryptoError, match="key must be 16"):
        algorithm.encrypt(bytes(15), bytes(16), bytes(16))
    with pytest.raises(CryptoError, match="IV must be 16"):
        algorithm.encrypt(bytes(16), bytes(8), bytes(16))
    with pytest.raises(CryptoError, match="multiple of 16"):
        algorithm.decrypt(bytes(16), bytes(16), bytes(17))
    with pytest.raises(CryptoError, match="key must be 20"):
        aead(EncrId.AES_GCM_16, 128).seal(bytes(16), bytes(8), b"", b"")
