"""Which host interface plays which interface of the configuration, and what the gateway
creates for its tunnels.

Physical and loopback interfaces of the config are matched to the host's interfaces by
address, IPv4 or IPv6 (or explicitly with `--bind Ethernet0/0=eth1`); pyike never changes
them. Each `interface TunnelN` with tunnel protection becomes a TUN device named after it,
carrying the family its `tunnel mode` names: `ipsec ipv6` IPv6 over IPv6, `ipsec ipv4
v6-overlay` IPv6 over IPv4, `ipsec ipv6 v4-overlay` IPv4 over IPv6, anything else IPv4 over IPv4.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyike.config.model import Config, Interface, IPAddress, Route
from pyike.config.params import interface_name

IFNAMSIZ = 15  # Linux interface names: 15 characters and the terminating NUL
TUN_PREFIX = "tun-"
DEFAULT_TUNNEL_MTU = 1400  # room for IPv4 + UDP + ESP with a 16-octet IV and a 32-octet ICV
DEFAULT_TUNNEL_MTU_IPV6 = 1380  # the same with the outer IPv6 header's 20 extra octets
IPV6_MINIMUM_MTU = 1280  # below it the kernel turns IPv6 off on the device (RFC 8200)


class BindingError(ValueError):
    """The configuration cannot be laid onto this host."""


@dataclass(frozen=True)
class HostInterface:
    name: str
    index: int
    addresses: tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface, ...] = ()
    mtu: int = 1500


@dataclass(frozen=True)
class TunnelDevice:
    """The TUN device that plays one tunnel interface."""

    interface: str  # the config's name, e.g. Tunnel0
    device: str  # e.g. tun-Tunnel0
    addresses: tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface, ...]
    mtu: int
    version: int = 4  # the family carried inside (`tunnel mode ipsec ipv6`, `v6-overlay`: 6)


@dataclass(frozen=True)
class KernelRoute:
    """A config `ip route` into a tunnel, as the kernel will hold it."""

    prefix: ipaddress.IPv4Network | ipaddress.IPv6Network
    device: str
    metric: int | None = None  # a pushed route's administrative distance (FlexVPN)


@dataclass(frozen=True)
class InterfaceBinding:
    host_of: Mapping[str, HostInterface]  # config interface name -> host interface
    tunnels: tuple[TunnelDevice, ...]
    routes: tuple[KernelRoute, ...]

    def host_name(self, config_name: str) -> str | None:
        host = self.host_of.get(config_name)
        return host.name if host is not None else None


def tun_name(interface: str, prefix: str = TUN_PREFIX) -> str:
    """`Tunnel0` -> `tun-Tunnel0`; long names keep their number and fit IFNAMSIZ."""
    compact = interface.replace("/", "_").replace(".", "_").replace(" ", "")
    name = prefix + compact
    if len(name) <= IFNAMSIZ:
        return name
    digits = len(compact) - len(compact.rstrip("0123456789_"))
    number = compact[len(compact) - digits :] if digits else ""
    room = IFNAMSIZ - len(prefix) - len(number)
    return (prefix + compact[: max(room, 0)] + number)[:IFNAMSIZ]


def parse_binds(values: Sequence[str]) -> dict[str, str]:
    """`--bind Ethernet0/0=eth1` (repeatable) -> {"Ethernet0/0": "eth1"}; IOS abbreviations
    such as `e0/0` are accepted."""
    out: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise BindingError(f"--bind {value!r}: expected INTERFACE=HOSTDEVICE")
        name = interface_name(left.strip())
        if name is None:
            raise BindingError(f"--bind {value!r}: {left.strip()!r} is not an interface name")
        out[name] = right.strip()
    return out


def _is_tunnel(iface: Interface) -> bool:
    return iface.name.lower().startswith("tunnel")


def ipv6_interfaces(iface: Interface) -> tuple[ipaddress.IPv6Interface, ...]:
    """An interface's configured global IPv6 addresses (`FE80::1 link-local` and
    `autoconfig` are the kernel's business)."""
    out = []
    for text in iface.ipv6_addresses:
        words = text.split()
        if len(words) != 1:
            continue
        try:
            out.append(ipaddress.IPv6Interface(words[0]))
        except ValueError:
            continue
    return tuple(out)


def interface_addresses(iface: Interface) -> tuple[IPAddress, ...]:
    """Every address of an interface, IPv4 first."""
    return (*(a for a, _ in iface.addresses), *(a.ip for a in ipv6_interfaces(iface)))


def tunnel_family_problem(cfg: Config, iface: Interface) -> str | None:
    """Why a protected tunnel cannot be carried as configured: an address or route of
    another family than the one its mode carries (`ipsec ipv4 v6-overlay` carries IPv6 over
    IPv4, `ipsec ipv6 v4-overlay` the reverse), or a destination of another family than the
    one it runs over. None when it can."""
    inner, outer = iface.inner_version, iface.outer_version
    mode = iface.tunnel_mode or "gre ip"
    where = f"{iface.name} (tunnel mode {mode})"
    if inner == 4 and ipv6_interfaces(iface):
        return (
            f"{where} carries IPv4 only; use tunnel mode ipsec ipv6 or ipsec ipv4 v6-overlay "
            "for IPv6 addresses"
        )
    if inner == 6 and iface.addresses:
        return f"{where} carries IPv6 only; use ipsec ipv6 v4-overlay for IPv4 over IPv6"
    destination = iface.tunnel_destination
    if destination is not None:
        try:
            remote = ipaddress.ip_address(destination)
        except ValueError:
            remote = None
        if remote is not None and remote.version != outer:
            return (
                f"{where}: tunnel destination {destination} is an IPv{remote.version} "
                f"address; this mode runs over IPv{outer}"
            )
    for route in cfg.routes:
        if route.interface == iface.name and route.prefix.version != inner:
            return f"{where} carries IPv{inner} only; it cannot take the route to {route.prefix}"
    if inner == 6 and iface.ip_mtu is not None and iface.ip_mtu < IPV6_MINIMUM_MTU:
        return f"{where}: ip mtu {iface.ip_mtu} is below IPv6's minimum of {IPV6_MINIMUM_MTU}"
    return None


def vrf_problem(cfg: Config) -> str | None:
    """Why the gateway cannot run this configuration's VRF-aware IPsec: it has no VRFs (no
    VRF devices; everything is routed in the main table), so a protected tunnel or crypto map
    in a VRF, or routed into from one, would run wrongly. The lines are named; VRFs that
    touch no IPsec (a management VRF) are the host's business and let through."""
    lines: list[str] = []
    protected = [i for i in cfg.interfaces.values() if _is_tunnel(i) and i.tunnel_protection]
    for iface in protected:
        if iface.vrf:
            lines.append(f"interface {iface.name} 'vrf forwarding {iface.vrf}'")
        if iface.tunnel_vrf:
            lines.append(f"interface {iface.name} 'tunnel vrf {iface.tunnel_vrf}'")
    outside = {i.tunnel_source for i in protected} | {
        i.name for i in cfg.interfaces.values() if i.crypto_map
    }
    for name in sorted(n for n in outside if n in cfg.interfaces):
        vrf = cfg.interfaces[name].vrf
        if vrf:
            lines.append(f"interface {name} 'vrf forwarding {vrf}'")
    tunnels = tuple(tunnel_device(iface) for iface in protected)
    for route in cfg.routes:
        if route.vrf and _device_for(route, tunnels) is not None:
            lines.append(f"'ip route vrf {route.vrf} {route.prefix}' into a tunnel")
    if not lines:
        return None
    return (
        "VRF-aware IPsec is not supported by pyike run (it would route these tunnels in the "
        f"main table; pyike lab runs them): {', '.join(lines)}"
    )


def tunnel_device(iface: Interface) -> TunnelDevice:
    version = iface.inner_version
    addresses: tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface, ...]
    if version == 6:
        addresses = ipv6_interfaces(iface)
    else:
        addresses = tuple(ipaddress.IPv4Interface(f"{a}/{m}") for a, m in iface.addresses)
    default_mtu = DEFAULT_TUNNEL_MTU_IPV6 if iface.outer_version == 6 else DEFAULT_TUNNEL_MTU
    if iface.is_gre:  # room for the GRE header (and its key) and, in tunnel mode, its IP header
        outer = 40 if iface.outer_version == 6 else 20
        default_mtu -= outer + 4 + (4 if iface.tunnel_key is not None else 0)
    return TunnelDevice(
        iface.name, tun_name(iface.name), addresses, iface.ip_mtu or default_mtu, version
    )


def bind_interfaces(
    cfg: Config, host: Sequence[HostInterface], explicit: Mapping[str, str] | None = None
) -> InterfaceBinding:
    """Match the config's interfaces to `host`'s. An interface with an address no host
    interface has, and no `--bind`, is left unbound (IOS would show it down); a `--bind` to a
    device the host lacks is an error."""
    problem = vrf_problem(cfg)
    if problem is not None:
        raise BindingError(problem)
    explicit = dict(explicit or {})
    by_name = {h.name: h for h in host}
    for name, device in explicit.items():
        if name not in cfg.interfaces:
            raise BindingError(f"--bind {name}={device}: the configuration has no {name}")
        if device not in by_name:
            raise BindingError(f"--bind {name}={device}: this host has no device {device}")
    host_of: dict[str, HostInterface] = {}
    for name, iface in cfg.interfaces.items():
        if _is_tunnel(iface):
            continue
        if name in explicit:
            host_of[name] = by_name[explicit[name]]
            continue
        wanted = set(interface_addresses(iface))
        match = next(
            (h for h in host if any(a.ip in wanted for a in h.addresses)),
            None,
        )
        if match is not None:
            host_of[name] = match
    protected = [
        iface
        for iface in cfg.interfaces.values()
        if _is_tunnel(iface) and iface.tunnel_protection is not None and not iface.shutdown
    ]
    for iface in protected:
        problem = tunnel_family_problem(cfg, iface)
        if problem is not None:
            raise BindingError(problem)
    tunnels = tuple(tunnel_device(iface) for iface in protected)
    return InterfaceBinding(host_of, tunnels, _tunnel_routes(cfg, tunnels))


def _tunnel_routes(cfg: Config, tunnels: Sequence[TunnelDevice]) -> tuple[KernelRoute, ...]:
    """The `ip route`s that lead into a tunnel: by interface, or by a next hop on a tunnel's
    subnet. Routes elsewhere belong to the host and are left alone."""
    routes: list[KernelRoute] = []
    for route in cfg.routes:
        device = None if route.vrf else _device_for(route, tunnels)
        if device is not None:
            routes.append(KernelRoute(route.prefix, device))
    return tuple(routes)


def _device_for(route: Route, tunnels: Sequence[TunnelDevice]) -> str | None:
    """The tunnel device a route leads into: by interface, or by a next hop on its subnet."""
    if route.interface is not None:
        return next((t.device for t in tunnels if t.interface == route.interface), None)
    if route.next_hop is None:
        return None
    return next(
        (t.device for t in tunnels if any(route.next_hop in a.network for a in t.addresses)),
        None,
    )
