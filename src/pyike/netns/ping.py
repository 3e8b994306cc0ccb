"""An IOS `ping` typed at a lab router, played by Linux `ping` in the router's namespace.

Supported forms: `ping [ip|ipv6] ADDRESS [source INTERFACE|ADDRESS] [repeat N] [size N]
[timeout N]`, keywords in any order and abbreviated as IOS allows (`so`, `rep`). The answer
is Linux's own output followed by what IOS would have printed (`!` and `.` per echo, the
success rate and round trips), so `expect ... => Success rate is 100 percent` holds when
every echo came back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address

DEFAULT_REPEAT = 5
DEFAULT_SIZE = 100  # IOS: the whole datagram, headers included
DEFAULT_TIMEOUT = 2
MAX_REPEAT = 1000
_KEYWORDS = ("source", "repeat", "size", "timeout")
_REPLY = re.compile(r"icmp_seq=(\d+)\b.*?time=([\d.]+) ms")
_ANSWER = re.compile(r"bytes from .*icmp_seq=(\d+)")

Address = IPv4Address | IPv6Address


class PingSyntaxError(ValueError):
    """A ping command the namespace lab cannot play; the message says why."""


@dataclass(frozen=True)
class PingRequest:
    target: Address
    source: Address | None = None
    repeat: int = DEFAULT_REPEAT
    size: int = DEFAULT_SIZE
    timeout: int = DEFAULT_TIMEOUT

    def argv(self) -> list[str]:
        """Linux ping's arguments for this request (run inside the router's namespace)."""
        header = 28 if self.target.version == 4 else 48
        argv = [
            "ping",
            "-n",
            "-c",
            str(self.repeat),
            "-i",
            "0.2",
            "-W",
            str(self.timeout),
            "-s",
            str(max(self.size - header, 0)),
        ]
        if self.source is not None:
            argv += ["-I", str(self.source)]
        return [*argv, str(self.target)]


def is_ping(command: str) -> bool:
    words = command.split()
    return bool(words) and words[0].lower() == "ping"


def parse_ping(command: str, address_of: Callable[[str, int], Address | None]) -> PingRequest:
    """`address_of(interface, version)`: the interface's address of that IP version, or None
    when the router has no such interface (or no such address on it)."""
    words = command.split()
    if not words or words[0].lower() != "ping":
        raise PingSyntaxError(f"% not a ping: {command}")
    words = words[1:]
    if words and words[0].lower() in ("ip", "ipv6"):
        words = words[1:]
    if not words:
        raise PingSyntaxError("% the extended (interactive) ping is not supported; give ADDRESS")
    try:
        target = ip_address(words[0])
    except ValueError:
        raise PingSyntaxError(
            f"% ping {words[0]}: give an address (names are not resolved)"
        ) from None
    options: dict[str, str] = {}
    rest = words[1:]
    while rest:
        keyword = _keyword(rest[0])
        if len(rest) < 2:
            raise PingSyntaxError(f"% ping: {rest[0]} needs a value")
        options[keyword] = rest[1]
        rest = rest[2:]
    source = None
    if "source" in options:
        source = _source(options["source"], target.version, address_of)
    return PingRequest(
        target,
        source,
        _number(options, "repeat", DEFAULT_REPEAT, 1, MAX_REPEAT),
        _number(options, "size", DEFAULT_SIZE, 36, 18024),
        _number(options, "timeout", DEFAULT_TIMEOUT, 1, 3600),
    )


def _keyword(word: str) -> str:
    matches = [k for k in _KEYWORDS if k.startswith(word.lower()) and len(word) >= 2]
    if len(matches) != 1:
        raise PingSyntaxError(
            f"% ping: {word!r} is not supported (use source, repeat, size, timeout)"
        )
    return matches[0]


def _source(text: str, version: int, address_of: Callable[[str, int], Address | None]) -> Address:
    try:
        address = ip_address(text)
    except ValueError:
        found = address_of(text, version)
        if found is None:
            raise PingSyntaxError(f"% ping: {text} has no IPv{version} address") from None
        return found
    if address.version != version:
        raise PingSyntaxError(f"% ping: source {text} is not an IPv{version} address")
    return address


def _number(options: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    if key not in options:
        return default
    text = options[key]
    if not text.isdigit() or not low <= int(text) <= high:
        raise PingSyntaxError(f"% ping: {key} {text}: give a number from {low} to {high}")
    return int(text)


def ios_report(request: PingRequest, linux_output: str) -> str:
    """What IOS prints for the echoes Linux ping sent and got back."""
    answered = {int(m.group(1)) for m in _ANSWER.finditer(linux_output)}
    times = [float(m.group(2)) for m in _REPLY.finditer(linux_output)]
    marks = "".join("!" if seq in answered else "." for seq in range(1, request.repeat + 1))
    lines = [
        "Type escape sequence to abort.",
        f"Sending {request.repeat}, {request.size}-byte ICMP Echos to {request.target}, "
        f"timeout is {request.timeout} seconds:",
    ]
    if request.source is not None:
        lines.append(f"Packet sent with a source address of {request.source} ")
    lines += [marks[i : i + 70] for i in range(0, len(marks), 70)]
    good = marks.count("!")
    rate = f"Success rate is {good * 100 // request.repeat} percent ({good}/{request.repeat})"
    if times:
        low, high = round(min(times)), round(max(times))
        average = round(sum(times) / len(times))
        rate += f", round-trip min/avg/max = {low}/{average}/{high} ms"
    return "\n".join([*lines, rate]) + "\n"
