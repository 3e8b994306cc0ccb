"""Hypothesis profiles, and the real strongSwan captures under tests/data/vectors as a fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.paths import VECTOR_NAMES, VECTORS

# No per-example deadline: a loaded 2-core CI machine must not turn slowness into failures.
# Under CI the examples are derandomized, so a red run can be reproduced exactly.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(params=VECTOR_NAMES)
def vector(request: pytest.FixtureRequest) -> Path:
    return VECTORS / str(request.param)
