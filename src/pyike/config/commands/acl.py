"""Extended access lists, numbered (`access-list 101 ...`) and named (`ip access-list extended`).

They matter to pyike as the crypto ACLs of crypto map entries: their permit entries are the
traffic selectors the entry protects.
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address

from pyike.config.build import Builder
from pyike.config.commands.common import named_object
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import AccessList, AclAddress, AclEntry, PortMatch
from pyike.config.modes import EXT_ACL, GLOBAL, STD_ACL
from pyike.config.params import port_number

_ANY = IPv4Address("255.255.255.255")
_HOST = IPv4Address("0.0.0.0")


def _address(side: str) -> str:
    return f"{{any|host <{side}_host:IPV4>|<{side}_addr:IPV4> <{side}_wild:WILDCARD>}}"


def _ports(side: str) -> str:
    return f"[{{eq|neq|gt|lt}} <{side}_port:PORT>|range <{side}_lo:PORT> <{side}_hi:PORT>]"


_LOG = "[log|log-input]"
ENTRY_PATTERNS = (
    f"{{permit|deny}} {{ip|gre|esp|ahp|<proto:INT(0,255)>}} {_address('s')} {_address('d')} {_LOG}",
    f"{{permit|deny}} {{tcp|udp}} {_address('s')} {_ports('s')} {_address('d')} {_ports('d')} "
    f"[established] {_LOG}",
    f"{{permit|deny}} icmp {_address('s')} {_address('d')} "
    f"[<icmp:ICMPTYPE> [<code:INT(0,255)>]] {_LOG}",
)


def _acl_address(m: Match, side: str) -> AclAddress:
    host = m.get(f"{side}_host")
    if host is not None:
        return AclAddress(host, _HOST)
    addr = m.get(f"{side}_addr")
    if addr is None:
        return AclAddress(_HOST, _ANY)
    wildcard: IPv4Address = m.get(f"{side}_wild")
    return AclAddress(IPv4Address(int(addr) & ~int(wildcard) & 0xFFFFFFFF), wildcard)


def _port_match(m: Match, side: str) -> PortMatch | None:
    caps = list(m.captures)
    for i, cap in enumerate(caps):
        if cap.name == f"{side}_port":
            op = caps[i - 1].keyword or "eq"
            return PortMatch(op, (port_number(cap.value),), cap.value)
        if cap.name == f"{side}_lo":
            hi = caps[i + 1].value
            return PortMatch(
                "range", (port_number(cap.value), port_number(hi)), f"{cap.value} {hi}"
            )
    return None


def entry_from(m: Match, first: int) -> AclEntry:
    """Build the entry from the captures starting at the permit/deny keyword `first`."""
    caps = tuple(c for c in m.captures if c.index >= first)
    action = caps[0].keyword
    assert action is not None
    protocol = caps[1].keyword if caps[1].keyword is not None else str(caps[1].value)
    entry = AclEntry(
        action=action,
        protocol=protocol,
        source=_acl_address(m, "s"),
        destination=_acl_address(m, "d"),
        source_ports=_port_match(m, "s"),
        destination_ports=_port_match(m, "d"),
        options=tuple(w for w in ("established", "log", "log-input") if m.has(w))
        + ((str(m.get("icmp")),) if m.get("icmp") is not None else ()),
    )
    return replace(entry, text=_canonical_text(entry, m))


def _canonical_text(entry: AclEntry, m: Match) -> str:
    parts = [entry.action, entry.protocol, entry.source.text]
    if entry.source_ports:
        parts += [entry.source_ports.op, entry.source_ports.text]
    parts.append(entry.destination.text)
    if entry.destination_ports:
        parts += [entry.destination_ports.op, entry.destination_ports.text]
    if m.get("icmp") is not None:
        parts.append(str(m.get("icmp")))
        if m.get("code") is not None:
            parts.append(str(m.get("code")))
    parts += [w for w in ("established", "log", "log-input") if m.has(w)]
    return " ".join(parts)


def _acl(b: Builder, name: str, numbered: bool) -> AccessList:
    if name not in b.config.access_lists:
        b.config.access_lists[name] = AccessList(name, numbered, source=b.source())
    return b.config.access_lists[name]


def _add_entry(b: Builder, name: str, numbered: bool, entry: AclEntry, negate: bool) -> None:
    acl = _acl(b, name, numbered)
    if negate:
        kept = tuple(
            e
            for e in acl.entries
            if e.text != entry.text and (entry.sequence is None or e.sequence != entry.sequence)
        )
        b.config.access_lists[name] = replace(acl, entries=kept)
        return
    if entry.sequence is None:
        last = max((e.sequence or 0 for e in acl.entries), default=0)
        entry = replace(entry, sequence=last + 10)
    entries = [e for e in acl.entries if e.sequence != entry.sequence and e.text != entry.text]
    entries.append(entry)
    entries.sort(key=lambda e: e.sequence or 0)
    b.config.access_lists[name] = replace(acl, entries=tuple(entries))


_NUMBERS = ("<num:INT(100,199)>", "<num:INT(2000,2699)>")


def _numbered_entry(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = str(m.get("num"))
    if not m.complete:
        b.config.access_lists.pop(name, None)
        return
    first = next(c.index for c in m.captures if c.keyword in ("permit", "deny"))
    _add_entry(b, name, True, entry_from(m, first), negate)


def _add_remark(b: Builder, name: str, numbered: bool, remark: str, negate: bool) -> None:
    acl = _acl(b, name, numbered)
    remarks = tuple(r for r in acl.remarks if r != remark) if negate else (*acl.remarks, remark)
    b.config.access_lists[name] = replace(acl, remarks=remarks)


def _numbered_remark(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _add_remark(b, str(m.get("num")), True, m.get("text"), negate)


for _number in _NUMBERS:
    for _pattern in ENTRY_PATTERNS:
        GLOBAL.add(f"access-list {_number} $ {_pattern}", _numbered_entry)
    GLOBAL.add(f"access-list {_number} remark <text:LINE>", _numbered_remark)


named_object(
    "ip access-list extended <name:WORD>",
    EXT_ACL,
    lambda b: b.config.access_lists,
    lambda name: AccessList(name, name.isdigit()),
)


def _named_entry(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = b.key()
    seq = m.get("seq")
    if not m.complete:
        acl = _acl(b, name, False)
        kept = tuple(e for e in acl.entries if e.sequence != seq)
        b.config.access_lists[name] = replace(acl, entries=kept)
        return
    first = next(c.index for c in m.captures if c.keyword in ("permit", "deny"))
    entry = replace(entry_from(m, first), sequence=seq)
    _add_entry(b, name, False, entry, negate)


for _pattern in ENTRY_PATTERNS:
    EXT_ACL.add(f"[<seq:INT(1,2147483647)>] $ {_pattern}", _named_entry)


@EXT_ACL.command("remark <text:LINE>")
def _named_remark(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _add_remark(b, b.key(), False, m.get("text"), negate)


# --- standard access lists (`route set access-list` in an IKEv2 authorization policy) ------

_STANDARD_ENTRY = "{permit|deny} {any|host <s_host:IPV4>|<s_addr:IPV4> [<s_wild:WILDCARD>]} [log]"


def standard_entry(m: Match) -> AclEntry:
    """A standard entry: the source it matches (a destination of any), as IOS prints it."""
    action = "permit" if m.has("permit") else "deny"
    if m.get("s_addr") is not None and m.get("s_wild") is None:
        source = AclAddress(m.get("s_addr"), _HOST)  # an address alone is one host
    else:
        source = _acl_address(m, "s")
    text = source.text.removeprefix("host ") if source.text.startswith("host ") else source.text
    entry = AclEntry(action, "ip", source, AclAddress(_HOST, _ANY), text=f"{action} {text}")
    return replace(entry, options=("log",) if m.has("log") else ())


def _standard_numbered(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = str(m.get("num"))
    if not m.complete:
        b.config.access_lists.pop(name, None)
        return
    _acl(b, name, True)
    b.config.access_lists[name] = replace(b.config.access_lists[name], standard=True)
    _add_entry(b, name, True, standard_entry(m), negate)


GLOBAL.add(f"access-list <num:INT(1,99)> $ {_STANDARD_ENTRY}", _standard_numbered)
GLOBAL.add("access-list <num:INT(1,99)> remark <text:LINE>", _numbered_remark)

named_object(
    "ip access-list standard <name:WORD>",
    STD_ACL,
    lambda b: b.config.access_lists,
    lambda name: AccessList(name, name.isdigit(), standard=True),
)


@STD_ACL.command(f"[<seq:INT(1,2147483647)>] $ {_STANDARD_ENTRY}")
def _standard_named(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, seq = b.key(), m.get("seq")
    if not m.complete:
        acl = _acl(b, name, False)
        kept = tuple(e for e in acl.entries if e.sequence != seq)
        b.config.access_lists[name] = replace(acl, entries=kept)
        return
    _add_entry(b, name, False, replace(standard_entry(m), sequence=seq), negate)


@STD_ACL.command("remark <text:LINE>")
def _standard_remark(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _add_remark(b, b.key(), False, m.get("text"), negate)
