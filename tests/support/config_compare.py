"""Configurations compared by meaning rather than by text."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from pyike.config import defaults
from pyike.config.model import Config


def _strip_sources(value: Any) -> Any:
    """The model without `source` fields, which differ between two texts of one configuration."""
    if isinstance(value, dict):
        return {k: _strip_sources(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_strip_sources(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        changes = {f.name: _strip_sources(getattr(value, f.name)) for f in fields(value)}
        if "source" in changes:
            changes["source"] = None
        return replace(value, **changes)
    return value


def comparable(cfg: Config) -> Config:
    """Equal for configurations that mean the same: sources, the position of unmodelled blocks
    and lines, and explicitly configured but unmodified defaults do not matter."""
    effective = replace(
        cfg,
        proposals=defaults.proposals(cfg),
        policies=defaults.policies(cfg),
        transform_sets=defaults.transform_sets(cfg),
        ipsec_profiles=defaults.ipsec_profiles(cfg),
        unmodelled=tuple(sorted(cfg.unmodelled, key=lambda b: b.lines)),
        not_modelled=tuple(
            sorted(
                (replace(n, line=0) for n in cfg.not_modelled), key=lambda n: (n.mode, n.command)
            )
        ),
    )
    stripped: Config = _strip_sources(effective)
    return replace(stripped, file="")
