"""IKE datagrams in IP fragments (RFC 791, RFC 8200): reassembled before IKE decoding, the
message shown at the frame of its last fragment, as tshark shows it. The strongSwan capture
fragmented by scapy here; tests/gateway decodes captures fragmented by the kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, fragment6
from scapy.layers.l2 import Ether
from scapy.packet import Packet
from scapy.utils import rdpcap, wrpcap

from pyike.capture import read_capture
from tests.support.cli import run_cli
from tests.support.paths import VECTORS
from tests.support.tshark import json_records, pyike_ike, tshark_ike

VECTOR = VECTORS / "strongswan-aes128"
TABLE = VECTOR / "ikev2_decryption_table"


def _ike_packets() -> list[Packet]:
    """The IKE messages of the capture (on port 500, or behind the non-ESP marker)."""
    return [
        p
        for p in rdpcap(str(VECTOR / "handshake.pcap"))
        if UDP in p and (p[UDP].dport == 500 or bytes(p[UDP].payload)[:4] == bytes(4))
    ]


def _ipv4_fragments(packet: Packet, size: int) -> list[Packet]:
    ip = packet[IP].copy()
    ip.id = (ip.id or 0) + 1
    return [Ether(src=packet.src, dst=packet.dst) / f for f in ip.fragment(size)]


def _ipv6_fragments(packet: Packet, size: int) -> list[Packet]:
    ip = packet[IP]
    six = IPv6(src=f"2001:db8::{ip.src.split('.')[-1]}", dst=f"2001:db8::{ip.dst.split('.')[-1]}")
    udp = UDP(sport=ip[UDP].sport, dport=ip[UDP].dport) / bytes(ip[UDP].payload)
    whole = six / IPv6ExtHdrFragment(id=ip.id or 7) / udp
    return [Ether(src=packet.src, dst=packet.dst) / f for f in fragment6(whole, size)]


def _write(tmp_path: Path, frames: list[Packet]) -> Path:
    path = tmp_path / "fragmented.pcap"
    wrpcap(str(path), frames)
    return path


def _decoded(capsys: pytest.CaptureFixture[str], pcap: Path) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "decode", "--json", "--keys", str(TABLE), str(pcap))
    assert (code, err) == (0, "")
    return json_records(out)


@pytest.mark.parametrize(("family", "size"), [("IPv4", 48), ("IPv6", 104)])
def test_fragmented_ike_decodes_as_tshark_reads_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, family: str, size: int
) -> None:
    frames: list[Packet] = []
    for packet in _ike_packets():
        split = _ipv4_fragments if family == "IPv4" else _ipv6_fragments
        frames.extend(split(packet, size))
    pcap = _write(tmp_path, frames)
    assert len(frames) > 2 * len(_ike_packets())
    records = _decoded(capsys, pcap)
    assert pyike_ike(records) == tshark_ike(pcap, TABLE.read_text().splitlines())
    unfragmented = _decoded(capsys, VECTOR / "handshake.pcap")
    assert [r["decrypted"] for r in records if "decrypted" in r] == [
        r["decrypted"] for r in unfragmented if "decrypted" in r
    ]
    assert all(any("IP fragments" in note for note in r["notes"]) for r in records)


def test_fragments_in_any_order_and_interleaved(tmp_path: Path) -> None:
    first, second = (_ipv4_fragments(p, 96) for p in _ike_packets()[:2])
    frames = [*reversed(first[1:]), second[0], first[0], *second[1:]]
    datagrams = list(read_capture(_write(tmp_path, frames)))
    assert [(d.index, d.fragments) for d in datagrams] == [
        (len(first) + 1, len(first)),
        (len(frames), len(second)),
    ]
    assert [d.payload for d in datagrams] == [bytes(p[UDP].payload) for p in _ike_packets()[:2]]


def test_a_datagram_missing_a_fragment_is_shown_in_part_at_the_end(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = (_ipv4_fragments(p, 96) for p in _ike_packets()[:2])
    pcap = _write(tmp_path, [*first[:-1], *second])
    code, out, _ = run_cli(capsys, "decode", str(pcap))
    assert code == 1
    blocks = [b for b in out.split("\n\n") if b.startswith("Frame ")]
    assert len(blocks) == 2
    assert "RESPONDER" in blocks[0] and "reassembled from" in blocks[0]
    assert blocks[1].startswith(f"Frame {len(first) - 1} ")  # its last fragment captured
    assert "IKEv2-ERROR:the capture holds only part of this datagram" in blocks[1]
