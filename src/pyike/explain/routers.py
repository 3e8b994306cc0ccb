"""One stream holding several routers' output, each line behind its router's hostname, as
`pyike lab` prints it (``Router1: *Nov 11 19:30:34.811: IKEv2:...``): one log per router.

The prefix must be consistent across the stream: most of its lines start with ``NAME: ``,
and what follows the prefix includes IKEv2 debug lines. A prompt (``Router1#show ...``) is not
a prefix, and neither is a line that starts a record of its own (``IKEv2-PROTO-1: ...``,
``Data: 224 bytes``). A stream without such a prefix is one log, as read before.

A router's line that repeats one of its earlier timestamped lines word for word after text
from no router (the lab's "What the routers show" summary) is a quote, not a second event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyike.explain.lines import RecordKind, classify, physical_lines, split_stamp

# An IOS hostname: letters, digits, hyphens (dots and underscores seen in the wild).
_PREFIX = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_.\-]{0,62}):(?:[ \t](?P<rest>.*))?$")

NOT_FROM_A_ROUTER = "not from a router (no hostname prefix in a multi-router stream)"
QUOTED = "quotes an earlier line of the same router"


@dataclass
class RouterLog:
    router: str  # "" when the stream is one log without prefixes
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


@dataclass
class Stream:
    logs: list[RouterLog]
    set_aside: list[tuple[int, str, str]]  # (line number, text, reason)
    total_lines: int

    @property
    def routers(self) -> list[str]:
        return [log.router for log in self.logs if log.router]


def _prefixed(line: str) -> tuple[str, str] | None:
    """(hostname, the rest) when ``line`` starts with a hostname prefix."""
    match = _PREFIX.match(line)
    if match is None or classify(line) is not None:
        return None
    return match.group("name"), match.group("rest") or ""


def _routers(lines: list[str]) -> set[str]:
    """The hostnames that prefix this stream's lines, or none when it is one log."""
    content = [line for line in lines if line.strip()]
    counts: dict[str, int] = {}
    starting: set[str] = set()  # names followed by the start of a record somewhere
    debugging: set[str] = set()  # names followed by an IKEv2 debug line somewhere
    for line in content:
        found = _prefixed(line)
        if found is None:
            continue
        name, rest = found
        counts[name] = counts.get(name, 0) + 1
        kind = classify(split_stamp(rest)[1])
        if kind is not None:
            starting.add(name)
        if kind is RecordKind.IKEV2:
            debugging.add(name)
    # Names that never start a record are words of prose ("Note: ..."), not hostnames.
    carried = sum(counts[name] for name in starting)
    return starting if debugging and 2 * carried > len(content) else set()


def split_routers(text: str) -> Stream:
    """The stream's logs: one per router when its lines carry hostname prefixes."""
    lines = physical_lines(text)
    routers = _routers(lines)
    if not routers:
        return Stream([RouterLog("", list(enumerate(lines, start=1)))], [], len(lines))
    logs: dict[str, RouterLog] = {}
    set_aside: list[tuple[int, str, str]] = []
    seen: dict[str, set[str]] = {}  # router -> timestamped lines before the last interruption
    pending: dict[str, set[str]] = {}  # router -> timestamped lines since then
    for number, line in enumerate(lines, start=1):
        found = _prefixed(line)
        if found is None or found[0] not in routers:
            if line.strip():
                set_aside.append((number, line.strip(), NOT_FROM_A_ROUTER))
                for name, recent in pending.items():
                    seen.setdefault(name, set()).update(recent)
                pending.clear()
            continue
        name, rest = found
        stamp, _ = split_stamp(rest)
        if stamp is not None:
            if rest.strip() in seen.get(name, ()):
                set_aside.append((number, line.strip(), QUOTED))
                continue
            pending.setdefault(name, set()).add(rest.strip())
        logs.setdefault(name, RouterLog(name)).lines.append((number, rest))
    return Stream(list(logs.values()), set_aside, len(lines))
