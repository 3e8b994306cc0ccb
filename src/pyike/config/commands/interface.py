"""`interface ...` and the interface sub-commands pyike models; other common ones are kept.

`interface range` configures several interfaces at once: the mode's key is then the tuple of
their names, and every sub-command applies to each (a running-config lists them one by one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface, IPv6Interface
from typing import Any

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import setting
from pyike.config.commands.vrf import move_interface
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import TUNNEL_TTL, Interface, Keepalive
from pyike.config.modes import GLOBAL, INTERFACE
from pyike.config.params import (
    IFACE,
    VIRTUAL_TYPES,
    RangeError,
    interface_arg,
    interface_range,
)


def _open(b: Builder, names: list[str]) -> None:
    for name in names:
        if name not in b.config.interfaces:
            b.config.interfaces[name] = Interface(name, source=b.source())
    b.enter(INTERFACE, names[0] if len(names) == 1 else tuple(names))


@GLOBAL.command(f"interface {IFACE} [type tunnel]", enters=INTERFACE)
def _interface(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = interface_arg(m)
    assert name is not None
    if negate:
        if not name.startswith(VIRTUAL_TYPES):
            raise Rejected("% Physical interfaces cannot be removed.")
        b.config.interfaces.pop(name, None)
        return
    if m.has("type"):
        if not name.startswith("Virtual-Template"):
            raise Rejected(token=next(c.index for c in m.captures if c.keyword == "type"))
        b.config.interfaces.setdefault(name, Interface(name, source=b.source()))
        b.config.interfaces[name] = replace(b.config.interfaces[name], type_tunnel=True)
    _open(b, [name])


@GLOBAL.command("interface range <spec:LINE>", enters=INTERFACE)
def _interface_range(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        raise Rejected(token=1)
    spec: str = m.get("spec")
    try:
        names = interface_range(spec)
    except RangeError as error:
        spec_index = next(c.index for c in m.captures if c.name == "spec")
        raise Rejected(token=spec_index + _word_at(spec, error.offset)) from None
    _open(b, names)


def _word_at(text: str, offset: int) -> int:
    """The index of the blank-separated word of `text` at (or after) `offset`."""
    before = text[:offset]
    inside = bool(before) and not before[-1].isspace() and offset < len(text)
    return len(before.split()) - (1 if inside else 0)


def members(b: Builder) -> tuple[str, ...]:
    """The interfaces the current `interface` (or `interface range`) command configures."""
    key = b.key()
    return key if isinstance(key, tuple) else (key,)


def modify(b: Builder, change: Callable[[Interface], Interface]) -> None:
    """Apply `change` to each interface being configured."""
    for name in members(b):
        b.config.interfaces[name] = change(b.config.interfaces[name])


def _update(b: Builder, **changes: Any) -> None:
    modify(b, lambda iface: replace(iface, **changes))


setting(INTERFACE, "description $ <text:LINE>", _update, "description", "text")


@INTERFACE.command("ip address $ <addr:IPV4> <mask:MASK> [secondary]")
def _ip_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    addr: IPv4Address | None = m.get("addr")
    mask: IPv4Address | None = m.get("mask")
    if negate:
        modify(
            b,
            lambda i: replace(
                i,
                addresses=tuple(a for a in i.addresses if addr is not None and a[0] != addr),
                address_negotiated=False,
                address_dhcp=None,
            ),
        )
        return
    assert addr is not None and mask is not None
    network = IPv4Interface(f"{addr}/{mask}").network
    if network.prefixlen < 31 and addr in (network.network_address, network.broadcast_address):
        raise Rejected(f"% Bad mask /{network.prefixlen} for address {addr}")
    entry = (addr, mask)
    secondary = m.has("secondary")

    def assign(iface: Interface) -> Interface:
        others = tuple(a for a in iface.addresses if a[0] != addr)
        if secondary:
            return replace(iface, addresses=(*others, entry))
        kept = (entry, *others[1:]) if others else (entry,)
        return replace(iface, addresses=kept, address_negotiated=False, address_dhcp=None)

    modify(b, assign)


@INTERFACE.command("ip address negotiated [previous]")
def _ip_address_negotiated(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The address comes from the peer (IKEv2 configuration exchange, PPP): none until then."""
    if negate:
        _update(b, address_negotiated=False)
    else:
        _update(b, addresses=(), address_negotiated=True, address_dhcp=None)


@INTERFACE.command(f"ip unnumbered $ {IFACE}")
def _ip_unnumbered(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The interface borrows another's address (a virtual template's clones, a spoke's
    tunnel): no address of its own."""
    if negate:
        _update(b, unnumbered=None)
    else:
        _update(
            b,
            addresses=(),
            address_negotiated=False,
            address_dhcp=None,
            unnumbered=interface_arg(m),
        )


@INTERFACE.command("ip address dhcp [client-id <cid:WORD>] [hostname <host:WORD>]")
def _ip_address_dhcp(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The address is a DHCP server's lease (`client-id IF`, `hostname NAME` kept as
    written): none in the configuration."""
    if negate:
        _update(b, address_dhcp=None)
    else:
        cid, host = m.get("cid"), m.get("host")
        options = " ".join(
            [*(["client-id", cid] if cid else []), *(["hostname", host] if host else [])]
        )
        _update(b, addresses=(), address_negotiated=False, unnumbered=None, address_dhcp=options)


@INTERFACE.command("ipv6 address $ <prefix:IPV6PFX> [eui-64|anycast]")
def _ipv6_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    prefix: IPv6Interface | None = m.get("prefix")

    def assign(iface: Interface) -> Interface:
        if negate:
            kept = tuple(a for a in iface.ipv6_addresses if prefix is not None and a != str(prefix))
            return replace(iface, ipv6_addresses=kept)
        if str(prefix) in iface.ipv6_addresses:
            return iface
        return replace(iface, ipv6_addresses=(*iface.ipv6_addresses, str(prefix)))

    modify(b, assign)


@INTERFACE.command("shutdown")
def _shutdown(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, shutdown=not negate)


setting(INTERFACE, "ip mtu $ <mtu:INT(68,9216)>", _update, "ip_mtu", "mtu")


def _update_tunnel(b: Builder, **changes: Any) -> None:
    """`tunnel ...` commands exist on tunnel interfaces only."""
    if not all(b.config.interfaces[name].is_tunnel for name in members(b)):
        raise Rejected(token=0)
    _update(b, **changes)


@INTERFACE.command(f"tunnel source $ {{{IFACE}|<addr:ADDR>}}")
def _tunnel_source(b: Builder, m: Match, line: Line, negate: bool) -> None:
    value = interface_arg(m) or (str(m.get("addr")) if m.get("addr") is not None else None)
    _update_tunnel(b, tunnel_source=None if negate else value)


setting(INTERFACE, "tunnel destination $ <host:HOST>", _update_tunnel, "tunnel_destination", "host")


@INTERFACE.command(
    "tunnel mode $ {ipsec {ipv4 [v6-overlay]|ipv6 [v4-overlay]}|gre {ip|ipv6|multipoint [ipv6]}}"
)
def _tunnel_mode(b: Builder, m: Match, line: Line, negate: bool) -> None:
    words = [w for w in m.keywords() if w not in ("tunnel", "mode")]
    _update_tunnel(b, tunnel_mode=None if negate else " ".join(words))


@INTERFACE.command("tunnel protection $ ipsec profile <name:WORD> [shared]")
def _tunnel_protection(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`shared`: several multipoint tunnels with one source share the profile's SAs."""
    _update_tunnel(
        b,
        tunnel_protection=None if negate else m.get("name"),
        tunnel_protection_shared=not negate and m.has("shared"),
    )


setting(INTERFACE, "crypto map $ <name:WORD>", _update, "crypto_map", "name")
setting(INTERFACE, "tunnel key $ <key:INT(0,4294967295)>", _update_tunnel, "tunnel_key", "key")


@INTERFACE.command("tunnel ttl $ <ttl:INT(1,255)>")
def _tunnel_ttl(b: Builder, m: Match, line: Line, negate: bool) -> None:
    ttl = None if negate else m.get("ttl")
    _update_tunnel(b, tunnel_ttl=None if ttl == TUNNEL_TTL else ttl)  # the default: not shown


setting(INTERFACE, "ip tcp adjust-mss $ <mss:INT(500,1460)>", _update, "tcp_adjust_mss", "mss")


@INTERFACE.command("crypto ipsec df-bit $ {copy|set|clear}")
def _df_bit(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, df_bit=None if negate else m.keywords()[-1])


@INTERFACE.command("crypto ipsec fragmentation $ {before-encryption|after-encryption}")
def _fragmentation(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, ipsec_fragmentation=None if negate else m.keywords()[-1])


@INTERFACE.command("keepalive [<period:INT(0,32767)> [<retries:INT(1,255)>]]")
def _keepalive(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """GRE keepalives on a tunnel; on other interfaces (their own keepalive) kept as typed."""
    if not all(b.config.interfaces[name].is_tunnel for name in members(b)):
        b.count_not_modelled(INTERFACE.name, "keepalive")
        _keep_line(b, line)
        return
    period: int | None = m.get("period")
    retries: int | None = m.get("retries")
    default = Keepalive()
    keepalive = Keepalive(
        default.period if period is None else period,
        default.retries if retries is None else retries,
    )
    _update(b, keepalive=None if negate or keepalive.period == 0 else keepalive)


@INTERFACE.command("{vrf|ip vrf} forwarding $ <vrf:WORD> [downstream <down:WORD>]")
def _vrf_forwarding(b: Builder, m: Match, line: Line, negate: bool) -> None:
    vrf = None if negate else m.get("vrf")
    modify(b, lambda iface: move_interface(b, iface, vrf))


setting(INTERFACE, "tunnel vrf $ <vrf:WORD>", _update_tunnel, "tunnel_vrf", "vrf")


def _keep_line(b: Builder, line: Line) -> None:
    modify(b, lambda iface: replace(iface, extra=(*iface.extra, line.text)))


def keep_unmodelled(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """An interface sub-command pyike keeps without modelling (config/vocabulary.py lists them)."""
    _keep_line(b, line)
