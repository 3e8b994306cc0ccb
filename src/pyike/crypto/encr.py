"""Encryption transforms (IKEv2 transform type 1): CBC ciphers, AEAD ciphers, ENCR_NULL.

AEAD transforms are counter-mode ciphers: block size 1 here, so an SK payload needs only
its pad-length octet (as strongSwan sends it); ESP adds its own 4-octet alignment.
Key material sizes follow the RFCs: an AEAD transform takes its key plus a 4-byte salt
from the key schedule (RFC 5282 for AES-GCM in IKEv2, RFC 4106 in ESP, RFC 7634 for
ChaCha20-Poly1305); the nonce is salt | 8-byte IV.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from pyike.codec.registry import EncrId
from pyike.crypto.errors import CryptoError, IntegrityError, UnsupportedTransform, transform_name


@dataclass(frozen=True)
class EncrAlgorithm(ABC):
    """One encryption transform at one key length."""

    encr_id: EncrId
    name: str
    key_bits: int
    block_size: int
    iv_size: int
    salt_size: int = 0
    icv_size: int = 0

    @property
    def key_size(self) -> int:
        """Octets of keying material this transform takes from the key schedule."""
        return self.key_bits // 8 + self.salt_size

    @property
    def is_aead(self) -> bool:
        return self.icv_size > 0

    def _check_sizes(self, key: bytes, iv: bytes) -> None:
        if len(key) != self.key_size:
            raise CryptoError(f"{self.name}: key must be {self.key_size} octets, got {len(key)}")
        if len(iv) != self.iv_size:
            raise CryptoError(f"{self.name}: IV must be {self.iv_size} octets, got {len(iv)}")


@dataclass(frozen=True)
class CipherAlgorithm(EncrAlgorithm):
    """A transform without integrity of its own (CBC ciphers, ENCR_NULL): it needs an INTEG."""

    @abstractmethod
    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        """Encrypt whole blocks (the caller pads)."""

    @abstractmethod
    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        """Decrypt whole blocks."""

    def _check_blocks(self, data: bytes) -> None:
        if len(data) % self.block_size:
            raise CryptoError(
                f"{self.name}: data length {len(data)} is not a multiple of {self.block_size}"
            )


@dataclass(frozen=True)
class CbcAlgorithm(CipherAlgorithm):
    cipher: Callable[[bytes], BlockCipherAlgorithm] = field(default=algorithms.AES, repr=False)

    def _cipher(self, key: bytes, iv: bytes) -> Cipher[modes.CBC]:
        self._check_sizes(key, iv)
        return Cipher(self.cipher(key), modes.CBC(iv))

    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        self._check_blocks(plaintext)
        encryptor = self._cipher(key, iv).encryptor()
        return encryptor.update(plaintext) + encryptor.finalize()

    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        self._check_blocks(ciphertext)
        decryptor = self._cipher(key, iv).decryptor()
        return decryptor.update(ciphertext) + decryptor.finalize()


@dataclass(frozen=True)
class NullAlgorithm(CipherAlgorithm):
    """ENCR_NULL (RFC 2410): ESP only, no key, no IV."""

    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        self._check_sizes(key, iv)
        return plaintext

    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        self._check_sizes(key, iv)
        return ciphertext


@dataclass(frozen=True)
class AeadAlgorithm(EncrAlgorithm):
    """A combined-mode transform: `key` passed in is the cipher key followed by the salt."""

    def _nonce(self, key: bytes, iv: bytes) -> tuple[bytes, bytes]:
        self._check_sizes(key, iv)
        split = len(key) - self.salt_size
        return key[:split], key[split:] + iv

    def seal(self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """Return ciphertext | ICV."""
        cipher_key, nonce = self._nonce(key, iv)
        return self._seal(cipher_key, nonce, plaintext, aad)

    def open(self, key: bytes, iv: bytes, sealed: bytes, aad: bytes) -> bytes:
        """Return the plaintext of ciphertext | ICV; raise IntegrityError if the ICV is wrong."""
        cipher_key, nonce = self._nonce(key, iv)
        if len(sealed) < self.icv_size:
            raise IntegrityError(f"{self.name}: message shorter than its ICV")
        try:
            return self._open(cipher_key, nonce, sealed, aad)
        except InvalidTag:
            raise IntegrityError(f"{self.name}: ICV check failed") from None

    @abstractmethod
    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes: ...

    @abstractmethod
    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes: ...


@dataclass(frozen=True)
class GcmAlgorithm(AeadAlgorithm):
    """AES-GCM with an 8, 12 or 16 octet ICV (the GCM tag truncated to its leftmost octets)."""

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        ciphertext = encryptor.update(plaintext) + encryptor.finalize()
        return ciphertext + encryptor.tag[: self.icv_size]

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        split = len(sealed) - self.icv_size
        mode = modes.GCM(nonce, sealed[split:], min_tag_length=self.icv_size)
        decryptor = Cipher(algorithms.AES(key), mode).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(sealed[:split]) + decryptor.finalize()


@dataclass(frozen=True)
class ChaChaPolyAlgorithm(AeadAlgorithm):
    """ChaCha20-Poly1305 (RFC 8439 AEAD, used by IKEv2 and ESP per RFC 7634)."""

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed, aad)


def _build_table() -> dict[tuple[int, int], EncrAlgorithm]:
    table: dict[tuple[int, int], EncrAlgorithm] = {}
    table[(EncrId.TRIPLE_DES, 192)] = CbcAlgorithm(
        EncrId.TRIPLE_DES, "3DES", 192, block_size=8, iv_size=8, cipher=TripleDES
    )
    table[(EncrId.NULL, 0)] = NullAlgorithm(EncrId.NULL, "NULL", 0, block_size=1, iv_size=0)
    table[(EncrId.CHACHA20_POLY1305, 256)] = ChaChaPolyAlgorithm(
        EncrId.CHACHA20_POLY1305,
        "CHACHA20-POLY1305",
        256,
        block_size=1,
        iv_size=8,
        salt_size=4,
        icv_size=16,
    )
    for bits in (128, 192, 256):
        table[(EncrId.AES_CBC, bits)] = CbcAlgorithm(
            EncrId.AES_CBC, f"AES-CBC-{bits}", bits, block_size=16, iv_size=16
        )
        for encr_id, icv in (
            (EncrId.AES_GCM_8, 8),
            (EncrId.AES_GCM_12, 12),
            (EncrId.AES_GCM_16, 16),
        ):
            table[(encr_id, bits)] = GcmAlgorithm(
                encr_id,
                f"AES-GCM-{bits}-ICV{icv}",
                bits,
                block_size=1,
                iv_size=8,
                salt_size=4,
                icv_size=icv,
            )
    return table


_TABLE = _build_table()

# Transforms whose key length is fixed: a Key Length attribute is optional for them.
_FIXED_KEY_BITS: dict[int, int] = {
    EncrId.TRIPLE_DES: 192,
    EncrId.NULL: 0,
    EncrId.CHACHA20_POLY1305: 256,
}


def encr_algorithm(encr_id: int, key_bits: int | None) -> EncrAlgorithm:
    """The transform for an ENCR ID and its Key Length attribute (None when absent)."""
    bits = _FIXED_KEY_BITS.get(encr_id) if key_bits is None else key_bits
    algorithm = None if bits is None else _TABLE.get((encr_id, bits))
    if algorithm is None:
        length = "without a key length" if key_bits is None else f"with a {key_bits}-bit key"
        raise UnsupportedTransform(
            f"encryption transform {transform_name(EncrId, encr_id)} {length} is not supported"
        )
    return algorithm
