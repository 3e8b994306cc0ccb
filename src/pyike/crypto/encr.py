"""Encryption transforms (IKEv2 transform type 1): CBC and CTR ciphers, AEAD ciphers,
ENCR_NULL.

AES-CTR and the AEAD transforms are counter-mode ciphers: block size 1 here, so an SK payload
needs only its pad-length octet (as strongSwan sends it); ESP adds its own 4-octet alignment.
Key material sizes follow the RFCs: each takes its key plus a salt from the key schedule, and
its nonce is salt | 8-byte IV: a 4-byte salt for AES-GCM (RFC 5282 in IKEv2, RFC 4106 in ESP),
ChaCha20-Poly1305 (RFC 7634) and AES-CTR (RFC 5930, RFC 3686: whose counter block adds a
32-bit block counter starting at 1), a 3-byte salt for AES-CCM (RFC 5282, RFC 4309).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, ChaCha20Poly1305

from pyike.codec.registry import EncrId
from pyike.crypto import catalogue
from pyike.crypto.catalogue import EncrTransform
from pyike.crypto.errors import CryptoError, IntegrityError, unsupported


class EncrAlgorithm:
    """One encryption transform at one key length; its sizes come from the catalogue entry."""

    def __init__(self, transform: EncrTransform) -> None:
        self.transform = transform
        self.name, self.encr_id = transform.name, transform.id
        # Sizes read per packet, so plain attributes.
        self.block_size, self.iv_size = transform.block_size, transform.iv_size
        self.salt_size, self.icv_size = transform.salt_size, transform.icv_size
        self.key_size = transform.key_size  # keying material from the key schedule, salt included

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    def is_aead(self) -> bool:
        return self.icv_size > 0

    def _check_sizes(self, key: bytes, iv: bytes) -> None:
        if len(key) != self.key_size:
            raise CryptoError(f"{self.name}: key must be {self.key_size} octets, got {len(key)}")
        if len(iv) != self.iv_size:
            raise CryptoError(f"{self.name}: IV must be {self.iv_size} octets, got {len(iv)}")


class CipherAlgorithm(EncrAlgorithm, ABC):
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


class CbcAlgorithm(CipherAlgorithm):
    def __init__(self, transform: EncrTransform) -> None:
        super().__init__(transform)
        assert transform.cipher is not None
        self.cipher = transform.cipher

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


class CtrAlgorithm(CipherAlgorithm):
    """AES-CTR (RFC 3686, RFC 5930): `key` is the AES key followed by the 4-byte nonce."""

    def _keystream(self, key: bytes, iv: bytes) -> Cipher[modes.CTR]:
        self._check_sizes(key, iv)
        split = len(key) - self.salt_size
        counter_block = key[split:] + iv + (1).to_bytes(4, "big")
        return Cipher(algorithms.AES(key[:split]), modes.CTR(counter_block))

    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        encryptor = self._keystream(key, iv).encryptor()
        return encryptor.update(plaintext) + encryptor.finalize()

    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        return self.encrypt(key, iv, ciphertext)  # a key stream XORed either way


class NullAlgorithm(CipherAlgorithm):
    """ENCR_NULL (RFC 2410): ESP only, no key, no IV."""

    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        self._check_sizes(key, iv)
        return plaintext

    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        self._check_sizes(key, iv)
        return ciphertext


class AeadAlgorithm(EncrAlgorithm, ABC):
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


class CcmAlgorithm(AeadAlgorithm):
    """AES-CCM with an 8, 12 or 16 octet ICV and an 11-octet nonce (RFC 4309, RFC 5282)."""

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return AESCCM(key, self.icv_size).encrypt(nonce, plaintext, aad)

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return AESCCM(key, self.icv_size).decrypt(nonce, sealed, aad)


class ChaChaPolyAlgorithm(AeadAlgorithm):
    """ChaCha20-Poly1305 (RFC 8439 AEAD, used by IKEv2 and ESP per RFC 7634)."""

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed, aad)


_BY_MODE: dict[str, type[EncrAlgorithm]] = {
    "cbc": CbcAlgorithm,
    "ctr": CtrAlgorithm,
    "null": NullAlgorithm,
    "gcm": GcmAlgorithm,
    "ccm": CcmAlgorithm,
    "chacha20-poly1305": ChaChaPolyAlgorithm,
}
_ALGORITHMS: dict[EncrTransform, EncrAlgorithm] = {
    t: _BY_MODE[t.mode](t) for t in catalogue.ENCRYPTIONS if t.implemented
}


def encr_algorithm(encr_id: int, key_bits: int | None) -> EncrAlgorithm:
    """The transform for an ENCR ID and its Key Length attribute (None when absent)."""
    transform = catalogue.encryption(encr_id, key_bits)
    algorithm = None if transform is None else _ALGORITHMS.get(transform)
    if algorithm is None:
        length = "without a key length" if key_bits is None else f"with a {key_bits}-bit key"
        raise unsupported(EncrId, encr_id, f" {length}")
    return algorithm
