"""Phase 2: a spoke resolving another spoke's tunnel address through the hub; the answer comes
straight from that spoke, traffic goes via the hub until it has."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

from pyike.nhrp.actions import Debug, DebugKind, SendNhrp
from pyike.nhrp.cache import EntryType
from pyike.nhrp.codec import (
    Cie,
    CieExtension,
    ErrorCode,
    ExtensionType,
    PacketType,
    UnknownExtension,
    decode,
    encode,
)
from tests.nhrp.dmvpn import HUB_NBMA, Dmvpn, phase2

SPOKE2_NBMA, SPOKE3_NBMA = ip_address("198.51.100.2"), ip_address("203.0.113.3")


def _sent(dmvpn: Dmvpn, kind: PacketType) -> list[tuple[str, str]]:
    return [(s[0], s[1]) for s in dmvpn.nhrp_sent if decode(s[2]).type is kind]


def test_the_first_packet_goes_via_the_hub_then_straight_to_the_spoke() -> None:
    dmvpn = phase2()
    dmvpn.start()
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Hub", "Spoke3"]
    assert _sent(dmvpn, PacketType.RESOLUTION_REQUEST) == [("Spoke2", "Hub"), ("Hub", "Spoke3")]
    assert _sent(dmvpn, PacketType.RESOLUTION_REPLY) == [("Spoke3", "Spoke2")]
    entry = dmvpn["Spoke2"].engine.cache.host(ip_address("10.0.0.3"))
    assert entry is not None and entry.nbma == SPOKE3_NBMA and entry.type is EntryType.DYNAMIC
    assert entry.flag_names() == ["router", "nhop"]
    assert dmvpn["Spoke2"].table.nhrp_routes() == {}  # phase 2 routes stay as they are
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Spoke3"]
    assert entry.flag_names() == ["router", "used", "nhop"]


def test_the_answering_spoke_learns_the_requester() -> None:
    dmvpn = phase2()
    dmvpn.start()
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    spoke3 = dmvpn["Spoke3"].engine
    learned = spoke3.cache.host(ip_address("10.0.0.2"))
    assert learned is not None and learned.nbma == SPOKE2_NBMA
    assert learned.flag_names() == ["router", "implicit", "nhop"]
    assert dmvpn.send_data("Spoke3", "192.168.3.10", "192.168.2.10") == ["Spoke3", "Spoke2"]


def test_ios_sizes_resolution_request_88_forwarded_108() -> None:
    """The same IOS-XE 16 capture as for registration: "Receive Resolution Request via
    Tunnel0 vrf: global(0x0), packet size: 88", then the hub's "Forwarding Resolution Request
    via Tunnel0 vrf: global(0x0), packet size: 108" with "src: <hub>, dst: <destination>"."""
    dmvpn = phase2()
    dmvpn.start()
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    hub = dmvpn["Hub"].debug
    assert "NHRP: Receive Resolution Request via Tunnel0 vrf: global(0x0), packet size: 88" in hub
    assert (
        "NHRP: Forwarding Resolution Request via Tunnel0 vrf: global(0x0), packet size: 108" in hub
    )
    assert "      src: 10.0.0.1, dst: 10.0.0.3" in hub


def test_with_protection_the_spokes_ask_for_an_sa_to_each_other() -> None:
    dmvpn = phase2(hub={"protected": True}, protected=True)
    dmvpn.start()
    dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10")
    assert dmvpn["Spoke2"].sas == {HUB_NBMA, SPOKE3_NBMA}
    assert dmvpn["Spoke3"].sas == {HUB_NBMA, SPOKE2_NBMA}


def test_an_address_nobody_registered_gets_an_error_indication_and_a_negative_entry() -> None:
    dmvpn = phase2()
    dmvpn.start()
    forwarding = dmvpn["Spoke2"].engine.resolve(dmvpn.now, ip_address("10.0.0.77"))
    dmvpn.apply(dmvpn["Spoke2"], forwarding.actions)
    dmvpn.deliver()
    assert forwarding.nbma == HUB_NBMA  # meanwhile via the hub
    (error,) = [
        decode(s[2]) for s in dmvpn.nhrp_sent if decode(s[2]).type is PacketType.ERROR_INDICATION
    ]
    assert error.error_code == ErrorCode.PROTOCOL_ADDRESS_UNREACHABLE
    negative = dmvpn["Spoke2"].engine.cache.host(ip_address("10.0.0.77"))
    assert negative is not None and negative.type is EntryType.INCOMPLETE
    assert negative.flag_names() == ["negative"]
    dmvpn.run_until(179)
    retries = _sent(dmvpn, PacketType.RESOLUTION_REQUEST).count(("Spoke2", "Hub"))
    assert retries == 7  # at 0, then 2, 6, 14, 30, 62 and 126 seconds
    dmvpn.run_until(181)
    assert dmvpn["Spoke2"].engine.cache.host(ip_address("10.0.0.77")) is None
    again = dmvpn["Spoke2"].engine.resolve(dmvpn.now, ip_address("10.0.0.77"))
    assert any(isinstance(a, SendNhrp) for a in again.actions)  # a new resolution starts


def _resolution_to_hub(dmvpn: Dmvpn) -> bytes:
    forwarding = dmvpn["Spoke2"].engine.resolve(dmvpn.now, ip_address("10.0.0.3"))
    (packet,) = [a.packet for a in forwarding.actions if isinstance(a, SendNhrp)]
    return packet


def test_a_request_that_already_crossed_this_hub_is_a_loop() -> None:
    dmvpn = phase2()
    dmvpn.start()
    request = decode(_resolution_to_hub(dmvpn))
    hub = dmvpn["Hub"].engine
    crossed = Cie(0, 32, 1400, 7200, HUB_NBMA, ip_address("10.0.0.1"))
    transit = CieExtension(ExtensionType.FORWARD_TRANSIT_NHS, (crossed,))
    looped = replace(
        request,
        extensions=tuple(
            transit if getattr(e, "type", None) == ExtensionType.FORWARD_TRANSIT_NHS else e
            for e in request.extensions
        ),
    )
    actions = hub.receive(dmvpn.now, encode(looped), SPOKE2_NBMA)
    (error,) = [decode(a.packet) for a in actions if isinstance(a, SendNhrp)]
    assert error.type is PacketType.ERROR_INDICATION
    assert error.error_code == ErrorCode.LOOP_DETECTED


def test_a_request_out_of_hops_is_not_forwarded() -> None:
    dmvpn = phase2()
    dmvpn.start()
    request = replace(decode(_resolution_to_hub(dmvpn)), hop_count=1)
    actions = dmvpn["Hub"].engine.receive(dmvpn.now, encode(request), SPOKE2_NBMA)
    (error,) = [decode(a.packet) for a in actions if isinstance(a, SendNhrp)]
    assert error.error_code == ErrorCode.HOP_COUNT_EXCEEDED


def test_garbage_from_the_tunnel_is_counted_and_shown_under_debug_nhrp_error() -> None:
    dmvpn = phase2()
    hub = dmvpn["Hub"].engine
    actions = hub.receive(0, b"\x00\x01\x08\x00garbage", SPOKE2_NBMA)
    assert hub.counters.malformed == 1
    assert [a for a in actions if not isinstance(a, Debug)] == []
    (line,) = actions
    assert isinstance(line, Debug) and line.kinds == {DebugKind.ERROR}
    assert line.text.startswith("NHRP: Dropped malformed packet from 198.51.100.2:")


def test_an_unknown_compulsory_extension_is_refused_with_an_error_indication() -> None:
    dmvpn = phase2()
    dmvpn.start()
    request = decode(_resolution_to_hub(dmvpn))
    strange = replace(request, extensions=(*request.extensions, UnknownExtension(77, b"", True)))
    actions = dmvpn["Hub"].engine.receive(dmvpn.now, encode(strange), SPOKE2_NBMA)
    (error,) = [decode(a.packet) for a in actions if isinstance(a, SendNhrp)]
    assert error.error_code == ErrorCode.UNRECOGNIZED_EXTENSION
    assert error.dst_protocol == ip_address("10.0.0.2")


def test_a_spoke_over_its_max_send_quota_holds_its_request_back_until_the_quota_frees() -> None:
    """`ip nhrp max-send 1 every 10`: the registration at start uses the quota, so the
    resolution the first data packet needs is not sent (counted, and said under `debug nhrp
    error`); a retry after the ten seconds goes out and the spokes meet."""
    dmvpn = phase2(max_send=1, max_send_interval=10)
    dmvpn.start()
    spoke = dmvpn["Spoke2"]
    dmvpn.run_until(1)
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Hub", "Spoke3"]
    assert _sent(dmvpn, PacketType.RESOLUTION_REQUEST) == []
    assert spoke.engine.counters.over_quota >= 1
    assert any(
        "max-send quota of 1 packets in 10 seconds used up, Resolution Request" in line
        for line in spoke.debug
    )
    assert spoke.engine.traffic(dmvpn.now).usage == 100
    dmvpn.run_until(30)
    assert ("Spoke2", "Hub") in _sent(dmvpn, PacketType.RESOLUTION_REQUEST)
    assert dmvpn.send_data("Spoke2", "192.168.2.10", "192.168.3.10") == ["Spoke2", "Spoke3"]
    assert dmvpn["Hub"].engine.counters.over_quota == 0  # the hub keeps IOS's default quota
