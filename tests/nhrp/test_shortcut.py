"""Phase 3: the hub redirects (Traffic Indication), the spoke resolves the destination and
installs a shortcut; shortcuts expire unless used, and are purged by their owner."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from pyike.nhrp.actions import Route
from pyike.nhrp.codec import PacketType, decode
from pyike.show.dmvpn import DmvpnInterface, show_dmvpn
from tests.nhrp.dmvpn import Dmvpn, phase3

SPOKE2_NBMA, SPOKE3_NBMA = ip_address("198.51.100.2"), ip_address("203.0.113.3")
LAN3 = "192.168.3.0/24"


def _sent(dmvpn: Dmvpn, kind: PacketType) -> list[tuple[str, str]]:
    return [(s[0], s[1]) for s in dmvpn.nhrp_sent if decode(s[2]).type is kind]


def _shortcut(dmvpn: Dmvpn) -> None:
    dmvpn.start()
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Hub", "Spoke3"]


def test_the_hub_redirects_and_the_spoke_installs_an_nhrp_route() -> None:
    dmvpn = phase3()
    _shortcut(dmvpn)
    assert _sent(dmvpn, PacketType.TRAFFIC_INDICATION) == [("Hub", "Spoke2")]
    (indication,) = [
        decode(s[2]) for s in dmvpn.nhrp_sent if decode(s[2]).type is PacketType.TRAFFIC_INDICATION
    ]
    assert indication.dst_protocol == ip_address("192.168.2.10")  # about the packet's source
    assert _sent(dmvpn, PacketType.RESOLUTION_REQUEST) == [("Spoke2", "Hub"), ("Hub", "Spoke3")]
    request = decode(dmvpn.nhrp_sent[-3][2])
    assert request.dst_protocol == ip_address("192.168.3.10")
    assert _sent(dmvpn, PacketType.RESOLUTION_REPLY) == [("Spoke3", "Spoke2")]
    spoke2 = dmvpn["Spoke2"]
    assert spoke2.table.nhrp_routes() == {
        "10.0.0.3/32": "H via 10.0.0.3",
        LAN3: "H via 10.0.0.3",
    }
    shortcut = spoke2.engine.cache.get(ip_network(LAN3))
    assert shortcut is not None and shortcut.nbma == SPOKE3_NBMA
    assert shortcut.flag_names() == ["router", "rib"]
    assert dmvpn.send_data("Spoke2", "192.168.2.11", "192.168.3.99") == ["Spoke2", "Spoke3"]


def test_redirects_are_rate_limited_per_source_and_destination() -> None:
    dmvpn = phase3(shortcut=False)  # the spoke ignores them: traffic keeps crossing the hub
    dmvpn.start()
    for _ in range(3):
        path = dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
        assert path == ["Spoke2", "Hub", "Spoke3"]
    assert _sent(dmvpn, PacketType.TRAFFIC_INDICATION) == [("Hub", "Spoke2")]
    assert dmvpn["Hub"].engine.counters.redirects_suppressed == 2
    dmvpn.run_until(dmvpn.now + 2)  # `ip nhrp redirect` timeout
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    assert len(_sent(dmvpn, PacketType.TRAFFIC_INDICATION)) == 2
    assert _sent(dmvpn, PacketType.RESOLUTION_REQUEST) == []
    assert dmvpn["Spoke2"].table.nhrp_routes() == {}


def test_without_redirect_on_the_hub_nothing_is_indicated() -> None:
    dmvpn = phase3(hub={"redirect": False})
    dmvpn.start()
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    assert _sent(dmvpn, PacketType.TRAFFIC_INDICATION) == []
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Hub", "Spoke3"]


def test_a_route_for_the_same_prefix_gets_a_next_hop_override() -> None:
    dmvpn = phase3()
    via_hub = Route(ip_network(LAN3), ip_address("10.0.0.1"), True)
    dmvpn["Spoke2"].table.routes.append(via_hub)
    _shortcut(dmvpn)
    spoke2 = dmvpn["Spoke2"]
    assert spoke2.table.nhrp_routes() == {"10.0.0.3/32": "H via 10.0.0.3", LAN3: "% via 10.0.0.3"}
    shortcut = spoke2.engine.cache.get(ip_network(LAN3))
    assert shortcut is not None and shortcut.flag_names() == ["router", "nho"]
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Spoke3"]
    rows = show_dmvpn([DmvpnInterface.of(spoke2.engine, dmvpn.now)], dmvpn.now)
    assert "                              10.0.0.3    UP 00:00:00   DT2" in rows


def test_unused_shortcuts_expire_with_their_hold_time_and_release_the_sa() -> None:
    dmvpn = phase3(hub={"protected": True}, protected=True, holdtime=600)
    _shortcut(dmvpn)
    spoke2 = dmvpn["Spoke2"]
    assert SPOKE3_NBMA in spoke2.sas
    dmvpn.run_until(599)
    assert LAN3 in spoke2.table.nhrp_routes()
    dmvpn.run_until(600)
    assert spoke2.table.nhrp_routes() == {}
    assert spoke2.engine.cache.get(ip_network(LAN3)) is None
    assert ("down", SPOKE3_NBMA) in spoke2.sa_history and SPOKE3_NBMA not in spoke2.sas
    assert SPOKE2_NBMA not in dmvpn["Spoke3"].sas
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Hub", "Spoke3"]


def test_a_shortcut_in_use_is_refreshed_before_it_expires() -> None:
    dmvpn = phase3(holdtime=600)
    _shortcut(dmvpn)
    for until in range(60, 1800, 60):
        dmvpn.run_until(until)
        assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Spoke3"]
    assert LAN3 in dmvpn["Spoke2"].table.nhrp_routes()
    requests = [
        (when, str(decode(packet).dst_protocol))
        for sender, _, packet, when in dmvpn.nhrp_sent
        if sender == "Spoke2" and decode(packet).type is PacketType.RESOLUTION_REQUEST
    ]
    # two minutes before each expiry, the shortcut's prefix is resolved again
    assert requests == [
        (0, "192.168.3.10"),
        (480, "192.168.3.0"),
        (960, "192.168.3.0"),
        (1440, "192.168.3.0"),
    ]


def test_clearing_the_owner_purges_the_shortcut_at_the_requester() -> None:
    dmvpn = phase3()
    _shortcut(dmvpn)
    spoke3 = dmvpn["Spoke3"]
    dmvpn.apply(spoke3, spoke3.engine.clear(dmvpn.now))
    dmvpn.deliver()
    assert _sent(dmvpn, PacketType.PURGE_REQUEST) == [("Spoke3", "Spoke2")]
    assert _sent(dmvpn, PacketType.PURGE_REPLY) == [("Spoke2", "Spoke3")]
    assert dmvpn["Spoke2"].table.nhrp_routes() == {"10.0.0.3/32": "H via 10.0.0.3"}
    assert dmvpn["Spoke2"].engine.cache.get(ip_network(LAN3)) is None
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")[1] == "Hub"


def test_traffic_back_builds_the_reverse_shortcut() -> None:
    dmvpn = phase3()
    _shortcut(dmvpn)
    assert dmvpn.send_data("Spoke3", "192.168.3.10", "192.168.2.10") == ["Spoke3", "Hub", "Spoke2"]
    assert dmvpn.send_data("Spoke3", "192.168.3.10", "192.168.2.10") == ["Spoke3", "Spoke2"]
    assert "192.168.2.0/24" in dmvpn["Spoke3"].table.nhrp_routes()


def test_debug_shows_the_traffic_indication_going_out() -> None:
    dmvpn = phase3()
    _shortcut(dmvpn)
    assert any(
        line.startswith("NHRP: Send Traffic Indication via Tunnel0 vrf: global(0x0)")
        for line in dmvpn["Hub"].debug
    )
    assert any(
        line.startswith("NHRP: Receive Traffic Indication via Tunnel0")
        for line in dmvpn["Spoke2"].debug
    )
