"""A tunnel whose destination is routed into the tunnel itself cannot stay up on IOS
(`%TUN-5-RECURDOWN`): `config check` says so at the route, and the tunnel is named."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.diagnostics import Severity
from tests.support.paths import DATA, SEED_CONFIGS

SEED = (SEED_CONFIGS / "router1.cfg").read_text()


def _recursion(text: str) -> list[tuple[int | None, str | None]]:
    result = load(text, "r1.cfg")
    return [
        (d.line, d.blocks)
        for d in result.diagnostics
        if d.severity is Severity.WARNING and "recursive routing" in d.message
    ]


def test_the_published_pair_that_routes_its_peer_loopback_into_the_tunnel() -> None:
    path = DATA / "realconfigs/vti-psk/perv-r9-c1-ios-xe-17.3-vti-ikev2.cfg"
    (finding,) = [
        d for d in load(path.read_text(), path.name).diagnostics if "recursive" in d.message
    ]
    assert (finding.line, finding.blocks) == (269, "Tunnel0")
    assert "%TUN-5-RECURDOWN" in finding.message


@pytest.mark.parametrize(
    "route",
    ["ip route 10.0.0.2 255.255.255.255 Tunnel0", "ip route 10.0.0.0 255.255.255.128 Tunnel0"],
)
def test_a_route_into_the_tunnel_more_specific_than_the_connected_subnet(route: str) -> None:
    lines = _recursion(SEED + route + "\n")
    assert [blocks for _line, blocks in lines] == ["Tunnel0"]


def test_the_route_through_the_tunnel_address_counts_too() -> None:
    assert _recursion(SEED + "ip route 10.0.0.2 255.255.255.255 172.16.0.2\n") == [
        (len(SEED.splitlines()) + 1, "Tunnel0")
    ]


@pytest.mark.parametrize(
    "route",
    [
        "ip route 0.0.0.0 0.0.0.0 Tunnel0",  # the connected /24 is more specific
        "ip route 10.0.0.2 255.255.255.255 10.0.0.254",  # through the underlay
        "ip route 192.168.2.0 255.255.255.0 Tunnel0",  # the LAN, not the destination
        "ip route 10.0.0.0 255.255.255.0 Tunnel0",  # as specific as the connected subnet
    ],
)
def test_routes_that_leave_the_destination_outside_the_tunnel(route: str) -> None:
    assert _recursion(SEED + route + "\n") == []
