"""What a new configuration changed (`configure terminal` on a lab router): definitions
compared as they are, not by the line that made them (a configuration written back and read
again has every object at a new line)."""

from __future__ import annotations

from dataclasses import replace

from pyike.config.model import Config, Interface


def same_interface(a: Interface | None, b: Interface | None) -> bool:
    if a is None or b is None:
        return a is b
    return replace(a, source=None) == replace(b, source=None)


def same_routes(old: Config, new: Config) -> bool:
    """The static routes (`ip route`) of both are alike."""
    return [replace(r, source=None) for r in old.routes] == [
        replace(r, source=None) for r in new.routes
    ]
