"""Traffic through Tunnel0 across many IKE and child SA rekeys (issue 5, "Done when").

The seed's routers with the shortest lifetimes IOS accepts (IKE `lifetime 120`, `set
security-association lifetime seconds 120`) carry an ICMP echo stream, 20 a second from
Router 1's Loopback0 to Router 2's, for about 21 virtual minutes: some 20 IKE SA rekeys
and 11 child SA rekeys. Every echo must come back, and both routers' `show crypto ipsec sa`
counters must agree with the stream. Then the same with IKE messages lost on the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from ipaddress import IPv4Address

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.lab.scenarios import replace_line
from pyike.node import icmp
from pyike.sim import match
from pyike.sim.faults import FaultRule
from pyike.topology.seed import seed_texts

INTERVAL = 0.05  # seconds between echoes
DURATION = 1250.0  # virtual seconds of traffic
RETRANSMIT_INTERVAL = 2.0  # the engine's first retransmission comes 2 s after a request
SOURCE, TARGET = IPv4Address("192.168.1.1"), IPv4Address("192.168.2.1")
IDENT = 0x5EED


@dataclass
class Stream:
    sent: dict[int, float] = field(default_factory=dict)  # sequence -> time sent
    answered: set[int] = field(default_factory=set)

    def lost(self) -> list[int]:
        return sorted(set(self.sent) - self.answered)


@dataclass
class SoakRun:
    lab: Lab
    stream: Stream
    ike_loss: FaultRule | None


def short_lifetime_lab() -> Lab:
    configs = []
    for text in seed_texts().values():
        text = replace_line(
            text,
            "set transform-set TS",
            "set transform-set TS\nset security-association lifetime seconds 120",
        )
        result = load(text)
        result.raise_for_errors()
        configs.append(result.config)
    return Lab(configs, policy_for_config, seed=0)


def run_soak(ike_loss: float = 0.0) -> SoakRun:
    lab = short_lifetime_lab()
    rule = None
    if ike_loss:
        rule = lab.network.segments["10.0.0.0/24"].faults.loss(ike_loss, match.udp_port(500))
    lab.bring_up_tunnels()
    lab.run_for(3.0)
    router = lab.router("Router1").router
    stream = Stream()

    def on_reply(packet: object, message: icmp.IcmpMessage) -> None:
        if message.type == icmp.ECHO_REPLY:
            stream.answered.add(message.sequence)

    router.listen(("echo", IDENT), on_reply)
    end = lab.clock.now + DURATION

    def send() -> None:
        sequence = len(stream.sent) + 1
        stream.sent[sequence] = lab.clock.now
        echo = icmp.echo(True, IDENT, sequence & 0xFFFF, b"\xab\xcd" * 36)
        router.originate(icmp.packet(int(SOURCE), int(TARGET), echo, ident=router.next_ident()))
        if lab.clock.now + INTERVAL < end:
            lab.clock.call_later(INTERVAL, send)

    send()
    while lab.clock.now < end + 5.0:
        lab.run_for(10.0)
    return SoakRun(lab, stream, rule)


@cache
def clean_run() -> SoakRun:
    return run_soak()


@cache
def lossy_run() -> SoakRun:
    return run_soak(ike_loss=0.2)


def ike_rekeys(run: SoakRun) -> int:
    return sum(1 for down in run.lab.router("Router1").crypto.ike_down if down.rekeyed_to)


def child_rekeys(run: SoakRun) -> int:
    return run.lab.router("Router1").crypto.sad.installs - 1


def counters(run: SoakRun, host: str) -> tuple[int, int, str]:
    show = run.lab.exec(host, "show crypto ipsec sa")
    encaps = re.search(r"#pkts encaps: (\d+), #pkts encrypt: \1, #pkts digest: \1", show)
    decaps = re.search(r"#pkts decaps: (\d+), #pkts decrypt: \1, #pkts verify: \1", show)
    assert encaps and decaps, show
    return int(encaps.group(1)), int(decaps.group(1)), show


def longest_outage(stream: Stream) -> float:
    """The longest stretch of time over which every echo sent was lost."""
    longest, started = 0.0, None
    for sequence, at in stream.sent.items():
        if sequence in stream.answered:
            started = None
            continue
        started = at if started is None else started
        longest = max(longest, at - started + INTERVAL)
    return longest


def assert_consistent(run: SoakRun) -> None:
    sent = len(run.stream.sent)
    r1_out, r1_in, r1 = counters(run, "Router1")
    r2_out, r2_in, r2 = counters(run, "Router2")
    assert (r1_out, r2_in, r2_out, r1_in) == (sent, sent, sent, sent)
    for show in (r1, r2):
        assert "#send errors 0, #recv errors 0" in show
        assert show.count("Status: ACTIVE(ACTIVE)") == 2  # one SA pair left after each rekey
    for host in ("Router1", "Router2"):
        crypto = run.lab.router(host).crypto
        assert crypto.stats.invalid_spi == crypto.stats.decrypt_failures == 0
        assert crypto.stats.negotiations_failed == []
        assert len(crypto.ike_up) == 1
    one, two = (run.lab.router(host).crypto.ike_up for host in ("Router1", "Router2"))
    (up1,), (up2,) = one.values(), two.values()
    assert (up1.spi_i, up1.spi_r) == (up2.spi_i, up2.spi_r)


def test_zero_loss_across_ten_ike_and_ten_child_rekeys() -> None:
    run = clean_run()
    assert ike_rekeys(run) >= 10
    assert child_rekeys(run) >= 10
    assert len(run.stream.sent) >= int(DURATION / INTERVAL)
    assert run.stream.lost() == []
    assert_consistent(run)


def test_ike_messages_lost_during_rekeys_are_retransmitted_and_traffic_flows() -> None:
    run = lossy_run()
    assert run.ike_loss is not None and run.ike_loss.hits >= 10  # IKE messages were lost
    assert ike_rekeys(run) >= 10 and child_rekeys(run) >= 10
    # No black hole longer than the retransmit interval (in fact, not a single echo lost).
    assert longest_outage(run.stream) <= RETRANSMIT_INTERVAL
    assert run.stream.lost() == []
    assert_consistent(run)
