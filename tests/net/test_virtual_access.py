"""The gateway's dynamic VTIs without root (pyike.net.virtual_access): a FlexVPN hub and a
spoke as two Gateways in memory; what the hub asks the host for (a TUN device per
Virtual-Access, routes with their metric) recorded instead of done, and the show commands."""

from __future__ import annotations

from ipaddress import ip_interface, ip_network

from pyike.config import load
from pyike.ike.events import Endpoint
from pyike.net.binding import KernelRoute
from pyike.net.tunnel_interfaces import register_interface_commands
from pyike.node.exec.filters import run_line
from pyike.node.exec.parser import CommandTree
from pyike.node.ip import PROTO_ICMP, IPv4Packet
from tests.support.clone_devices import RecordedDevices, hub_and_spoke_up
from tests.support.flexvpn import POOL_FIRST, hub_and_spokes, hub_text, spoke_lan, spoke_text
from tests.support.memory_gateways import GatewayPair

SA_NAME = "Virtual-Template1 clone for 100.64.0.2"


def _hub_and_spoke() -> tuple[GatewayPair, RecordedDevices]:
    return hub_and_spoke_up(*hub_and_spokes(1))


def _exec(pair: GatewayPair, line: str) -> str:
    tree = CommandTree()
    register_interface_commands(tree, pair.a)
    return run_line(tree, line, "Hub#").text


def test_a_spoke_gets_a_device_and_routes_with_their_distance() -> None:
    pair, devices = _hub_and_spoke()
    device = devices.devices[SA_NAME]
    assert device.device == "va1" and device.interface == "Virtual-Access1"
    assert device.addresses == (ip_interface("172.19.0.1/32"),)  # ip unnumbered Loopback0
    assert devices.routes == {
        KernelRoute(ip_network(f"{POOL_FIRST}/32"), "va1", 2),  # the lent address
        KernelRoute(ip_network(f"{spoke_lan(1)}/24", strict=False), "va1", 2),  # its route set
    }
    assert pair.a.interface_of(SA_NAME) == "Virtual-Access1"


def test_traffic_from_the_spoke_comes_out_of_the_clones_device() -> None:
    pair, _ = _hub_and_spoke()
    packet = IPv4Packet(0x0A010101, 0x0A000001, PROTO_ICMP, bytes(16)).to_bytes()
    pair.b.tunnel_packets("Tunnel0", [packet])
    pair.pump()
    assert pair.wires["hub"].tunnel_writes == [(SA_NAME, packet)]


def test_the_device_and_routes_go_with_the_ike_sa() -> None:
    pair, devices = _hub_and_spoke()
    pair.b.clear(Endpoint(pair.b.specs["Tunnel0"].remote.address))
    pair.pump()
    assert devices.devices == {} and devices.routes == set()
    assert pair.a.clones.clones == {} and SA_NAME not in pair.a.specs
    assert "Virtual-Access1" not in _exec(pair, "show ip interface brief")


def test_the_clone_is_logged_down_before_its_device_goes() -> None:
    """Whoever sees the device gone (a test, a script polling `ip link`) finds the lines."""
    pair, devices = _hub_and_spoke()
    logged: list[str] = []
    seen_at_removal: list[list[str]] = []

    class Watched(RecordedDevices):
        def remove(self, sa_name: str) -> None:
            seen_at_removal.append(list(logged))
            super().remove(sa_name)

    watched = Watched()
    watched.devices = devices.devices
    pair.a.clones.devices, pair.a.clones.log = watched, logged.append
    pair.b.clear(Endpoint(pair.b.specs["Tunnel0"].remote.address))
    pair.pump()
    assert seen_at_removal == [
        [
            "%LINK-3-UPDOWN: Interface Virtual-Access1, changed state to down",
            "%LINEPROTO-5-UPDOWN: Line protocol on Interface Virtual-Access1, changed state to down",
        ]
    ]


def test_show_commands_name_the_clone() -> None:
    pair, _ = _hub_and_spoke()
    brief = _exec(pair, "show ip interface brief").splitlines()
    assert brief[0].startswith("Interface                  IP-Address      OK? Method Status")
    assert "Virtual-Access1            172.19.0.1      YES unset  up                    up" in brief
    assert (
        "Virtual-Template1          172.19.0.1      YES unset  up                    down" in brief
    )
    shown = _exec(pair, "show interfaces virtual-access 1")
    assert shown.startswith("Virtual-Access1 is up, line protocol is up \n  Hardware is Tunnel\n")
    assert "  Interface is unnumbered. Using address of Loopback0 (172.19.0.1)" in shown
    assert "  Tunnel source 100.64.0.1, destination 100.64.0.2" in shown
    derived = _exec(pair, "show derived-config interface Virtual-Access1")
    assert "interface Virtual-Access1\n ip unnumbered Loopback0\n" in derived
    assert " tunnel destination 100.64.0.2\n" in derived
    assert "Invalid input" in _exec(pair, "show interfaces virtual-access 2")
    described = _exec(pair, "show interfaces description").splitlines()
    assert described[0] == "Interface                      Status         Protocol Description"
    assert "Vi1                            up             up       " in described
    assert "Vt1                            up             down     " in described


def test_with_frr_an_unnumbered_clone_holds_the_borrowed_subnet() -> None:
    """FRR takes a routing neighbor only from a subnet of the interface: with routing
    protocols running (`pyike run --frr`), the clone holds Loopback0's address with its prefix."""
    texts = [hub_text(1).replace("172.19.0.1 255.255.255.255", "172.19.0.1 255.255.255.0")]
    hub, spoke = [load(text).config for text in [*texts, spoke_text(1)]]
    pair = GatewayPair(hub, spoke, names=("hub", "spoke"))
    devices = RecordedDevices()
    pair.a.clones.devices = devices
    pair.a.clones.routed = True
    pair.b.start_all()
    pair.pump()
    assert devices.devices[SA_NAME].addresses == (ip_interface("172.19.0.1/24"),)
