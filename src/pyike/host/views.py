"""A router's live crypto state as the show layer's views (`pyike.show.views`).

Shared by the lab's routers (`pyike.lab.crypto_node.CryptoNode`) and the real gateway
(`pyike.net.gateway.Gateway`), the two crypto hosts: both answer the `CryptoState`
protocol."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from pyike.codec.registry import DhId, IntegId
from pyike.config.model import Config, Interface
from pyike.config.query import (
    ChildSaPolicy,
    child_sa_policies,
    ike_sa_vrfs,
    virtual_template_parts,
)
from pyike.ike.engine import IkeEngine
from pyike.ike.events import IPAddress
from pyike.ike.fragments import IP_UDP_OVERHEAD
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import Policy, TunnelSpec
from pyike.ipsec.sad import InstalledChild, SecurityAssociationDatabase
from pyike.node.gre import GRE_PROTOCOL
from pyike.show.views import (
    ChildSaView,
    CryptoSessionView,
    CryptoSocketView,
    EspSaStatus,
    EspSaView,
    Ident,
    IkeSaState,
    IkeSaView,
    IkeSessionView,
    IpsecFlowView,
    IpsecInterfaceView,
    NatState,
    SessionFlow,
    SessionIkeSa,
    SocketListener,
    esp_sa_view,
    flow_counters,
)
from pyike.traffic_selector import TrafficSelector

ANY4 = Ident(ipaddress.ip_network("0.0.0.0/0"), protocol=256)  # a VTI's selectors, as IOS shows
ANY6 = Ident(ipaddress.ip_network("::/0"), protocol=256)
CE_ID_BASE = 1005  # IOS numbers its crypto engine entries from here on; the seed shows 1006


class CryptoState(Protocol):
    """What the crypto show commands read of a router."""

    @property
    def engine(self) -> IkeEngine: ...

    @property
    def sad(self) -> SecurityAssociationDatabase: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def config(self) -> Config:
        """The configuration in force (front-door and inside VRFs come from it)."""
        ...

    @property
    def specs(self) -> Mapping[str, TunnelSpec]: ...

    @property
    def now(self) -> float: ...

    def tunnel_source(self, tunnel: str) -> IPAddress | None:
        """The outer source address of a tunnel's packets, if known."""
        ...

    def tunnel_transport_mtu(self, tunnel: str) -> int:
        """The IP MTU of the interface a tunnel's packets leave through."""
        ...

    def tunnel_ip_mtu(self, tunnel: str) -> int:
        """The tunnel interface's own (plaintext) IP MTU."""
        ...

    def tunnel_path_mtu(self, tunnel: str) -> int:
        """The path MTU of a tunnel's SA: its transport MTU, or less when ICMP said so."""
        ...

    def interface_with_address(self, address: IPAddress) -> str | None:
        """The config name of the interface holding `address`."""
        ...

    def interface_of(self, sa_name: str) -> str:
        """The interface an SA name belongs to (a multipoint tunnel's or a clone's)."""
        ...


def ike_sa_views(node: CryptoState) -> list[IkeSaView]:
    views = []
    now = node.now
    children = child_sa_policies(node.config)
    for sa in node.engine.ike_sas:
        if sa.closed or sa.suite is None:
            continue
        views.append(_ike_sa_view(node, sa, now, children))
    return views


def _ike_sa_view(
    node: CryptoState, sa: IkeSa, now: float, children: Sequence[ChildSaPolicy]
) -> IkeSaView:
    suite = sa.suite
    assert suite is not None
    local_spi, remote_spi = (sa.spi_i, sa.spi_r) if sa.initiator else (sa.spi_r, sa.spi_i)
    if sa.deleting:
        state = IkeSaState.DELETE
    elif sa.established_at is None:
        state = IkeSaState.IN_NEG
    else:
        state = IkeSaState.READY
    dpd = sa.profile.dpd if sa.profile is not None else None
    nat = NatState.NOT_DETECTED
    if sa.nat.nat_detected:
        nat = NatState.INSIDE if not sa.nat.local_matches else NatState.OUTSIDE
    settings = node.policy.settings
    profile = sa.profile.name if sa.profile is not None else None
    fvrf, ivrf = ike_sa_vrfs(node.config, sa.local.address, sa.remote.address, profile, children)
    return IkeSaView(
        tunnel_id=sa.sa_id,
        local=sa.local.address,
        remote=sa.remote.address,
        state=state,
        encryption=suite.encr,
        key_bits=suite.encr_key_bits,
        prf=suite.prf,
        integrity=None if suite.integ == IntegId.NONE else suite.integ,
        dh_group=suite.dh,
        lifetime=sa.lifetime,
        active_time=int(now - (sa.established_at or now)),
        local_spi=int.from_bytes(local_spi, "big"),
        remote_spi=int.from_bytes(remote_spi, "big"),
        local_id=str(sa.local_id) if sa.local_id is not None else str(sa.local.address),
        remote_id=str(sa.remote_id) if sa.remote_id is not None else str(sa.remote.address),
        initiator=sa.initiator,
        ce_id=CE_ID_BASE + sa.sa_id,
        session_id=sa.sa_id,
        local_port=sa.local.port,
        remote_port=sa.remote.port,
        local_req_msg_id=sa.requests.next_id,
        local_next_msg_id=sa.requests.next_id,
        local_req_queued=sa.requests.next_id,
        remote_req_msg_id=sa.responses.expected,
        remote_next_msg_id=sa.responses.expected,
        remote_req_queued=sa.responses.expected,
        local_window=settings.window_size,
        remote_window=sa.requests.peer_window,
        dpd_interval=dpd.interval if dpd else 0,
        dpd_retry=dpd.retry if dpd else 0,
        fragmentation=settings.fragmentation_mtu is not None,
        fragmentation_mtu=_fragmentation_mtu(sa, settings.fragmentation_mtu),
        nat=nat,
        fvrf=fvrf,
        ivrf=ivrf,
        auth_sign=sa.auth_sign,
        auth_verify=sa.auth_verify,
    )


def _fragmentation_mtu(sa: IkeSa, configured: int | None) -> int | None:
    """What of the configured MTU an IKE message may fill, once the peer agreed to RFC 7383
    fragmentation (IOS's "MTU in use")."""
    if configured is None or not sa.frag_peer:
        return None
    return configured - IP_UDP_OVERHEAD[sa.remote.address.version]


def _esp_views(
    node: CryptoState, tag: str, child: InstalledChild, status: EspSaStatus
) -> tuple[EspSaView, EspSaView]:
    info = child.info
    integ = None if info.integ == IntegId.NONE else info.integ
    remaining = int(info.lifetime_seconds - (node.now - child.installed_at))
    common = dict(
        encryption=info.encr,
        key_bits=info.encr_key_bits,
        integrity=integ,
        crypto_map=tag,
        lifetime_kilobytes=info.lifetime_kilobytes,
        remaining_seconds=remaining,
        status=status,
        replay_window=child.inbound.replay.size,
    )
    inbound = esp_sa_view(child.inbound, conn_id=child.conn_id_in, **common)  # type: ignore[arg-type]
    outbound = esp_sa_view(child.outbound, conn_id=child.conn_id_out, **common)  # type: ignore[arg-type]
    if info.udp_encapsulation:  # IOS: "in use settings ={Tunnel UDP-Encaps, }"
        inbound = replace(inbound, mode=f"{inbound.mode} UDP-Encaps")
        outbound = replace(outbound, mode=f"{outbound.mode} UDP-Encaps")
    return inbound, outbound


CRYPTO_MAP_PREFIX = "crypto map "  # how pyike.config.query names a crypto map entry


def _ident(ts: TrafficSelector) -> Ident:
    network = ipaddress.ip_network(f"{ts.start}/{_prefix_length(ts)}", strict=False)
    port = ts.start_port if ts.start_port == ts.end_port else 0
    return Ident(network, ts.protocol, port)


def _prefix_length(ts: TrafficSelector) -> int:
    """The shortest prefix covering a selector's range (IOS shows a range as a subnet)."""
    bits = 32 if ts.start.version == 4 else 128
    spread = int(ts.start) ^ int(ts.end)
    return bits - spread.bit_length()


def _placement(node: CryptoState, spec: TunnelSpec) -> tuple[str, str, Ident, Ident]:
    """(interface, crypto map tag, local ident, remote ident) of a tunnel or crypto map entry:
    a VTI shows as its own interface with any/any, a GRE tunnel with the GRE flow between
    its endpoints; a crypto map entry under the interface that holds its local address, with
    the idents of its ACL."""
    if spec.name.startswith(CRYPTO_MAP_PREFIX):
        interface = node.interface_with_address(spec.local.address) or "unknown"
        tag = spec.name[len(CRYPTO_MAP_PREFIX) :].split()[0]
        return interface, tag, _ident(spec.local_ts[0]), _ident(spec.remote_ts[0])
    if spec.local_ts and spec.local_ts[0].protocol == GRE_PROTOCOL:
        local, remote = _ident(spec.local_ts[0]), _ident(spec.remote_ts[0])
        interface = node.interface_of(spec.name)  # a multipoint tunnel's peers: the tunnel's
        return interface, f"{interface}-head-0", local, remote
    # the family carried: an overlay tunnel (`ipsec ipv4 v6-overlay`) carries the other one
    inner = spec.local_ts[0].start.version if spec.local_ts else spec.local.address.version
    any_ip = ANY4 if inner == 4 else ANY6
    interface = node.interface_of(spec.name)  # a virtual template's clone: Virtual-AccessN
    return interface, f"{interface}-head-0", any_ip, any_ip


def _spec_vrfs(
    node: CryptoState, spec: TunnelSpec, children: Sequence[ChildSaPolicy]
) -> tuple[str | None, str | None]:
    """(fvrf, ivrf) of a tunnel or crypto map entry."""
    local, remote = spec.local.address, spec.remote.address
    return ike_sa_vrfs(node.config, local, remote, spec.profile, children)


def ipsec_interface_views(node: CryptoState) -> list[IpsecInterfaceView]:
    views: dict[tuple[str, str], IpsecInterfaceView] = {}
    children = child_sa_policies(node.config)
    for spec in node.specs.values():
        state = node.sad.tunnel(spec.name)
        interface, tag, local_ident, remote_ident = _placement(node, spec)
        source = node.tunnel_source(spec.name)
        local = ipaddress.ip_address(str(spec.local.address))
        live = state.live
        pairs = [_esp_views(node, tag, child, EspSaStatus.ACTIVE) for child in live]
        counters = flow_counters(
            (state.retired_in, *(c.inbound.counters for c in state.children)),
            (state.retired_out, *(c.outbound.counters for c in state.children)),
            no_sa_send=state.dropped_no_sa,
            invalid_identity=state.invalid_identity,
            invalid_sa=state.invalid_sa,
            invalid_len=state.invalid_len,
        )
        pfs = next((DhId(c.info.pfs_group) for c in live if c.info.pfs_group), None)
        flow = IpsecFlowView(
            local_ident=local_ident,
            remote_ident=remote_ident,
            peer=ipaddress.ip_address(str(spec.remote.address)),
            local_endpoint=local,
            counters=counters,
            peer_port=live[-1].info.remote.port if live else spec.remote.port,
            path_mtu=node.tunnel_path_mtu(spec.name),
            ip_mtu=node.tunnel_transport_mtu(spec.name),
            ip_mtu_idb=node.interface_with_address(spec.local.address) or "unknown",
            plaintext_mtu=node.tunnel_ip_mtu(spec.name),
            pfs_group=pfs,
            inbound=tuple(p[0] for p in pairs),
            outbound=tuple(p[1] for p in pairs),
            protected_vrf=_spec_vrfs(node, spec, children)[1],
        )
        known = views.get((interface, tag))
        flows = (*known.flows, flow) if known is not None else (flow,)
        views[(interface, tag)] = IpsecInterfaceView(interface, tag, source or local, flows)
    return list(views.values())


def _configured(config: Config, sa_name: str, interface: str) -> Interface | None:
    """The configured interface an SA's tunnel is: the tunnel itself, or the virtual
    template a clone was made from."""
    parts = virtual_template_parts(sa_name)
    return config.interfaces.get(parts[0] if parts is not None else interface)


def crypto_socket_views(node: CryptoState) -> tuple[list[CryptoSocketView], list[SocketListener]]:
    """`show crypto sockets`: a socket per protected tunnel and peer (crypto maps have none),
    and the protected tunnels listening (a virtual template's clones, not the template)."""
    sockets = []
    for spec in node.specs.values():
        if spec.name.startswith(CRYPTO_MAP_PREFIX):
            continue
        interface, _tag, local_ident, remote_ident = _placement(node, spec)
        owner = _configured(node.config, spec.name, interface)
        if owner is None or owner.tunnel_protection is None:
            continue
        sockets.append(
            CryptoSocketView(
                interface,
                ipaddress.ip_address(str(spec.local.address)),
                ipaddress.ip_address(str(spec.remote.address)),
                local_ident,
                remote_ident,
                owner.tunnel_protection,
                open=bool(node.sad.tunnel(spec.name).live),
                shared=owner.tunnel_protection_shared,
            )
        )
    listening = {
        name: iface.tunnel_protection
        for name, iface in node.config.interfaces.items()
        if iface.tunnel_protection is not None and not name.startswith("Virtual-Template")
    }
    listening |= {s.interface: s.profile for s in sockets}
    listeners = [SocketListener(p, f"{name}-head-0") for name, p in listening.items()]
    return sockets, listeners


def crypto_session_views(node: CryptoState) -> list[CryptoSessionView]:
    sessions: dict[tuple[str, str], CryptoSessionView] = {}
    now = node.now
    children = child_sa_policies(node.config)
    for spec in node.specs.values():
        state = node.sad.tunnel(spec.name)
        interface, _tag, local_ident, remote_ident = _placement(node, spec)
        remote = spec.remote.address
        sas = [sa for sa in node.engine.ike_sas_with_peer(remote) if not sa.closed]
        ike = tuple(
            SessionIkeSa(
                local=sa.local.address,
                remote=sa.remote.address,
                active=sa.established_at is not None and not sa.deleting,
                conn_id=CE_ID_BASE + sa.sa_id,
                remaining_seconds=int(sa.lifetime - (now - (sa.established_at or now))),
                capabilities=_capabilities(node, sa),
                local_port=sa.local.port,
                remote_port=sa.remote.port,
            )
            for sa in sas
        )
        live = [c for c in (state.current, state.pending) if c is not None]
        flows = (_session_flow(node, local_ident, remote_ident, live),) if live else ()
        key = (interface, str(remote))
        known = sessions.get(key)
        if known is not None:
            flows = (*known.flows, *flows)
        up = next((sa for sa in sas if sa.established), None)
        fvrf, ivrf = _spec_vrfs(node, spec, children)
        sessions[key] = CryptoSessionView(
            interface=interface,
            peer=remote,
            ike_sas=ike,
            flows=flows,
            peer_port=spec.remote.port,
            negotiating=any(sa.established_at is None for sa in sas),
            profile=spec.profile,
            uptime_seconds=None if up is None else int(now - (up.established_at or now)),
            session_id=0 if up is None else up.sa_id,
            phase1_id=None if up is None or up.remote_id is None else str(up.remote_id),
            fvrf=fvrf,
            ivrf=ivrf,
        )
    return list(sessions.values())


def _capabilities(node: CryptoState, sa: IkeSa) -> str:
    """IOS's capability codes of an IKE SA: D (DPD), N (NAT-T), F (fragmentation in use)."""
    dpd = sa.profile is not None and sa.profile.dpd is not None
    fragments = node.policy.settings.fragmentation_mtu is not None and sa.frag_peer
    return "".join(
        code for code, on in (("D", dpd), ("N", sa.nat.nat_detected), ("F", fragments)) if on
    )


def _session_flow(
    node: CryptoState, local: Ident, remote: Ident, live: list[InstalledChild]
) -> SessionFlow:
    """A flow's packet counts over its SA pairs, and the newest pair's remaining life."""
    newest = max(live, key=lambda c: c.installed_at)
    info = newest.info
    return SessionFlow(
        local,
        remote,
        active_sas=2 * len(live),
        decrypted=sum(c.inbound.counters.packets for c in live),
        decrypt_drops=sum(c.inbound.counters.recv_errors for c in live),
        encrypted=sum(c.outbound.counters.packets for c in live),
        encrypt_drops=sum(c.outbound.counters.send_errors for c in live),
        remaining_kilobytes=max(0, info.lifetime_kilobytes - newest.bytes_used // 1024),
        remaining_seconds=max(0, int(info.lifetime_seconds - (node.now - newest.installed_at))),
    )


def ikev2_session_views(node: CryptoState) -> list[IkeSessionView]:
    """`show crypto ikev2 session`: per peer, its IKE SAs and the child SAs they carry."""
    by_peer: dict[str, list[IkeSaView]] = {}
    for view in ike_sa_views(node):
        by_peer.setdefault(str(view.remote), []).append(view)
    sessions = []
    for number, (peer, ike_views) in enumerate(sorted(by_peer.items()), start=1):
        ids = {view.tunnel_id for view in ike_views}
        children = tuple(
            ChildSaView(
                local_selector=child.info.local_ts[0],
                remote_selector=child.info.remote_ts[0],
                spi_in=child.spi_in,
                spi_out=child.spi_out,
                encryption=child.info.encr,
                key_bits=child.info.encr_key_bits,
                integrity=None if child.info.integ == IntegId.NONE else child.info.integ,
                mode=child.info.mode,
            )
            for child in node.sad.children.values()
            if child.info.ike_sa_id in ids and child.info.local_ts and child.info.remote_ts
        )
        del peer
        sessions.append(IkeSessionView(number, tuple(ike_views), children))
    return sessions


def ike_sa_counts(node: CryptoState) -> tuple[int, int, int, int]:
    """(active in, active out, negotiating in, negotiating out) for `show crypto ikev2 stats`."""
    counts = [0, 0, 0, 0]
    for sa in node.engine.ike_sas:
        if sa.closed:
            continue
        negotiating = sa.established_at is None
        counts[(2 if negotiating else 0) + (1 if sa.initiator else 0)] += 1
    return counts[0], counts[1], counts[2], counts[3]
