"""Commands every mode shares (`exit`, `end`, `hostname`) and helpers for the handlers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from pyike.config import defaults
from pyike.config.build import Builder, Rejected
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import DEFAULT_HOSTNAME
from pyike.config.modes import GLOBAL, SUB_MODES, Mode
from pyike.crypto.catalogue import EncrTransform

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")
K = TypeVar("K", str, int)


def merge_list(
    b: Builder, kind: str, objects: dict[str, Any], attr: str, values: Iterable[Any], negate: bool
) -> None:
    """Join `values` to the list `attr` of the object being configured, with IOS list semantics:
    the first command replaces a default's list, later ones extend it, `no` removes the values
    given (or all of them)."""
    name = b.key()
    current: tuple[Any, ...] = getattr(objects[name], attr)
    new = list(values)
    if negate:
        merged = tuple(v for v in current if new and v not in new)
    else:
        if (kind, name, attr) not in b.touched:
            b.touched.add((kind, name, attr))
            current = ()
        merged = tuple(dict.fromkeys([*current, *new]))
    changes: dict[str, Any] = {attr: merged}
    objects[name] = replace(objects[name], **changes)


def warn_legacy(b: Builder, transform: EncrTransform, typed: str) -> None:
    """The catalogue's warning for a legacy cipher, at the line that configures it."""
    if transform.warning:
        b.warn(f"{typed}: {transform.warning}")


def delete_object(b: Builder, objects: dict[K, Any], name: K | None, kind: str | None) -> None:
    """`no crypto ... NAME`; deleting the object named `default` of a `kind` IOS has a smart
    default of disables that default."""
    if name is None:
        return
    objects.pop(name, None)
    if kind is not None and name == defaults.DEFAULT:
        b.disabled_defaults.add(kind)


def restore_default(b: Builder, name: str, kind: str) -> None:
    """Configuring the object named `default` brings a disabled smart default back."""
    if name == defaults.DEFAULT:
        b.disabled_defaults.discard(kind)


def named_object(
    pattern: str,
    mode: Mode,
    objects: Callable[[Builder], dict[K, D]],
    new: Callable[[K], D],
    smart_default: tuple[str, D] | None = None,
) -> Callable[..., None]:
    """Register the global command that creates the object `<name:...>` (unless it exists) and
    enters its mode; `no` deletes it. For an object IOS has a smart default of, give its kind
    (as `no crypto ... default` names it) and the default object: `default` starts from it.
    Returns the update of the object being configured: `update(builder, field=value, ...)`."""

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        store, name = objects(b), m.get("name")
        kind, default = smart_default or (None, None)
        if negate:
            delete_object(b, store, name, kind)
            return
        if name not in store:
            base = default if default is not None and name == defaults.DEFAULT else new(name)
            store[name] = replace(base, source=b.source())
            if kind is not None:
                restore_default(b, name, kind)
        b.enter(mode, name)

    GLOBAL.add(pattern, handler, enters=mode)
    return lambda b, **changes: update_current(b, objects(b), **changes)


def setting(
    mode: Mode,
    pattern: str,
    update: Callable[..., None],
    attr: str,
    value: str,
    default: object = None,
) -> None:
    """Register a command that sets `attr` to the parameter `value` it captures (through
    `update(builder, attr=...)`); its `no` form sets it back to `default`."""

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        update(b, **{attr: default if negate else m.get(value)})

    mode.add(pattern, handler)


def update_current(b: Builder, objects: dict[Any, Any], **changes: Any) -> None:
    """Change the fields of the object being configured (the one the mode's key names)."""
    objects[b.key()] = replace(objects[b.key()], **changes)


def keep_line(b: Builder, objects: dict[Any, Any], line: Line) -> None:
    """Keep a line the block does not model, as typed, with the object being configured."""
    update_current(b, objects, extra=(*objects[b.key()].extra, line.text))


def exit_mode(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if len(b.stack) > 1:
        b.stack.pop()


for _mode in SUB_MODES:
    _mode.add("exit", exit_mode)


@GLOBAL.command("exit")
def _global_exit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`exit` at the top level leaves configuration mode; nothing to record."""


@GLOBAL.command("end")
def _end(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.ended = True


_HOSTNAME = re.compile(r"[A-Za-z0-9._-]+")


@GLOBAL.command("hostname $ <name:WORD>")
def _hostname(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if not negate and not _HOSTNAME.fullmatch(name):
        raise Rejected("% Hostname contains one or more illegal characters.")
    b.update(hostname=DEFAULT_HOSTNAME if negate else name)
