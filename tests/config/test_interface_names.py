"""Interface names as real configurations write them (issue 13): with a space (`interface
GigabitEthernet 0/0`, `tunnel source serial 2/0`), abbreviated (`eth 0/0`, `e0/0`, `Gig0/0/0`,
`Tu1`, `lo0`), and several at once with `interface range`; a running-config lists each."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.writer import render


def _diagnostics(text: str) -> list[str]:
    return [d.format() for d in load(text, "r.cfg").diagnostics if d.is_error]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("interface GigabitEthernet 0/0", "GigabitEthernet0/0"),
        ("int gi0/0", "GigabitEthernet0/0"),
        ("interface Gig0/0/0", "GigabitEthernet0/0/0"),
        ("interface eth 0/0", "Ethernet0/0"),
        ("interface e0/0", "Ethernet0/0"),
        ("interface Tu1", "Tunnel1"),
        ("int tun 1", "Tunnel1"),
        ("interface lo0", "Loopback0"),
        ("interface VirtualPortGroup0", "VirtualPortGroup0"),
    ],
)
def test_interface_names_are_normalised_as_ios_prints_them(typed: str, name: str) -> None:
    result = load(f"{typed}\n ip address 10.0.0.1 255.255.255.0\n")
    assert result.ok, _diagnostics(f"{typed}\n")
    assert list(result.config.interfaces) == [name]
    assert f"interface {name}\n ip address 10.0.0.1 255.255.255.0\n" in render(result.config)


@pytest.mark.parametrize(
    ("typed", "source"),
    [
        ("serial 2/0", "Serial2/0"),
        ("eth 0/0", "Ethernet0/0"),
        ("e0/0", "Ethernet0/0"),
        ("GigabitEthernet 0/0.100", "GigabitEthernet0/0.100"),
        ("gi0/1", "GigabitEthernet0/1"),
        ("lo0", "Loopback0"),
    ],
)
def test_tunnel_source_takes_a_spaced_or_abbreviated_name(typed: str, source: str) -> None:
    cfg = load(f"interface Tunnel0\n tunnel source {typed}\n").config
    assert cfg.interfaces["Tunnel0"].tunnel_source == source


def test_a_number_alone_is_not_an_interface() -> None:
    errors = _diagnostics("interface Tunnel0\n tunnel source serial\n")
    assert errors and "% Incomplete command." in errors[0]


RANGE = """\
interface Tunnel1
 tunnel destination 10.0.0.1
interface Tunnel2
 tunnel destination 10.0.0.2
interface range Tunnel1 - 2, Loopback0
 ip mtu 1400
 description shared
"""


def test_interface_range_configures_each_interface_and_the_running_config_lists_each() -> None:
    result = load(RANGE)
    assert result.ok
    interfaces = result.config.interfaces
    assert [interfaces[n].ip_mtu for n in ("Tunnel1", "Tunnel2", "Loopback0")] == [1400] * 3
    assert interfaces["Tunnel2"].tunnel_destination == "10.0.0.2"  # its own settings stay
    shown = render(result.config)
    assert "interface range" not in shown
    for name in ("Loopback0", "Tunnel1", "Tunnel2"):
        assert f"interface {name}\n description shared\n" in shown


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("int range tun 0-1", ["Tunnel0", "Tunnel1"]),
        ("int range tun 1", ["Tunnel1"]),
        ("interface range GigabitEthernet0/1 - 3", [f"GigabitEthernet0/{n}" for n in (1, 2, 3)]),
        (
            "interface range gi 0/1 -2 , lo 5",
            ["GigabitEthernet0/1", "GigabitEthernet0/2", "Loopback5"],
        ),
    ],
)
def test_interface_range_forms(typed: str, names: list[str]) -> None:
    cfg = load(f"{typed}\n shutdown\n").config
    assert sorted(cfg.interfaces) == sorted(names)
    assert all(cfg.interfaces[n].shutdown for n in names)


def test_tunnel_commands_in_a_range_need_every_member_to_be_a_tunnel() -> None:
    errors = _diagnostics("interface range Tunnel1, Loopback0\n tunnel destination 10.0.0.1\n")
    assert errors and errors[0].endswith("% Invalid input detected at '^' marker.")


@pytest.mark.parametrize(
    ("typed", "marked"),
    [("interface range foo 1", "foo"), ("interface range tun 3-1", "3-1")],
)
def test_a_bad_range_is_marked_where_ios_marks_it(typed: str, marked: str) -> None:
    error = _diagnostics(f"{typed}\n")[0]
    echo, caret = error.splitlines()[:2]
    assert echo.index(marked) == caret.index("^")


def test_virtual_template_type_tunnel_is_kept_as_typed() -> None:
    text = (
        "interface Loopback0\n ip address 10.9.9.9 255.255.255.255\n"
        "interface virtual-template 1 type tunnel\n ip unnumbered Loopback0\n"
        " tunnel source lo0\n tunnel mode ipsec ipv4\n"
    )
    result = load(text)
    assert result.ok
    assert "interface Virtual-Template1 type tunnel\n" in render(result.config)
    assert result.config.interfaces["Virtual-Template1"].tunnel_source == "Loopback0"
    refused = _diagnostics("interface Loopback1 type tunnel\n")
    assert refused and "% Invalid input detected at '^' marker." in refused[0]


def test_a_route_through_a_spaced_interface_name() -> None:
    result = load(
        "interface Tunnel1\n"
        "ip route 192.168.0.0 255.255.0.0 tunnel 1\n"
        "ip route 10.0.0.0 255.0.0.0 Tu1 172.16.0.2\n"
        "ipv6 route 2001:db8::/32 tunnel 1\n"
    )
    assert result.ok
    assert [r.interface for r in result.config.routes] == ["Tunnel1"] * 3
    assert "ip route 192.168.0.0 255.255.0.0 Tunnel1\n" in render(result.config)


def test_match_address_local_interface_takes_a_spaced_name() -> None:
    cfg = load(
        "crypto ikev2 profile P\n match address local interface GigabitEthernet 0/1\n"
    ).config
    assert cfg.profiles["P"].match_local_interfaces == ("GigabitEthernet0/1",)
