"""`show version`: pyike says what it is (not Cisco IOS), and IOS's uptime line."""

from __future__ import annotations

import pytest

from pyike import __version__
from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.node.exec.show_version import uptime_words
from pyike.topology.seed import seed_configs


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 minutes"),
        (59, "0 minutes"),
        (60, "1 minute"),
        (3 * 3600 + 120, "3 hours, 2 minutes"),
        (86400 + 3600, "1 day, 1 hour"),
        (2 * 604800 + 86400 + 60, "2 weeks, 1 day, 1 minute"),
    ],
)
def test_uptime_in_ios_words(seconds: int, words: str) -> None:
    assert uptime_words(seconds) == words


def test_a_lab_router_says_what_runs_and_since_when() -> None:
    lab = Lab(seed_configs(), policy_for_config)
    lab.run_for(3725)
    lines = lab.exec("Router2", "show version").splitlines()
    assert lines[0] == (
        f"pyike Software, Version {__version__}: IKEv2 and IPsec with a Cisco IOS personality"
        " (not Cisco IOS)"
    )
    assert "Router2 uptime is 1 hour, 2 minutes" in lines
    assert "System started at *19:30:34.811 UTC Mon Nov 11 2013" in lines
    assert lines[-1] == "Time now *20:32:39.811 UTC Mon Nov 11 2013"
    assert "% Invalid input" in lab.exec("Router2", "show version brief")
