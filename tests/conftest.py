"""Shared fixtures: the real strongSwan captures under tests/data/vectors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
VECTORS = DATA / "vectors"
VECTOR_NAMES = sorted(p.name for p in VECTORS.iterdir() if p.is_dir())


def require_tool(name: str) -> str:
    """The path of an external tool; skip without it, unless CI demands every tool."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("PYIKE_REQUIRE_TOOLS"):
            pytest.fail(f"{name} is required (PYIKE_REQUIRE_TOOLS is set) but not installed")
        pytest.skip(f"{name} is not installed (scripts/install-system-deps installs it)")
    return path


@pytest.fixture(params=VECTOR_NAMES)
def vector(request: pytest.FixtureRequest) -> Path:
    return VECTORS / str(request.param)
