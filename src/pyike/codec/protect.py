"""Building and opening messages whose payloads travel inside SK (RFC 7296 section 3.14) or
SKF (RFC 7383 section 2.5). The cryptography itself is behind the SkCipher protocol."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Protocol

from pyike.codec.errors import DecodeError
from pyike.codec.generic import GENERIC_HEADER_SIZE, MAX_PAYLOAD_LENGTH, PayloadBase
from pyike.codec.header import HEADER_SIZE, IkeHeader
from pyike.codec.message import (
    Message,
    Payload,
    decode_message,
    decode_payload_chain,
    encode_payload_chain,
)
from pyike.codec.payloads import SkfPayload, SkPayload
from pyike.codec.registry import PayloadType


class SkCipher(Protocol):
    """One direction of an IKE SA's SK protection (implemented in pyike.crypto)."""

    iv_size: int

    def sealed_length(self, plaintext_len: int) -> int:
        """IV + ciphertext (with padding and pad-length octet) + ICV."""
        ...

    def seal(self, prefix: bytes, plaintext: bytes, iv: bytes) -> bytes:
        """IV | ciphertext | ICV. ``prefix`` is every message byte before the IV, final."""
        ...

    def open(self, prefix: bytes, sealed: bytes) -> bytes:
        """The plaintext inner payload bytes, padding stripped; raises
        pyike.crypto.errors.IntegrityError when the ICV does not verify."""
        ...


def encode_protected(
    header_template: IkeHeader,
    inner_payloads: Sequence[PayloadBase],
    cipher: SkCipher,
    iv: bytes,
    leading_payloads: Sequence[PayloadBase] = (),
) -> bytes:
    """The whole message: header, ``leading_payloads`` in clear, then SK holding
    ``inner_payloads``. The header's Next Payload and Length come from the content."""
    first_inner, plaintext = encode_payload_chain(inner_payloads)
    return _seal(
        header_template,
        leading_payloads,
        PayloadType.SK,
        first_inner,
        b"",
        plaintext,
        cipher,
        iv,
    )


def encode_protected_fragment(
    header_template: IkeHeader,
    first_inner_type: int,
    chunk: bytes,
    fragment_number: int,
    total_fragments: int,
    cipher: SkCipher,
    iv: bytes,
    leading_payloads: Sequence[PayloadBase] = (),
) -> bytes:
    """One SKF fragment message carrying ``chunk``, a slice of the inner payload chain's bytes.
    ``first_inner_type`` is sent in fragment 1 only (RFC 7383: zero in the others)."""
    if not 1 <= fragment_number <= total_fragments <= 0xFFFF:
        raise ValueError(f"fragment {fragment_number} of {total_fragments} is impossible")
    next_type = first_inner_type if fragment_number == 1 else PayloadType.NONE
    numbering = struct.pack("!HH", fragment_number, total_fragments)
    return _seal(
        header_template, leading_payloads, PayloadType.SKF, next_type, numbering, chunk, cipher, iv
    )


def split_for_fragments(plaintext: bytes, max_chunk: int) -> list[bytes]:
    """``plaintext`` cut into chunks of at most ``max_chunk`` bytes (at least one chunk)."""
    if max_chunk < 1:
        raise ValueError("fragments must carry at least one byte")
    return [plaintext[i : i + max_chunk] for i in range(0, len(plaintext), max_chunk)] or [b""]


def open_protected(data: bytes, cipher: SkCipher) -> tuple[Message, list[Payload]]:
    """Decodes ``data``, checks that SK is its last payload, decrypts it and decodes the inner
    payloads. DecodeError for malformed input; the cipher's IntegrityError passes through."""
    message = decode_message(data)
    return message, open_decoded(message, data, cipher)


def open_decoded(message: Message, data: bytes, cipher: SkCipher) -> list[Payload]:
    """The inner payloads of ``message``, already decoded from ``data``: as open_protected."""
    sk = message.payloads[-1] if message.payloads else None
    if not isinstance(sk, SkPayload):
        raise DecodeError("message has no Encrypted payload", payload=PayloadType.SK)
    prefix = data[: len(data) - len(sk.body)]
    plaintext = cipher.open(prefix, sk.body)
    return decode_payload_chain(sk.first_inner_type, plaintext)


def open_protected_fragment(data: bytes, cipher: SkCipher) -> tuple[Message, SkfPayload, bytes]:
    """Decodes and decrypts one fragment message: (message, its SKF payload, the chunk)."""
    message = decode_message(data)
    skf = message.payloads[-1] if message.payloads else None
    if not isinstance(skf, SkfPayload):
        raise DecodeError("message has no Encrypted Fragment payload", payload=PayloadType.SKF)
    prefix = data[: len(data) - len(skf.body)]
    return message, skf, cipher.open(prefix, skf.body)


def reassemble_fragments(first_inner_type: int, chunks: Sequence[bytes]) -> list[Payload]:
    """The inner payloads of fragments 1..n (chunks in fragment order); the first inner type
    comes from fragment 1's SKF header."""
    return decode_payload_chain(first_inner_type, b"".join(chunks))


def _seal(
    header_template: IkeHeader,
    leading_payloads: Sequence[PayloadBase],
    encrypted_type: int,
    encrypted_next: int,
    encrypted_prefix: bytes,
    plaintext: bytes,
    cipher: SkCipher,
    iv: bytes,
) -> bytes:
    first_type, leading = encode_payload_chain(leading_payloads, next_after_last=encrypted_type)
    sealed_length = cipher.sealed_length(len(plaintext))
    payload_length = GENERIC_HEADER_SIZE + len(encrypted_prefix) + sealed_length
    if payload_length > MAX_PAYLOAD_LENGTH:
        raise ValueError(f"encrypted payload of {payload_length} bytes is too long")
    prefix = (
        header_template.encode_with(first_type, HEADER_SIZE + len(leading) + payload_length)
        + leading
        + struct.pack("!BBH", encrypted_next, 0, payload_length)
        + encrypted_prefix
    )
    sealed = cipher.seal(prefix, plaintext, iv)
    if len(sealed) != sealed_length:
        raise ValueError(f"cipher sealed {len(sealed)} bytes after announcing {sealed_length}")
    return prefix + sealed
