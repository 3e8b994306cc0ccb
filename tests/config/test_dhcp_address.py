"""`ip address dhcp`: an interface whose address a DHCP server leases. The configuration
keeps the command (with IOS's options) and no address; what replaces it, clears it."""

from __future__ import annotations

from pyike.config import load
from pyike.config.writer import render

DHCP = """hostname Branch
interface GigabitEthernet0/0
 ip address dhcp client-id GigabitEthernet0/0 hostname Branch
interface GigabitEthernet0/1
 ip address dhcp
interface GigabitEthernet0/2
 ip address dhcp
 ip address 10.0.2.1 255.255.255.0
interface GigabitEthernet0/3
 ip address 10.0.3.1 255.255.255.0
 ip address dhcp
 no ip address dhcp
"""


def test_the_command_is_modelled_with_its_options_and_no_address() -> None:
    result = load(DHCP)
    interfaces = result.config.interfaces
    assert not result.config.not_modelled
    assert interfaces["GigabitEthernet0/0"].address_dhcp == (
        "client-id GigabitEthernet0/0 hostname Branch"
    )
    assert (
        interfaces["GigabitEthernet0/1"].address_dhcp,
        interfaces["GigabitEthernet0/1"].addresses,
    ) == ("", ())
    # a static address replaces the lease; `no ip address dhcp` leaves no address
    assert interfaces["GigabitEthernet0/2"].address_dhcp is None
    assert [str(a) for a, _ in interfaces["GigabitEthernet0/2"].addresses] == ["10.0.2.1"]
    assert (
        interfaces["GigabitEthernet0/3"].address_dhcp,
        interfaces["GigabitEthernet0/3"].addresses,
    ) == (None, ())


def test_the_running_config_shows_the_command_not_the_lease() -> None:
    text = render(load(DHCP).config)
    assert " ip address dhcp client-id GigabitEthernet0/0 hostname Branch\n" in text
    block = text.split("interface GigabitEthernet0/1\n", 1)[1].split("!", 1)[0]
    assert block.splitlines()[0] == " ip address dhcp"
    again, first = load(text).config.interfaces, load(DHCP).config.interfaces
    assert {n: (i.address_dhcp, i.addresses) for n, i in again.items()} == {
        n: (i.address_dhcp, i.addresses) for n, i in first.items()
    }


def test_a_tunnel_sourced_from_a_dhcp_interface_is_explained() -> None:
    text = DHCP + (
        "interface Tunnel0\n ip address 172.16.0.1 255.255.255.252\n"
        " tunnel source GigabitEthernet0/1\n tunnel destination 198.51.100.1\n"
    )
    notes = [d.message for d in load(text).diagnostics if "tunnel source" in d.message]
    assert notes == [
        "interface Tunnel0: tunnel source GigabitEthernet0/1 has 'ip address dhcp': pyike run"
        " takes the address of the host device it is bound to (--bind"
        " GigabitEthernet0/1=DEVICE); pyike lab leases one from the provider it adds between the"
        " sites"
    ]


def test_an_unknown_option_is_refused_as_ios_refuses_it() -> None:
    result = load("interface GigabitEthernet0/1\n ip address dhcp garbage\n")
    errors = [d.format() for d in result.diagnostics if d.line == 2]
    assert errors == [
        "<config>:2: ip address dhcp garbage\n                            ^\n"
        "% Invalid input detected at '^' marker."
    ]
    assert result.config.interfaces["GigabitEthernet0/1"].address_dhcp is None
