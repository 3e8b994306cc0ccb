"""`show track` and `show ip sla statistics` for what the lab test does not reach: a track
that never changed, one of a kind pyike does not run, and an operation not yet probed."""

from __future__ import annotations

from datetime import datetime

from pyike.config.tracking_model import IpSla, Track
from pyike.show.tracking import (
    OperationStats,
    TrackHistory,
    TrackView,
    ip_sla_statistics,
    show_track,
    show_track_brief,
)


def test_tracks_never_changed_and_of_kinds_not_run() -> None:
    interface = Track(2, typed="interface Ethernet0/0 line-protocol")
    views = [
        TrackView(
            Track(1, sla=3, kind="state", delay_up=10), False, TrackHistory(), OperationStats()
        ),
        TrackView(interface, False, TrackHistory(), None),
    ]
    assert show_track(views, 100.0).splitlines() == [
        "Track 1",
        "  IP SLA 3 state",
        "  State is Down",
        "    0 changes, last change never",
        "  Delay up 10 secs",
        "  Latest operation return code: Unknown",
        "Track 2",
        "  interface Ethernet0/0 line-protocol (not run by pyike)",
        "  State is Down",
        "    0 changes, last change never",
    ]
    up = TrackView(Track(4, sla=1, kind="reachability"), True, TrackHistory(1, 10.0), None)
    assert show_track_brief([up, views[1]], 90010.0).splitlines() == [
        "Track Type        Instance                   Parameter        State Last Change",
        "4     ip sla      1                          reachability     Up    1d01h",
        "2     interface   Ethernet0/0                line-protocol    Down  never",
    ]


def test_an_operation_not_yet_probed_or_not_scheduled() -> None:
    shown = ip_sla_statistics({5: IpSla(5)}, {}, datetime(2026, 12, 5, 8, 0, 0))
    assert shown.splitlines() == [
        "IPSLAs Latest Operation Statistics",
        "",
        "IPSLA operation id: 5",
        "        Latest RTT: NoConnection/Busy/Timeout",
        "Latest operation start time: Unknown",
        "Latest operation return code: Unknown",
        "Number of successes: 0",
        "Number of failures: 0",
        "Operation time to live: 0",
    ]
