"""Dynamic VTIs: the Virtual-AccessN interface a router clones from a virtual template for
each peer its IKEv2 profile gives one (`virtual-template N`), numbered as IOS numbers them
(the lowest number free), and the configuration the clone runs with (IOS's `show
derived-config interface virtual-access N`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network, IPv6Network, ip_network, summarize_address_range
from typing import TYPE_CHECKING

from pyike.config.model import Config, Interface
from pyike.config.query import virtual_template_parts
from pyike.ike.events import ChildSaInfo, Endpoint, IPAddress, PeerConfigured
from pyike.ike.policy import TunnelSpec

if TYPE_CHECKING:
    from pyike.host.crypto_host import CryptoHost

PREFIX = "Virtual-Access"


@dataclass
class VirtualAccesses:
    """Which clone carries which SA name (`query.virtual_template_sa_name`)."""

    by_sa: dict[str, str] = field(default_factory=dict)

    def name_for(self, sa_name: str) -> str | None:
        return self.by_sa.get(sa_name)

    def sa_of(self, interface: str) -> str | None:
        return next((sa for sa, name in self.by_sa.items() if name == interface), None)

    def allocate(self, sa_name: str) -> str:
        taken = set(self.by_sa.values())
        number = 1
        while f"{PREFIX}{number}" in taken:
            number += 1
        self.by_sa[sa_name] = name = f"{PREFIX}{number}"
        return name

    def free(self, sa_name: str) -> str | None:
        return self.by_sa.pop(sa_name, None)


@dataclass(frozen=True)
class CloneRequest:
    """What a virtual template's clone for one peer is made of: the policy toward the peer
    (the spec the peer's IKEv2 profile authorizes), the template, and both addresses."""

    spec: TunnelSpec
    template: Interface
    local: IPAddress
    peer: IPAddress


def clone_request(host: CryptoHost, config: Config, sa_name: str) -> CloneRequest | None:
    """The clone SA `sa_name` needs once its first Child SA is installed (lab and gateway
    alike); None for an SA that is not a template's, or one no profile authorizes."""
    parts = virtual_template_parts(sa_name)
    child = host.sad.tunnel(sa_name).current
    template = config.interfaces.get(parts[0]) if parts else None
    if parts is None or child is None or template is None:
        return None
    local, peer = child.info.local.address, parts[1]
    sa = host.engine.ike_sa(child.info.ike_sa_id)
    offered = host.policy.tunnels_for_peer(
        Endpoint(local), Endpoint(peer), sa.profile if sa is not None else None
    )
    spec = next((s for s in offered if s.name == sa_name), None)
    return None if spec is None else CloneRequest(spec, template, local, peer)


def configured_routes(event: PeerConfigured) -> tuple[IPv4Network | IPv6Network, ...]:
    """The routes a configuration exchange puts through the SA's interface: those the peer
    sent, and the host route to the address lent to it (IOS reaches a spoke through its
    clone)."""
    routes = event.received.routes
    if event.lent is not None:
        routes = (*routes, ip_network(event.lent))
    return routes


def selector_routes(child: ChildSaInfo) -> tuple[IPv4Network | IPv6Network, ...]:
    """The networks a clone's Child SA reaches by its peer's traffic selectors, when they
    are narrower than everything (a site-to-site peer's LAN): as IOS's dynamic VTI routes a
    peer's proxy identities through its Virtual-Access."""
    out: list[IPv4Network | IPv6Network] = []
    for ts in child.remote_ts:
        if int(ts.start) == 0 and int(ts.end) == (1 << ts.end.max_prefixlen) - 1:
            continue  # any: the template's own routes decide
        if ts.start.version != ts.end.version:
            continue
        out += summarize_address_range(ts.start, ts.end)
    return tuple(out)


def clone_config(template: Interface, name: str, local: IPAddress, peer: IPAddress) -> Interface:
    """A clone of `template` toward `peer`: the template's lines, its tunnel source the
    address the peer reached, its destination the peer."""
    return replace(
        template,
        name=name,
        tunnel_source=template.tunnel_source or str(local),
        tunnel_destination=str(peer),
        description=template.description,
        source=None,
    )


def derived_config(clone: Interface, local_source: str) -> str:
    """`show derived-config interface virtual-access N`: the clone's configuration as the
    template's lines give it, with its tunnel destination."""
    lines = [
        "Building configuration...",
        "",
        "Derived configuration : {size} bytes",
        "!",
        f"interface {clone.name}",
    ]
    body = []
    if clone.description:
        body.append(f" description {clone.description}")
    if clone.unnumbered:
        body.append(f" ip unnumbered {clone.unnumbered}")
    elif clone.addresses:
        body += [f" ip address {a} {m}" for a, m in clone.addresses]
    else:
        body.append(" no ip address")
    if clone.ip_mtu is not None:
        body.append(f" ip mtu {clone.ip_mtu}")
    body += [f" {line}" for line in clone.extra]
    if clone.tcp_adjust_mss is not None:
        body.append(f" ip tcp adjust-mss {clone.tcp_adjust_mss}")
    body.append(f" tunnel source {local_source}")
    if clone.tunnel_mode and clone.tunnel_mode != "gre ip":
        body.append(f" tunnel mode {clone.tunnel_mode}")
    body.append(f" tunnel destination {clone.tunnel_destination}")
    if clone.tunnel_protection:
        body.append(f" tunnel protection ipsec profile {clone.tunnel_protection}")
    text_lines = [*lines, *body, "end", ""]
    size = sum(len(line) + 1 for line in text_lines[3:])
    text_lines[2] = text_lines[2].format(size=size)
    return "\n".join(text_lines)
