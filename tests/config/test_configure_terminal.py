"""`end` leaves configuration mode; what follows is typed at the exec prompt, where IOS takes
`configure terminal` (as `conf t`) back into configuration mode: a `show running-config` dump
with lines pasted after it (`end`, `conf t`, the additions) configures those lines too."""

from __future__ import annotations

import pytest

from pyike.config import load

DUMP = "hostname DUMP\ninterface Tunnel1\n tunnel protection ipsec profile OLD\n!\nend\n"


@pytest.mark.parametrize("enter", ["configure terminal", "conf t", "Config Term"])
def test_configure_terminal_after_end_reads_the_lines_after_it(enter: str) -> None:
    text = f"{DUMP}{enter}\ninterface Tunnel1\n tunnel protection ipsec profile NEW\nend\n"
    result = load(text, "dump.cfg")
    assert result.config.interfaces["Tunnel1"].tunnel_protection == "NEW"
    assert not [d for d in result.diagnostics if "after 'end'" in d.message]


def test_exec_lines_after_end_stay_ignored_until_configure_terminal() -> None:
    text = f"{DUMP}show running-config\nhostname LATER\nconf t\nhostname LAST\n"
    result = load(text, "dump.cfg")
    assert result.config.hostname == "LAST"
    ignored = [d.message for d in result.diagnostics if "after 'end'" in d.message]
    assert ignored == ["2 line(s) after 'end' ignored"]


def test_configure_terminal_in_configuration_mode_is_refused() -> None:
    result = load("hostname R1\nconfigure terminal\n", "cfg")
    assert [d.message for d in result.errors] == ["% Invalid input detected at '^' marker."]
