"""Commands every mode shares (`exit`, `end`, `hostname`) and helpers for the handlers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pyike.config.build import Builder
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.modes import (
    CRYPTO_MAP,
    EXT_ACL,
    GLOBAL,
    IKEV2_KEYRING,
    IKEV2_KEYRING_PEER,
    IKEV2_POLICY,
    IKEV2_PROFILE,
    IKEV2_PROPOSAL,
    INTERFACE,
    IPSEC_PROFILE,
    TRANSFORM_SET,
)
from pyike.crypto.catalogue import EncrTransform

T = TypeVar("T")

SUB_MODES = (
    IKEV2_PROPOSAL,
    IKEV2_POLICY,
    IKEV2_KEYRING,
    IKEV2_KEYRING_PEER,
    IKEV2_PROFILE,
    TRANSFORM_SET,
    IPSEC_PROFILE,
    CRYPTO_MAP,
    INTERFACE,
    EXT_ACL,
)


def merge(
    b: Builder,
    kind: str,
    name: str,
    attr: str,
    current: tuple[T, ...],
    values: Iterable[T],
    negate: bool,
) -> tuple[T, ...]:
    """IOS list semantics: the first command replaces a default's list, later ones extend it,
    `no` removes the values given (or all of them)."""
    new = list(values)
    if negate:
        return tuple(v for v in current if new and v not in new)
    if (kind, name, attr) not in b.touched:
        b.touched.add((kind, name, attr))
        current = ()
    return tuple(dict.fromkeys([*current, *new]))


def warn_legacy(b: Builder, transform: EncrTransform, typed: str) -> None:
    """The catalogue's warning for a legacy cipher, at the line that configures it."""
    if transform.warning:
        b.warn(f"{typed}: {transform.warning}")


def _exit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if len(b.stack) > 1:
        b.stack.pop()


for _mode in SUB_MODES:
    _mode.add("exit", _exit)


@GLOBAL.command("exit", modelled=False)
def _global_exit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`exit` at the top level leaves configuration mode; nothing to record."""


@GLOBAL.command("end")
def _end(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.ended = True


@GLOBAL.command("hostname $ <name:WORD>")
def _hostname(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.hostname = "Router" if negate else m.get("name")
