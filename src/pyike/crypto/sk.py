"""Protection of the Encrypted (SK) and Encrypted Fragment (SKF) payloads.

RFC 7296 section 3.14 for a cipher plus an integrity transform: the ICV covers the message
from the IKE header to the end of the ciphertext. RFC 5282 for AEAD: the AAD is the message
up to the IV (IKE header and SK header), the nonce is salt | IV, the ICV is the tag.
"""

from __future__ import annotations

from pyike.crypto.encr import AeadAlgorithm, CipherAlgorithm, EncrAlgorithm, NullAlgorithm
from pyike.crypto.errors import CryptoError, IntegrityError, UnsupportedTransform
from pyike.crypto.integ import IntegAlgorithm
from pyike.crypto.keys import IkeKeys, IkeSuite, integ_for_encr


class IkeSkCipher:
    """Seals and opens SK payload contents in one direction of one IKE SA."""

    def __init__(
        self, encr: EncrAlgorithm, integ: IntegAlgorithm | None, sk_e: bytes, sk_a: bytes
    ) -> None:
        if isinstance(encr, NullAlgorithm):
            raise UnsupportedTransform(f"ENCR_{encr.name} is for ESP only, not for IKE")
        if (integ is None) != encr.is_aead:
            raise CryptoError(f"{encr.name} cannot be combined with this integrity transform")
        if len(sk_e) != encr.key_size:
            raise CryptoError(f"{encr.name}: SK_e must be {encr.key_size} octets")
        if integ is not None and len(sk_a) != integ.key_size:
            raise CryptoError(f"{integ.name}: SK_a must be {integ.key_size} octets")
        self.encr = encr
        self.integ = integ
        self._sk_e = sk_e
        self._sk_a = sk_a
        self.iv_size = encr.iv_size
        self.icv_size = encr.icv_size if integ is None else integ.icv_size

    @classmethod
    def create(cls, suite: IkeSuite, sk_e: bytes, sk_a: bytes = b"") -> IkeSkCipher:
        encr = suite.encr_algorithm()
        return cls(encr, integ_for_encr(encr, suite.integ), sk_e, sk_a)

    @classmethod
    def pair(cls, suite: IkeSuite, keys: IkeKeys) -> tuple[IkeSkCipher, IkeSkCipher]:
        """(initiator-to-responder, responder-to-initiator) ciphers of an IKE SA."""
        return cls.create(suite, keys.sk_ei, keys.sk_ai), cls.create(suite, keys.sk_er, keys.sk_ar)

    def __repr__(self) -> str:
        integ = f", {self.integ.name}" if self.integ else ""
        return f"<IkeSkCipher {self.encr.name}{integ}>"

    def _padded_length(self, plaintext_len: int) -> int:
        block = self.encr.block_size
        return plaintext_len + 1 + (-(plaintext_len + 1) % block)

    def sealed_length(self, plaintext_len: int) -> int:
        """IV + ciphertext (with padding and pad-length octet) + ICV."""
        return self.iv_size + self._padded_length(plaintext_len) + self.icv_size

    def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
        """IV | ciphertext | ICV for the inner payloads `plaintext`; `prefix` is every message
        octet before the IV, with all lengths final."""
        if len(iv) != self.iv_size:
            raise CryptoError(f"{self.encr.name}: IV must be {self.iv_size} octets")
        pad_length = self._padded_length(len(plaintext)) - len(plaintext) - 1
        padded = plaintext + bytes(pad_length) + bytes([pad_length])
        if isinstance(self.encr, AeadAlgorithm):
            return iv + self.encr.seal(self._sk_e, iv, padded, prefix)
        assert isinstance(self.encr, CipherAlgorithm) and self.integ is not None
        ciphertext = self.encr.encrypt(self._sk_e, iv, padded)
        return iv + ciphertext + self.integ.compute(self._sk_a, prefix + iv + ciphertext)

    def open(self, prefix: bytes, sealed: bytes) -> bytes:
        """The inner payload octets of IV | ciphertext | ICV, padding removed.

        Raises IntegrityError when the ICV does not verify or the padding is malformed.
        """
        if len(sealed) < self.iv_size + self.icv_size + 1:
            raise IntegrityError("encrypted payload is shorter than IV and ICV")
        iv = sealed[: self.iv_size]
        if isinstance(self.encr, AeadAlgorithm):
            padded = self.encr.open(self._sk_e, iv, sealed[self.iv_size :], prefix)
        else:
            assert isinstance(self.encr, CipherAlgorithm) and self.integ is not None
            split = len(sealed) - self.icv_size
            ciphertext = sealed[self.iv_size : split]
            if not self.integ.verify(self._sk_a, prefix + sealed[:split], sealed[split:]):
                raise IntegrityError(f"{self.integ.name}: ICV check failed")
            if len(ciphertext) % self.encr.block_size:
                raise IntegrityError("ciphertext is not a whole number of cipher blocks")
            padded = self.encr.decrypt(self._sk_e, iv, ciphertext)
        pad_length = padded[-1]
        if pad_length >= len(padded):
            raise IntegrityError(f"pad length {pad_length} exceeds the decrypted data")
        return padded[: len(padded) - 1 - pad_length]
