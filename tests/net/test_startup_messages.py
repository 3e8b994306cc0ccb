"""`pyike run` on real configurations (issue 13): at start-up it names each tunnel that will
not come up (IKEv1, a tunnel source the configuration lacks, DMVPN), and the overlay tunnel modes
bind as the family they carry inside (IPv6 over IPv4 and the reverse)."""

from __future__ import annotations

import ipaddress

import pytest

from pyike.config import load, load_file
from pyike.net.binding import BindingError, bind_interfaces
from pyike.net.runtime import not_negotiated_lines
from tests.support.gateway_inputs import host_interface
from tests.support.paths import EXAMPLES, REALCONFIGS, SEED_CONFIGS

SITE_B = REALCONFIGS / "gre-ipsec" / "jc-gre-ikev2-ikev1-site-b.cfg"


def test_start_up_names_the_ikev1_tunnel_and_not_the_ikev2_one() -> None:
    lines = not_negotiated_lines(load_file(SITE_B).config)
    assert lines == [
        "%PYIKE-4-NOT_NEGOTIATED: Tunnel101 uses IKEv1 (no set ikev2-profile in IPsec profile "
        "IPV4): pyike does not negotiate IKEv1, so it will not come up"
    ]


def test_start_up_names_the_interface_a_tunnel_needs() -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    port = "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    assert port in text
    lines = not_negotiated_lines(load(text.replace(port, "")).config)
    assert lines == [
        "%PYIKE-4-NOT_NEGOTIATED: Tunnel0 needs interface Ethernet0/0 (its tunnel source), "
        "which the configuration does not have: add 'interface Ethernet0/0' with its IP address"
    ]
    assert not_negotiated_lines(load(text).config) == []


def test_start_up_names_a_dmvpn_tunnel_which_the_gateway_does_not_run() -> None:
    hub = (EXAMPLES / "dmvpn-phase3" / "hub.cfg").read_text()
    assert not_negotiated_lines(load(hub).config) == [
        "%PYIKE-4-NOT_NEGOTIATED: Tunnel0 is a multipoint GRE (DMVPN) tunnel: pyike run has no "
        "NHRP (the lab has), so it will not come up here"
    ]


OVERLAY = """\
hostname R1
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
crypto ikev2 profile default
 match identity remote address 0.0.0.0
 authentication local pre-share key k
 authentication remote pre-share key k
interface Tunnel0
 ipv6 address 2001:db8:99::1/64
 tunnel source Ethernet0/0
 tunnel destination 10.0.0.2
 tunnel mode ipsec ipv4 v6-overlay
 tunnel protection ipsec profile default
ipv6 route 2001:db8:2::/64 Tunnel0
"""


def test_an_ipv6_over_ipv4_tunnel_binds_as_an_ipv6_device() -> None:
    config = load(OVERLAY).raise_for_errors()
    binding = bind_interfaces(config, [host_interface("eth1", 2, "10.0.0.1/24")])
    (tunnel,) = binding.tunnels
    assert tunnel.version == 6
    assert tunnel.addresses == (ipaddress.IPv6Interface("2001:db8:99::1/64"),)
    assert tunnel.mtu == 1400  # the outer header is IPv4
    assert [str(r.prefix) for r in binding.routes] == ["2001:db8:2::/64"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (" ipv6 address 2001:db8:99::1/64\n", " ip address 10.9.9.1 255.255.255.0\n", "IPv6 only"),
        (" tunnel destination 10.0.0.2\n", " tunnel destination 2001:db8::2\n", "over IPv4"),
    ],
)
def test_an_overlay_tunnel_still_refuses_the_wrong_family(old: str, new: str, problem: str) -> None:
    config = load(OVERLAY.replace(old, new)).raise_for_errors()
    with pytest.raises(BindingError, match=problem):
        bind_interfaces(config, [host_interface("eth1", 2, "10.0.0.1/24")])
