"""The gateway's GRE tunnels (pyike.net.gre_tunnel), two Gateways joined in memory: GRE
keepalives sent through the SA, reflected by the peer, the line protocol taken down after
RETRIES unanswered probes and brought up by a reply (`show interfaces`, the log, the TUN
device's link); `ip tcp adjust-mss` lowering the MSS of SYNs both ways."""

from __future__ import annotations

from pyike.config import load
from pyike.config.model import Config
from pyike.net.gateway import Gateway
from pyike.net.tunnel_interfaces import interface_text
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import SEED_CONFIGS
from tests.support.tcp import syn, syn_mss

DOWN = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to down"
UP = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to up"


def gre(name: str, lines: str = "") -> Config:
    text = (SEED_CONFIGS / name).read_text()
    for old, new in (
        (" tunnel mode ipsec ipv4\n", f" tunnel mode gre ip\n tunnel key 7\n{lines}"),
        (" esp-3des esp-sha-hmac\n", " esp-aes esp-sha-hmac\n mode transport\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    return load(text, name).raise_for_errors()


class Pair:
    """Router1 (`lines` on its tunnel) and Router2 (`peer_lines`), their tunnel up, their
    logs and Router1's link changes kept."""

    def __init__(self, lines: str = "", peer_lines: str = "") -> None:
        self.logs: dict[str, list[str]] = {"r1": [], "r2": []}
        self.pair = GatewayPair(
            gre("router1.cfg", lines),
            gre("router2.cfg", peer_lines),
            names=("r1", "r2"),
            options=({"log": self.logs["r1"].append}, {"log": self.logs["r2"].append}),
        )
        self.links: list[tuple[str, bool]] = []
        self.r1.gre.link = lambda tunnel, up: self.links.append((tunnel, up))
        self.r1.start_all()
        self.pair.pump()
        assert self.r1.sad.tunnel("Tunnel0").current is not None

    @property
    def r1(self) -> Gateway:
        return self.pair.a

    @property
    def r2(self) -> Gateway:
        return self.pair.b

    def probe(self, *, heard: bool = True) -> None:
        """A keepalive from Router1; unless `heard`, lost on the way."""
        self.r1.gre.probe("Tunnel0")
        if not heard:
            self.pair.queue.clear()
        self.pair.pump()

    def protocol(self) -> str:
        return interface_text(self.r1, "Tunnel0").splitlines()[0]


def test_a_peer_reflects_the_probe_and_the_tunnel_stays_up() -> None:
    pair = Pair(" keepalive 2 3\n")
    for _ in range(6):
        pair.probe()
    state = pair.r1.gre.keepalives["Tunnel0"]
    assert (state.sent, state.replies, state.down) == (6, 6, False)
    assert pair.protocol() == "Tunnel0 is up, line protocol is up "
    assert pair.pair.wires["r2"].tunnel_writes == []  # the probe is not the host's traffic
    shown = interface_text(pair.r1, "Tunnel0")
    assert "  Keepalive set (2 sec), retries 3\n" in shown
    assert "  Tunnel protocol/transport GRE/IP\n    Key 0x7, sequencing disabled\n" in shown
    assert "  Tunnel source 10.0.0.1 (Ethernet0/0), destination 10.0.0.2\n" in shown


def test_unanswered_keepalives_take_the_line_protocol_down_and_a_reply_brings_it_up() -> None:
    pair = Pair(" keepalive 2 3\n")
    for _ in range(3):
        pair.probe(heard=False)
    assert pair.protocol().endswith("line protocol is up ") and pair.links == []
    pair.probe(heard=False)  # the fourth: three went unanswered
    assert pair.protocol() == "Tunnel0 is up, line protocol is down "
    assert "  Tunnel linestate evaluation down\n" in interface_text(pair.r1, "Tunnel0")
    assert pair.logs["r1"][-1].endswith(DOWN) and pair.links == [("Tunnel0", False)]
    assert pair.r1.sad.tunnel("Tunnel0").current is not None  # the SA stays
    pair.probe()
    assert pair.protocol() == "Tunnel0 is up, line protocol is up "
    assert pair.logs["r1"][-1].endswith(UP) and pair.links[-1] == ("Tunnel0", True)


def test_without_keepalives_the_line_protocol_follows_the_sas() -> None:
    pair = Pair()
    assert pair.protocol() == "Tunnel0 is up, line protocol is up "
    assert "  Keepalive not set\n" in interface_text(pair.r1, "Tunnel0")
    pair.r1.clear()
    pair.pair.pump()
    assert pair.protocol() == "Tunnel0 is up, line protocol is down "


def test_adjust_mss_clamps_syns_entering_and_leaving_the_tunnel() -> None:
    """Only Router1 has `ip tcp adjust-mss 1300`: a SYN it sends and one it receives both
    arrive with 1300; a lower MSS is left alone."""
    pair = Pair(" ip tcp adjust-mss 1300\n")
    pair.r1.tunnel_packets("Tunnel0", [syn("192.168.1.1", "192.168.2.1", 1460)])
    pair.r1.tunnel_packets("Tunnel0", [syn("192.168.1.1", "192.168.2.1", 1200)])
    pair.r2.tunnel_packets("Tunnel0", [syn("192.168.2.1", "192.168.1.1", 1460)])
    pair.pair.pump()
    at_r2 = [p for _, p in pair.pair.wires["r2"].tunnel_writes]
    at_r1 = [p for _, p in pair.pair.wires["r1"].tunnel_writes]
    assert [syn_mss(p) for p in at_r2] == [1300, 1200]
    assert [syn_mss(p) for p in at_r1] == [1300]


def test_without_adjust_mss_syns_pass_unchanged() -> None:
    pair = Pair()
    packet = syn("192.168.1.1", "192.168.2.1", 1460)
    pair.r1.tunnel_packets("Tunnel0", [packet])
    pair.pair.pump()
    assert pair.pair.wires["r2"].tunnel_writes == [("Tunnel0", packet)]
