"""Dynamic VTIs on `pyike run`: each Virtual-AccessK the gateway clones from a virtual
template, as the lab decides it (`pyike.host.virtual_access`: the policy the peer's IKEv2
profile authorizes, the lowest free number), is a TUN device `vaK` with the template's
settings (`ip unnumbered IF`: IF's address on the device as a host address; `ip address`;
`ip mtu`; a `tunnel mode gre ip` template's clone carries GRE inside ESP, transport or tunnel
mode as the transform set says, framed as a static GRE tunnel's (`pyike.net.gre_tunnel`: the
peer's keepalive probes sent back, `ip tcp adjust-mss`; no keepalives of its own)) and the
routes through it: the peer's traffic selectors when narrower than any (a
site-to-site peer's LAN), and what the configuration exchange gave (the peer's `route set`
routes and the host route to the address lent to it, at the authorization policy's distance
as the route's metric). Device and routes go with the clone's SAs.

`GatewayClones` decides, in the gateway and free of sockets; `KernelClones` carries it out
on the host (the runtime's TUN devices, netlink routes). The device is registered under the
clones' SA name, so decrypted packets and packets read from it take the static tunnels' path
unchanged."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from pyike.config import query
from pyike.config.model import Interface
from pyike.host.configured_peers import ConfiguredPeers
from pyike.host.crypto_host import CryptoHost
from pyike.host.virtual_access import (
    PREFIX,
    VirtualAccesses,
    clone_config,
    clone_request,
    configured_routes,
    selector_routes,
)
from pyike.ike.events import IkeSaDown, PeerConfigured
from pyike.net.binding import KernelRoute, TunnelDevice, tunnel_device
from pyike.net.gre_tunnel import GatewayGreFraming, GreTunnels
from pyike.net.netlink import Netlink
from pyike.node.interfaces import line_protocol_message

DEVICE_PREFIX = "va"  # Virtual-Access1 plays on TUN device va1


def device_name(interface: str) -> str:
    """`Virtual-Access1` -> `va1`."""
    return DEVICE_PREFIX + interface.removeprefix(PREFIX)


def clone_interface(device: str) -> str:
    """`va1` -> `Virtual-Access1`."""
    return PREFIX + device.removeprefix(DEVICE_PREFIX)


class CloneDevices(Protocol):
    """What the host does for a clone (`KernelClones` on `pyike run`)."""

    def add(self, sa_name: str, device: TunnelDevice) -> None: ...

    def remove(self, sa_name: str) -> None: ...

    def route(self, added: Sequence[KernelRoute], withdrawn: Sequence[KernelRoute]) -> None: ...


@dataclass
class Clone:
    """One Virtual-Access interface on the gateway."""

    name: str  # Virtual-AccessK
    config: Interface  # the template's lines toward this peer
    device: TunnelDevice
    selector_routes: tuple[KernelRoute, ...] = ()
    pushed_routes: tuple[KernelRoute, ...] = ()


class GatewayClones:
    """The gateway's virtual template clones, by SA name; see the module docstring."""

    def __init__(
        self, host: CryptoHost, log: Callable[[str], None], gre: GreTunnels | None = None
    ) -> None:
        self.host = host
        self.log = log
        self.gre = gre  # a GRE clone's peer's keepalive probes go back through it
        self.names = VirtualAccesses()
        self.clones: dict[str, Clone] = {}
        self.devices: CloneDevices | None = None  # None: nothing made on the host (tests)
        self.routed = False  # routing protocols (FRR) run on the clones
        self._configured = ConfiguredPeers()

    def by_interface(self, interface: str) -> Clone | None:
        sa_name = self.names.sa_of(interface)
        return None if sa_name is None else self.clones.get(sa_name)

    def line_protocol(self, sa_name: str, up: bool) -> None:
        """A clone's SAs came (the first Child SA: the clone is made) or went (removed)."""
        if up:
            self._clone(sa_name)
        else:
            self._unclone(sa_name)

    def peer_configured(self, event: PeerConfigured) -> None:
        self._configured.add(event)
        self._push(event)

    def ike_sa_down(self, event: IkeSaDown) -> None:
        done = self._configured.gone(event)
        if done is None:
            return
        clone = self.clones.get(done.tunnel or "")
        if clone is not None:
            self._route(clone.pushed_routes, withdraw=True)
            clone.pushed_routes = ()

    def _clone(self, sa_name: str) -> None:
        if sa_name in self.clones:
            return
        request = clone_request(self.host, self.host.config, sa_name)
        child = self.host.sad.tunnel(sa_name).current
        if request is None or child is None:
            return
        if request.template.is_gre and not request.template.is_point_to_point_gre:
            self.log(
                f"%PYIKE-4-NOT_NEGOTIATED: {request.template.name}: tunnel mode "
                f"{request.template.tunnel_mode} is not cloned on pyike run (gre ip is)"
            )
            return
        name = self.names.allocate(sa_name)
        config = clone_config(request.template, name, request.local, request.peer)
        if config.is_point_to_point_gre:  # GRE over IPsec, framed as a static GRE tunnel's
            framing = GatewayGreFraming(
                request.local,
                request.peer,
                config.tunnel_key,
                tunnel=sa_name,
                mss=config.tcp_adjust_mss,
                tunnels=self.gre,
            )
            self.host.frame_clone(sa_name, framing)
        device = replace(
            tunnel_device(config), device=device_name(name), addresses=self._addresses(config)
        )
        # a GRE clone's selectors are the GRE endpoints themselves: routed into the clone,
        # its own ESP would loop back into it
        selected = () if config.is_gre else selector_routes(child.info)
        routes = tuple(KernelRoute(p, device.device) for p in selected)
        clone = self.clones[sa_name] = Clone(name, config, device, routes)
        self.host.specs[sa_name] = request.spec
        if self.devices is not None:
            try:
                self.devices.add(sa_name, device)
            except OSError as exc:  # the SAs stay; nothing reaches the kernel through them
                self.log(f"%PYIKE-3-VIRTUAL_ACCESS: {name}: {exc.strerror or exc}")
                return
        self.log(f"%LINK-3-UPDOWN: Interface {name}, changed state to up")
        self.log(line_protocol_message(name, True))
        self._route(clone.selector_routes, withdraw=False)
        for done in self._configured.of_tunnel(sa_name):
            self._push(done)

    def _unclone(self, sa_name: str) -> None:
        clone = self.clones.pop(sa_name, None)
        self.names.free(sa_name)
        self.host.specs.pop(sa_name, None)
        self.host.frame_clone(sa_name, None)
        if clone is None:
            return
        # logged before the device goes: whoever sees it gone can count on the lines
        self.log(f"%LINK-3-UPDOWN: Interface {clone.name}, changed state to down")
        self.log(line_protocol_message(clone.name, False))
        if self.devices is not None:  # its routes go with it
            self.devices.remove(sa_name)

    def _addresses(
        self, config: Interface
    ) -> tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface, ...]:
        """`ip unnumbered IF`: IF's address, as a host address on the device (`routed`: with
        IF's prefix, since FRR's daemons take a neighbor only from a subnet of the interface,
        where IOS takes one on any unnumbered interface); otherwise the template's own."""
        if config.unnumbered is None:
            return tunnel_device(config).addresses
        source = self.host.config.interfaces.get(config.unnumbered)
        if self.routed and source is not None and source.addresses and config.inner_version == 4:
            borrowed, mask = source.addresses[0]
            return (ipaddress.IPv4Interface(f"{borrowed}/{mask}"),)
        address = query.interface_address(self.host.config, config.unnumbered, config.inner_version)
        return () if address is None else (ipaddress.ip_interface(address),)

    def _push(self, event: PeerConfigured) -> None:
        """The configuration exchange's routes through the SA's clone, once it exists."""
        clone = self.clones.get(event.tunnel or "")
        if clone is None:
            return  # made with the SA's first Child SA; the routes then
        pushed: tuple[KernelRoute, ...] = ()
        if event.distance is not None:
            device = clone.device.device
            pushed = tuple(KernelRoute(p, device, event.distance) for p in configured_routes(event))
        self._route(tuple(r for r in clone.pushed_routes if r not in pushed), withdraw=True)
        self._route(pushed, withdraw=False)
        clone.pushed_routes = pushed

    def _route(self, routes: Sequence[KernelRoute], *, withdraw: bool) -> None:
        if not routes or self.devices is None:
            return
        added, withdrawn = ((), routes) if withdraw else (routes, ())
        try:
            self.devices.route(added, withdrawn)
        except OSError as exc:
            self.log(f"%PYIKE-3-VIRTUAL_ACCESS: {exc.strerror or exc}")


class KernelClones:
    """`CloneDevices` on the host: the runtime opens and closes the TUN device (`open_device`,
    `close_device`, by SA name); routes through netlink."""

    def __init__(
        self,
        netlink: Netlink,
        open_device: Callable[[str, TunnelDevice], None],
        close_device: Callable[[str], None],
    ) -> None:
        self.netlink = netlink
        self.open_device = open_device
        self.close_device = close_device

    def add(self, sa_name: str, device: TunnelDevice) -> None:
        self.open_device(sa_name, device)

    def remove(self, sa_name: str) -> None:
        self.close_device(sa_name)

    def route(self, added: Sequence[KernelRoute], withdrawn: Sequence[KernelRoute]) -> None:
        for route in withdrawn:
            self.netlink.delete_route(route)
        for route in added:
            self.netlink.replace_route(route)


def is_clone_sa(name: str) -> bool:
    """SAs (and TUN devices, by the runtime's reckoning) of a virtual template's clone."""
    return query.virtual_template_parts(name) is not None


__all__ = [
    "Clone",
    "CloneDevices",
    "GatewayClones",
    "KernelClones",
    "clone_interface",
    "device_name",
    "is_clone_sa",
]
