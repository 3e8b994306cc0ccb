"""The seed document's two routers, whose configurations ship with pyike (`data/seed/`):
what `pyike lab` runs when given no configuration, simulated or in network namespaces."""

from __future__ import annotations

from importlib import resources

from pyike.config import load
from pyike.config.model import Config

SEED_FILES = {"Router1": "router1.cfg", "Router2": "router2.cfg"}  # by hostname
SEED_CONFIGS = tuple(SEED_FILES.values())


def seed_texts() -> dict[str, str]:
    """Each seed router's configuration text, by hostname."""
    data = resources.files("pyike") / "data" / "seed"
    return {host: (data / name).read_text(encoding="utf-8") for host, name in SEED_FILES.items()}


def seed_configs() -> list[Config]:
    configs = []
    for host, text in seed_texts().items():
        result = load(text, file=SEED_FILES[host])
        result.raise_for_errors()
        configs.append(result.config)
    return configs
