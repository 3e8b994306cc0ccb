"""External tools the tests run (tshark, strongSwan, iproute2): found, or the test skips, or
fails where CI demands every tool (PYIKE_REQUIRE_TOOLS)."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def missing_tool(what: str) -> NoReturn:
    """Skips the test for want of `what`; fails it instead when PYIKE_REQUIRE_TOOLS is set."""
    if os.environ.get("PYIKE_REQUIRE_TOOLS"):
        pytest.fail(f"{what} is required (PYIKE_REQUIRE_TOOLS is set) but not installed")
    pytest.skip(f"{what} is not installed (scripts/install-system-deps installs it)")


def require_tool(name: str) -> str:
    """The path of an external tool."""
    path = shutil.which(name)
    if path is None:
        missing_tool(name)
    return path
