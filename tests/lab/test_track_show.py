"""`show track` and `show ip sla statistics` on the FlexVPN client lab's spoke
(examples/flexvpn-client-failover): its track 1 follows IP SLA 1's probes of Hub1 (every 5 s,
`delay down 60`), which go unanswered while Hub1 is cut off (40 s to 150 s)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pyike.lab.lab import Lab
from tests.support.flexvpn_client import EXAMPLE, lab_of
from tests.support.genie_parse import parse

DOWN_AT = 40 + 5 + 60  # the first unanswered probe (sent at 40 s) times out 5 s later
UP_AT = 150 + 1  # the probe sent when Hub1 is back is answered (the lab's 1 ms round trip)


def _shown(lab: Lab, command: str) -> list[str]:
    return lab.exec("Spoke", command).splitlines()


def test_the_track_and_its_operation_are_shown_down_then_up_again() -> None:
    lab = lab_of(EXAMPLE)
    lab.run_until(120)
    assert _shown(lab, "show track") == [
        "Track 1",
        "  IP SLA 1 reachability",
        "  Reachability is Down",
        f"    2 changes, last change 00:00:{120 - DOWN_AT:02}",
        "  Delay down 60 secs",
        "  Latest operation return code: Timeout",
    ]
    # probes at 0, 5, ... 115 s finished: answered until 35 s, not from 40 s
    assert _shown(lab, "show ip sla statistics") == [
        "IPSLAs Latest Operation Statistics",
        "",
        "IPSLA operation id: 1",
        "        Latest RTT: NoConnection/Busy/Timeout",
        "Latest operation start time: 19:32:29 UTC Mon Nov 11 2013",
        "Latest operation return code: Timeout",
        "Number of successes: 8",
        "Number of failures: 16",
        "Operation time to live: Forever",
    ]
    lab.run_until(181)
    assert _shown(lab, "show track 1") == [
        "Track 1",
        "  IP SLA 1 reachability",
        "  Reachability is Up",
        f"    3 changes, last change 00:00:{181 - UP_AT:02}",
        "  Delay down 60 secs",
        "  Latest operation return code: OK",
        "  Latest RTT (millisecs) 1",
    ]
    statistics = _shown(lab, "sh ip sla stat 1")
    assert statistics[3:8] == [
        "        Latest RTT: 1 milliseconds",
        "Latest operation start time: 19:33:34 UTC Mon Nov 11 2013",
        "Latest operation return code: OK",
        "Number of successes: 15",  # 8, and 150 s to 180 s
        "Number of failures: 22",  # 40 s to 145 s
    ]
    assert _shown(lab, "show track brief") == [
        "Track Type        Instance                   Parameter        State Last Change",
        f"1     ip sla      1                          reachability     Up    00:00:{181 - UP_AT}",
    ]


def test_cisco_genie_parsers_read_both_commands() -> None:
    lab = lab_of(EXAMPLE)
    lab.run_until(181)
    statistics = parse("show ip sla statistics", _shown(lab, "show ip sla statistics"))
    assert statistics["ids"]["1"] == {
        "probe_id": 1,
        "rtt_stats": "1 milliseconds",
        "start_time": "19:33:34 UTC Mon Nov 11 2013",
        "return_code": "OK",
        "no_of_success": 15,
        "no_of_failures": 22,
        "ttl": "Forever",
    }


def test_cisco_genie_reads_show_track_of_a_state_track(tmp_path: Path) -> None:
    """genie's parser reads `ip sla N state` tracks only (it fails on `reachability`)."""
    shutil.copytree(EXAMPLE, tmp_path, dirs_exist_ok=True)
    spoke = tmp_path / "spoke.cfg"
    typed = "track 1 ip sla 1 reachability\n"
    assert typed in spoke.read_text()
    spoke.write_text(spoke.read_text().replace(typed, "track 1 ip sla 1 state\n"))
    lab = lab_of(tmp_path)
    lab.run_until(181)
    track = parse("show track", _shown(lab, "show track"))
    assert track["type"]["IP_SLA_1"] == {
        "state": "Up",
        "change_count": 3,
        "last_change": f"00:00:{181 - UP_AT}",
        "latest_op_return_code": "OK",
        "latest_rtt_ms": 1,
    }


def test_unknown_numbers_and_bad_arguments_get_ios_replies() -> None:
    lab = lab_of(EXAMPLE)
    lab.run_until(1)
    assert _shown(lab, "show track 7") == ["%Track 7 is not configured"]
    assert _shown(lab, "show ip sla statistics 9") == ["%No IP SLAs operation 9 configured"]
    for command in ("show track x", "show track 1001", "show ip sla statistics 1 2"):
        assert _shown(lab, command)[-1] == "% Invalid input detected at '^' marker."
    hub = lab.exec("Hub1", "show ip sla statistics")
    assert hub == "IPSLAs Latest Operation Statistics\n"
    assert lab.exec("Hub1", "show track") == ""
