"""The lab's cost grows with the number of tunnels, not faster: a hub with ten times the
spokes does ten times the work (counted in Python function calls, which do not depend on the
machine's load), so nothing looks at every SA, interface or route for each tunnel."""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.topology import load_topology
from tests.support.hub_and_spokes import write_hub_and_spokes


def _calls_per_tunnel(directory: Path, spokes: int) -> float:
    topology = load_topology([str(write_hub_and_spokes(directory, spokes))])
    profiler = cProfile.Profile()
    profiler.enable()
    lab = Lab(topology.configs, policy_for_config, seed=0)
    lab.bring_up_tunnels()
    lab.run_for(30.0)
    profiler.disable()
    assert lab.tunnels_up() == (2 * spokes, 2 * spokes)
    calls = sum(counts[1] for counts in pstats.Stats(profiler).stats.values())  # type: ignore[attr-defined]
    return calls / spokes


def test_ten_times_the_spokes_cost_ten_times_the_work(tmp_path: Path) -> None:
    small = _calls_per_tunnel(tmp_path / "small", 20)
    large = _calls_per_tunnel(tmp_path / "large", 200)
    # Per-tunnel scans over the table (before they went: +15% here, +240% at 3000 spokes).
    assert large < 1.03 * small, (small, large)
