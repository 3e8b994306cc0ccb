"""Segments: delivery by next hop, delay, fault injection and packet capture."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from scapy.layers.inet import IP, UDP
from scapy.utils import rdpcap

from pyike.sim import match
from pyike.sim.clock import VirtualClock
from pyike.sim.network import CapturedPacket, Network
from pyike.sim.pcap import PcapRecorder
from tests.support.router_lab import chain, seed_lab


def test_loss_rate_uses_the_injected_random_source() -> None:
    lab = chain()
    lab.network.rng = random.Random(7)
    lab.segments["10.1.12.0/24"].faults.loss(0.5)
    first = lab.run("R1", "ping 10.1.12.2 repeat 20 timeout 1")
    lab2 = chain()
    lab2.network.rng = random.Random(7)
    lab2.segments["10.1.12.0/24"].faults.loss(0.5)
    assert lab2.run("R1", "ping 10.1.12.2 repeat 20 timeout 1") == first
    assert "." in first and "!" in first
    with pytest.raises(ValueError):
        lab.segments["10.1.12.0/24"].faults.loss(1.5)


def test_duplicate_and_delay_the_nth_packet() -> None:
    lab = chain()
    seg = lab.segments["10.1.12.0/24"]
    dup = seg.faults.duplicate_nth(1, gap=0.001)
    seg.faults.delay_nth(3, 5.0)  # the second echo request: arrives after the timeout
    out = lab.run("R1", "ping 10.1.12.2 repeat 3")
    assert "!.!" in out
    assert seg.counters.duplicated == 1 and dup.hits == 1
    assert lab["R2"].stats.echo_replies_sent == 3  # the duplicate got an answer too... late
    lab.clock.run_until_idle()
    assert lab["R2"].stats.echo_replies_sent == 4


def test_block_udp_500_between_two_addresses() -> None:
    lab = seed_lab()
    seg = lab.segments["10.0.0.0/24"]
    rule = seg.faults.block(
        match.all_of(match.udp_port(500), match.between("10.0.0.1", "10.0.0.2"))
    )
    from ipaddress import IPv4Address

    lab["Router1"].send_udp(IPv4Address("10.0.0.2"), 500, b"x")
    lab["Router1"].send_udp(IPv4Address("10.0.0.2"), 501, b"x", src_port=1234)
    lab.clock.run_until_idle()
    assert rule.hits == 1 and seg.counters.dropped == 1
    assert lab["Router2"].stats.unreachables_sent == 1  # 501 got through
    seg.faults.clear()


def test_matchers() -> None:
    ike = bytes(IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=500, dport=500) / b"x")
    natt_esp = bytes(
        IP(src="1.1.1.1", dst="2.2.2.2")
        / UDP(sport=4500, dport=4500)
        / (b"\x00\x00\x10\x01" + b"\x00" * 8)
    )
    natt_ike = bytes(
        IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=4500, dport=4500) / (b"\x00" * 12)
    )
    esp = bytes(IP(src="1.1.1.1", dst="2.2.2.2", proto=50) / (b"\x00" * 12))
    assert match.udp_port(500)(ike) and not match.udp_port(500)(esp)
    assert match.esp()(esp) and match.esp()(natt_esp) and not match.esp()(natt_ike)
    assert (
        match.protocol(50)(esp)
        and match.source("1.1.1.1")(ike)
        and match.destination("2.2.2.2")(ike)
    )
    assert match.any_of(match.protocol(6), match.protocol(17))(ike)
    assert not match.between("1.1.1.1", "3.3.3.3")(ike)
    assert not match.udp_port(500)(b"")


def test_capture_and_pcap_read_back_by_scapy(tmp_path: Path) -> None:
    lab = seed_lab()
    seen: list[CapturedPacket] = []
    lab.network.add_capture(seen.append)
    path = tmp_path / "wire.pcap"
    with PcapRecorder(path, segment="10.0.0.0/24") as recorder:
        lab.network.add_capture(recorder)
        lab.run("Router1", "ping 10.0.0.2 repeat 2")
    lab.network.remove_capture(recorder)
    assert recorder.count == 4 and len(seen) == 4
    assert seen[0].sender == "Router1 Ethernet0/0" and seen[0].receiver == "Router2 Ethernet0/0"
    packets = rdpcap(str(path))
    assert [p[IP].src for p in packets] == ["10.0.0.1", "10.0.0.2"] * 2
    assert float(packets[1].time) - float(packets[0].time) == pytest.approx(0.0005, abs=1e-6)


def test_segment_names_are_unique_and_detach_stops_delivery() -> None:
    network = Network(VirtualClock())
    network.segment("lan", "10.0.0.0/24")
    with pytest.raises(ValueError):
        network.segment("lan")
    lab = seed_lab()
    seg = lab.segments["10.0.0.0/24"]
    r2 = lab["Router2"].interfaces["Ethernet0/0"]
    lab["Router1"].send_udp(__import__("ipaddress").IPv4Address("10.0.0.2"), 9, b"")
    seg.detach(r2)
    lab.clock.run_until_idle()
    assert seg.counters.delivered == 0 and "Segment('10.0.0.0/24'" in repr(seg)
