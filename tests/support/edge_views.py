"""Views for cases the seed does not show: IPv6 peers, a child SA mid-rekey, several tunnels."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv6Address, IPv6Network

from pyike.codec.registry import DhId, EncrId, PrfId
from pyike.show.views import (
    EspSaStatus,
    FlowCounters,
    IkeSaState,
    IkeSaView,
    IpsecInterfaceView,
    NatState,
)
from tests.support import seed_views

V6_LOCAL = IPv6Address("2001:db8:1::1")
V6_REMOTE = IPv6Address("2001:db8:2::2")
V6_ANY = IPv6Network("::/0")


def ipv6_ike_sa() -> IkeSaView:
    return IkeSaView(
        tunnel_id=3,
        local=V6_LOCAL,
        remote=V6_REMOTE,
        state=IkeSaState.READY,
        encryption=EncrId.AES_GCM_16,
        key_bits=256,
        prf=PrfId.HMAC_SHA2_384,
        integrity=None,
        dh_group=DhId.ECP_256,
        lifetime=86400,
        active_time=5,
        local_spi=0x1,
        remote_spi=0xABCDEF0123456789,
        local_id="2001:DB8:1::1",
        remote_id="2001:DB8:2::2",
        initiator=False,
        fragmentation_mtu=1200,
        nat=NatState.OUTSIDE,
    )


def rekeying_interface() -> IpsecInterfaceView:
    """The seed's Router 1 during a child SA rekey with PFS group 2: the new SAs are
    installed, the old outbound SA is retired but not yet deleted."""
    base = seed_views.ipsec_interface(1)
    flow = base.flows[0]
    old_in, old_out = flow.inbound[0], flow.outbound[0]
    new_in = replace(old_in, spi=0x33333333, conn_id=20, remaining_seconds=3600)
    new_out = replace(old_out, spi=0x22222222, conn_id=19, remaining_seconds=3600)
    old_in = replace(old_in, spi=0x11111111)
    old_out = replace(old_out, spi=0x44444444, status=EspSaStatus.PENDING_DELETE)
    flow = replace(
        flow,
        plaintext_mtu=1438,
        pfs_group=DhId.MODP_1024,
        counters=FlowCounters(
            encaps=20, decaps=19, recv_errors=4, replay_failed_recv=3, verify_failed=1
        ),
        inbound=(old_in, new_in),
        outbound=(old_out, new_out),
    )
    return replace(base, flows=(flow,))


def second_tunnel() -> IpsecInterfaceView:
    base = seed_views.ipsec_interface(1)
    flow = replace(
        base.flows[0], peer=IPv4Address("10.0.1.2"), local_endpoint=IPv4Address("10.0.1.1")
    )
    return replace(base, interface="Tunnel1", crypto_map_tag="Tunnel1-head-0", flows=(flow,))
