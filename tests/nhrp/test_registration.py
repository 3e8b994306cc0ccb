"""Spokes registering with their hubs: what goes on the wire (the sizes IOS sends), what the
hub learns, refresh and retries, authentication, uniqueness, NAT, expiry."""

from __future__ import annotations

import itertools
from ipaddress import IPv4Interface, IPv6Interface, ip_address, ip_network

import pytest

from pyike.nhrp.actions import Debug, NeedCryptoSa, ReleaseCryptoSa, SendNhrp
from pyike.nhrp.cache import EntryFlag, EntryType
from pyike.nhrp.codec import PacketType, decode
from pyike.nhrp.config import NhrpConfig, NhsServer
from pyike.nhrp.engine import NhrpEngine
from pyike.show.nhrp import show_ip_nhrp
from tests.nhrp.dmvpn import HUB_NBMA, Dmvpn, Router, RoutingTable, hub_config, phase3, spoke_config

SPOKE2_NBMA = ip_address("198.51.100.2")


def _sent(dmvpn: Dmvpn, kind: PacketType) -> list[tuple[str, str, bytes]]:
    return [s for s in dmvpn.nhrp_sent if decode(s[2]).type is kind]


def test_spokes_register_and_the_hub_learns_them_for_the_hold_time() -> None:
    dmvpn = phase3()
    dmvpn.start()
    hub = dmvpn["Hub"].engine
    entry = hub.cache.host(ip_address("10.0.0.2"))
    assert entry is not None
    assert (entry.nbma, entry.type) == (SPOKE2_NBMA, EntryType.DYNAMIC)
    assert entry.flag_names() == ["unique", "registered"]
    assert entry.expires == 7200  # the spoke's hold time, IOS's default
    assert [s.responding for s in dmvpn["Spoke2"].engine.nhs_status(0)] == [True]
    assert hub.multicast_nbmas() == [SPOKE2_NBMA, ip_address("203.0.113.3")]


def test_ios_sizes_registration_with_a_password_108_reply_128() -> None:
    """A public IOS-XE 16 `debug nhrp` capture (CSR1000v hub, 8-character `ip nhrp
    authentication`) shows "Receive Registration Request ... packet size: 108" and "Send
    Registration Reply ... packet size: 128", then "156 bytes out Tunnel0" with `tunnel key`."""
    dmvpn = phase3(hub={"tunnel_key": 0})
    dmvpn.start()
    hub_debug = dmvpn["Hub"].debug
    assert (
        "NHRP: Receive Registration Request via Tunnel0 vrf: global(0x0), packet size: 108"
        in hub_debug
    )
    assert "NHRP: Send Registration Reply via Tunnel0 vrf: global(0x0), packet size: 128" in (
        hub_debug
    )
    assert "      src: 10.0.0.1, dst: 10.0.0.2" in hub_debug
    assert "NHRP: 156 bytes out Tunnel0 " in hub_debug


def test_ios_sizes_registration_without_a_password_92_with_extensions_at_52() -> None:
    """IOS 15's `debug nhrp packet` (kennie.org, "DMVPN and NHRP debug commands", 2019):
    "Receive Registration Request via Tunnel0 vrf 0, packet size: 92", "pktsz: 92 extoff: 52",
    flags "unique nat", CIE "prefix: 32, mtu: 17916, hd_time: 7200"."""
    dmvpn = phase3(hub={"authentication": None}, authentication=None)
    dmvpn.start()
    request = decode(_sent(dmvpn, PacketType.REGISTRATION_REQUEST)[0][2])
    hub_debug = dmvpn["Hub"].debug
    assert len(_sent(dmvpn, PacketType.REGISTRATION_REQUEST)[0][2]) == 92
    assert "     pktsz: 92 extoff: 52" in hub_debug
    assert ' (M) flags: "unique nat ", reqid: 1' in hub_debug
    assert "       prefix: 32, mtu: 17916, hd_time: 7200" in hub_debug
    assert request.hop_count == 255


def test_registration_is_renewed_every_third_of_the_hold_time() -> None:
    dmvpn = phase3(holdtime=600)
    dmvpn.start()
    sent_at = []
    for until in range(100, 1001, 100):
        before = len(_sent(dmvpn, PacketType.REGISTRATION_REQUEST))
        dmvpn.run_until(until)
        sent_at += [until] * (len(_sent(dmvpn, PacketType.REGISTRATION_REQUEST)) - before)
    assert sent_at == [200, 200, 400, 400, 600, 600, 800, 800, 1000, 1000]  # both spokes
    entry = dmvpn["Hub"].engine.cache.host(ip_address("10.0.0.2"))
    assert entry is not None and entry.expires == 1000 + 600


def test_registration_timeout_sets_the_interval() -> None:
    dmvpn = phase3(registration_timeout=60)
    dmvpn.start()
    dmvpn.run_until(300)
    sent = [s for s in _sent(dmvpn, PacketType.REGISTRATION_REQUEST) if s[0] == "Spoke3"]
    assert len(sent) == 6


def _lonely_spoke(**settings: object) -> NhrpEngine:
    table = RoutingTable([])
    return NhrpEngine(spoke_config(2, "198.51.100.2", **settings), table, 0.0)


def _send_times(engine: NhrpEngine, until: float) -> list[float]:
    times, now = [], 0.0
    actions = engine.start(now)
    while True:
        times += [now for a in actions if isinstance(a, SendNhrp)]
        deadline = engine.next_deadline()
        if deadline is None or deadline > until:
            return times
        now = deadline
        actions = engine.on_timer(now)


def test_an_unanswered_registration_is_retried_after_1_2_4_and_up_to_64_seconds() -> None:
    times = _send_times(_lonely_spoke(), 400)
    gaps = [round(b - a) for a, b in itertools.pairwise(times)]
    assert gaps[:9] == [1, 2, 4, 8, 16, 32, 64, 64, 64]


def test_dual_hubs_each_get_a_registration() -> None:
    second = NhsServer(ip_address("10.0.0.254"), ip_address("192.0.2.254"))
    engine = _lonely_spoke(nhs=(NhsServer(ip_address("10.0.0.1"), HUB_NBMA), second))
    sent = [a.nbma for a in engine.start(0) if isinstance(a, SendNhrp)]
    assert sent == [HUB_NBMA, ip_address("192.0.2.254")]


def test_a_wrong_password_is_dropped_silently_and_never_logged() -> None:
    dmvpn = phase3(authentication="wrong")
    dmvpn.start()
    dmvpn.run_until(10)
    hub = dmvpn["Hub"]
    assert len(hub.engine.cache) == 0
    assert _sent(dmvpn, PacketType.REGISTRATION_REPLY) == []
    assert hub.engine.counters.authentication_failures > 0
    assert [s.responding for s in dmvpn["Spoke2"].engine.nhs_status(10)] == [False]
    for router in dmvpn.routers.values():
        assert not any("wrong" in line or "cisco123" in line for line in router.debug)
    assert "cisco123" not in repr(hub.config) and "cisco123" not in repr(hub.engine.cache)
    retry = dmvpn["Spoke2"].engine.on_timer(dmvpn.now + 100)
    assert any(isinstance(a, SendNhrp) for a in retry) and "wrong" not in repr(retry)


def test_a_spoke_without_a_password_is_refused_by_a_hub_with_one() -> None:
    dmvpn = phase3(authentication=None)
    dmvpn.start()
    assert len(dmvpn["Hub"].engine.cache) == 0


def _impostor(dmvpn: Dmvpn, **settings: object) -> Router:
    """A third spoke claiming Spoke2's tunnel address from another NBMA address."""
    config = spoke_config(2, "198.51.100.99", **settings)
    router = Router("Impostor", config, ip_network("192.168.99.0/24"), RoutingTable([]))
    dmvpn.routers["Impostor"] = router
    dmvpn.by_nbma[config.nbma] = router
    return router


def test_a_unique_registration_is_not_taken_over_by_another_nbma() -> None:
    dmvpn = phase3()
    dmvpn.start()
    impostor = _impostor(dmvpn)
    dmvpn.apply(impostor, impostor.engine.start(dmvpn.now))
    dmvpn.deliver()
    entry = dmvpn["Hub"].engine.cache.host(ip_address("10.0.0.2"))
    assert entry is not None and entry.nbma == SPOKE2_NBMA
    assert impostor.syslog == [
        "%NHRP-3-PAKREPLY: Receive Registration Reply packet with error - "
        "unique address registered already(14)"
    ]
    assert any("code: unique address registered already(14)" in line for line in dmvpn["Hub"].debug)


def test_with_no_unique_another_nbma_takes_the_address_over() -> None:
    dmvpn = phase3(unique=False)
    dmvpn.start()
    impostor = _impostor(dmvpn, unique=False)
    dmvpn.apply(impostor, impostor.engine.start(dmvpn.now))
    dmvpn.deliver()
    entry = dmvpn["Hub"].engine.cache.host(ip_address("10.0.0.2"))
    assert entry is not None and entry.nbma == ip_address("198.51.100.99")
    assert EntryFlag.UNIQUE not in entry.flags and impostor.syslog == []


def test_a_spoke_behind_nat_is_known_by_the_address_the_hub_saw() -> None:
    hub = NhrpEngine(hub_config(), RoutingTable([]), 0.0)
    spoke = NhrpEngine(spoke_config(2, "10.1.1.1"), RoutingTable([]), 0.0)
    (request,) = [a for a in spoke.start(0) if isinstance(a, SendNhrp)]
    outside = ip_address("203.0.113.50")  # the NAT's address
    (reply,) = [a for a in hub.receive(0, request.packet, outside) if isinstance(a, SendNhrp)]
    assert reply.nbma == outside
    entry = hub.cache.host(ip_address("10.0.0.2"))
    assert entry is not None and entry.nbma == outside and EntryFlag.NAT in entry.flags
    assert show_ip_nhrp([("Tunnel0", hub.entries())], 60) == [
        "10.0.0.2/32 via 10.0.0.2",
        "   Tunnel0 created 00:01:00, expire 01:59:00",
        "   Type: dynamic, Flags: unique nat registered",
        "   NBMA address: 203.0.113.50",
        "    (Claimed NBMA address: 10.1.1.1)",
    ]
    spoke.receive(0, reply.packet, HUB_NBMA)
    assert spoke.nat_nbma == outside


def test_a_spoke_that_stops_registering_expires_and_its_sa_is_released() -> None:
    dmvpn = phase3(hub={"protected": True}, protected=True)
    dmvpn.start()
    del dmvpn.routers["Spoke2"]  # it goes silent
    dmvpn.run_until(7199)
    assert dmvpn["Hub"].engine.cache.host(ip_address("10.0.0.2")) is not None
    dmvpn.run_until(7200)
    assert dmvpn["Hub"].engine.cache.host(ip_address("10.0.0.2")) is None
    assert ("down", SPOKE2_NBMA) in dmvpn["Hub"].sa_history
    assert SPOKE2_NBMA not in dmvpn["Hub"].sas
    assert dmvpn["Hub"].engine.multicast_nbmas() == [ip_address("203.0.113.3")]


def test_with_protection_the_spoke_asks_for_the_sa_to_its_hub_before_registering() -> None:
    engine = _lonely_spoke(protected=True)
    actions = engine.start(0)
    assert isinstance(actions[0], NeedCryptoSa) and actions[0].nbma == HUB_NBMA
    assert any(isinstance(a, SendNhrp) for a in actions[1:])
    assert not any(isinstance(a, ReleaseCryptoSa) for a in engine.on_timer(8000))


def test_an_nhs_without_an_nbma_address_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ip nhrp map 10\.0\.0\.1 ADDRESS"):
        NhrpConfig(
            "Tunnel0",
            IPv4Interface("10.0.0.2/24"),
            ip_address("198.51.100.2"),
            1,
            nhs=(NhsServer(ip_address("10.0.0.1")),),
        )


def test_an_ipv6_overlay_registers_over_ipv4_nbma() -> None:
    overlay = {"address": IPv6Interface("2001:db8::2/64"), "authentication": None}
    nhs = (NhsServer(ip_address("2001:db8::1"), HUB_NBMA),)
    spoke = NhrpEngine(spoke_config(2, "198.51.100.2", nhs=nhs, **overlay), RoutingTable([]), 0)
    hub_overlay = {"address": IPv6Interface("2001:db8::1/64"), "authentication": None}
    hub = NhrpEngine(hub_config(**hub_overlay), RoutingTable([]), 0)
    (request,) = [a for a in spoke.start(0) if isinstance(a, SendNhrp)]
    actions = hub.receive(0, request.packet, SPOKE2_NBMA)
    lines = [a.text for a in actions if isinstance(a, Debug)]
    assert " (F) afn: AF_IP(1), type: IPv6(86DD), hop: 255, ver: 1" in lines
    assert "     src protocol: 2001:db8::2, dst protocol: 2001:db8::1" in lines
    entry = hub.cache.host(ip_address("2001:db8::2"))
    assert entry is not None and entry.target.prefixlen == 128 and entry.nbma == SPOKE2_NBMA
    (reply,) = [a for a in actions if isinstance(a, SendNhrp)]
    spoke.receive(0, reply.packet, HUB_NBMA)
    assert [s.responding for s in spoke.nhs_status(0)] == [True]
