"""Keyed per-SA cipher contexts: seal and open ESP packets with no per-packet key setup.

pyike.crypto builds a fresh cipher object for every call, which suits IKE's few messages but
costs more than the encryption itself on a data plane. Each SA here keys its cipher and MAC
once and reuses them:

- AEAD: one `AESGCM` / `AESCCM` / `ChaCha20Poly1305` object per SA (truncated GCM ICVs, which
  that API cannot produce, fall back to pyike.crypto).
- HMAC: a keyed context copied per packet.
- AES-CTR: pyike.crypto's, per packet.
- CBC: one long-lived CBC encryptor and decryptor per SA. A CBC context chains from the last
  ciphertext block it produced, so to start a packet at a chosen IV the encryptor is first fed
  D_K(IV) XOR (its last block), whose encryption is exactly IV; the decryptor is fed the
  packet's IV ahead of its ciphertext, and the first output block is discarded. The bytes on
  the wire are those of a fresh CBC context with that IV.
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, CipherAlgorithm, CipherContext, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305

from pyike.crypto.encr import AeadAlgorithm, CbcAlgorithm, CtrAlgorithm
from pyike.crypto.errors import IntegrityError
from pyike.crypto.integ import IntegAlgorithm
from pyike.ipsec.errors import (
    EspConfigError,
    EspIntegrityError,
    EspMalformedPacket,
    EspPayloadError,
)
from pyike.ipsec.esp import HEADER_SIZE, Buffer
from pyike.ipsec.transforms import EspTransform


class EspContext(ABC):
    """Seals and opens the packets of one SA direction; holds its keys, never shows them."""

    def __init__(self, transform: EspTransform) -> None:
        self.transform = transform

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.transform.name})"

    @abstractmethod
    def seal(self, header: bytes, iv: bytes, plaintext: bytes, seq_hi: bytes) -> bytes:
        """The whole ESP packet: header | IV | ciphertext | ICV.

        `plaintext` is already padded; `seq_hi` is the ESN high half (empty without ESN).
        """

    @abstractmethod
    def open(self, packet: Buffer, seq_hi: bytes) -> tuple[bytes, int]:
        """Verify and decrypt a packet whose length the caller checked; return the decrypted
        part and the offset where it starts in the returned buffer."""


class _Mac:
    """A keyed integrity transform: an HMAC context copied per packet (keyed on the first
    packet), or pyike.crypto's."""

    def __init__(self, integ: IntegAlgorithm, key: bytes) -> None:
        self.size = integ.icv_size
        self._integ = integ
        self._key = key
        self._hash = integ.transform.hash if integ.transform.mac == "hmac" else None
        self._keyed: crypto_hmac.HMAC | None = None

    def icv(self, *parts: bytes | memoryview) -> bytes:
        if self._hash is None:
            return self._integ.compute(self._key, b"".join(parts))
        if self._keyed is None:
            self._keyed = crypto_hmac.HMAC(self._key, self._hash)
        mac = self._keyed.copy()
        for part in parts:
            mac.update(part)
        return mac.finalize()[: self.size]


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


class CipherThenMacContext(EspContext):
    """CBC, CTR or NULL encryption with an optional HMAC (RFC 4303 section 3.3.2)."""

    def __init__(self, transform: EspTransform, encr_key: bytes, integ_key: bytes) -> None:
        super().__init__(transform)
        encr = transform.encr
        self._block = encr.block_size
        self._mac = None if transform.integ is None else _Mac(transform.integ, integ_key)
        self._ctr = encr if isinstance(encr, CtrAlgorithm) else None
        self._cbc = encr if isinstance(encr, CbcAlgorithm) else None
        self._key = encr_key
        # The CBC contexts are keyed on the first packet, each only in the direction that
        # uses it: an SA that carries nothing (or nothing one way) keys none of them.
        self._encryptor: CipherContext | None = None
        self._iv_decryptor: CipherContext | None = None
        self._decryptor: CipherContext | None = None
        self._last = bytes(self._block)

    def _algorithm(self) -> CipherAlgorithm:
        assert self._cbc is not None
        return self._cbc.cipher(self._key)

    def _cbc_sealers(self) -> tuple[CipherContext, CipherContext]:
        if self._encryptor is None or self._iv_decryptor is None:
            self._encryptor = Cipher(self._algorithm(), modes.CBC(bytes(self._block))).encryptor()
            self._iv_decryptor = Cipher(self._algorithm(), modes.ECB()).decryptor()
        return self._encryptor, self._iv_decryptor

    def seal(self, header: bytes, iv: bytes, plaintext: bytes, seq_hi: bytes) -> bytes:
        if self._cbc is not None:
            # A partial block would stay buffered in the long-lived contexts.
            if len(iv) != self._block or len(plaintext) % self._block:
                raise EspPayloadError("encaps: IV or padded payload is not whole blocks")
            encryptor, iv_decryptor = self._cbc_sealers()
            lead = _xor(iv_decryptor.update(iv), self._last)
            encryptor.update(lead)  # yields IV itself
            ciphertext = encryptor.update(plaintext)
            self._last = ciphertext[-self._block :]
        elif self._ctr is not None:
            ciphertext = self._ctr.encrypt(self._key, iv, plaintext)
        else:
            ciphertext = plaintext
        if self._mac is None:
            return b"".join((header, iv, ciphertext))
        icv = self._mac.icv(header, iv, ciphertext, seq_hi)
        return b"".join((header, iv, ciphertext, icv))

    def open(self, packet: Buffer, seq_hi: bytes) -> tuple[bytes, int]:
        view = memoryview(packet)
        end = len(view)
        if self._mac is not None:
            end -= self._mac.size
            icv = self._mac.icv(view[:end], seq_hi)
            if not hmac.compare_digest(icv, view[end:]):
                raise EspIntegrityError("decrypt: mac verification failed")
        if self._ctr is not None:
            iv_end = HEADER_SIZE + self._ctr.iv_size
            iv, ciphertext = bytes(view[HEADER_SIZE:iv_end]), bytes(view[iv_end:end])
            return self._ctr.decrypt(self._key, iv, ciphertext), 0
        if self._cbc is None:
            return bytes(view[HEADER_SIZE:end]), 0
        if (end - HEADER_SIZE) % self._block:
            raise EspMalformedPacket("decaps: ciphertext is not a whole number of blocks")
        if self._decryptor is None:
            self._decryptor = Cipher(self._algorithm(), modes.CBC(bytes(self._block))).decryptor()
        # IV and ciphertext in one call: the first output block is D(IV) XOR stale state.
        return self._decryptor.update(view[HEADER_SIZE:end]), self._block


class AeadContext(EspContext):
    """AES-GCM (RFC 4106), AES-CCM (RFC 4309) or ChaCha20-Poly1305 (RFC 7634): nonce = salt | IV,
    AAD = SPI | [ESN high |] sequence number."""

    def __init__(self, transform: EspTransform, encr_key: bytes) -> None:
        super().__init__(transform)
        encr = transform.encr
        assert isinstance(encr, AeadAlgorithm)
        self._encr = encr
        self._key = encr_key
        split = len(encr_key) - encr.salt_size
        self._salt = encr_key[split:]
        self._iv_end = HEADER_SIZE + encr.iv_size
        self._aead: AESGCM | AESCCM | ChaCha20Poly1305 | None = None
        if encr.transform.mode == "chacha20-poly1305":
            self._aead = ChaCha20Poly1305(encr_key[:split])
        elif encr.transform.mode == "gcm" and encr.icv_size == 16:
            self._aead = AESGCM(encr_key[:split])
        elif encr.transform.mode == "ccm":
            self._aead = AESCCM(encr_key[:split], encr.icv_size)

    def seal(self, header: bytes, iv: bytes, plaintext: bytes, seq_hi: bytes) -> bytes:
        aad = b"".join((header[:4], seq_hi, header[4:])) if seq_hi else header
        if self._aead is None:
            sealed = self._encr.seal(self._key, iv, plaintext, aad)
        else:
            sealed = self._aead.encrypt(self._salt + iv, plaintext, aad)
        return b"".join((header, iv, sealed))

    def open(self, packet: Buffer, seq_hi: bytes) -> tuple[bytes, int]:
        data = packet if isinstance(packet, bytes) else bytes(packet)
        iv_end = self._iv_end
        aad = b"".join((data[:4], seq_hi, data[4:HEADER_SIZE])) if seq_hi else data[:HEADER_SIZE]
        iv = data[HEADER_SIZE:iv_end]
        try:
            if self._aead is None:
                return self._encr.open(self._key, iv, data[iv_end:], aad), 0
            return self._aead.decrypt(self._salt + iv, data[iv_end:], aad), 0
        except (InvalidTag, IntegrityError):
            raise EspIntegrityError("decrypt: mac verification failed") from None


def esp_context(transform: EspTransform, encr_key: bytes, integ_key: bytes) -> EspContext:
    """The keyed context for one direction of an SA; checks the key lengths."""
    if len(encr_key) != transform.encr_key_size:
        raise EspConfigError(
            f"{transform.encr.name}: key must be {transform.encr_key_size} octets,"
            f" got {len(encr_key)}"
        )
    if len(integ_key) != transform.integ_key_size:
        raise EspConfigError(
            f"{transform.name}: integrity key must be {transform.integ_key_size} octets,"
            f" got {len(integ_key)}"
        )
    if transform.is_aead:
        return AeadContext(transform, encr_key)
    return CipherThenMacContext(transform, encr_key, integ_key)
