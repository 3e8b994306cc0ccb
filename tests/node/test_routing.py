"""The routing table: connected and local routes, statics, distance, recursion, LPM."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from pyike.config import load
from pyike.node.router import Router
from pyike.node.routing import Rib, RouteCode
from pyike.sim.clock import VirtualClock


def router(text: str) -> Router:
    result = load("hostname R\n" + text)
    assert result.ok, result.diagnostics
    return Router(result.config, VirtualClock())


BASE = """interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
interface Ethernet0/1
 ip address 10.0.1.1 255.255.255.0
"""


def lookup(r: Router, address: str) -> tuple[str, str, str | None]:
    entry = r.table.lookup(int(IPv4Address(address)))
    assert entry is not None
    path = entry.paths[0]
    gateway = None if path.gateway is None else str(IPv4Address(path.gateway))
    return str(entry.prefix), path.interface, gateway


def test_connected_and_local_routes() -> None:
    r = router(BASE)
    codes = {(str(e.prefix), e.code) for e in r.table}
    assert codes == {
        ("10.0.0.0/24", RouteCode.CONNECTED),
        ("10.0.0.1/32", RouteCode.LOCAL),
        ("10.0.1.0/24", RouteCode.CONNECTED),
        ("10.0.1.1/32", RouteCode.LOCAL),
    }
    assert r.table.lookup(int(IPv4Address("192.0.2.1"))) is None


def test_longest_prefix_wins() -> None:
    r = router(
        BASE
        + "ip route 172.16.0.0 255.255.0.0 10.0.0.2\n"
        + "ip route 172.16.5.0 255.255.255.0 10.0.1.2\n"
    )
    assert lookup(r, "172.16.5.9") == ("172.16.5.0/24", "Ethernet0/1", "10.0.1.2")
    assert lookup(r, "172.16.6.9") == ("172.16.0.0/16", "Ethernet0/0", "10.0.0.2")


def test_connected_beats_static_for_the_same_prefix() -> None:
    r = router(BASE + "ip route 10.0.1.0 255.255.255.0 10.0.0.2\n")
    entry = r.table.exact(IPv4Network("10.0.1.0/24"))
    assert entry is not None and entry.code is RouteCode.CONNECTED


def test_lowest_distance_static_wins_and_floating_static_takes_over() -> None:
    r = router(
        BASE
        + "ip route 192.0.2.0 255.255.255.0 10.0.1.2 200\n"
        + "ip route 192.0.2.0 255.255.255.0 10.0.0.2\n"
    )
    entry = r.table.exact(IPv4Network("192.0.2.0/24"))
    assert entry is not None and entry.distance == 1
    assert lookup(r, "192.0.2.1")[1] == "Ethernet0/0"
    r.set_shutdown("Ethernet0/0", True)
    entry = r.table.exact(IPv4Network("192.0.2.0/24"))
    assert entry is not None and entry.distance == 200
    assert lookup(r, "192.0.2.1") == ("192.0.2.0/24", "Ethernet0/1", "10.0.1.2")


def test_equal_distance_statics_share_the_load() -> None:
    r = router(
        BASE
        + "ip route 192.0.2.0 255.255.255.0 10.0.0.2\n"
        + "ip route 192.0.2.0 255.255.255.0 10.0.1.2\n"
    )
    entry = r.table.exact(IPv4Network("192.0.2.0/24"))
    assert entry is not None and len(entry.paths) == 2
    chosen = {entry.path_for(0, d).interface for d in range(4)}
    assert chosen == {"Ethernet0/0", "Ethernet0/1"}


def test_recursive_static_resolves_through_another_static() -> None:
    r = router(
        BASE
        + "ip route 198.51.100.0 255.255.255.0 10.0.0.2\n"
        + "ip route 203.0.113.0 255.255.255.0 198.51.100.1\n"
    )
    assert lookup(r, "203.0.113.7") == ("203.0.113.0/24", "Ethernet0/0", "10.0.0.2")


def test_unresolvable_and_self_resolving_statics_are_not_installed() -> None:
    r = router(
        BASE
        + "ip route 203.0.113.0 255.255.255.0 192.0.2.1\n"
        + "ip route 192.0.2.0 255.255.255.0 192.0.2.1\n"
    )
    assert r.table.exact(IPv4Network("203.0.113.0/24")) is None
    assert r.table.exact(IPv4Network("192.0.2.0/24")) is None


def test_static_to_an_interface_follows_its_state() -> None:
    r = router(BASE + "ip route 192.0.2.0 255.255.255.0 Ethernet0/1\n")
    assert lookup(r, "192.0.2.9") == ("192.0.2.0/24", "Ethernet0/1", None)
    r.set_carrier("Ethernet0/1", False)
    assert r.table.exact(IPv4Network("192.0.2.0/24")) is None
    assert r.interfaces["Ethernet0/1"].status == "down"


def test_static_with_interface_and_next_hop() -> None:
    r = router(BASE + "ip route 192.0.2.0 255.255.255.0 Ethernet0/1 10.0.1.9\n")
    assert lookup(r, "192.0.2.9") == ("192.0.2.0/24", "Ethernet0/1", "10.0.1.9")


def test_shutdown_interface_withdraws_its_routes() -> None:
    r = router(BASE + "interface Ethernet0/2\n ip address 10.0.2.1 255.255.255.0\n shutdown\n")
    assert r.table.exact(IPv4Network("10.0.2.0/24")) is None
    assert r.interfaces["Ethernet0/2"].status == "administratively down"
    r.set_shutdown("Ethernet0/2", False)
    assert r.table.exact(IPv4Network("10.0.2.0/24")) is not None


_CHANGING = """interface Ethernet0/2
 ip address 10.0.2.1 255.255.255.0
interface Ethernet0/3
 ip address 10.0.3.1 255.255.255.0
ip route 192.168.1.0 255.255.255.0 Ethernet0/2
ip route 192.168.1.0 255.255.255.0 10.0.3.2
ip route 192.168.2.0 255.255.255.0 10.0.2.2 5
ip route 192.168.2.0 255.255.255.0 10.0.3.2 5
ip route 172.16.0.0 255.255.0.0 192.168.1.9
ip route 0.0.0.0 0.0.0.0 Ethernet0/3 10.0.3.254
ip route 10.9.9.0 255.255.255.0 10.0.0.2 250
"""


def test_a_rib_changed_interface_by_interface_matches_one_built_from_scratch() -> None:
    """The incremental table (each interface coming and going) is the table IOS's rules
    build from the interfaces as they are: connected routes, statics that name their
    interface, statics by next hop resolved recursively, distances and equal-cost paths."""
    result = load("hostname R\n" + BASE + _CHANGING)
    config = result.config
    addresses = {
        name: [IPv4Interface(f"{a}/{m}") for a, m in iface.addresses]
        for name, iface in config.interfaces.items()
    }
    up = dict.fromkeys(addresses, True)

    def connected() -> list[tuple[str, IPv4Interface]]:
        return [(name, a) for name, held in addresses.items() if up[name] for a in held]

    rib = Rib(connected(), config.routes, lambda name: up.get(name, False))
    for step in ["Ethernet0/2", "Ethernet0/3", "Ethernet0/2", "Ethernet0/0", "Ethernet0/3",
                 "Ethernet0/0", "Ethernet0/1", "Ethernet0/1"]:  # fmt: skip
        up[step] = not up[step]
        rib.interface_changed(step, addresses[step])
        expected = Rib(connected(), config.routes, lambda name: up.get(name, False)).table
        assert list(rib.table) == list(expected), step
    assert list(rib.table) == list(Rib(connected(), config.routes, up.__getitem__).table)
