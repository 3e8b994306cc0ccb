"""`show running-config`'s IP SLA operations and track objects (config/tracking_model.py)."""

from __future__ import annotations

from pyike.config.model import Config
from pyike.config.tracking_model import DEFAULT_FREQUENCY, DEFAULT_TIMEOUT_MS, IpSla, Track

Block = list[str]


def blocks(cfg: Config) -> list[Block]:
    tracking = cfg.tracking
    out = [_track(t) for t in tracking.tracks.values()]
    out += [_sla(s) for s in tracking.slas.values()]
    schedules = [
        f"ip sla schedule {s.number} {s.schedule}".rstrip()
        for s in tracking.slas.values()
        if s.schedule is not None
    ]
    return out + ([schedules] if schedules else [])


def _track(track: Track) -> Block:
    block = [f"track {track.number} {track.typed}"]
    delays = (f"down {track.delay_down}" if track.delay_down else "") + (
        f" up {track.delay_up}" if track.delay_up else ""
    )
    if delays:
        block.append(f" delay {delays.strip()}")
    return block + [f" {line}" for line in track.extra]


def _sla(sla: IpSla) -> Block:
    block = [f"ip sla {sla.number}"]
    echo = sla.echo
    if echo is not None:
        source = f" source-interface {echo.source_interface}" if echo.source_interface else ""
        source += f" source-ip {echo.source_ip}" if echo.source_ip else ""
        block.append(f" icmp-echo {echo.target}{source}")
        if echo.timeout_ms != DEFAULT_TIMEOUT_MS:
            block.append(f"  timeout {echo.timeout_ms}")
        if echo.frequency != DEFAULT_FREQUENCY:
            block.append(f"  frequency {echo.frequency}")
    return block + [f"  {line}" for line in sla.extra]
