"""IOS's hex layout of binary data in a configuration and in show output: upper-case words of
four bytes, eight words (32 bytes) to a line, as `crypto pki certificate chain` blocks and
`show crypto key mypubkey` print a certificate or a public key."""

from __future__ import annotations

import string

WORD_BYTES = 4
WORDS_PER_LINE = 8
_HEX = frozenset(string.hexdigits)


def hex_lines(data: bytes) -> list[str]:
    """The data as IOS prints it, one string per line, without indentation."""
    words = [data[i : i + WORD_BYTES].hex().upper() for i in range(0, len(data), WORD_BYTES)]
    return [" ".join(words[i : i + WORDS_PER_LINE]) for i in range(0, len(words), WORDS_PER_LINE)]


def is_hex_word(word: str) -> bool:
    """A word of a hex block: hex digits, an even number of them."""
    return bool(word) and len(word) % 2 == 0 and all(c in _HEX for c in word)


def hex_serial(serial: int) -> str:
    """A certificate serial number as IOS prints it: the bytes of its DER INTEGER in hex (so a
    serial whose top bit is set keeps its leading 00, `00DC`)."""
    length = serial.bit_length() // 8 + 1  # room for the sign bit, as DER encodes it
    return serial.to_bytes(length, "big").hex().upper()
