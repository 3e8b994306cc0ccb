"""Memories that stay bounded whatever is asked of them: what the network sends (payload bodies,
proposals) or names (peers) must not grow the process without limit."""

from __future__ import annotations

from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(memory: dict[_K, _V], key: _K, value: _V, limit: int) -> None:
    """Keeps ``value`` under ``key``, emptying ``memory`` first when it holds ``limit``
    entries. Callers keep only what was worked out successfully."""
    if len(memory) >= limit:
        memory.clear()
    memory[key] = value
