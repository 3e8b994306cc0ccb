"""Large labs for the tests: a hub with N static-VTI spokes, as the scale benchmark
(`bench/lab_scale.py --write N DIR`) writes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def write_hub_and_spokes(directory: Path, spokes: int) -> Path:
    """Writes the hub's and each spoke's configuration to ``directory``; returns it."""
    script = ROOT / "bench" / "lab_scale.py"
    subprocess.run(
        [sys.executable, str(script), "--write", str(spokes), str(directory)], check=True
    )
    return directory
