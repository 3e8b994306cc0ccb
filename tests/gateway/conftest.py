from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.netns import NO_NETNS, NO_NETNS_REASON, Lab


@pytest.fixture
def netlab() -> Iterator[Lab]:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    lab = Lab()
    try:
        yield lab
    finally:
        lab.cleanup()
