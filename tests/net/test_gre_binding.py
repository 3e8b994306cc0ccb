"""`pyike run` binds a GRE tunnel as a TUN device carrying the inner packets (pyike adds the
GRE): without `ip mtu` its MTU leaves room for the GRE header, its key and, in tunnel mode,
the GRE packet's own IP header, inside the same ESP room a VTI has."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.net.binding import DEFAULT_TUNNEL_MTU, bind_interfaces
from tests.support.gateway_inputs import host_interface
from tests.support.paths import SEED_CONFIGS


@pytest.mark.parametrize(
    ("lines", "mtu"),
    [
        (" tunnel mode ipsec ipv4\n", DEFAULT_TUNNEL_MTU),
        (" tunnel mode gre ip\n", DEFAULT_TUNNEL_MTU - 24),
        (" tunnel mode gre ip\n tunnel key 5\n", DEFAULT_TUNNEL_MTU - 28),
        (" tunnel mode gre ip\n ip mtu 1300\n", 1300),
    ],
    ids=["vti", "gre", "gre-key", "ip-mtu"],
)
def test_a_gre_tunnel_device_leaves_room_for_gre(lines: str, mtu: int) -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text().replace(" tunnel mode ipsec ipv4\n", lines)
    binding = bind_interfaces(
        load(text).raise_for_errors(), [host_interface("e", 2, "10.0.0.1/24")]
    )
    (tunnel,) = binding.tunnels
    assert tunnel.mtu == mtu
