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


# RFC 3686 section 6, test vectors 1 to 9: the key material is the AES key then the nonce.
RFC3686 = [
    (128, "ae6852f8121067cc4bf7a5765577f39e00000030", "0000000000000000",
     b"Single block msg".hex(), "e4095d4fb7a7b3792d6175a3261311b8"),
    (128, "7e24067817fae0d743d6ce1f32539163006cb6db", "c0543b59da48d90b", bytes(range(32)).hex(),
     "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28"),
    (128, "7691be035e5020a8ac6e618529f9a0dc00e0017b", "27777f3f4a1786f0", bytes(range(36)).hex(),
     "c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f"),
    (192, "16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb7851500000048", "36733c147d6d93cb",
     b"Single block msg".hex(), "4b55384fe259c9c84e7935a003cbe928"),
    (192, "7c5cb2401b3dc33c19e7340819e0f69c678c3db8e6f6a91a0096b03b", "020c6eadc2cb500d",
     bytes(range(32)).hex(), "453243fc609b23327edfaafa7131cd9f8490701c5ad4a79cfc1fe0ff42f4fb00"),
    (192, "02bf391ee8ecb159b959617b0965279bf59b60a786d3e0fe0007bdfd", "5cbd60278dcc0912",
     bytes(range(36)).hex(),
     "96893fc55e5c722f540b7dd1ddf7e758d288bc95c69165884536c811662f2188abee0935"),
    (256, "776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c10400000060",
     "db5672c97aa8f0b2", b"Single block msg".hex(), "145ad01dbf824ec7560863dc71e3e0c0"),
    (256, "f6d66d6bd52d59bb0796365879eff886c66dd51a5b6a99744b50590c87a2388400faac24",
     "c1585ef15a43d875", bytes(range(32)).hex(),
     "f05e231b3894612c49ee000b804eb2a9b8306b508f839d6a5530831d9344af1c"),
    (256, "ff7a617ce69148e4f1726e2f43581de2aa62d9f805532edff1eed687fb54153d001cc5b7",
     "51a51d70a1c11148", bytes(range(36)).hex(),
     "eb6c52821d0bbbf7ce7594462aca4faab407df866569fd07f48cc0b583d6071f1ec0e6b8"),
]  # fmt: skip


@pytest.mark.parametrize(("bits", "keymat", "iv", "plain", "expected"), RFC3686)
def test_aes_ctr_rfc3686(bits: int, keymat: str, iv: str, plain: str, expected: str) -> None:
    algorithm = cipher(EncrId.AES_CTR, bits)
    assert (algorithm.key_size, algorithm.iv_size, algorithm.block_size) == (bits // 8 + 4, 8, 1)
    assert algorithm.encrypt(h(keymat), h(iv), h(plain)) == h(expected)
    assert algorithm.decrypt(h(keymat), h(iv), h(expected)) == h(plain)


# AES-CCM with ESP's 11-octet nonce (3-octet salt | 8-octet IV, RFC 4309): neither RFC 3610 nor
# NIST SP 800-38C has such vectors; these are NIST CAVS vectors with that nonce length, the
# key material being the AES key then the salt, the result ciphertext | ICV.
CCM_CAVS = [
    (EncrId.AES_CCM_16, 128, "83ac5466c2ebe5052e01d1fc5d82662e96ac59", "3007a1e2a2c75524", "",
     "19c881f6e986ff930b7867e5bbb7fc6e8377b3a60c8c9f9c352eade062f991a1",
     "ab6fe1691d1999a892a0c46f7ee28bb170bb8ca64c6e978a572bbe5d98a6b132"
     "da24ead9a13998fda4bed9f21a6d22a8"),
    (EncrId.AES_CCM_16, 128, "1e2c7e01419aefc00d58966e5ca24bd34fa319", "d3015ad830601556",
     "dae6289c452dfd635eda4cb6e6fcf9b70c56cbe4e0057ae10a630978bc2c55de",
     "87a336fd96b39378a92863ba12a31485571e06c97b21ef767f387e8e29a43e7e",
     "8a1e11f0026be219fc70c46d8eb799abc54ba2acd3f348ff3bb5ce53efdebb02"
     "a986156c13feda0a22b8293dd8399a23"),
    (EncrId.AES_CCM_16, 192, "56df5c8f263f0e42ef7ad3cefc846062cab440af5fc9c901d63c8c",
     "8684b6cdef092e94", "0265783ce9213091b1b9da769a786d95f28832a3f250cb4ce300736984698779",
     "9fd2024b5249313c43693a2d8e70ad7ee0e54609808913b28c8bd93f86fbb56b",
     "39df7c3c5a29b9625d51c216d8bd069f9b6a0970c15183c266881d4f9adae01e"
     "c7791158e56b20407aea46428be46fe1"),
    (EncrId.AES_CCM_8, 256, "e08d997160d7971abd0199d58adf713ad3df244b5e3d4b4e307ab9d8530a5e2b1e2991",
     "ad8ec1530acf2dbe", "19b61f57c4f3f08b782b9402290f42276b75cb9834087e79e43e490d848b2287",
     "e1d9d813eb3a753f9dbd5f66bedcbb66bf1799624a39271f1ddc24ae192f984c",
     "19b86133452b43966f51d020307d9bc6263df8c96516a89ff0621734f21e8d754e13ccc0c32a542d"),
    (EncrId.AES_CCM_12, 256, "7cc8183b8d99e07c4541b8bd5ca7c2328ab80259a4fea92c09759a9b3c9b2739f9d94e",
     "63b53d9d43f61e50", "57f56b8b575c3d3b1302010c834c96358ed639cf7d149b94b03936e68f57e013",
     "3b6c2936b6ef07a68372074fcffa66895fcab1bad58f2c2730db750993d465e4",
     "b0885a33aae5c71d8523c7c62ff41e3dcc63442507784f9e96b888ebbc481f0639af39acd84a80397b728af7"),
    (EncrId.AES_CCM_8, 192, "585da096651a04d796e5c568aa9535e029a0ba9e4878d1baee4983",
     "e9a9ffe957bafd9e", "44a62c05e9e143b1587cf25c6d390a64a4f01305d177996711c4c6db00563661",
     "85346642c8920f3658e06b913c985cbb0a85cc02ad7a96e96543a4c30fdc5581",
     "fbe55d34bee5e8e75aef2fbf1f7fd4b266ca611e967a61b31c164552ba049c9fb1d240bc527c6fb1"),
]  # fmt: skip


@pytest.mark.parametrize(("encr_id", "bits", "keymat", "iv", "aad", "plain", "sealed"), CCM_CAVS)
def test_aes_ccm_esp_nonce_vectors(
    encr_id: EncrId, bits: int, keymat: str, iv: str, aad: str, plain: str, sealed: str
) -> None:
    algorithm = aead(encr_id, bits)
    assert (algorithm.key_size, algorithm.salt_size) == (bits // 8 + 3, 3)
    assert algorithm.seal(h(keymat), h(iv), h(plain), h(aad)) == h(sealed)
    assert algorithm.open(h(keymat), h(iv), h(sealed), h(aad)) == h(plain)
    tampered = h(sealed)[:-1] + bytes([h(sealed)[-1] ^ 1])
    with pytest.raises(IntegrityError):
        algorithm.open(h(keymat), h(iv), tampered, h(aad))


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
        (EncrId.AES_CTR, 256, 36, 1, 8, 4),
        (EncrId.AES_CCM_12, 192, 27, 1, 8, 3),
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
