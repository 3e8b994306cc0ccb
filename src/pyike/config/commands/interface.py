"""`interface ...` and the interface sub-commands pyike models; other common ones are kept."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface, IPv6Interface
from typing import Any

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import setting
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Interface
from pyike.config.modes import GLOBAL, INTERFACE


def _open(b: Builder, name: str) -> None:
    if name not in b.config.interfaces:
        b.config.interfaces[name] = Interface(name, source=b.source())
    b.enter(INTERFACE, name)


@GLOBAL.command("interface <ifname:IFNAME>")
def _interface(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("ifname")
    if negate:
        if not name.startswith(("Tunnel", "Loopback", "Virtual-Template", "Vlan", "Port-channel")):
            raise Rejected("% Physical interfaces cannot be removed.")
        b.config.interfaces.pop(name, None)
        return
    _open(b, name)


@GLOBAL.command("interface <iftype:IFTYPE> <ifnum:IFNUM>")
def _interface_split(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("iftype") + m.get("ifnum")
    if negate:
        b.config.interfaces.pop(name, None)
        return
    _open(b, name)


def _update(b: Builder, **changes: Any) -> None:
    b.config.interfaces[b.key()] = replace(b.config.interfaces[b.key()], **changes)


def _current(b: Builder) -> Interface:
    return b.config.interfaces[b.key()]


setting(INTERFACE, "description $ <text:LINE>", _update, "description", "text")


@INTERFACE.command("ip address $ <addr:IPV4> <mask:MASK> [secondary]")
def _ip_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    iface = _current(b)
    addr: IPv4Address | None = m.get("addr")
    mask: IPv4Address | None = m.get("mask")
    if negate:
        kept = tuple(a for a in iface.addresses if addr is not None and a[0] != addr)
        _update(b, addresses=kept)
        return
    assert addr is not None and mask is not None
    network = IPv4Interface(f"{addr}/{mask}").network
    if network.prefixlen < 31 and addr in (network.network_address, network.broadcast_address):
        raise Rejected(f"% Bad mask /{network.prefixlen} for address {addr}")
    entry = (addr, mask)
    others = tuple(a for a in iface.addresses if a[0] != addr)
    if m.has("secondary"):
        _update(b, addresses=(*others, entry))
    else:
        _update(b, addresses=(entry, *others[1:]) if others else (entry,))


@INTERFACE.command("ip address dhcp [<rest:LINE>]", modelled=False)
def _ip_address_dhcp(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _keep_line(b, line)


@INTERFACE.command("ipv6 address $ <prefix:IPV6PFX> [eui-64|anycast]")
def _ipv6_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    iface = _current(b)
    prefix: IPv6Interface | None = m.get("prefix")
    if negate:
        kept = tuple(a for a in iface.ipv6_addresses if prefix is not None and a != str(prefix))
        _update(b, ipv6_addresses=kept)
    elif str(prefix) not in iface.ipv6_addresses:
        _update(b, ipv6_addresses=(*iface.ipv6_addresses, str(prefix)))


@INTERFACE.command("shutdown")
def _shutdown(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, shutdown=not negate)


setting(INTERFACE, "ip mtu $ <mtu:INT(68,9216)>", _update, "ip_mtu", "mtu")


def _update_tunnel(b: Builder, **changes: Any) -> None:
    """`tunnel ...` commands exist on tunnel interfaces only."""
    if not _current(b).is_tunnel:
        raise Rejected(token=0)
    _update(b, **changes)


@INTERFACE.command("tunnel source $ {<ifname:IFNAME>|<addr:ADDR>}")
def _tunnel_source(b: Builder, m: Match, line: Line, negate: bool) -> None:
    value = m.get("ifname") or (str(m.get("addr")) if m.get("addr") is not None else None)
    _update_tunnel(b, tunnel_source=None if negate else value)


setting(INTERFACE, "tunnel destination $ <host:HOST>", _update_tunnel, "tunnel_destination", "host")


@INTERFACE.command("tunnel mode $ {ipsec {ipv4|ipv6}|gre {ip|ipv6|multipoint}}")
def _tunnel_mode(b: Builder, m: Match, line: Line, negate: bool) -> None:
    words = [w for w in m.keywords() if w not in ("tunnel", "mode")]
    _update_tunnel(b, tunnel_mode=None if negate else " ".join(words))


setting(
    INTERFACE,
    "tunnel protection $ ipsec profile <name:WORD> [shared]",
    _update_tunnel,
    "tunnel_protection",
    "name",
)
setting(INTERFACE, "crypto map $ <name:WORD>", _update, "crypto_map", "name")


def _keep_line(b: Builder, line: Line) -> None:
    iface = _current(b)
    _update(b, extra=(*iface.extra, line.text))


# Interface sub-commands commonly found in running-configs that pyike keeps without modelling.
UNMODELLED = (
    "arp",
    "bandwidth",
    "carrier-delay",
    "cdp",
    "channel-group",
    "crypto ipsec",
    "delay",
    "dialer",
    "duplex",
    "encapsulation",
    "flowcontrol",
    "hold-queue",
    "keepalive",
    "lldp",
    "load-interval",
    "logging",
    "mac-address",
    "media-type",
    "mpls",
    "mtu",
    "nat",
    "negotiation",
    "ppp",
    "pppoe",
    "pppoe-client",
    "service-policy",
    "snmp",
    "spanning-tree",
    "speed",
    "standby",
    "switchport",
    "vrf",
    "vrrp",
    "zone-member",
    "ip access-group",
    "ip directed-broadcast",
    "ip dhcp",
    "ip flow",
    "ip helper-address",
    "ip igmp",
    "ip information-reply",
    "ip mask-reply",
    "ip nat",
    "ip nhrp",
    "ip ospf",
    "ip pim",
    "ip policy",
    "ip proxy-arp",
    "ip redirects",
    "ip tcp",
    "ip unnumbered",
    "ip unreachables",
    "ip verify",
    "ip virtual-reassembly",
    "ip vrf",
    "ipv6 enable",
    "ipv6 mtu",
    "ipv6 nd",
    "ipv6 ospf",
    "ipv6 redirects",
    "ipv6 tcp",
    "ipv6 traffic-filter",
    "ipv6 unnumbered",
    "ipv6 unreachables",
    "ipv6 virtual-reassembly",
    "tunnel bandwidth",
    "tunnel key",
    "tunnel path-mtu-discovery",
    "tunnel tos",
    "tunnel ttl",
    "tunnel vrf",
)


def _kept(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _keep_line(b, line)


for _phrase in UNMODELLED:
    INTERFACE.add(f"{_phrase} [<rest:LINE>]", _kept, modelled=False)
