"""GRE over IPsec in the lab: the seed's two routers with their tunnel in `tunnel mode gre ip`.
The tunnel interface chooses the framing, the negotiation the mode: GRE in transport-mode
ESP, or (when the peer answers tunnel mode) the whole GRE packet in tunnel-mode ESP; `tunnel
key` (a mismatch drops), keepalives taking the line protocol down and up, `ip mtu`,
`ip tcp adjust-mss`, `show interfaces`, `debug crypto ipsec`, a crypto map protecting a
plain GRE tunnel, and the verdict on a tunnel that carries nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.sim import match
from pyike.sim.network import CapturedPacket
from pyike.topology import Topology
from tests.support.lab_texts import running_lab
from tests.support.paths import SEED_CONFIGS
from tests.support.tcp import syn, syn_mss

PING = "ping 192.168.2.1 source Loopback0"
ALL_PASSED = "Success rate is 100 percent (5/5)"
TRANSPORT_SET = " esp-aes esp-sha-hmac\n mode transport\n"
TUNNEL_SET = " esp-aes esp-sha-hmac\n"


def gre_texts(
    sets: tuple[str, str] = (TRANSPORT_SET, TRANSPORT_SET),
    tunnel: tuple[str, str] = ("", ""),
    extra: tuple[str, str] = ("", ""),
) -> list[str]:
    """The seed's routers with a GRE tunnel: each its transform set, lines for Tunnel0 and
    lines at the end of the configuration."""
    texts = []
    for index, name in enumerate(("router1.cfg", "router2.cfg")):
        text = (SEED_CONFIGS / name).read_text()
        for old, new in (
            (" tunnel mode ipsec ipv4\n", f" tunnel mode gre ip\n{tunnel[index]}"),
            (" esp-3des esp-sha-hmac\n", sets[index]),
        ):
            assert old in text
            text = text.replace(old, new)
        texts.append(text + "\n" + extra[index])
    return texts


def run(texts: list[str], seconds: float = 30.0) -> TopologyRun:
    configs = [load(t, f"r{i}.cfg").raise_for_errors() for i, t in enumerate(texts, 1)]
    topology = Topology(configs)
    topology.run_seconds = seconds
    return run_topology(topology, policy_for_config, show=False)


@pytest.mark.parametrize(
    ("sets", "mode"),
    [
        ((TRANSPORT_SET, TRANSPORT_SET), "Transport"),
        ((TRANSPORT_SET, TUNNEL_SET), "Tunnel"),  # Router2 answers tunnel mode: GRE inside it
        ((TUNNEL_SET, TUNNEL_SET), "Tunnel"),
    ],
    ids=["transport", "fallback-to-tunnel", "tunnel"],
)
def test_gre_over_ipsec_carries_pings_in_either_mode(sets: tuple[str, str], mode: str) -> None:
    result = run(gre_texts(sets))
    assert result.problems == []
    lab = result.lab
    assert ALL_PASSED in lab.exec("Router1", PING)
    assert ALL_PASSED in lab.exec("Router2", "ping 192.168.1.1 source Loopback0")
    for host, (me, peer) in {"Router1": (1, 2), "Router2": (2, 1)}.items():
        text = lab.exec(host, "show crypto ipsec sa")
        assert text.count(f"in use settings ={{{mode}, }}") == 2
        assert f"local  ident (addr/mask/prot/port): (10.0.0.{me}/255.255.255.255/47/0)" in text
        assert f"remote ident (addr/mask/prot/port): (10.0.0.{peer}/255.255.255.255/47/0)" in text
        encaps = int(re.search(r"#pkts encaps: (\d+),", text).group(1))  # type: ignore[union-attr]
        assert encaps >= 10 and f"#pkts decaps: {encaps}," in text  # every packet came back
        assert "#send errors 0" in text


def test_a_vti_with_a_transport_mode_transform_set_carries_pings() -> None:
    """The issue's defect: every packet a send error. A VTI protects any/any, so IOS (and
    pyike) negotiate tunnel mode whatever the transform set says."""
    texts = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        texts.append(text.replace(" esp-3des esp-sha-hmac\n", TRANSPORT_SET))
    result = run(texts)
    assert result.problems == []
    assert ALL_PASSED in result.lab.exec("Router1", PING)
    assert "in use settings ={Tunnel, }" in result.lab.exec("Router1", "show crypto ipsec sa")


def test_show_interfaces_names_gre_its_key_and_its_keepalive() -> None:
    lab = running_lab(gre_texts(tunnel=(" tunnel key 100\n keepalive 5 3\n", " tunnel key 100\n")))
    text = lab.exec("Router1", "show interfaces Tunnel0")
    assert "  Keepalive set (5 sec), retries 3\n" in text
    assert "  Tunnel protocol/transport GRE/IP\n    Key 0x64, sequencing disabled\n" in text
    assert "    Checksumming of packets disabled\n" in text
    other = lab.exec("Router2", "show interfaces Tunnel0")
    assert "  Keepalive not set\n" in other
    crypto_map = lab.exec("Router1", "show crypto map")  # the profile's instance for the peer
    assert "access-list  permit gre host 10.0.0.1 host 10.0.0.2\n" in crypto_map


def test_debug_crypto_ipsec_shows_the_responders_proposal_in_transport_mode() -> None:
    configs = [load(t).raise_for_errors() for t in gre_texts()]
    lab = Lab(configs, policy_for_config)
    lab.exec("Router2", "debug crypto ipsec")
    lab.bring_up_tunnels()
    lab.run_for(3.0)
    console = lab.router("Router2").console
    start = next(i for i, line in enumerate(console) if "proposal part #1," in line)
    assert console[start + 2 : start + 5] == [
        "    local_proxy= 10.0.0.2/255.255.255.255/47/0,",
        "    remote_proxy= 10.0.0.1/255.255.255.255/47/0,",
        "    protocol= ESP, transform= esp-aes esp-sha-hmac  (Transport), ",
    ]


@pytest.mark.parametrize(
    ("keys", "passes"),
    [(("100", "100"), True), (("100", "200"), False), (("100", None), False)],
    ids=["same", "different", "one-side-only"],
)
def test_tunnel_keys_must_match(keys: tuple[str, str | None], passes: bool) -> None:
    lines = tuple("" if k is None else f" tunnel key {k}\n" for k in keys)
    lab = running_lab(gre_texts(tunnel=lines))  # type: ignore[arg-type]
    text = lab.exec("Router1", PING)
    assert (ALL_PASSED in text) is passes
    if not passes:
        assert "Success rate is 0 percent" in text
        sas = lab.exec("Router2", "show crypto ipsec sa")
        assert "#pkts decaps: 5," in sas  # decrypted, then dropped for the key


def test_keepalives_take_the_line_protocol_down_when_unanswered_and_up_when_answered() -> None:
    lab = running_lab(gre_texts(tunnel=(" keepalive 2 3\n", "")))
    router1 = lab.router("Router1")
    tunnel = router1.router.interface("Tunnel0")
    state = router1.router.keepalives["Tunnel0"]
    assert tunnel.line_up and state.replies == 2  # the probes 2 and 4 s in were answered
    outside = lab.network.segments["10.0.0.0/24"].faults
    outside.block(match.protocol(47))  # the replies (GRE in clear from Router2) are lost
    lab.run_for(8.0)  # 13 s in: the probes 6, 8 and 10 s in went unanswered, 12 s in: down
    assert not tunnel.line_up
    assert any(
        "Line protocol on Interface Tunnel0, changed state to down" in line
        for line in router1.console
    )
    assert "Tunnel0" not in lab.exec("Router1", "show ip route")  # its routes went with it
    outside.clear()
    lab.run_for(2.0)  # the next probe is answered: the line protocol comes back
    assert tunnel.line_up and state.replies == 3
    assert "Tunnel0" in lab.exec("Router1", "show ip route")


def test_keepalives_answered_keep_the_tunnel_up() -> None:
    lab = running_lab(gre_texts(tunnel=(" keepalive 2 3\n", " keepalive 2 3\n")))
    lab.run_for(30.0)
    for host in ("Router1", "Router2"):
        router = lab.router(host).router
        state = router.keepalives["Tunnel0"]
        assert router.interface("Tunnel0").line_up and state.replies >= 14
    assert ALL_PASSED in lab.exec("Router1", PING)


def test_ip_mtu_is_the_largest_packet_the_tunnel_takes_unfragmented() -> None:
    lab = running_lab(gre_texts(tunnel=(" ip mtu 1400\n", " ip mtu 1400\n")))
    fits = lab.exec("Router1", f"{PING} size 1400 df-bit")
    assert ALL_PASSED in fits
    too_big = lab.exec("Router1", f"{PING} size 1401 df-bit")
    assert "Success rate is 0 percent" in too_big and "M" in too_big
    # without `ip mtu`, the IP MTU leaves room for the outer IP, GRE and ESP headers
    plain = running_lab(gre_texts())
    assert plain.router("Router1").router.ip_mtu("Tunnel0") <= 1500 - 20 - 4 - 8


def test_ip_tcp_adjust_mss_lowers_the_mss_of_syns_through_the_tunnel() -> None:
    host = (
        "hostname Host\ninterface Ethernet0/0\n ip address 192.168.20.5 255.255.255.0\n"
        "ip route 0.0.0.0 0.0.0.0 192.168.20.1\n"
    )
    texts = gre_texts(
        tunnel=(" ip tcp adjust-mss 1360\n", ""),
        extra=(
            "ip route 192.168.20.0 255.255.255.0 Tunnel0\n",
            "interface Ethernet0/1\n ip address 192.168.20.1 255.255.255.0\n",
        ),
    )
    configs = [load(t).raise_for_errors() for t in [*texts, host]]
    lab = Lab(configs, policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5.0)
    seen: list[CapturedPacket] = []
    lab.network.add_capture(seen.append)
    for mss in (1460, 1200):
        lab.router("Router1").router.receive("Loopback0", syn("192.168.1.5", "192.168.20.5", mss))
        lab.run_for(1.0)
    arrived = [p.data for p in seen if p.receiver == "Host Ethernet0/0"]
    assert [syn_mss(p) for p in arrived] == [1360, 1200]  # checksums recomputed


def test_a_crypto_map_protects_a_plain_gre_tunnel_in_transport_mode(tmp_path: Path) -> None:
    texts = []
    for index, (me, peer) in enumerate((("10.0.0.1", "10.0.0.2"), ("10.0.0.2", "10.0.0.1"))):
        text = gre_texts()[index].replace(" tunnel protection ipsec profile phse2-prof\n", "")
        address = f" ip address {me} 255.255.255.0\n"
        assert address in text
        text = text.replace(address, address + " crypto map CMAP\n")
        texts.append(
            text
            + f"ip access-list extended GRE\n permit gre host {me} host {peer}\n"
            + f"crypto map CMAP 10 ipsec-isakmp\n set peer {peer}\n set transform-set TS\n"
            + " set ikev2-profile IKEV2-SETUP\n match address GRE\n"
        )
    result = run(texts)
    assert result.problems == []
    lab = result.lab
    lab.exec("Router1", PING)  # the first packets may go while the SAs come up
    assert ALL_PASSED in lab.exec("Router1", PING)
    text = lab.exec("Router1", "show crypto ipsec sa")
    assert "in use settings ={Transport, }" in text
    assert "(10.0.0.1/255.255.255.255/47/0)" in text


def test_the_lab_fails_a_tunnel_that_carries_nothing_also_without_a_ping_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Mismatched GRE keys leave both SAs up, UP-ACTIVE, while every packet is dropped."""
    files = []
    texts = gre_texts(tunnel=(" tunnel key 100\n", " tunnel key 200\n"))
    for index, text in enumerate(texts, 1):
        path = tmp_path / f"router{index}.cfg"
        path.write_text(text)
        files.append(str(path))
    assert main(["lab", "--quiet", *files]) == 1
    err = capsys.readouterr().err
    assert (
        "Router1 Tunnel0: UP-ACTIVE but carries no traffic: a packet sent into it never came "
        "out of Router2 Tunnel0 (the peer decrypted 1 packet(s) and dropped 1 as not its "
        "tunnel's (a GRE key or framing mismatch))"
    ) in err
    assert "Router2 Tunnel0: UP-ACTIVE but carries no traffic" in err
    # the same pair with matching keys is healthy
    for index, text in enumerate(gre_texts(tunnel=(" tunnel key 100\n",) * 2), 1):
        (tmp_path / f"router{index}.cfg").write_text(text)
    assert main(["lab", "--quiet", *files]) == 0


def test_a_crypto_map_for_the_peers_own_traffic_carries_it_in_transport_mode() -> None:
    """ESP in transport mode carries what follows the IP header; the receiver puts the header
    back from the SA's addresses (a crypto map ACL between the peers themselves)."""
    texts = []
    for index, (me, peer) in enumerate((("10.0.0.1", "10.0.0.2"), ("10.0.0.2", "10.0.0.1"))):
        name = ("router1.cfg", "router2.cfg")[index]
        text = (SEED_CONFIGS / name).read_text()
        text = text.replace(" tunnel protection ipsec profile phse2-prof\n", "")
        text = text.replace(" esp-3des esp-sha-hmac\n", TRANSPORT_SET)
        address = f" ip address {me} 255.255.255.0\n"
        text = text.replace(address, address + " crypto map CMAP\n")
        texts.append(
            text
            + f"ip access-list extended HOSTS\n permit icmp host {me} host {peer}\n"
            + f"crypto map CMAP 10 ipsec-isakmp\n set peer {peer}\n set transform-set TS\n"
            + " set ikev2-profile IKEV2-SETUP\n match address HOSTS\n"
        )
    result = run(texts)
    assert result.problems == []
    lab = result.lab
    lab.exec("Router1", "ping 10.0.0.2")
    assert ALL_PASSED in lab.exec("Router1", "ping 10.0.0.2")
    text = lab.exec("Router1", "show crypto ipsec sa")
    assert text.count("in use settings ={Transport, }") == 2
    assert "#send errors 0" in text
