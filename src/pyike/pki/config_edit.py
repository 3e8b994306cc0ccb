"""Put a trustpoint and its certificate chain into a router's configuration file, keeping
every other line as the user wrote it: the chain block of the trustpoint is replaced (or
added right after the trustpoint), and a missing trustpoint is added where IOS prints PKI,
before the first `crypto ikev2|ipsec` or `interface` block (else before `end`)."""

from __future__ import annotations

import re

from pyike.config.pki_hex import is_hex_word

_BEFORE = re.compile(r"(crypto\s+(ikev2|ipsec|isakmp|map)|interface|end)\b", re.IGNORECASE)


def _opens(line: str, words: str, name: str) -> bool:
    tokens = line.split()
    expected = words.split()
    if len(tokens) != len(expected) + 1 or tokens[-1] != name:
        return False
    spelled = [tokens[0].lower(), tokens[1].lower().replace("ca", "pki"), *tokens[2:-1]]
    return spelled == expected


def _in_block(line: str) -> bool:
    """A line that belongs to the block above it: indented, or a chain's own line even when
    pasted flat (`certificate ...`, hex, `quit`)."""
    if not line.strip() or line[0] in " \t":
        return bool(line.strip())
    words = line.split()
    return words[0].lower() in ("certificate", "quit") or all(is_hex_word(w) for w in words)


def _block_end(lines: list[str], start: int, chain: bool) -> int:
    end = start + 1
    while end < len(lines) and (
        _in_block(lines[end]) if chain else lines[end][:1] in (" ", "\t") and lines[end].strip()
    ):
        end += 1
    return end


def _find(lines: list[str], words: str, name: str) -> int | None:
    return next((i for i, line in enumerate(lines) if _opens(line, words, name)), None)


def install_chain(text: str, trustpoint: str, new_trustpoint: list[str], chain: list[str]) -> str:
    """`text` with the chain block of `trustpoint` replaced by `chain`; `new_trustpoint` (the
    trustpoint's block) is added first when the configuration has no such trustpoint."""
    lines = text.splitlines()
    old = _find(lines, "crypto pki certificate chain", trustpoint)
    if old is not None:
        del lines[old : _block_end(lines, old, chain=True)]
    at = _find(lines, "crypto pki trustpoint", trustpoint)
    if at is None:
        where = next((i for i, line in enumerate(lines) if _BEFORE.match(line)), len(lines))
        lines[where:where] = [*new_trustpoint, "!"]
        at = where
    end = _block_end(lines, at, chain=False)
    lines[end:end] = ["!", *chain] if old is None else chain
    return "\n".join(lines) + "\n"


def add_trustpoint_line(text: str, trustpoint: str, line: str) -> str:
    """`text` with `line` (indented) added at the end of the `trustpoint` block."""
    lines = text.splitlines()
    at = _find(lines, "crypto pki trustpoint", trustpoint)
    if at is None:
        return text
    end = _block_end(lines, at, chain=False)
    lines[end:end] = [line]
    return "\n".join(lines) + "\n"
