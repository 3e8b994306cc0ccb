"""The `ip nhrp` interface commands of DMVPN tunnels (NHRP, RFC 2332, as IOS configures it):

    ip nhrp network-id 1
    ip nhrp authentication cisco123
    ip nhrp nhs 10.0.0.1 nbma 192.0.2.1 multicast      (IOS 15.4 on)
    ip nhrp nhs 10.0.0.1                               (older: with the two maps below)
    ip nhrp map 10.0.0.1 192.0.2.1
    ip nhrp map multicast 192.0.2.1 | dynamic
    ip nhrp holdtime 600
    ip nhrp registration timeout 200 | no-unique
    ip nhrp redirect [timeout 2]                       (phase 3 hub)
    ip nhrp shortcut                                   (phase 3 spoke)

The other `ip nhrp` commands (`interest`, `server-only`, `nhs cluster`, ...) are kept as
written (config/vocabulary.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv4Address

from pyike.config.build import Builder, Rejected
from pyike.config.commands.interface import modify
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Interface, Nhrp, NhrpServer, Secret
from pyike.config.modes import INTERFACE

MAX_AUTHENTICATION = 8  # IOS: "The string can be up to eight characters long"


def _change(b: Builder, change: Callable[[Nhrp], Nhrp]) -> None:
    """Apply `change` to the NHRP settings of each interface being configured."""

    def apply(iface: Interface) -> Interface:
        return replace(iface, nhrp=change(iface.nhrp))

    modify(b, apply)


def _set(b: Builder, **changes: object) -> None:
    _change(b, lambda nhrp: replace(nhrp, **changes))  # type: ignore[arg-type]


@INTERFACE.command("ip nhrp network-id $ <id:INT(1,4294967295)>")
def _network_id(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, network_id=None if negate else m.get("id"))


@INTERFACE.command("ip nhrp authentication $ <key:WORD>")
def _authentication(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _set(b, authentication=None)
        return
    key: str = m.get("key")
    if len(key) > MAX_AUTHENTICATION:
        raise Rejected(
            f"% ip nhrp authentication: the string is at most {MAX_AUTHENTICATION} characters"
        )
    _set(b, authentication=Secret(key))


@INTERFACE.command("ip nhrp holdtime $ <seconds:INT(1,65535)>")
def _holdtime(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, holdtime=None if negate else m.get("seconds"))


@INTERFACE.command("ip nhrp registration timeout $ <seconds:INT(1,65535)>")
def _registration_timeout(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, registration_timeout=None if negate else m.get("seconds"))


@INTERFACE.command("ip nhrp registration no-unique")
def _no_unique(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, no_unique=not negate)


@INTERFACE.command("ip nhrp redirect [timeout <seconds:INT(2,30)>]")
def _redirect(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, redirect=not negate, redirect_timeout=None if negate else m.get("seconds"))


@INTERFACE.command("ip nhrp shortcut")
def _shortcut(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _set(b, shortcut=not negate)


@INTERFACE.command("ip nhrp map multicast $ {<nbma:IPV4>|dynamic}")
def _map_multicast(b: Builder, m: Match, line: Line, negate: bool) -> None:
    nbma: IPv4Address | None = m.get("nbma")
    everything = negate and nbma is None and not m.has("dynamic")  # `no ip nhrp map multicast`
    if m.has("dynamic") or everything:
        _set(b, multicast_dynamic=not negate)
    if nbma is not None or everything:
        _change(b, lambda nhrp: replace(nhrp, multicast=_merged(nhrp.multicast, nbma, negate)))


@INTERFACE.command("ip nhrp map $ <overlay:IPV4> <nbma:IPV4>")
def _map(b: Builder, m: Match, line: Line, negate: bool) -> None:
    overlay: IPv4Address | None = m.get("overlay")
    nbma: IPv4Address | None = m.get("nbma")

    def change(nhrp: Nhrp) -> Nhrp:
        others = tuple(pair for pair in nhrp.maps if overlay is not None and pair[0] != overlay)
        if negate:
            return replace(nhrp, maps=others)
        assert overlay is not None and nbma is not None
        return replace(nhrp, maps=(*others, (overlay, nbma)))

    _change(b, change)


@INTERFACE.command(
    "ip nhrp nhs $ <address:IPV4> [nbma <nbma:IPV4>] [multicast] "
    "[priority <priority:INT(0,255)>] [cluster <cluster:INT(0,10)>]"
)
def _nhs(b: Builder, m: Match, line: Line, negate: bool) -> None:
    address: IPv4Address | None = m.get("address")

    def change(nhrp: Nhrp) -> Nhrp:
        others = tuple(s for s in nhrp.servers if address is not None and s.address != address)
        if negate:
            return replace(nhrp, servers=others)
        assert address is not None
        server = NhrpServer(address, m.get("nbma"), m.has("multicast"))
        return replace(nhrp, servers=(*others, server))

    _change(b, change)


def _merged(
    current: tuple[IPv4Address, ...], value: IPv4Address | None, negate: bool
) -> tuple[IPv4Address, ...]:
    """A list setting's values after one more command (its `no` form without a value clears
    the list)."""
    if negate:
        return tuple(v for v in current if value is not None and v != value)
    assert value is not None
    return tuple(dict.fromkeys((*current, value)))
