"""No SAs, IPv6 peers, several tunnels, a rekey in progress, session states, data-plane views."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest

from pyike import ios_names as names
from pyike.codec.registry import DhId, EncrId, IntegId
from pyike.ipsec import EspReplayError, InboundEspSa, OutboundEspSa, SaLimits, esp_transform
from pyike.show import (
    show_crypto_ikev2_sa,
    show_crypto_ikev2_session,
    show_crypto_ikev2_stats,
    show_crypto_ipsec_sa,
    show_crypto_ipsec_sa_count,
    show_crypto_session,
)
from pyike.show.views import (
    ChildSaView,
    CryptoSessionView,
    EspSaStatus,
    Ident,
    IkeSaState,
    IkeSessionView,
    Ikev2Stats,
    IpsecInterfaceView,
    SessionFlow,
    SessionIkeSa,
    TrafficSelector,
    esp_sa_view,
    flow_counters,
)
from tests.support import seed_views
from tests.support.edge_views import (
    V6_ANY,
    V6_LOCAL,
    V6_REMOTE,
    ipv6_ike_sa,
    rekeying_interface,
    second_tunnel,
)
from tests.support.genie_parse import parse


def test_no_ike_sas_prints_both_empty_sections() -> None:
    assert show_crypto_ikev2_sa([]) == [
        " IPv4 Crypto IKEv2  SA ",
        "",
        " IPv6 Crypto IKEv2  SA ",
        "",
    ]
    assert show_crypto_ikev2_session([]) == [
        " IPv4 Crypto IKEv2 Session ",
        "",
        " IPv6 Crypto IKEv2 Session ",
        "",
    ]


def test_no_sessions_and_no_ipsec_sas() -> None:
    assert show_crypto_session([]) == ["Crypto session current status", ""]
    assert show_crypto_ipsec_sa([]) == []


def test_interface_without_sas_shows_spi_zero() -> None:
    base = seed_views.ipsec_interface(1)
    idle = replace(base.flows[0], inbound=(), outbound=())
    lines = show_crypto_ipsec_sa([replace(base, flows=(idle,))])
    assert "     current outbound spi: 0x0(0)" in lines
    assert lines[lines.index("     inbound esp sas:") + 1] == " "


def test_ipv6_sa_row_puts_addresses_on_their_own_lines() -> None:
    lines = show_crypto_ikev2_sa([ipv6_ike_sa()], detailed=True)
    start = lines.index(" IPv6 Crypto IKEv2  SA ")
    assert lines[start + 2 : start + 6] == [
        "Tunnel-id fvrf/ivrf            Status ",
        "3         none/none            READY ",
        "Local     2001:DB8:1::1/500",
        "Remote    2001:DB8:2::2/500",
    ]
    assert "      Local spi: 0000000000000001       Remote spi: ABCDEF0123456789" in lines
    assert (
        "      Encr: AES-GCM, keysize: 256, PRF: SHA384, Hash: None, DH Grp:19, Auth sign: PSK, Auth verify: PSK"
        in lines
    )
    assert "      NAT-T is detected outside" in lines
    assert "      Initiator of SA : No" in lines


def test_several_tunnels_are_listed_by_tunnel_id() -> None:
    second = replace(seed_views.ike_sa(1), tunnel_id=7, remote=IPv4Address("10.0.1.2"), fvrf="INET")
    lines = show_crypto_ikev2_sa([second, seed_views.ike_sa(1)])
    rows = [line for line in lines if line[:1].isdigit()]
    assert rows == [
        "1         10.0.0.1/500          10.0.0.2/500          none/none            READY ",
        "7         10.0.0.1/500          10.0.1.2/500          INET/none            READY ",
    ]
    ipsec = show_crypto_ipsec_sa([seed_views.ipsec_interface(1), second_tunnel()])
    assert [line for line in ipsec if line.startswith("interface:")] == [
        "interface: Tunnel0",
        "interface: Tunnel1",
    ]
    only = show_crypto_ipsec_sa(
        [seed_views.ipsec_interface(1), second_tunnel()], peer=IPv4Address("10.0.1.2")
    )
    assert [line for line in only if line.startswith("interface:")] == ["interface: Tunnel1"]


def test_rekey_in_progress_lists_both_generations() -> None:
    lines = show_crypto_ipsec_sa([rekeying_interface()], detail=True)
    assert "     current outbound spi: 0x22222222(572662306)" in lines
    assert "     PFS (Y/N): Y, DH group: group2" in lines
    spis = [line.strip() for line in lines if line.strip().startswith("spi:")]
    assert spis == [
        "spi: 0x11111111(286331153)",
        "spi: 0x33333333(858993459)",
        "spi: 0x44444444(1145324612)",
        "spi: 0x22222222(572662306)",
    ]
    assert lines.count("        Status: PENDING-DELETE(PENDING-DELETE)") == 1
    assert "    #pkts invalid prot (recv) 0, #pkts verify failed: 1" in lines
    assert "    ##pkts replay failed (rcv): 3" in lines
    assert not any(line.startswith("    #send errors") for line in lines)


def test_current_outbound_spi_when_every_sa_is_retiring() -> None:
    flow = rekeying_interface().flows[0]
    retiring = tuple(replace(sa, status=EspSaStatus.PENDING_DELETE) for sa in flow.outbound)
    assert replace(flow, outbound=retiring).current_outbound_spi == 0x22222222


def test_ipv6_flow_idents_and_session() -> None:
    base = seed_views.ipsec_interface(1)
    flow = replace(
        base.flows[0],
        local_ident=Ident(V6_ANY),
        remote_ident=Ident(V6_ANY),
        peer=V6_REMOTE,
        local_endpoint=V6_LOCAL,
    )
    lines = show_crypto_ipsec_sa(
        [IpsecInterfaceView("Tunnel6", "Tunnel6-head-0", V6_LOCAL, (flow,))]
    )
    assert "    Crypto map tag: Tunnel6-head-0, local addr 2001:DB8:1::1" in lines
    assert "   local  ident (addr/prefixlen/prot/port): (::/0/0/0)" in lines
    assert "   current_peer 2001:DB8:2::2 port 500" in lines
    session = CryptoSessionView(
        "Tunnel6",
        V6_REMOTE,
        (
            SessionIkeSa(
                V6_LOCAL,
                V6_REMOTE,
                active=True,
                conn_id=3,
                remaining_seconds=90000,
                capabilities="D",
            ),
        ),
        (SessionFlow(Ident(V6_ANY), Ident(V6_ANY), active_sas=2),),
        uptime_seconds=200000,
    )
    text = show_crypto_session([session], detail=True)
    assert "  IKEv2 SA: local 2001:DB8:1::1/500" in text
    assert "          remote 2001:DB8:2::2/500 Active " in text
    assert "          Capabilities:D connid:3 lifetime:25:00:00" in text
    assert "  IPSEC FLOW: permit ipv6 ::/0 ::/0 " in text
    assert "Uptime: 2d07h" in text


def test_ikev2_session_ipv6_and_states() -> None:
    child = ChildSaView(
        TrafficSelector.of(V6_ANY),
        TrafficSelector.of(V6_ANY),
        1,
        2,
        EncrId.AES_CBC,
        256,
        IntegId.HMAC_SHA2_256_128,
    )
    v6 = IkeSessionView(9, (ipv6_ike_sa(),), (child,))
    lines = show_crypto_ikev2_session([v6], detailed=True)
    assert lines[:4] == [" IPv4 Crypto IKEv2 Session ", "", " IPv6 Crypto IKEv2 Session ", ""]
    assert "Child sa: local selector  ::/0 - FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/65535" in lines
    assert "          Encr: AES-CBC, keysize: 256, esp_hmac: SHA256" in lines
    assert IkeSessionView(1, (ipv6_ike_sa(),)).status == "UP-IDLE"
    negotiating = replace(ipv6_ike_sa(), state=IkeSaState.IN_NEG)
    assert IkeSessionView(1, (negotiating,)).status == "DOWN-NEGOTIATING"
    assert IkeSessionView(1, (negotiating,), (child,)).status == "UP-NO-IKE"
    assert IkeSessionView(1, ()).status == "DOWN"


ANY = Ident(IPv4Network("0.0.0.0/0"), 256)
UP_SA = SessionIkeSa(seed_views.R1, seed_views.R2, active=True)
DOWN_SA = SessionIkeSa(seed_views.R1, seed_views.R2, active=False)


@pytest.mark.parametrize(
    ("ike", "sas", "negotiating", "status"),
    [
        ((UP_SA,), 2, False, "UP-ACTIVE"),
        ((UP_SA,), 0, False, "UP-IDLE"),
        ((), 2, False, "UP-NO-IKE"),
        ((DOWN_SA,), 0, False, "DOWN-NEGOTIATING"),
        ((), 0, True, "DOWN-NEGOTIATING"),
        ((), 0, False, "DOWN"),
    ],
)
def test_crypto_session_states(
    ike: tuple[SessionIkeSa, ...], sas: int, negotiating: bool, status: str
) -> None:
    session = CryptoSessionView(
        "Tunnel0", seed_views.R2, ike, (SessionFlow(ANY, ANY, sas),), negotiating=negotiating
    )
    lines = show_crypto_session([session])
    assert f"Session status: {status}" in lines
    if ike and not ike[0].active:
        assert "  IKEv2 SA: local 10.0.0.1/500 remote 10.0.0.2/500 Inactive " in lines


def test_session_detail_legend_and_protocol_flow() -> None:
    flow = SessionFlow(
        Ident(IPv4Network("10.0.0.1/32"), 47), Ident(IPv4Network("10.0.0.2/32"), 47), 2
    )
    session = CryptoSessionView("Tunnel7", seed_views.R2, (UP_SA,), (flow,), description="to R2")
    lines = show_crypto_session([session], detail=True)
    assert lines[2].startswith("Code: C - IKE Configuration mode")
    assert "  IPSEC FLOW: permit 47 host 10.0.0.1 host 10.0.0.2 " in lines
    assert "      Desc: to R2" in lines
    assert "          Capabilities:(none) connid:0 lifetime:00:00:00" in lines


def test_stats_layout_keeps_columns_apart_for_large_numbers() -> None:
    lines = show_crypto_ikev2_stats(Ikev2Stats(incoming_sas=1234567890, incoming_active=3))
    assert (
        "Total incoming IKEv2 SA Count:    1234567890 active:        3        negotiating: 0"
        in lines
    )


def test_esp_sa_view_and_flow_counters_from_live_sas() -> None:
    transform = esp_transform(EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_256_128)
    key, integ = bytes(32), bytes(32)
    out = OutboundEspSa(0x1000, transform, key, integ, random_bytes=lambda n: bytes(n))
    inbound = InboundEspSa(
        0x2000, transform, key, integ, limits=SaLimits(hard_bytes=10 * 1024 * 1024)
    )
    packet = bytes([0x45]) + bytes(2999)
    esp = out.encapsulate(packet)
    inbound_peer = InboundEspSa(0x1000, transform, key, integ)
    inbound_peer.decapsulate(esp)
    with pytest.raises(EspReplayError):
        inbound_peer.decapsulate(esp)
    view = esp_sa_view(
        out,
        encryption=EncrId.AES_CBC,
        key_bits=256,
        integrity=IntegId.HMAC_SHA2_256_128,
        conn_id=5,
        crypto_map="Tunnel0-head-0",
        lifetime_kilobytes=4608000,
        remaining_seconds=-4,
    )
    assert (view.spi, view.iv_size, view.remaining_kilobytes, view.remaining_seconds) == (
        0x1000,
        16,
        4607998,
        0,
    )
    assert view.replay_detection
    limited = esp_sa_view(
        inbound,
        encryption=EncrId.AES_CBC,
        key_bits=256,
        integrity=None,
        conn_id=6,
        crypto_map="m",
        lifetime_kilobytes=1,
        remaining_seconds=10,
    )
    assert limited.remaining_kilobytes == 10240
    no_replay = InboundEspSa(0x3000, transform, key, integ, replay_window=0)
    assert not esp_sa_view(
        no_replay,
        encryption=EncrId.AES_CBC,
        key_bits=256,
        integrity=None,
        conn_id=7,
        crypto_map="m",
        lifetime_kilobytes=1,
        remaining_seconds=1,
    ).replay_detection
    counters = flow_counters((inbound_peer.counters,), (out.counters,), no_sa_send=2)
    assert (counters.encaps, counters.decaps, counters.replay_failed_recv) == (1, 1, 1)
    assert (counters.send_errors, counters.recv_errors, counters.no_sa_send) == (2, 1, 2)


@pytest.mark.parametrize(
    ("encr", "bits", "integ", "text"),
    [
        (EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96, "esp-3des esp-sha-hmac"),
        (EncrId.AES_CBC, 128, IntegId.HMAC_MD5_96, "esp-aes esp-md5-hmac"),
        (EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_512_256, "esp-256-aes esp-sha512-hmac"),
        (EncrId.AES_GCM_16, 256, None, "esp-gcm 256"),
        (EncrId.AES_GCM_16, 128, IntegId.NONE, "esp-gcm"),
        (EncrId.CHACHA20_POLY1305, 256, None, "esp-chacha20-poly1305"),
        (None, None, IntegId.HMAC_SHA1_96, "esp-sha-hmac"),
        (EncrId.AES_CTR, None, IntegId.AES_XCBC_96, "esp-aes-ctr aes-xcbc-96"),
    ],
)
def test_esp_transform_names(
    encr: EncrId | None, bits: int | None, integ: IntegId | None, text: str
) -> None:
    assert names.esp_transform(encr, bits, integ) == text


def test_time_formats() -> None:
    assert (names.hms(-5), names.hms(3725), names.uptime(59)) == (
        "00:00:00",
        "01:02:05",
        "00:00:59",
    )
    assert (names.uptime(86400 * 9 + 5), names.dh_group_keyword(DhId.MODP_2048)) == (
        "1w2d",
        "group14",
    )


def test_ipsec_sa_count_during_a_rekey_and_on_a_hub() -> None:
    count = show_crypto_ipsec_sa_count([rekeying_interface(), second_tunnel()])
    assert count == ["IPsec SA total: 6, active: 5, rekeying: 1, unused: 0, invalid: 0"]
    parsed = parse("show crypto ipsec sa count", count)
    assert parsed == {"ipsec_sa_total": 6, "active": 5, "rekeying": 1, "unused": 0, "invalid": 0}
    assert show_crypto_ipsec_sa_count([]) == [
        "IPsec SA total: 0, active: 0, rekeying: 0, unused: 0, invalid: 0"
    ]
