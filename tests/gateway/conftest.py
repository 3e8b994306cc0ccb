from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.gateway.netns import Lab


@pytest.fixture
def netlab() -> Iterator[Lab]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespace tests need root and iproute2")
    lab = Lab()
    try:
        yield lab
    finally:
        lab.cleanup()
