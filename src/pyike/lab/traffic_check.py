"""A tunnel that carries nothing must never look healthy. After a topology's checks, the lab
sends one probe packet into every SA that is up (each tunnel interface's and each crypto
map line's) and looks at the peer: the probe must come out of the peer's tunnel interface
(or, for a crypto map, be decrypted by the peer's SA). A tunnel whose probe does not come
out is named with what its counters say (send errors, packets decrypted but not the
tunnel's, nothing arriving at all), whether or not a check pinged through it.

The probe is an ICMP echo request (for an IPv6 tunnel, an IPv6 packet with no next header)
from the tunnel's own address, or the SA's local selector, to the peer's address, put
straight into the tunnel: routing plays no part, so a tunnel no route leads into is judged
as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from pyike.config.query import multipoint_parts, sa_interface
from pyike.ipsec.sad import InstalledChild
from pyike.lab.lab import Lab, LabRouter
from pyike.node import icmp
from pyike.node.gre import ip_packet
from pyike.node.router import Router

PROBE_WAIT = 2.0  # virtual seconds for a probe to cross any lab topology
_NO_NEXT_HEADER = 59

IPAddress = IPv4Address | IPv6Address


@dataclass
class _Probe:
    """One probe: who sent it into what, and where it should come out."""

    host: str
    name: str  # the tunnel interface or crypto map line
    child: InstalledChild
    peer_host: str
    peer: InstalledChild
    peer_tunnel: str | None  # the peer's tunnel interface (None: a crypto map line)
    seen_before: int

    def lost(self, lab: Lab) -> IdleTunnel | None:
        if _arrived(lab.router(self.peer_host), self.peer, self.peer_tunnel) > self.seen_before:
            return None
        where = self.peer_tunnel or "its crypto map"
        return IdleTunnel(self.host, self.name, self.peer_host, where, _why(self.child, self.peer))


@dataclass(frozen=True)
class IdleTunnel:
    """A tunnel or crypto map line that is up but whose probe never came out at the peer."""

    host: str
    name: str  # the tunnel interface or crypto map line
    peer_host: str
    peer_where: str  # the peer's tunnel interface, or "its crypto map"
    why: str  # what the counters say

    @property
    def problem(self) -> str:
        return (
            f"{self.host} {self.name}: UP-ACTIVE but carries no traffic: a packet sent into it "
            f"never came out of {self.peer_host} {self.peer_where} ({self.why})"
        )


def idle_tunnels(lab: Lab) -> list[IdleTunnel]:
    """Each SA that is up but delivers nothing to its peer."""
    probes = [p for lab_router in lab.routers.values() for p in _send_probes(lab, lab_router)]
    if not probes:
        return []
    lab.run_for(PROBE_WAIT)
    return [idle for probe in probes if (idle := probe.lost(lab)) is not None]


def _send_probes(lab: Lab, lab_router: LabRouter) -> list[_Probe]:
    probes = []
    crypto = lab_router.crypto
    for name, state in crypto.sad.tunnels.items():
        child = state.current
        found = None if child is None else peer_child(lab, child)
        if child is None or found is None:
            continue
        peer_host, peer = found
        peer_router = lab.router(peer_host).router
        peer_interface = sa_interface(peer.info.tunnel or "")
        peer_tunnel = peer_interface if peer_interface in peer_router.interfaces else None
        seen = _arrived(lab.router(peer_host), peer, peer_tunnel)
        packet = _probe_packet(lab_router, name, child, peer_router, peer_tunnel)
        if packet is None:
            continue
        router = lab_router.router
        multipoint = multipoint_parts(name)
        if multipoint is not None:  # a multipoint tunnel's peer: in GRE to its NBMA address
            router.multipoint_send(*multipoint, None, packet)
        elif name in router.interfaces:
            router.tunnel_send(router.interface(name), packet, len(packet))
        else:
            for outer in crypto.encapsulate(router, name, packet):
                router.send_encapsulated(outer)
        probes.append(_Probe(lab_router.hostname, name, child, peer_host, peer, peer_tunnel, seen))
    return probes


def peer_child(lab: Lab, child: InstalledChild) -> tuple[str, InstalledChild] | None:
    """The router holding the other half of `child`, and that half."""
    for host, lab_router in lab.routers.items():
        peer = lab_router.crypto.sad.inbound(child.spi_out)
        if peer is not None and peer.spi_out == child.spi_in:
            return host, peer
    return None


def _arrived(lab_router: LabRouter, peer: InstalledChild, tunnel: str | None) -> int:
    """What has come out at the peer so far: packets into its tunnel interface, or for a
    crypto map line packets its SA decrypted as the line's."""
    if tunnel is not None:
        return lab_router.router.interface(tunnel).counters.packets_in
    return peer.inbound.counters.packets - peer.unframed


def _probe_packet(
    lab_router: LabRouter,
    name: str,
    child: InstalledChild,
    peer_router: Router,
    peer_tunnel: str | None,
) -> bytes | None:
    router = lab_router.router
    source: IPAddress | None
    interface = sa_interface(name)
    if interface in router.interfaces:
        iface = router.interface(interface)
        inner = iface.config.inner_version
        address = iface.primary if inner == 4 else iface.primary6
        source = address.ip if address is not None else None
        destination: IPAddress = child.info.remote.address
        far = peer_router.interface(peer_tunnel).primary if peer_tunnel is not None else None
        if interface != name and far is not None:  # to the far end's overlay address
            destination = far.ip
    else:
        source = child.info.local_ts[0].start
        destination = child.info.remote_ts[0].start
        inner = source.version
    if source is None or source.version != destination.version:
        source = child.info.local.address
    if source.version != inner or destination.version != inner:
        return None
    if inner == 6:
        return ip_packet(source, destination, _NO_NEXT_HEADER, b"")
    echo = icmp.echo(True, 0x7079, 1, b"pyike tunnel probe")
    return icmp.packet(int(source), int(destination), echo, ident=router.next_ident()).to_bytes()


def _why(child: InstalledChild, peer: InstalledChild) -> str:
    sent = child.outbound.counters
    if sent.send_errors and not sent.packets:
        return f"every packet a send error: #send errors {sent.send_errors}, #pkts encaps 0"
    received = peer.inbound.counters
    if not received.packets:
        errors = received.recv_errors
        return f"#pkts encaps {sent.packets}, the peer's #pkts decaps 0, #recv errors {errors}"
    if peer.unframed:
        return (
            f"the peer decrypted {received.packets} packet(s) and dropped {peer.unframed} as not "
            "its tunnel's (a GRE key or framing mismatch)"
        )
    return f"#pkts encaps {sent.packets}, the peer's #pkts decaps {received.packets}"


__all__ = ["PROBE_WAIT", "IdleTunnel", "idle_tunnels", "peer_child"]
