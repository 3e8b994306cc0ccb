"""Every shipped example runs and passes its own checks (its `expect` directives)."""

from __future__ import annotations

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.cli import main
from pyike.frr.translate import routing_protocols
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.node.ip import PROTO_UDP, parse_ipv4
from pyike.node.udp import udp_ports
from pyike.sim.network import CapturedPacket
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
# Examples whose LANs are learned by a routing protocol: they run in `pyike lab --netns`.
NETNS_ONLY = [
    n for n in NAMES if any(routing_protocols(c) for c in load_topology([EXAMPLES / n]).configs)
]
SIMULATED = [n for n in NAMES if n not in NETNS_ONLY]


def run(name: str) -> TopologyRun:
    return run_topology(load_topology([EXAMPLES / name]), policy_for_config, show=False)


def test_every_example_has_a_readme_line() -> None:
    readme = (EXAMPLES / "README.md").read_text()
    assert NAMES
    for name in NAMES:
        assert f"`{name}/`" in readme


@pytest.mark.parametrize("name", SIMULATED)
def test_example_passes_its_own_checks(name: str) -> None:
    topology = load_topology([EXAMPLES / name])
    assert topology.checks, "an example without checks proves nothing"
    result = run_topology(topology, policy_for_config, show=False)
    assert result.problems == []
    assert result.protected >= 2


@pytest.mark.parametrize("name", SIMULATED)
def test_cli_exits_0_on_each_example(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", str(EXAMPLES / name)]) == 0
    out = capsys.readouterr().out
    assert "crypto sessions UP-ACTIVE" in out
    assert "#show crypto session" in out


@pytest.mark.parametrize("name", NETNS_ONLY)
def test_netns_only_example_names_the_routing_protocol_it_depends_on(name: str) -> None:
    """The simulated lab brings the tunnels up but learns no LAN: each failed check says the
    routes come from a protocol it does not run, rather than look like a broken tunnel."""
    topology = load_topology([EXAMPLES / name])
    result = run_topology(topology, policy_for_config, show=False)
    assert result.protected >= 2 and all(
        "UP-ACTIVE" not in p and "session" not in p for p in result.problems
    )
    assert result.problems and all(
        "which the simulated lab does not run; try --netns)" in p for p in result.problems
    )
    assert any("Loopback0` did not print" in p for p in result.problems)
    assert [n for n in result.notes if "kept but not run" in n]
    readme = (EXAMPLES / "README.md").read_text()
    assert f"`{name}/` (--netns only)" in readme


def test_hub_routes_spoke_to_spoke_traffic_through_two_tunnels() -> None:
    lab = run("hub-and-spokes").lab
    text = lab.exec("Spoke1", "ping 10.3.0.1 source Loopback0 repeat 7")
    assert "Success rate is 100 percent (7/7)" in text
    hub = lab.router("Hub").router.interfaces
    # Decrypted from Spoke1's tunnel, encrypted again into Spoke3's.
    assert hub["Tunnel1"].counters.packets_in >= 7
    assert hub["Tunnel3"].counters.packets_out >= 7


def test_nat_example_uses_udp_4500_for_esp_and_sends_keepalives() -> None:
    topology = load_topology([EXAMPLES / "nat-t"])
    seen: list[CapturedPacket] = []
    result = run_topology(topology, policy_for_config, show=False)
    lab = result.lab
    lab.network.add_capture(seen.append)
    lab.exec("Branch", "ping 10.10.0.1 source Loopback0 repeat 3")
    lab.run_for(45.0)  # keepalives every 20 s
    esp = [p for p in seen if parse_ipv4(p.data).protocol == 50]
    assert esp == []  # never raw ESP through the NAT
    udp = [parse_ipv4(p.data) for p in seen]
    ports = {udp_ports(p.payload) for p in udp if p.protocol == PROTO_UDP}
    assert any(4500 in pair for pair in ports if pair)
    assert lab.router("HQ").router.stats.nat_keepalives >= 2
    assert result.nats["NAT"].counters.translated_out > 0


def test_crypto_map_example_leaves_unlisted_traffic_in_clear() -> None:
    lab = run("crypto-map").lab
    before = lab.router("SiteA").crypto.sad.tunnel("crypto map CMAP 10").current
    assert before is not None
    encaps = before.outbound.counters.packets
    assert "100 percent" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback1")
    assert before.outbound.counters.packets == encaps  # 172.31.10.0/24 is not in the ACL
    assert "100 percent" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    assert before.outbound.counters.packets == encaps + 5


def test_cert_hub_authenticates_every_spoke_by_certificate() -> None:
    """The spokes are enrolled by the lab (no key is shipped) and authenticate with ECDSA;
    the hub picks its profile by the spokes' certificate map."""
    lab = run("cert-hub").lab
    detail = lab.exec("Hub", "show crypto ikev2 sa detail")
    assert detail.count("Auth sign: ECDSA, Auth verify: ECDSA") == 4
    for n in range(1, 5):
        assert f"Remote id: o=Example,ou=branches,cn=spoke{n}.example.net" in detail
    chain = lab.exec("Spoke1", "show crypto pki certificates")
    assert "cn=spoke1.example.net" in chain and "cn=pyike lab CA" in chain
    # the key the lab enrolled the hub with (no key file): P-384, from `crypto key generate ec`
    key = lab.exec("Hub", "show crypto key mypubkey ec")
    assert "Key name: HUB-KEY" in key and "81040022" in key  # secp384r1 (1.3.132.0.34)
    assert "Keys generated ............. Yes" in lab.exec(
        "Hub", "show crypto pki trustpoints status"
    )
