"""`pyike run` gives an `ip address dhcp` interface the IPv4 address of the host device it is
bound to, says so as IOS does (%DHCP-6-ADDRESS_ASSIGN), and says why when it cannot."""

from __future__ import annotations

import ipaddress

from pyike.config import load
from pyike.net.binding import HostInterface
from pyike.net.dhcp_lease import leases_changed, with_leases

CONFIG = load(
    "hostname Branch\ninterface GigabitEthernet0/0\n ip address dhcp\n"
    "interface GigabitEthernet0/1\n ip address 10.1.1.1 255.255.255.0\n"
).config


def _device(name: str, *addresses: str) -> HostInterface:
    return HostInterface(name, 2, tuple(ipaddress.ip_interface(a) for a in addresses))


def test_the_bound_device_s_ipv4_address_is_the_lease() -> None:
    host = [_device("eth0", "2001:db8::5/64", "203.0.113.5/24"), _device("eth1", "10.1.1.1/24")]
    config, lines = with_leases(CONFIG, host, {"GigabitEthernet0/0": "eth0"})
    wan = config.interfaces["GigabitEthernet0/0"]
    assert [(str(a), str(m)) for a, m in wan.addresses] == [("203.0.113.5", "255.255.255.0")]
    assert wan.address_dhcp == ""  # still a lease: the running config shows the command
    assert config.interfaces["GigabitEthernet0/1"] == CONFIG.interfaces["GigabitEthernet0/1"]
    assert lines == [
        "%DHCP-6-ADDRESS_ASSIGN: Interface GigabitEthernet0/0 assigned DHCP address"
        " 203.0.113.5, mask 255.255.255.0, hostname Branch"
    ]
    # a reload with the same lease says nothing; a new lease is announced
    assert with_leases(CONFIG, host, {"GigabitEthernet0/0": "eth0"}, config)[1] == []
    renewed = [_device("eth0", "203.0.113.77/25")]
    _, lines = with_leases(CONFIG, renewed, {"GigabitEthernet0/0": "eth0"}, config)
    assert lines == [
        "%DHCP-6-ADDRESS_ASSIGN: Interface GigabitEthernet0/0 assigned DHCP address"
        " 203.0.113.77, mask 255.255.255.128, hostname Branch"
    ]


def test_no_bind_or_no_lease_leaves_the_interface_unassigned_and_says_why() -> None:
    config, lines = with_leases(CONFIG, [_device("eth0", "203.0.113.5/24")], {})
    assert config.interfaces["GigabitEthernet0/0"].addresses == ()
    assert lines == [
        "%PYIKE-4-NO_ADDRESS: GigabitEthernet0/0 has 'ip address dhcp' and no host device:"
        " bind it (--bind GigabitEthernet0/0=DEVICE) to take the address the host's DHCP"
        " client leased"
    ]
    config, lines = with_leases(
        CONFIG, [_device("eth0", "fe80::1/64")], {"GigabitEthernet0/0": "eth0"}
    )
    assert config.interfaces["GigabitEthernet0/0"].addresses == ()
    assert lines == [
        "%PYIKE-4-NO_ADDRESS: GigabitEthernet0/0 has 'ip address dhcp' and eth0 has no IPv4"
        " address (no lease yet): unassigned until it has one"
    ]


def test_a_changed_or_lost_lease_is_a_change() -> None:
    binds = {"GigabitEthernet0/0": "eth0"}
    leased, _ = with_leases(CONFIG, [_device("eth0", "203.0.113.5/24")], binds)
    assert not leases_changed(leased, [_device("eth0", "203.0.113.5/24")], binds)
    assert leases_changed(leased, [_device("eth0", "203.0.113.9/24")], binds)
    assert leases_changed(leased, [_device("eth0")], binds)  # released: unassigned
    assert not leases_changed(CONFIG, [_device("eth1", "10.1.1.1/24")], {})  # nothing bound
