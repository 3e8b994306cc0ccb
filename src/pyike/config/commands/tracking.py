"""IP SLA operations and track objects (config/tracking_model.py): `ip sla N` and its
`icmp-echo` operation, `ip sla schedule N`, and `track N ip sla M [reachability|state]`.

Other operation types (`udp-jitter`, `http`, ...), other settings of an operation and other
kinds of track object (`track N interface ...`, `track N list ...`) are kept as typed, from
the blocks' vocabulary (config/vocabulary.py), and counted as not modelled."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pyike.config.build import Builder
from pyike.config.commands.common import named_object
from pyike.config.commands.unmodelled import pattern
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.modes import GLOBAL, IP_SLA, IP_SLA_ECHO, TRACK
from pyike.config.params import IFACE, interface_arg
from pyike.config.tracking_model import IcmpEcho, IpSla, Track
from pyike.config.vocabulary import BLOCKS


def _tracking(b: Builder) -> Any:
    return b.config.tracking


# --- ip sla --------------------------------------------------------------------------------


named_object(
    "ip sla <name:INT(1,2147483647)> $", IP_SLA, lambda b: _tracking(b).slas, lambda n: IpSla(n)
)


def _update_sla(b: Builder, number: int, **changes: Any) -> None:
    slas = _tracking(b).slas
    slas[number] = replace(slas[number], **changes)


@IP_SLA.command(
    f"icmp-echo <addr:IPV4> [source-interface {IFACE} | source-ip <src:IPV4>]", enters=IP_SLA_ECHO
)
def _icmp_echo(b: Builder, m: Match, line: Line, negate: bool) -> None:
    number = b.key()
    if negate:
        _update_sla(b, number, echo=None)
        return
    source_interface = interface_arg(m) if m.has("source-interface") else None
    _update_sla(b, number, echo=IcmpEcho(m.get("addr"), source_interface, m.get("src")))
    b.enter(IP_SLA_ECHO, number)


def _echo_setting(field: str, scale: int = 1) -> Any:
    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        sla: IpSla = _tracking(b).slas[b.key()]
        if sla.echo is None:
            return
        default = getattr(IcmpEcho(sla.echo.target), field)
        value = default if negate else m.get("n") * scale
        _update_sla(b, sla.number, echo=replace(sla.echo, **{field: value}))

    return handler


IP_SLA_ECHO.add("frequency $ <n:INT(1,604800)>", _echo_setting("frequency"))
IP_SLA_ECHO.add("timeout $ <n:INT(0,604800000)>", _echo_setting("timeout_ms"))


@GLOBAL.command("ip sla schedule <n:INT(1,2147483647)> $ [<rest:LINE>]")
def _schedule(b: Builder, m: Match, line: Line, negate: bool) -> None:
    number, rest = m.get("n"), m.get("rest") or ""
    slas = _tracking(b).slas
    if number not in slas:
        slas[number] = IpSla(number, source=b.source())
    runs = not negate and "start-time now" in " ".join(rest.lower().split())
    _update_sla(b, number, scheduled=runs, schedule=None if negate else rest)


def _keep_in_sla(b: Builder, m: Match, line: Line, negate: bool) -> None:
    sla: IpSla = _tracking(b).slas[b.key()]
    _update_sla(b, sla.number, extra=(*sla.extra, line.text.strip()))


# --- track ---------------------------------------------------------------------------------


@GLOBAL.command("track <n:INT(1,1000)> $ <rest:LINE>", enters=TRACK)
def _track(b: Builder, m: Match, line: Line, negate: bool) -> None:
    number, rest = m.get("n"), " ".join((m.get("rest") or "").split())
    tracks = _tracking(b).tracks
    if negate:
        tracks.pop(number, None)
        return
    words = rest.lower().split()
    sla = kind = None
    if len(words) in (3, 4) and words[:2] == ["ip", "sla"] and words[2].isdigit():
        sla = int(words[2])
        kind = words[3] if len(words) == 4 else "state"
        if kind not in ("reachability", "state"):
            sla = kind = None
    if sla is None:
        b.count_not_modelled(GLOBAL.name, "track")
    tracks[number] = Track(number, sla, kind or "state", typed=rest, source=b.source())
    b.enter(TRACK, number)


@TRACK.command(
    "delay $ {up <up:INT(0,180)> [down <down:INT(0,180)>]|down <down2:INT(0,180)> "
    "[up <up2:INT(0,180)>]}"
)
def _delay(b: Builder, m: Match, line: Line, negate: bool) -> None:
    tracks = _tracking(b).tracks
    track: Track = tracks[b.key()]
    up = 0 if negate else m.get("up") or m.get("up2") or 0
    down = 0 if negate else m.get("down") or m.get("down2") or 0
    tracks[track.number] = replace(track, delay_up=up, delay_down=down)


def _keep_in_track(b: Builder, m: Match, line: Line, negate: bool) -> None:
    tracks = _tracking(b).tracks
    track: Track = tracks[b.key()]
    tracks[track.number] = replace(track, extra=(*track.extra, line.text.strip()))


# --- what the blocks keep without modelling ----------------------------------------------------

for _phrase in BLOCKS["track <n:INT(1,1000)> ..."].commands:
    if not _phrase.startswith("delay"):
        TRACK.add(pattern(_phrase), _keep_in_track, modelled=False)
_SLA = BLOCKS["ip sla <n:INT(1,2147483647)>"]
for _opener in _SLA.blocks:
    IP_SLA.add(pattern(_opener), _keep_in_sla, modelled=False)  # other operation types
for _phrase in next(iter(_SLA.blocks.values())).commands:
    if _phrase.split()[0] not in ("frequency", "timeout"):
        IP_SLA_ECHO.add(pattern(_phrase), _keep_in_sla, modelled=False)
