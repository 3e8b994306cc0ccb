"""Crypto exec commands on lab routers: sessions, statistics and the clear commands."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.node.exec.parser import INCOMPLETE, INVALID
from pyike.topology.seed import SEED_CONFIGS, seed_configs
from tests.support import dmvpn
from tests.support.genie_parse import parse
from tests.support.paths import EXAMPLES

HUB_AND_SPOKES = EXAMPLES / "hub-and-spokes"
SPOKES = ("Spoke1", "Spoke2", "Spoke3")


def up_lab() -> Lab:
    lab = Lab(seed_configs(), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    return lab


def lab_of(texts: list[str]) -> Lab:
    configs = []
    for text in texts:
        result = load(text)
        result.raise_for_errors()
        configs.append(result.config)
    return Lab(configs, policy_for_config)


def seed_texts(*extra: str) -> list[str]:
    """The seed's two configurations, `extra[i]` appended to router i+1's."""
    data = resources.files("pyike") / "data" / "seed"
    texts = [(data / name).read_text(encoding="utf-8") for name in SEED_CONFIGS]
    return [text + more for text, more in zip(texts, [*extra, "", ""], strict=False)]


def spokes_at_once(hub_extra: str) -> Lab:
    """The hub-and-spokes example, the three spokes sending IKE_SA_INIT at the same moment."""
    names = ("hub.cfg", "spoke1.cfg", "spoke2.cfg", "spoke3.cfg")
    texts = [(HUB_AND_SPOKES / name).read_text(encoding="utf-8") for name in names]
    lab = lab_of([texts[0] + hub_extra, *texts[1:]])
    for spoke in SPOKES:
        lab.router(spoke).crypto.start_tunnel("Tunnel0")
    lab.run_for(20)
    return lab


def exchange_row(text: str, name: str) -> list[int]:
    line = next(line for line in text.splitlines() if line.split()[:1] == [name])
    return [int(n) for n in line.split()[1:]]


def test_ikev2_session_lists_the_child_sa() -> None:
    lab = up_lab()
    text = lab.exec("Router1", "show crypto ikev2 session detailed")
    assert "Session-id:1, Status:UP-ACTIVE, IKE count:1, CHILD count:1" in text
    assert "Encr: 3DES, keysize: 0, esp_hmac: SHA96" in text
    assert "Initiator of SA : Yes" in text


def test_stats_count_what_each_side_sent_and_received() -> None:
    lab = up_lab()
    r1 = lab.exec("Router1", "show crypto ikev2 stats exchange")
    r2 = lab.exec("Router2", "show crypto ikev2 stats exchange")
    # TX REQ, TX RES, RX REQ, RX RES
    assert exchange_row(r1, "IKE_SA_INIT") == [1, 0, 0, 1]
    assert exchange_row(r2, "IKE_SA_INIT") == [0, 1, 1, 0]
    assert exchange_row(r1, "IKE_AUTH") == [1, 0, 0, 1]
    assert exchange_row(r2, "IKE_AUTH") == [0, 1, 1, 0]
    assert exchange_row(r1, "NAT_DETECTION_SOURCE_IP") == [1, 0, 0, 1]
    summary = lab.exec("Router1", "show crypto ikev2 stats")
    assert re.search(r"Total outgoing IKEv2 SA Count:\s+1\s+active:\s+1", summary)
    assert re.search(r"Outgoing IKEv2 Requests: 1\s+accepted:\s+1", summary)
    assert "Invalid input" in lab.exec("Router1", "show crypto ikev2 stats bogus")


def test_clear_crypto_sa_renegotiates_one_child_sa() -> None:
    lab = up_lab()
    before = lab.exec("Router1", "show crypto ipsec sa")
    spi = re.search(r"current outbound spi: (0x\w+)", before)
    assert spi is not None
    assert lab.exec("Router1", "clear crypto sa") == ""
    lab.run_for(10)
    after = lab.exec("Router1", "show crypto ipsec sa")
    assert spi.group(1) not in after
    for host in ("Router1", "Router2"):
        assert len(lab.router(host).crypto.sad.children) == 1  # not one per side
    r1_stats = lab.exec("Router1", "show crypto ikev2 stats exchange")
    assert exchange_row(r1_stats, "CREATE_CHILD_SA_IPSEC") == [1, 0, 0, 1]
    assert exchange_row(r1_stats, "INFORMATIONAL") == [1, 0, 0, 1]
    ping = lab.exec("Router1", "ping 192.168.2.1 source Loopback0")
    assert "Success rate is 100 percent (5/5)" in ping
    assert "#pkts encaps: 5," in lab.exec("Router1", "show crypto ipsec sa")


def _outbound_spis(lab: Lab, peer: str) -> set[str]:
    text = lab.exec("Hub", f"show crypto ipsec sa peer {peer}")
    return set(re.findall(r"current outbound spi: (0x\w+)", text))


def _ike_spis(lab: Lab) -> dict[str, str]:
    """The hub's IKE SAs: remote address -> local SPI."""
    text = lab.exec("Hub", "show crypto ikev2 sa detailed")
    rows = re.findall(r"203\.0\.113\.1/500\s+(203\.0\.113\.\d+)/500.*?Local spi: (\w+)", text, re.S)
    return dict(rows)


def test_clearing_one_peer_leaves_the_others_sas() -> None:
    """`clear crypto sa peer A` renegotiates that spoke's IPsec SAs alone, on its IKE SA;
    `clear crypto session remote A` deletes that spoke's IKE SA alone (IOS's keyword)."""
    lab = spokes_at_once("")
    spoke1, spoke2 = "203.0.113.11", "203.0.113.12"
    before = {peer: _outbound_spis(lab, peer) for peer in (spoke1, spoke2)}
    ike_before = _ike_spis(lab)
    assert lab.exec("Hub", f"clear crypto sa peer {spoke2}") == ""
    lab.run_for(10)
    assert _outbound_spis(lab, spoke1) == before[spoke1]
    assert _outbound_spis(lab, spoke2) and not _outbound_spis(lab, spoke2) & before[spoke2]
    assert _ike_spis(lab) == ike_before  # the IKE SAs stay
    assert lab.exec("Hub", f"clear crypto session remote {spoke1}") == ""
    lab.run_for(15)
    ike_after = _ike_spis(lab)
    assert ike_after[spoke1] != ike_before[spoke1]  # a new IKE SA with spoke 1
    assert {p: ike_after[p] for p in ike_after if p != spoke1} == {
        p: ike_before[p] for p in ike_before if p != spoke1
    }
    assert INVALID in lab.exec("Hub", f"clear crypto session peer {spoke1}")  # not IOS's word
    assert INVALID in lab.exec("Hub", "clear crypto sa peer 203.0.113")
    assert INCOMPLETE in lab.exec("Hub", "clear crypto sa peer")


def test_ikev2_sa_detailed_shows_the_fragmentation_mtu_in_use() -> None:
    lab = lab_of(seed_texts(*["crypto ikev2 fragmentation mtu 256\n"] * 2))
    lab.exec("Router2", "debug crypto ikev2 packet")
    lab.bring_up_tunnels()
    lab.run_for(5)
    assert "fragment: 2 of 2" in "\n".join(lab.router("Router2").console)
    text = lab.exec("Router1", "show crypto ikev2 sa detailed")
    assert "Fragmentation not" not in text
    assert "      IETF Std Fragmentation  enabled.\n" in text
    # 256 less the IPv4 and UDP headers, after the dynamic route line as IOS-XE prints it
    assert (
        "      Dynamic Route Update: disabled\n"
        "      IETF Std Fragmentation MTU in use: 228 bytes.\n"
    ) in text


def test_fragmentation_the_peer_did_not_agree_to_is_enabled_but_not_in_use() -> None:
    lab = lab_of(seed_texts("crypto ikev2 fragmentation mtu 256\n"))
    lab.bring_up_tunnels()
    lab.run_for(5)
    ours = lab.exec("Router1", "show crypto ikev2 sa detailed")
    assert "IETF Std Fragmentation  enabled." in ours
    assert "MTU in use" not in ours
    assert "      Fragmentation not  configured." in lab.exec(
        "Router2", "show crypto ikev2 sa detailed"
    )


def stats_line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


@pytest.mark.parametrize(
    ("limit", "shown"),
    [
        ("", "40/400"),
        ("crypto ikev2 limit max-in-negotiation-sa 7\n", "7/7"),
        ("crypto ikev2 limit max-in-negotiation-sa 7 outgoing\n", "40/7"),
        (
            "crypto ikev2 limit max-in-negotiation-sa 7 incoming\n"
            "crypto ikev2 limit max-in-negotiation-sa 9 outgoing\n",
            "7/9",
        ),
    ],
)
def test_stats_show_the_configured_in_negotiation_limits(limit: str, shown: str) -> None:
    lab = lab_of(seed_texts(limit))
    text = lab.exec("Router1", "show crypto ikev2 stats")
    assert stats_line(text, "System Resource Limit:").endswith(f"Max in nego(in/out): {shown}")
    assert lab.exec("Router1", "show running-config | include limit") == limit


def test_stats_count_requests_refused_for_the_in_negotiation_limit() -> None:
    lab = spokes_at_once("crypto ikev2 limit max-in-negotiation-sa 1 incoming\n")
    text = lab.exec("Hub", "show crypto ikev2 stats")
    assert "Max in nego(in/out): 1/400" in text
    # Spoke1 is admitted, Spoke2 and Spoke3 refused; their retransmissions arrive together,
    # so one of them is refused once more.
    assert re.search(r"Rejected IKEv2 Requests: 3\s+rsrc low:\s+0\s+SA limit:\s+3$", text, re.M)
    assert re.search(r"Incoming IKEv2 Requests: 6\s+accepted:\s+3\s+rejected:\s+3$", text, re.M)
    assert re.search(r"Total incoming IKEv2 SA Count:\s+3\s+active:\s+3", text)


def test_stats_count_requests_that_came_back_with_a_valid_cookie() -> None:
    lab = spokes_at_once("crypto ikev2 cookie-challenge 1\n")
    text = lab.exec("Hub", "show crypto ikev2 stats")
    # Spoke1 is admitted, Spoke2 and Spoke3 challenged. Spoke1's SA is up when they come back
    # with their cookies: Spoke2 is admitted unchecked (nothing is half-open), and Spoke3's
    # cookie is checked (Spoke2's SA is half-open) and accepted.
    assert "Incoming IKEV2 Cookie Challenged Requests: 2" in text
    assert re.search(r"^\s+accepted: 1\s+rejected: 0\s+rejected no cookie: 0$", text, re.M)
    assert re.search(r"Total incoming IKEv2 SA Count:\s+3\s+active:\s+3", text)


def tunnel_rows(text: str) -> list[str]:
    """The remote endpoints of the IPv4 SA rows of `show crypto ikev2 sa`."""
    return re.findall(r"^\d+\s+\S+/500\s+(\S+)/500", text, re.M)


def test_ikev2_sa_filtered_by_remote_local_and_vrf() -> None:
    lab = spokes_at_once("")
    everyone = ["203.0.113.11", "203.0.113.12", "203.0.113.13"]
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa")) == everyone
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa remote 203.0.113.12")) == [
        "203.0.113.12"
    ]
    detailed = lab.exec("Hub", "sh cry ikev2 sa rem 203.0.113.12 det")
    assert tunnel_rows(detailed) == ["203.0.113.12"]
    assert detailed.count("Remote id: ") == 1
    assert "Remote id: 203.0.113.12" in detailed
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa local 203.0.113.1")) == everyone
    assert tunnel_rows(lab.exec("Spoke2", "show crypto ikev2 sa local 203.0.113.1")) == []
    # this hub has no VRFs: every SA is in the global table, `none` as the fvrf/ivrf column says
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa fvrf none")) == everyone
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa ivrf global")) == everyone
    assert tunnel_rows(lab.exec("Hub", "show crypto ikev2 sa fvrf BLUE")) == []


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("show crypto ikev2 sa remote 203.0.113.300", INVALID),
        ("show crypto ikev2 sa local bogus", INVALID),
        ("show crypto ikev2 sa remote", INCOMPLETE),
        ("show crypto ikev2 sa fvrf", INCOMPLETE),
        ("show crypto ikev2 sa remote 203.0.113.12 extra", INVALID),
        ("show crypto ikev2 sa bogus", INVALID),
    ],
)
def test_ikev2_sa_filter_errors_are_ioss(line: str, error: str) -> None:
    lab = Lab(seed_configs(), policy_for_config)
    output = lab.exec("Router1", line).splitlines()
    assert output[-1] == error
    if error == INVALID:
        bad = line.split()[-1]
        assert output[0] == " " * len("Router1#" + line[: line.rindex(bad)]) + "^"


def test_ikev2_sa_filters_in_help() -> None:
    from pyike.lab.interactive import help_text

    lab = Lab(seed_configs(), policy_for_config)
    lines = help_text(lab.router("Router1").shell.tree, "show crypto ikev2 sa ").splitlines()
    words = [line.split()[0] for line in lines]
    assert words == ["detailed", "fvrf", "ivrf", "local", "remote", "<cr>"]


def test_crypto_session_detail_names_the_profile_and_the_capabilities_in_use() -> None:
    texts = seed_texts()
    texts[0] = texts[0].replace(" lifetime 120\n", " lifetime 120\n dpd 10 2 on-demand\n")
    lab = lab_of(texts)
    lab.bring_up_tunnels()
    lab.run_for(5)
    with_dpd = lab.exec("Router1", "show crypto session detail")
    without = lab.exec("Router2", "show crypto session detail")
    assert "Profile: IKEV2-SETUP" in with_dpd and "Session status: UP-ACTIVE" in with_dpd
    assert re.search(r"Capabilities:D connid:\d+ lifetime:", with_dpd)
    assert re.search(r"Capabilities:\(none\) connid:\d+ lifetime:", without)


def test_ipsec_sa_by_peer_or_interface_shows_that_spokes_tunnel_alone() -> None:
    """`show crypto ipsec sa peer A` and `... interface IF` on a hub: the one spoke's flow,
    with its counters (read back by genie's parser), as an engineer narrows a busy hub."""
    lab = spokes_at_once("")
    lab.exec("Spoke2", "ping 10.0.0.1 source Loopback0")
    by_peer = lab.exec("Hub", "show crypto ipsec sa peer 203.0.113.12")
    parsed = parse("show crypto ipsec sa peer 203.0.113.12", by_peer.splitlines())
    assert list(parsed["interface"]) == ["Tunnel2"]
    flow = parsed["interface"]["Tunnel2"]["ident"][1]
    assert flow["remote_crypto_endpt"] == "203.0.113.12"
    assert flow["pkts_decaps"] == 5
    by_interface = lab.exec("Hub", "sh cry ipsec sa int tu2 det")
    assert [line for line in by_interface.splitlines() if line.startswith("interface:")] == [
        "interface: Tunnel2"
    ]
    assert "current_peer 203.0.113.12 port 500" in by_interface
    assert lab.exec("Hub", "show crypto ipsec sa peer 198.51.100.7") == ""
    assert lab.exec("Hub", "show crypto ipsec sa interface Loopback0") == ""
    assert INVALID in lab.exec("Hub", "show crypto ipsec sa peer 203.0.113")
    assert INVALID in lab.exec("Hub", "show crypto ipsec sa interface Tunnel9")
    assert INVALID in lab.exec("Hub", "show crypto ipsec sa peer 203.0.113.12 brief")
    assert INCOMPLETE in lab.exec("Hub", "show crypto ipsec sa peer")


def test_isakmp_sa_table_is_empty_beside_ikev2_sas() -> None:
    lab = up_lab()
    assert lab.exec("Router1", "show crypto isakmp sa").splitlines() == [
        "IPv4 Crypto ISAKMP SA",
        "dst             src             state          conn-id status",
        "",
        "IPv6 Crypto ISAKMP SA",
        "",
    ]
    assert "READY" in lab.exec("Router1", "show crypto ikev2 sa")


ENGINE_HEADER = "   ID  Type    Algorithm           Encrypt  Decrypt LastSeqN IP-Address"


def engine_rows(text: str) -> dict[int, list[str]]:
    lines = text.splitlines()
    assert lines[:3] == ["Crypto Engine Connections", "", ENGINE_HEADER]
    for line in lines[3:]:  # IOS's columns: the counters end under their headings
        assert [line.rfind(" ", 0, end) < end - 1 for end in (5, 42, 51, 60)] == [True] * 4
        assert line[60] == " " and line[61] != " "
    return {int(line.split()[0]): line.split()[1:] for line in lines[3:]}


def test_engine_connections_count_each_sa_as_show_crypto_ipsec_sa_does() -> None:
    lab = up_lab()
    assert "(7/7)" in lab.exec("Router1", "ping 192.168.2.1 source Loopback0 repeat 7")
    rows = engine_rows(lab.exec("Router1", "show crypto engine connections active"))
    ipsec = lab.exec("Router1", "show crypto ipsec sa")
    inbound, outbound = (
        int(flow) for flow in re.findall(r"flow_id: SW:(\d+)", ipsec)
    )  # inbound esp sas are listed first
    ce_id = re.search(r"CE id: (\d+),", lab.exec("Router1", "show crypto ikev2 sa detailed"))
    assert ce_id is not None
    assert rows == {
        inbound: ["IPsec", "3DES+SHA", "0", "7", "7", "10.0.0.1"],
        outbound: ["IPsec", "3DES+SHA", "7", "0", "0", "10.0.0.1"],
        int(ce_id[1]): ["IKEv2", "SHA+AES", "0", "0", "0", "10.0.0.1"],
    }
    assert "#pkts encaps: 7" in ipsec and "#pkts decaps: 7" in ipsec


@pytest.mark.parametrize(
    ("transforms", "algorithm"),
    [("esp-aes 256 esp-sha512-hmac", "AES256+SHA512"), ("esp-gcm 256", "AES-GCM-256")],
)
def test_engine_connections_name_the_negotiated_transforms(transforms: str, algorithm: str) -> None:
    extra = f"crypto ipsec transform-set TS {transforms}\n"
    lab = lab_of(seed_texts(extra, extra))
    lab.bring_up_tunnels()
    lab.run_for(5)
    rows = engine_rows(lab.exec("Router2", "show crypto engine connections active"))
    assert sorted(row[:2] for row in rows.values()) == [
        ["IKEv2", "SHA+AES"],
        ["IPsec", algorithm],
        ["IPsec", algorithm],
    ]
    assert {row[-1] for row in rows.values()} == {"10.0.0.2"}


def test_engine_connections_list_nothing_before_a_tunnel_is_up() -> None:
    lab = lab_of(seed_texts())
    text = lab.exec("Router1", "show crypto engine connections active")
    assert text == f"Crypto Engine Connections\n\n{ENGINE_HEADER}\n"


def session_peers(text: str) -> list[str]:
    return re.findall(r"^Peer: (\S+) port", text, re.MULTILINE)


def test_crypto_session_of_one_peer_address_interface_or_vrf() -> None:
    """`show crypto session remote|local|interface|fvrf|ivrf ... [detail]` on a hub, the
    output genie's parsers read for a single remote."""
    lab = spokes_at_once("")
    everyone = session_peers(lab.exec("Hub", "show crypto session"))
    assert len(everyone) == 3 and "203.0.113.12" in everyone
    counted = "IPsec SA total: 6, active: 6, rekeying: 0, unused: 0, invalid: 0\n"
    assert lab.exec("Hub", "show crypto ipsec sa count") == counted
    remote = lab.exec("Hub", "show crypto session remote 203.0.113.12 detail")
    assert session_peers(remote) == ["203.0.113.12"]
    parsed = parse("show crypto session remote 203.0.113.12 detail", remote.splitlines())
    assert list(parsed["interfaces"]) == ["Tunnel2"]
    assert parsed["interfaces"]["Tunnel2"]["peer_ip"] == "203.0.113.12"
    assert parsed["interfaces"]["Tunnel2"]["session_status"] == "UP-ACTIVE"
    assert session_peers(lab.exec("Hub", "sh cry sess int tu2")) == ["203.0.113.12"]
    local = lab.exec("Hub", "show crypto session local 203.0.113.1")
    assert sorted(session_peers(local)) == sorted(everyone)
    assert session_peers(lab.exec("Hub", "show crypto session fvrf global")) == everyone
    assert session_peers(lab.exec("Hub", "show crypto session ivrf none det")) == everyone
    nobody = "Crypto session current status\n\n"
    assert lab.exec("Hub", "show crypto session remote 198.51.100.7") == nobody
    assert lab.exec("Hub", "show crypto session local 203.0.113.12") == nobody
    assert lab.exec("Hub", "show crypto session ivrf BLUE") == nobody
    assert INVALID in lab.exec("Hub", "show crypto session remote 203.0.113")
    assert INVALID in lab.exec("Hub", "show crypto session remote 203.0.113.12 brief")
    assert INCOMPLETE in lab.exec("Hub", "show crypto session remote")
    assert INVALID in lab.exec("Hub", "show crypto session interface Tunnel9")


def test_crypto_sockets_of_a_vti_open_once_its_sa_is_up() -> None:
    lab = lab_of(seed_texts())
    before = parse("show crypto sockets", lab.exec("Router1", "show crypto sockets").splitlines())
    assert before["socket_connections"]["Tu0"]["socket_state"] == "Closed"
    lab.bring_up_tunnels()
    lab.run_for(5)
    text = lab.exec("Router1", "show crypto sockets")
    parsed = parse("show crypto sockets", text.splitlines())["socket_connections"]
    assert parsed["total_socket_connections"] == 1
    assert parsed["Tu0"]["peers"] == {"local_ip": "10.0.0.1", "remote_ip": "10.0.0.2"}
    assert parsed["Tu0"]["local_ident"] == {
        "address": "0.0.0.0",
        "mask": "0.0.0.0",
        "port": 0,
        "protocol": 0,
    }
    assert parsed["Tu0"]["ipsec_profile"] == "phse2-prof"
    assert parsed["Tu0"]["socket_state"] == "Open"
    assert text.endswith(
        'Crypto Sockets in Listen state:\nClient: "TUNNEL SEC" Profile: "phse2-prof"'
        ' Map-name: "Tunnel0-head-0"\n'
    )


def test_crypto_sockets_of_a_dmvpn_hub_one_per_spoke_carrying_gre() -> None:
    lab = dmvpn.lab_of(dmvpn.texts())
    text = lab.exec("Hub", "show crypto sockets")
    assert "Number of Crypto Socket connections 3\n" in text
    peers = re.findall(r"Tu\d+ Peers \(local/remote\): 203\.0\.113\.2/(\S+)", text)
    assert sorted(peers) == sorted(dmvpn.SPOKE_NBMA.values())
    assert text.count("Socket State: Open") == 3
    for spoke in dmvpn.SPOKE_NBMA.values():
        assert f"Remote Ident (addr/mask/port/prot): ({spoke}/255.255.255.255/0/47)" in text
    shared = dmvpn.texts(
        lambda name, t: t.replace(
            " tunnel protection ipsec profile DMVPN-PROT\n",
            " tunnel protection ipsec profile DMVPN-PROT shared\n",
        )
    )
    text = dmvpn.lab_of(shared).exec("Hub", "show crypto sockets")
    assert text.count("   Shd Peers (local/remote): 203.0.113.2/") == 3
    assert text.count("       Flags: shared\n") == 3


def test_crypto_sockets_none_for_a_crypto_map() -> None:
    """A crypto map's SAs come from its ACL, not a tunnel: IOS opens no socket for them."""
    lab = example_lab("crypto-map")
    assert "!!!!" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")  # the first one asks
    assert "Status: ACTIVE" in lab.exec("SiteA", "show crypto ipsec sa")
    assert lab.exec("SiteA", "show crypto sockets") == (
        "\nNumber of Crypto Socket connections 0\n\nCrypto Sockets in Listen state:\n"
    )


def example_lab(name: str) -> Lab:
    files = sorted((EXAMPLES / name).glob("*.cfg"))
    lab = lab_of([path.read_text(encoding="utf-8") for path in files])
    lab.bring_up_tunnels()
    lab.run_for(5)
    return lab


def test_ipsec_sa_of_one_crypto_map_or_protected_vrf() -> None:
    lab = example_lab("front-door-vrf")
    everything = lab.exec("SiteA", "show crypto ipsec sa")
    assert "protected vrf: CUSTOMER" in everything
    assert lab.exec("SiteA", "show crypto ipsec sa vrf CUSTOMER") == everything
    assert lab.exec("SiteA", "show crypto ipsec sa vrf global") == ""
    assert lab.exec("SiteA", "show crypto ipsec sa map Tunnel0-head-0 detail") == lab.exec(
        "SiteA", "show crypto ipsec sa detail"
    )
    assert lab.exec("SiteA", "show crypto ipsec sa map CMAP") == ""
    assert INCOMPLETE in lab.exec("SiteA", "show crypto ipsec sa vrf")
    assert INVALID in lab.exec("SiteA", "show crypto ipsec sa map Tunnel0-head-0 brief")
    lab = example_lab("crypto-map")
    by_map = lab.exec("SiteA", "show crypto ipsec sa map CMAP")
    assert "Crypto map tag: CMAP, local addr" in by_map
    assert lab.exec("SiteA", "show crypto ipsec sa vrf none") == by_map


def hub_debug(*commands: str) -> tuple[Lab, list[str]]:
    """The hub-and-spokes example, the hub debugging as `commands` say while the three
    spokes come up: the lab and what the hub printed meanwhile."""
    names = ("hub.cfg", "spoke1.cfg", "spoke2.cfg", "spoke3.cfg")
    lab = lab_of([(HUB_AND_SPOKES / name).read_text(encoding="utf-8") for name in names])
    for command in ("debug crypto ikev2", "debug crypto ikev2 packet", *commands):
        lab.exec("Hub", command)
    console = lab.router("Hub").console
    start = len(console)
    for spoke in SPOKES:
        lab.router(spoke).crypto.start_tunnel("Tunnel0")
    lab.run_for(20)
    return lab, console[start:]


def debugged_sas(lines: list[str]) -> set[str]:
    return set(re.findall(r"SA ID = (\d+)", "\n".join(lines)))


def test_conditional_debug_shows_one_spoke_among_three() -> None:
    _, everyone = hub_debug()
    assert len(debugged_sas(everyone)) == 3
    lab, one = hub_debug("debug crypto condition peer ipv4 203.0.113.12")
    (sa_id,) = debugged_sas(one)
    detailed = lab.exec("Hub", "show crypto ikev2 sa remote 203.0.113.12 detailed")
    assert re.search(rf"^{sa_id} +203\.0\.113\.1/500 +203\.0\.113\.12/500", detailed, re.M)
    assert any("Exchange type: IKE_SA_INIT" in line for line in one)  # before the SA existed
    assert lab.exec("Hub", "show crypto debug-condition") == (
        "Crypto conditional debug currently is turned ON\n"
        "IKE peer IP address filters:\n203.0.113.12 \n"
    )
    assert lab.exec("Hub", "no debug crypto condition peer ipv4 203.0.113.12") == ""
    off = "Crypto conditional debug currently is turned OFF\n"
    assert lab.exec("Hub", "show crypto debug-condition") == off
    lab.exec("Hub", "debug crypto condition peer ipv4 203.0.113.11")
    lab.exec("Hub", "debug crypto condition reset")
    assert lab.exec("Hub", "show crypto debug-condition") == off
    assert INVALID in lab.exec("Hub", "debug crypto condition peer ipv6 203.0.113.12")
    assert INVALID in lab.exec("Hub", "debug crypto condition peer ipv4 2001:db8::1")
    assert INCOMPLETE in lab.exec("Hub", "debug crypto condition peer ipv4")


def test_crypto_map_of_one_tag_or_interface() -> None:
    lab = example_lab("crypto-map")
    everything = lab.exec("SiteA", "show crypto map")
    assert lab.exec("SiteA", "show crypto map tag CMAP") == everything
    assert "Interfaces using crypto map CMAP:\n                GigabitEthernet0/0\n" in everything
    assert lab.exec("SiteA", "show crypto map interface Gi0/0") == everything
    assert lab.exec("SiteA", "show crypto map tag OTHER") == ""
    assert lab.exec("SiteA", "show crypto map interface Loopback0") == ""
    assert INCOMPLETE in lab.exec("SiteA", "show crypto map tag")
    seed = up_lab()
    tunnel = seed.exec("Router1", "show crypto map interface Tunnel0")
    assert tunnel.startswith('Crypto Map IPv4 "Tunnel0-head-0" 65536 ipsec-isakmp')
    assert seed.exec("Router1", "show crypto map tag Tunnel0-head-0") == tunnel


def without_sas(lines: list[str]) -> list[str]:
    """`show crypto ipsec sa` output less each flow's part from its crypto endpoints on (the
    blank line before them through `outbound pcp sas:`)."""
    kept: list[str] = []
    skipping = False
    for n, line in enumerate(lines):
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if line == " " and following.startswith("     local crypto endpt."):
            skipping = True
        if not skipping:
            kept.append(line)
        if line == "     outbound pcp sas:":
            skipping = False
    return kept


def test_ipsec_sa_identity_shows_each_flow_up_to_its_counters() -> None:
    """`show crypto ipsec sa identity [detail]` is `show crypto ipsec sa` without the SAs: each
    flow's identities, peer and counters, nothing from its crypto endpoints on."""
    lab = spokes_at_once("")
    for detail in ("", " detail"):
        full = lab.exec("Hub", f"show crypto ipsec sa{detail}").splitlines()
        identity = lab.exec("Hub", f"show crypto ipsec sa identity{detail}").splitlines()
        assert identity == without_sas(full)
        assert identity.count("     PERMIT, flags={origin_is_acl,}") == 3
        assert len(identity) < len(full)
        assert not [line for line in identity if "spi" in line or "crypto endpt" in line]
    assert INVALID in lab.exec("Hub", "show crypto ipsec sa identity spis")
