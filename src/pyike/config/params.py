"""Parameter types of the IOS command patterns (`<name:TYPE>`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, IPv6Interface, ip_address
from typing import TypeVar

from pyike.config.grammar import Match, ParamType, Value

T = TypeVar("T")

# Interface types pyike knows, in the order IOS resolves their abbreviations.
INTERFACE_TYPES = (
    "Loopback",
    "Tunnel",
    "Ethernet",
    "FastEthernet",
    "GigabitEthernet",
    "TenGigabitEthernet",
    "Serial",
    "Vlan",
    "Dialer",
    "Virtual-Template",
    "Virtual-Access",  # a virtual template's clones (exec commands name them)
    "VirtualPortGroup",
    "Port-channel",
    "Cellular",
    "BDI",
    "Null",
)
# Interfaces a configuration creates (and `no interface` removes); the others are ports.
VIRTUAL_TYPES = (
    "Tunnel",
    "Loopback",
    "Virtual-Template",
    "VirtualPortGroup",
    "Vlan",
    "Port-channel",
    "Dialer",
    "BDI",
    "Null",
)
_IFNUM = re.compile(r"\d+(/\d+)*(\.\d+)?", re.ASCII)
_IFNAME = re.compile(r"([A-Za-z][A-Za-z-]*?)(\d.*)", re.ASCII)
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def interface_type(text: str) -> str | None:
    """Resolve an abbreviated interface type (`tu`, `gi`, `e`) to its full name."""
    word = text.lower()
    exact = [t for t in INTERFACE_TYPES if t.lower() == word]
    if exact:
        return exact[0]
    candidates = [t for t in INTERFACE_TYPES if t.lower().startswith(word)]
    # IOS resolves the common short forms even where they are formally ambiguous.
    if len(candidates) > 1:
        preferred = {"e": "Ethernet", "t": "Tunnel", "g": "GigabitEthernet", "f": "FastEthernet"}
        pick = preferred.get(word)
        return pick if pick in candidates else None
    return candidates[0] if candidates else None


def interface_name(text: str) -> str | None:
    """`tu0` -> `Tunnel0`, `Gi0/0/1.100` -> `GigabitEthernet0/0/1.100`; None when not a name."""
    m = _IFNAME.fullmatch(text)
    if m is None or _IFNUM.fullmatch(m.group(2)) is None:
        return None
    kind = interface_type(m.group(1))
    return None if kind is None else kind + m.group(2)


# An interface name in a command pattern, as IOS takes it: in one word (`Gi0/0`) or two
# (`GigabitEthernet 0/0`, `serial 2/0`); `interface_arg` reads it back normalised.
IFACE = "{<ifname:IFNAME>|<iftype:IFTYPE> <ifnum:IFNUM>}"


def interface_arg(m: Match) -> str | None:
    """The interface an `IFACE` part of a pattern matched, as IOS prints it."""
    name: str | None = m.get("ifname")
    if name is None and m.get("iftype") is not None:
        name = m.get("iftype") + m.get("ifnum")
    return name


# `interface range` items: `Gi0/1 - 3`, `tun 0-1`, `Loopback0`, separated by commas.
_RANGE_ITEM = re.compile(
    r"\s*(?P<type>[A-Za-z][A-Za-z-]*?)\s*(?P<slot>(?:\d+/)*)(?P<first>\d+)"
    r"(?:\s*-\s*(?P<last>\d+))?\s*(?:,|$)",
    re.ASCII,
)


class RangeError(ValueError):
    """An `interface range` that IOS refuses; `offset` is where in the text it goes wrong."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"bad interface range at {offset}")
        self.offset = offset


def interface_range(text: str) -> list[str]:
    """The interfaces an `interface range` names, in order, as IOS prints them."""
    names: list[str] = []
    position = 0
    while position < len(text):
        m = _RANGE_ITEM.match(text, position)
        kind = interface_type(m.group("type")) if m else None
        if m is None or kind is None:
            raise RangeError(position)
        first, last = int(m.group("first")), int(m.group("last") or m.group("first"))
        if last < first:
            raise RangeError(m.start("last"))
        names += [f"{kind}{m.group('slot')}{n}" for n in range(first, last + 1)]
        position = m.end()
    if not names:
        raise RangeError(0)
    return list(dict.fromkeys(names))


def _word(text: str) -> str:
    return text


def _int(lo: int = 0, hi: int = 2**32 - 1) -> ParamType:
    def parse(text: str) -> int | None:
        if not (text.isascii() and text.isdigit()):  # not `²`, which int() refuses
            return None
        value = int(text)
        return value if lo <= value <= hi else None

    return ParamType(f"{lo}-{hi}", parse)


def _parsed(parse: Callable[[str], T], text: str) -> T | None:
    try:
        return parse(text)
    except ValueError:
        return None


def parse_ipv4(text: str) -> IPv4Address | None:
    return _parsed(IPv4Address, text) if text.count(".") == 3 else None


def parse_ipv6(text: str) -> IPv6Address | None:
    return _parsed(IPv6Address, text) if ":" in text else None


def parse_ipv6_prefix(text: str) -> IPv6Interface | None:
    return _parsed(IPv6Interface, text) if "/" in text and ":" in text else None


def parse_address(text: str) -> IPv4Address | IPv6Address | None:
    return parse_ipv4(text) or parse_ipv6(text)


def is_contiguous_mask(mask: IPv4Address) -> bool:
    bits = int(mask)
    inverted = bits ^ 0xFFFFFFFF
    return (inverted & (inverted + 1)) == 0


def _mask(text: str) -> IPv4Address | None:
    value = parse_ipv4(text)
    return value if value is not None and is_contiguous_mask(value) else None


def _host(text: str) -> str | None:
    if parse_address(text) is not None:
        return str(ip_address(text))
    return text if _HOSTNAME.fullmatch(text) else None


def _rest_of_line(text: str) -> str | None:
    return text if text else None


def _const(
    name: str, fn: Callable[[str], Value | None], rest: bool = False
) -> Callable[[], ParamType]:
    return lambda: ParamType(name, fn, rest)


# Port names IOS accepts (and prints) in access-list entries.
PORT_NAMES = {
    "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "chargen": 19, "cmd": 514,
    "daytime": 13, "discard": 9, "domain": 53, "echo": 7, "exec": 512, "finger": 79,
    "ftp": 21, "ftp-data": 20, "gopher": 70, "hostname": 101, "ident": 113, "irc": 194,
    "isakmp": 500, "klogin": 543, "kshell": 544, "login": 513, "lpd": 515,
    "mobile-ip": 434, "nameserver": 42, "netbios-dgm": 138, "netbios-ns": 137,
    "netbios-ss": 139, "nntp": 119, "non500-isakmp": 4500, "ntp": 123, "pop2": 109,
    "pop3": 110, "rip": 520, "smtp": 25, "snmp": 161, "snmptrap": 162, "sunrpc": 111,
    "syslog": 514, "tacacs": 49, "talk": 517, "telnet": 23, "tftp": 69, "time": 37,
    "uucp": 540, "who": 513, "whois": 43, "www": 80, "xdmcp": 177,
}  # fmt: skip
ICMP_TYPES = {
    "echo-reply": 0, "unreachable": 3, "source-quench": 4, "redirect": 5, "echo": 8,
    "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11,
    "parameter-problem": 12, "timestamp-request": 13, "timestamp-reply": 14,
    "information-request": 15, "information-reply": 16, "mask-request": 17, "mask-reply": 18,
    "traceroute": 30, "administratively-prohibited": 3, "host-unreachable": 3,
    "net-unreachable": 3, "port-unreachable": 3, "protocol-unreachable": 3,
    "packet-too-big": 3, "ttl-exceeded": 11,
}  # fmt: skip


def port_number(text: str) -> int:
    return int(text) if text.isdigit() else PORT_NAMES[text]


def _number_or_name(names: dict[str, int], highest: int) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        if text.isdigit():
            return text if int(text) <= highest else None
        return text.lower() if text.lower() in names else None

    return parse


PARAM_TYPES: dict[str, Callable[..., ParamType]] = {
    "WORD": _const("WORD", _word),
    "INT": _int,
    "IPV4": _const("A.B.C.D", parse_ipv4),
    "MASK": _const("mask", _mask),
    "WILDCARD": _const("wildcard", parse_ipv4),
    "IPV6": _const("X:X:X:X::X", parse_ipv6),
    "IPV6PFX": _const("X:X:X:X::X/<0-128>", parse_ipv6_prefix),
    "ADDR": _const("address", parse_address),
    "IFNAME": _const("interface", interface_name),
    "IFTYPE": _const("interface type", interface_type),
    "IFNUM": _const("interface number", lambda t: t if _IFNUM.fullmatch(t) else None),
    "HOST": _const("host", _host),
    "LINE": _const("LINE", _rest_of_line, rest=True),
    "SECRET": _const("key", _rest_of_line, rest=True),
    "PORT": _const("port", _number_or_name(PORT_NAMES, 65535)),
    "ICMPTYPE": _const("icmp type", _number_or_name(ICMP_TYPES, 255)),
}
