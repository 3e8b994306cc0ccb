"""`pyike run` has no VRFs (this kernel has no VRF devices; everything would be routed in the
main table): a configuration whose IPsec is VRF-aware is refused at start-up, naming the VRF
lines; a VRF that touches no IPsec (a management VRF) is the host's business."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.net.binding import BindingError, HostInterface, bind_interfaces
from tests.support.paths import EXAMPLES

MANAGEMENT_VRF = """hostname G
vrf definition Mgmt-intf
 address-family ipv4
 exit-address-family
interface GigabitEthernet0/9
 vrf forwarding Mgmt-intf
 ip address 192.0.2.9 255.255.255.0
ip route vrf Mgmt-intf 0.0.0.0 0.0.0.0 192.0.2.1
"""


def test_front_door_and_inside_vrfs_are_refused_naming_their_lines() -> None:
    text = (EXAMPLES / "front-door-vrf" / "site-a.cfg").read_text()
    cfg = load(text, "site-a.cfg").raise_for_errors()
    with pytest.raises(BindingError) as refused:
        bind_interfaces(cfg, [])
    message = str(refused.value)
    assert message.startswith("VRF-aware IPsec is not supported by pyike run")
    for line in (
        "interface Tunnel0 'vrf forwarding CUSTOMER'",
        "interface Tunnel0 'tunnel vrf INTERNET'",
        "interface GigabitEthernet0/0 'vrf forwarding INTERNET'",
        "'ip route vrf CUSTOMER 10.2.2.0/24' into a tunnel",
    ):
        assert line in message


def test_a_management_vrf_alone_is_let_through() -> None:
    cfg = load(MANAGEMENT_VRF, "g.cfg").raise_for_errors()
    host = [HostInterface("eth9", 2)]
    assert bind_interfaces(cfg, host).tunnels == ()
