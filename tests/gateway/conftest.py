from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.netns import NO_NETNS, NO_NETNS_REASON, Lab
from tests.support.privilege import SystemUser, system_user


@pytest.fixture
def netlab() -> Iterator[Lab]:
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    lab = Lab()
    try:
        yield lab
    finally:
        lab.cleanup()


@pytest.fixture(scope="session")
def gateway_user() -> Iterator[SystemUser]:
    """A system user for `pyike run --user`, made for this session and removed after it."""
    if NO_NETNS:
        pytest.skip(NO_NETNS_REASON)
    with system_user() as user:
        yield user
