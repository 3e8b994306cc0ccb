"""A real browser for HTML tests: headless Chromium lays the page out, and its DOM as it then
stands is what the tests read (Chromium is installed by scripts/install-system-deps)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.tools import require_tool


def rendered_dom(page: Path) -> subprocess.CompletedProcess[str]:
    """Chromium's `--dump-dom` of `page` (stdout: the DOM; stderr: what it complained of)."""
    chromium = require_tool("chromium")
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
