"""Shared fixtures: the real strongSwan captures under tests/data/vectors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: a loaded 2-core CI machine must not turn slowness into failures.
# Under CI the examples are derandomized, so a red run can be reproduced exactly.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

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
