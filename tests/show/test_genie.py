"""Cisco's genie IOS-XE parsers read pyike's show output into the values pyike printed."""

from __future__ import annotations

from ipaddress import IPv4Address

from pyike.config import load, load_file
from pyike.show import (
    show_crypto_ikev2_policy,
    show_crypto_ikev2_profile,
    show_crypto_ikev2_proposal,
    show_crypto_ikev2_sa,
    show_crypto_ikev2_session,
    show_crypto_ikev2_stats,
    show_crypto_ikev2_stats_exchange,
    show_crypto_ipsec_profile,
    show_crypto_ipsec_sa,
    show_crypto_map,
    show_crypto_session,
)
from pyike.show.views import Ikev2ExchangeStats, Ikev2Stats, MessageCounts
from tests.support import seed_views
from tests.support.edge_views import ipv6_ike_sa, rekeying_interface
from tests.support.genie_parse import parse
from tests.support.paths import CONFIG_CORPUS, SEED_CONFIGS

SEED_R1 = SEED_CONFIGS / "router1.cfg"


def test_ikev2_sa_detail() -> None:
    out = parse(
        "show crypto ikev2 sa detail", show_crypto_ikev2_sa([seed_views.ike_sa(2)], detailed=True)
    )
    sa = out["tunnel_id"][2]
    assert (sa["local"], sa["remote"], sa["status"]) == ("10.0.0.2/500", "10.0.0.1/500", "ready")
    assert (sa["encryption"], sa["keysize"], sa["prf"], sa["hash"], sa["dh_grp"]) == (
        "aes-cbc",
        128,
        "sha1",
        "sha96",
        2,
    )
    assert (sa["life_time"], sa["active_time"], sa["ce_id"], sa["session_id"]) == (120, 37, 1006, 4)
    assert (sa["local_spi"], sa["remote_spi"]) == ("AFD098F4147869DA", "E58F925107F8B73F")
    assert (sa["remote_req_msg_id"], sa["remote_next_msg_id"], sa["remote_req_queued"]) == (2, 2, 2)
    assert (sa["local_window"], sa["dpd_configured_time"], sa["retry"]) == (5, 0, 0)
    assert (sa["nat_t"], sa["initiator_of_sa"]) == ("not detected", "no")


def test_ikev2_sa_ipv4_and_ipv6() -> None:
    lines = show_crypto_ikev2_sa([seed_views.ike_sa(1), ipv6_ike_sa()])
    out = parse("show crypto ikev2 sa", lines)
    v4, v6 = out["ipv4"][1], out["ipv6"][3]
    assert (v4["local_ip"], v4["remote_ip"], v4["prf"], v4["dh_group"]) == (
        "10.0.0.1",
        "10.0.0.2",
        "SHA1",
        2,
    )
    assert (v6["local_ip"], v6["remote_ip"], v6["local_port"]) == (
        "2001:DB8:1::1",
        "2001:DB8:2::2",
        500,
    )
    assert (v6["encryption"], v6["keysize"], v6["hash"], v6["dh_group"]) == (
        "AES-GCM",
        256,
        "None",
        19,
    )
    assert (v6["life_time"], v6["active_time"]) == (86400, 5)


def test_ikev2_sa_detail_ipv6_endpoints() -> None:
    out = parse("show crypto ikev2 sa detail", show_crypto_ikev2_sa([ipv6_ike_sa()], detailed=True))
    sa = out["tunnel_id"][3]
    assert (sa["local"], sa["remote"], sa["fragmentation"]) == (
        "2001:DB8:1::1",
        "2001:DB8:2::2",
        "MTU in use: 1200 bytes",
    )
    assert sa["nat_t"] == "detected outside"


def test_ikev2_session_detailed() -> None:
    lines = show_crypto_ikev2_session([seed_views.ike_session(1)], detailed=True)
    session = parse("show crypto ikev2 session detailed", lines)["ikev2_session"]["IPv4"][1]
    assert (
        session["session_id"],
        session["status"],
        session["ike_count"],
        session["child_count"],
    ) == (4, "UP-ACTIVE", 1, 1)
    assert (
        session["local_ip"],
        session["remote_ip"],
        session["lifetime"],
        session["activetime"],
    ) == ("10.0.0.1", "10.0.0.2", 120, 10)
    child = session["child_sa"][1]
    assert child["local_selectors"] == ["0.0.0.0/0 - 255.255.255.255/65535"]
    assert (child["esp_spi_in"], child["esp_spi_out"]) == ("0x6B74CB79", "0xF6083ADD")
    assert (child["child_encr"], child["esp_hmac"], child["mode"]) == ("3DES", "SHA96", "tunnel")


def test_ikev2_session_brief() -> None:
    lines = show_crypto_ikev2_session([seed_views.ike_session(2)])
    session = parse("show crypto ikev2 session", lines)["ikev2_session"]["IPv4"][1]
    assert (session["tunnel_id"], session["session_status"]) == (2, "READY")
    assert session["child_sa"][1]["esp_spi_in"] == "0xF6083ADD"


def test_ikev2_stats() -> None:
    stats = Ikev2Stats(
        outgoing_sas=1,
        outgoing_active=1,
        outgoing_requests=3,
        outgoing_accepted=3,
        incoming_requests=2,
        incoming_rejected=2,
        cookie_challenged=7,
        cookie_accepted=5,
    )
    out = parse("show crypto ikev2 stats", show_crypto_ikev2_stats(stats))["ikev2_statistics"]
    assert (out["max_in_nego"], out["max_out_nego"], out["total_outgoing_sa"]) == (40, 400, 1)
    assert (out["outgoing_v2_requests"], out["outgoing_requests_accept"]) == (3, 3)
    assert (out["incoming_v2_requests"], out["incoming_requests_reject"]) == (2, 2)
    assert out["incoming_cookie_challenge"] == {
        "incoming_challenge_requests": 7,
        "incoming_challenge_accept": 5,
        "incoming_challenge_reject": 0,
        "incoming_challenge_no_cookie": 0,
    }


def test_ikev2_stats_exchange() -> None:
    stats = Ikev2ExchangeStats(
        exchanges={
            "IKE_SA_INIT": MessageCounts(1, 0, 0, 1),
            "CREATE_CHILD_SA_IKE_REKEY": MessageCounts(1, 0, 0, 1),
        },
        error_notifies={
            "NO_PROPOSAL_CHOSEN": MessageCounts(0, 2, 0, 0),
            "INVALID_SPI": MessageCounts(),
        },
        other_notifies={"SET_WINDOW_SIZE": MessageCounts(2, 0, 0, 2)},
        config_payloads={"CFG_REQUEST": (1, 0)},
        other_counters={"NO_NAT": 2},
    )
    out = parse("show crypto ikev2 stats exchange", show_crypto_ikev2_stats_exchange(stats))
    # The parser genie picks for this command keys rows by IOS's names.
    assert out["exchanges"]["IKE_SA_INIT"] == {"tx_req": 1, "tx_res": 0, "rx_req": 0, "rx_res": 1}
    assert out["exchanges"]["IKE_AUTH"]["tx_req"] == 0
    assert out["exchanges"]["CREATE_CHILD_SA_IKE_REKEY"]["rx_res"] == 1
    assert set(out["error_notify"]) == {"NO_PROPOSAL_CHOSEN"}
    assert out["error_notify"]["NO_PROPOSAL_CHOSEN"]["tx_res"] == 2
    assert out["other_notify"]["SET_WINDOW_SIZE"]["rx_res"] == 2
    assert out["config_payload_type"]["CFG_REQUEST"] == {"tx": 1, "rx": 0}
    assert out["other_counters"] == {"NO_NAT": {"tx": 2}}


def test_ipsec_sa_with_plaintext_mtu() -> None:
    lines = show_crypto_ipsec_sa([seed_views.ipsec_interface(2, plaintext_mtu=1438)])
    flow = parse("show crypto ipsec sa", lines)["interface"]["Tunnel0"]["ident"][1]
    assert flow["local_ident"] == {"addr": "0.0.0.0", "mask": "0.0.0.0", "prot": "256", "port": "0"}
    assert (flow["peer_ip"], flow["port"], flow["pkts_encaps"], flow["pkts_decrypt"]) == (
        "10.0.0.1",
        500,
        5,
        5,
    )
    assert (flow["plaintext_mtu"], flow["ip_mtu_idb"], flow["pfs"], flow["dh_group"]) == (
        1438,
        "Ethernet0/0",
        "N",
        "none",
    )
    assert flow["current_outbound_spi"] == "0x6B74CB79(1802816377)"
    inbound = flow["inbound_esp_sas"]["spi"]["0xF6083ADD(4127734493)"]
    assert (inbound["transform"], inbound["conn_id"], inbound["flow_id_val"]) == (
        "esp-3des esp-sha-hmac",
        17,
        17,
    )
    assert (inbound["remaining_key_lifetime"], inbound["status"]) == (
        "(4347479/3584)",
        "ACTIVE(ACTIVE)",
    )


def test_ipsec_sa_detail_mid_rekey() -> None:
    lines = show_crypto_ipsec_sa([rekeying_interface()], detail=True)
    flow = parse("show crypto ipsec sa detail", lines)["interface"]["Tunnel0"]["ident"][1]
    assert (flow["pfs"], flow["dh_group"], flow["pkts_replay_failed_rcv"]) == ("Y", "group2", 3)
    assert flow["current_outbound_spi"] == "0x22222222(572662306)"
    assert set(flow["inbound_esp_sas"]["spi"]) == {"0x11111111(286331153)", "0x33333333(858993459)"}
    old = flow["outbound_esp_sas"]["spi"]["0x44444444(1145324612)"]
    assert old["status"] == "PENDING-DELETE(PENDING-DELETE)"


def test_ipsec_sa_peer() -> None:
    lines = show_crypto_ipsec_sa(
        [seed_views.ipsec_interface(1, 1438)], peer=IPv4Address("10.0.0.2")
    )
    out = parse("show crypto ipsec sa peer 10.0.0.2", lines)
    assert out["interface"]["Tunnel0"]["ident"][1]["remote_crypto_endpt"] == "10.0.0.2"


def test_crypto_session_detail() -> None:
    lines = show_crypto_session([seed_views.crypto_session(2)], detail=True)
    iface = parse("show crypto session detail", lines)["interface"]["Tunnel0"]
    assert (iface["session_status"], iface["uptime"], iface["profile"]) == (
        "UP-ACTIVE",
        "00:00:52",
        "IKEV2-SETUP",
    )
    port = iface["peer"]["10.0.0.1"]["port"]["500"]
    ike = port["ike_sa"]["1"]
    assert (ike["local"], ike["remote"], ike["sa_status"], ike["lifetime"]) == (
        "10.0.0.2",
        "10.0.0.1",
        "Active",
        "00:01:50",
    )
    flow = port["ipsec_flow"]["permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0"]
    assert (flow["active_sas"], flow["inbound_pkts_decrypted"], flow["outbound_life_kb"]) == (
        2,
        5,
        "4347479",
    )


def test_crypto_session_brief() -> None:
    iface = parse("show crypto session", show_crypto_session([seed_views.crypto_session(1)]))[
        "interface"
    ]["Tunnel0"]
    assert iface["session_status"] == "UP-ACTIVE"
    assert iface["peer"]["10.0.0.2"]["port"]["500"]["ipsec_flow"][
        "permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0"
    ] == {"active_sas": 2, "origin": "crypto map"}


def test_ikev2_proposal() -> None:
    # genie reads one encryption algorithm per proposal, so the default proposal (three) is off.
    text = "no crypto ikev2 proposal default\n"
    text += "crypto ikev2 proposal P1\n encryption aes-cbc-256\n integrity sha256\n group 14 19\n"
    out = parse("show crypto ikev2 proposal", show_crypto_ikev2_proposal(load(text).config))
    assert out["proposal_name"]["P1"] == {
        "encryption": "AES-CBC-256",
        "integrity": "SHA256",
        "prf": "SHA256",
        "dh_group": ["DH_GROUP_2048_MODP/Group 14", "DH_GROUP_256_ECP/Group 19"],
    }


def test_ikev2_policy() -> None:
    cfg = load_file(SEED_R1).config
    out = parse("show crypto ikev2 policy", show_crypto_ikev2_policy(cfg))["policy_name"]
    assert out["site-pol"] == {
        "match_fvrf": "global",
        "match_address_local": "any",
        "proposal": "PHASE1-prop",
    }
    assert out["default"] == {
        "match_fvrf": "any",
        "match_address_local": "any",
        "proposal": "default",
    }


def test_ikev2_profile() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_global_ikev2.cfg").config
    text = (
        "crypto ikev2 profile DPDPROF\n match identity remote address 192.0.2.1 255.255.255.255\n"
    )
    text += " authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
    text += " dpd 10 2 periodic\n"
    cfg = load(text).config
    out = parse("show crypto ikev2 profile DPDPROF", show_crypto_ikev2_profile(cfg, "DPDPROF"))
    profile = out["ikev2_profile"]["DPDPROF"]
    assert profile["match_criteria"]["identities"] == ["192.0.2.1", "255.255.255.255"]
    assert profile["match_criteria"]["fvrf"] == "global"
    assert (profile["keyring"], profile["lifetime"], profile["ref_count"]) == ("KR", 86400, 0)
    assert profile["dpd"] == {"interval": 10, "retry_interval": 2, "type": "periodic"}
    assert profile["local_authentication_method"] == "pre-share"


def test_ipsec_profile() -> None:
    cfg = load_file(SEED_R1).config
    out = parse("show crypto ipsec profile", show_crypto_ipsec_profile(cfg))["ipsec_profile_name"]
    # genie's IKEv2 Profile pattern stops at the hyphen of IKEV2-SETUP; the rest parses.
    assert out["phse2-prof"]["security_association_lifetime"] == "4608000 kilobytes/3600 seconds"
    assert (out["phse2-prof"]["psf"], out["phse2-prof"]["responder_only"]) == ("N", "N")
    assert out["phse2-prof"]["tranform_sets"] == {
        "TS": {"transform_set_name": "esp-3des", "transform_set_method": "esp-sha-hmac"}
    }
    assert out["default"]["tranform_sets"]["default"]["transform_set_name"] == "esp-aes"


def test_ipsec_profile_names_its_ikev2_profile() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_global_ikev2.cfg").config
    out = parse("show crypto ipsec profile", show_crypto_ipsec_profile(cfg, "NATIPSEC"))
    profile = out["ipsec_profile_name"]["NATIPSEC"]
    assert (profile["ikev2_profile_name"], profile["psf"], profile["dh_group"]) == (
        "NATPROF",
        "Y",
        "group1",
    )


def test_ipsec_profile_with_pfs() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_all_transforms.cfg").config
    out = parse("show crypto ipsec profile", show_crypto_ipsec_profile(cfg))["ipsec_profile_name"]
    assert (out["MANY"]["psf"], out["MANY"]["dh_group"]) == ("Y", "group24")
    assert out["MANY"]["security_association_lifetime"] == "9000000 kilobytes/1800 seconds"


def test_crypto_map() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_crypto_map_two_entries.cfg").config
    entry = parse("show crypto map", show_crypto_map(cfg))["ipv4"]["crypto_map_tag"]["multi"]
    # genie keeps one entry per map: the last one printed.
    assert (entry["sequence_number"], entry["peer"], entry["pfs"]) == (
        20,
        ["192.0.2.1", "192.0.2.2"],
        True,
    )
    assert entry["extended_ip_access_list"] == "102"
    assert entry["security_association_lifetime"] == {"kilobytes": 4608000, "seconds": 3600}
    assert entry["transform_sets"] == {"default": ["esp-aes", "esp-sha-hmac"]}
    # Each entry ends with the interfaces using the map; genie adds them up.
    assert entry["interfaces_crypto_map"] == {
        "crypto_map_tag": "MULTI",
        "interfaces": ["GigabitEthernet0/0", "GigabitEthernet0/0"],
    }


def test_crypto_map_of_a_tunnel() -> None:
    entry = parse("show crypto map", show_crypto_map(load_file(SEED_R1).config))["ipv4"][
        "crypto_map_tag"
    ]["tunnel0-head-0"]
    assert (entry["sequence_number"], entry["peer"], entry["ikev2_profile"]) == (
        65537,
        ["10.0.0.2"],
        "IKEV2-SETUP",
    )
    assert entry["transform_sets"] == {"ts": ["esp-3des", "esp-sha-hmac"]}
    assert entry["interfaces_crypto_map"]["interfaces"] == ["Tunnel0"]
