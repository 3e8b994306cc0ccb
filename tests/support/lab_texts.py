"""A lab of simulated routers made from configuration texts, its tunnels up."""

from __future__ import annotations

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab


def running_lab(texts: list[str], seconds: float = 5.0) -> Lab:
    """The routers of `texts` (r1.cfg, r2.cfg, ... in error messages), their tunnels brought
    up and the clock run for `seconds`."""
    configs = [load(t, f"r{i}.cfg").raise_for_errors() for i, t in enumerate(texts, 1)]
    lab = Lab(configs, policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(seconds)
    return lab
