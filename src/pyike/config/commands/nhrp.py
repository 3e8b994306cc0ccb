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
    ip nhrp max-send 1000 every 10                     (the tunnel's NHRP packet quota)

The same commands under `ipv6 nhrp` configure NHRP for the tunnel's IPv6 overlay (over an
IPv4 NBMA: `ipv6 nhrp map FC00::100/128 192.0.2.1`, `ipv6 nhrp nhs FC00::100`).

The other `ip nhrp` and `ipv6 nhrp` commands (`interest`, `server-only`, `nhs cluster`, ...)
are kept as written (config/vocabulary.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address, IPv6Interface

from pyike.config.build import Builder, Rejected
from pyike.config.commands.interface import modify
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Interface, Nhrp, NhrpServer, Secret
from pyike.config.modes import INTERFACE, Handler

IPAddress = IPv4Address | IPv6Address
MAX_AUTHENTICATION = 8  # IOS: "The string can be up to eight characters long"


@dataclass(frozen=True)
class _Family:
    """`ip nhrp` (IPv4 overlay) or `ipv6 nhrp` (IPv6 overlay; the NBMA stays IPv4): the
    command's keyword, the Interface field it sets, and how an overlay address is typed."""

    keyword: str
    field: str
    overlay: str  # the grammar type of an overlay address
    mapped: str  # ... and of the overlay address of a map (IPv6: a /128 prefix)


_FAMILIES = (
    _Family("ip", "nhrp", "IPV4", "IPV4"),
    _Family("ipv6", "nhrp6", "IPV6", "IPV6PFX"),
)


def _register(f: _Family) -> None:
    def change_all(b: Builder, change: Callable[[Nhrp], Nhrp]) -> None:
        """Apply `change` to the family's NHRP settings of each interface configured."""

        def apply(iface: Interface) -> Interface:
            current: Nhrp = getattr(iface, f.field)
            return replace(iface, **{f.field: change(current)})  # type: ignore[arg-type]

        modify(b, apply)

    def set_(b: Builder, **changes: object) -> None:
        change_all(b, lambda nhrp: replace(nhrp, **changes))  # type: ignore[arg-type]

    def command(pattern: str) -> Callable[[Handler], Handler]:
        return INTERFACE.command(f"{f.keyword} nhrp {pattern}")

    @command("network-id $ <id:INT(1,4294967295)>")
    def _network_id(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, network_id=None if negate else m.get("id"))

    @command("authentication $ <key:WORD>")
    def _authentication(b: Builder, m: Match, line: Line, negate: bool) -> None:
        if negate:
            set_(b, authentication=None)
            return
        key: str = m.get("key")
        if len(key) > MAX_AUTHENTICATION:
            raise Rejected(
                f"% {f.keyword} nhrp authentication: the string is at most "
                f"{MAX_AUTHENTICATION} characters"
            )
        set_(b, authentication=Secret(key))

    @command("holdtime $ <seconds:INT(1,65535)>")
    def _holdtime(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, holdtime=None if negate else m.get("seconds"))

    @command("registration timeout $ <seconds:INT(1,65535)>")
    def _registration_timeout(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, registration_timeout=None if negate else m.get("seconds"))

    @command("registration no-unique")
    def _no_unique(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, no_unique=not negate)

    @command("redirect [timeout <seconds:INT(2,30)>]")
    def _redirect(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, redirect=not negate, redirect_timeout=None if negate else m.get("seconds"))

    @command("shortcut")
    def _shortcut(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, shortcut=not negate)

    @command("max-send $ <count:INT(1,65535)> every <seconds:INT(10,65535)>")
    def _max_send(b: Builder, m: Match, line: Line, negate: bool) -> None:
        set_(b, max_send=None if negate else (m.get("count"), m.get("seconds")))

    @command("map multicast $ {<nbma:IPV4>|dynamic}")
    def _map_multicast(b: Builder, m: Match, line: Line, negate: bool) -> None:
        nbma: IPv4Address | None = m.get("nbma")
        everything = negate and nbma is None and not m.has("dynamic")  # `no ... map multicast`
        if m.has("dynamic") or everything:
            set_(b, multicast_dynamic=not negate)
        if nbma is not None or everything:
            change_all(
                b, lambda nhrp: replace(nhrp, multicast=_merged(nhrp.multicast, nbma, negate))
            )

    @command(f"map $ <overlay:{f.mapped}> <nbma:IPV4>")
    def _map(b: Builder, m: Match, line: Line, negate: bool) -> None:
        overlay = _address(m.get("overlay"))
        nbma: IPv4Address | None = m.get("nbma")

        def change(nhrp: Nhrp) -> Nhrp:
            others = tuple(p for p in nhrp.maps if overlay is not None and p[0] != overlay)
            if negate:
                return replace(nhrp, maps=others)
            assert overlay is not None and nbma is not None
            return replace(nhrp, maps=(*others, (overlay, nbma)))

        change_all(b, change)

    @command(
        f"nhs $ <address:{f.overlay}> [nbma <nbma:IPV4>] [multicast] "
        "[priority <priority:INT(0,255)>] [cluster <cluster:INT(0,10)>]"
    )
    def _nhs(b: Builder, m: Match, line: Line, negate: bool) -> None:
        address: IPAddress | None = m.get("address")

        def change(nhrp: Nhrp) -> Nhrp:
            others = tuple(s for s in nhrp.servers if address is not None and s.address != address)
            if negate:
                return replace(nhrp, servers=others)
            assert address is not None
            server = NhrpServer(address, m.get("nbma"), m.has("multicast"))
            return replace(nhrp, servers=(*others, server))

        change_all(b, change)


def _address(value: IPv4Address | IPv6Interface | None) -> IPAddress | None:
    """A map's overlay address: IPv4, or the address of an IPv6 prefix (IOS types a /128)."""
    return value.ip if isinstance(value, IPv6Interface) else value


for _family in _FAMILIES:
    _register(_family)


def _merged(
    current: tuple[IPv4Address, ...], value: IPv4Address | None, negate: bool
) -> tuple[IPv4Address, ...]:
    """A list setting's values after one more command (its `no` form without a value clears
    the list)."""
    if negate:
        return tuple(v for v in current if value is not None and v != value)
    assert value is not None
    return tuple(dict.fromkeys((*current, value)))
