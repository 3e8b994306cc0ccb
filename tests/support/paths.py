"""Where the files the tests read are: the repository's, the package's and tests/data's."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"
SEED_CONFIGS = SRC / "pyike" / "data" / "seed"  # router1.cfg and router2.cfg

DATA = ROOT / "tests" / "data"
CONFIG_CORPUS = DATA / "config"
REALCONFIGS = DATA / "realconfigs"  # public IOS configurations, each with its source
GOLDEN = DATA / "golden"
VECTORS = DATA / "vectors"  # real strongSwan exchanges with their keys
VECTOR_NAMES = sorted(p.name for p in VECTORS.iterdir() if p.is_dir())
SEED_DOCUMENT = DATA / "seed" / "ikev2-psk-debugs.ko.txt"
EXPLAIN_CORPUS = ROOT / "tests" / "explain" / "corpus"  # real IOS debug logs
