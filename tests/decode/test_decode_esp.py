"""`pyike decode --esp-keys`: each ESP packet's SPI, sequence number and inner packet, as tshark
reads them with the same esp_sa table; and what pyike says when it cannot open one."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from pyike.capture import read_capture
from pyike.codec.registry import EncrId, IntegId
from pyike.codec.udp_encap import Carried
from pyike.ipsec import EspMode, OutboundEspSa, esp_transform, wrap
from pyike.nhrp import codec as nhrp_codec
from pyike.node.gre import GRE_PROTOCOL, gre_wrap
from pyike.sim.network import CapturedPacket
from pyike.sim.pcap import PcapRecorder
from tests.support.cli import run_cli
from tests.support.paths import VECTORS
from tests.support.tshark import json_records, pyike_esp, pyike_ike, tshark_esp

AES128 = VECTORS / "strongswan-aes128"


def decode(capsys: pytest.CaptureFixture[str], pcap: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "decode", *args, str(pcap))


def test_esp_packets_match_tshark(capsys: pytest.CaptureFixture[str], vector: Path) -> None:
    esp_sa = vector / "esp_sa"
    code, out, err = decode(capsys, vector / "handshake.pcap", "--json", "--esp-keys", str(esp_sa))
    assert (code, err) == (0, "")
    ours = pyike_esp(json_records(out))
    expected = tshark_esp(vector / "handshake.pcap", esp_sa.read_text().splitlines())
    assert ours == expected and len(ours) >= 12


def test_text_shows_spi_sequence_and_the_ping_inside(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = decode(capsys, AES128 / "handshake.pcap", "--esp-keys", str(AES128 / "esp_sa"))
    assert code == 0
    block = next(b for b in out.split("\n\n") if b.startswith("Frame 5 "))
    assert block.splitlines()[1:] == [
        "ESP: SPI 0x6245DA4F, sequence number 1, AES-CBC-128/HMAC-SHA1-96",
        "ESP: tunnel mode, IPv4 192.168.1.1 -> 192.168.2.1 ICMP echo request (type 8, code 0), "
        "84 octets",
    ]
    assert block.splitlines()[0].endswith("10.0.0.1:4500 -> 10.0.0.2:4500 (ESP in UDP)")
    assert out.rstrip().endswith(
        f"10 IKEv2 message(s) and 12 ESP packet(s) in {AES128}/handshake.pcap"
    )


def test_without_esp_keys_esp_is_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = decode(capsys, AES128 / "handshake.pcap")
    assert code == 0 and "ESP:" not in out


def test_one_key_log_for_ike_and_esp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A `pyike run --keylog` file holds both kinds of lines: given to both options, every
    IKE message and ESP packet is opened, and nothing is said twice."""
    keylog = tmp_path / "keylog"
    ike = (AES128 / "ikev2_decryption_table").read_text()
    keylog.write_text(ike + (AES128 / "esp_sa").read_text() + "bad line\n")
    code, out, err = decode(
        capsys,
        AES128 / "handshake.pcap",
        "--json",
        "--keys",
        str(keylog),
        "--esp-keys",
        str(keylog),
    )
    assert code == 1  # the bad line
    assert err == f"% {keylog}:5: expected 8 comma-separated fields, got 1; line skipped\n"
    records = json_records(out)
    assert len(pyike_esp(records)) == 12 and len(pyike_ike(records)) == 10
    assert all(not r["problems"] for r in records)


def test_a_wrong_esp_key_is_a_problem_of_its_packets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = (AES128 / "esp_sa").read_text().splitlines()
    fields = lines[0].split(",")
    fields[7] = fields[7].replace("0x", "0x1", 1)[:-2] + '"'  # another integrity key
    table = tmp_path / "esp_sa"
    table.write_text("\n".join([",".join(fields), lines[1]]) + "\n")
    code, out, _ = decode(capsys, AES128 / "handshake.pcap", "--esp-keys", str(table))
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("ESP-ERROR:")]
    assert len(failed) == 6  # every packet of that direction, the others opened
    assert failed[0].startswith("ESP-ERROR:decrypt: mac verification failed for SPI 0x6245DA4F")
    assert out.count("ICMP echo reply") == 6 and "ICMP echo request" not in out
    assert fields[7].strip('"')[2:] not in out  # keys never printed


def test_no_checking_opens_esp_without_its_integrity_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Wireshark's "ANY 96 bit authentication [no checking]": the ICV is skipped, the rest
    decrypted, and the output says so."""
    lines = []
    for line in (AES128 / "esp_sa").read_text().splitlines():
        fields = line.split(",")
        fields[6:] = ['"ANY 96 bit authentication [no checking]"', '"0x"']
        lines.append(",".join(fields))
    table = tmp_path / "esp_sa"
    table.write_text("\n".join(lines) + "\n")
    code, out, _ = decode(capsys, AES128 / "handshake.pcap", "--esp-keys", str(table))
    assert code == 0
    assert out.count("ESP:ICV not checked") == 12
    assert out.count("ICMP echo request") == out.count("ICMP echo reply") == 6


def test_esp_of_an_unknown_sa_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    table = tmp_path / "esp_sa"
    table.write_text((AES128 / "esp_sa").read_text().splitlines()[1] + "\n")
    code, out, _ = decode(capsys, AES128 / "handshake.pcap", "--esp-keys", str(table))
    assert code == 0
    assert out.count("ESP:no keys for ESP SA 0x6245DA4F: contents not shown") == 6


def _pcap(tmp_path: Path, packets: list[bytes]) -> Path:
    """IP packets in a raw-IP pcap (link type 101), one frame each."""
    path = tmp_path / "esp.pcap"
    with PcapRecorder(path) as capture:
        for n, packet in enumerate(packets):
            capture(CapturedPacket(n * 0.001, "wan", "", "", packet))
    return path


def test_esp_not_in_udp_matches_tshark(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The strongSwan capture's ESP taken out of UDP: IP protocol 50, as without NAT."""
    packets = []
    for datagram in read_capture(AES128 / "handshake.pcap", ike_only=False):
        if datagram.kind is Carried.ESP_IN_UDP:
            packets.append(wrap(datagram.payload, datagram.src, datagram.dst))
    pcap = _pcap(tmp_path, packets)
    esp_sa = AES128 / "esp_sa"
    code, out, _ = decode(capsys, pcap, "--json", "--esp-keys", str(esp_sa))
    assert code == 0
    ours = pyike_esp(json_records(out))
    assert len(ours) == 12 and ours == tshark_esp(pcap, esp_sa.read_text().splitlines())
    code, out, _ = decode(capsys, pcap, "--esp-keys", str(esp_sa))
    assert "Frame 1 at " in out and ": 10.0.0.1 -> 10.0.0.2 (ESP)\n" in out


def test_transport_mode_over_ipv6(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """UDP in ESP between the peers themselves (RFC 4303 transport mode): the outer addresses,
    the next header's protocol and its ports."""
    transform = esp_transform(EncrId.AES_CTR, 128, IntegId.HMAC_SHA2_256_128)
    encr_key, integ_key = bytes(range(20)), bytes(range(32))
    sa = OutboundEspSa(0x1234ABCD, transform, encr_key, integ_key, mode=EspMode.TRANSPORT,
                       random_bytes=lambda n: bytes(n))  # fmt: skip
    udp = (5000).to_bytes(2, "big") + (53).to_bytes(2, "big") + (12).to_bytes(2, "big") + bytes(6)
    packets = [wrap(sa.encapsulate(udp, 17), "2001:db8::1", "2001:db8::2") for _ in range(3)]
    pcap = _pcap(tmp_path, packets)
    table = tmp_path / "esp_sa"
    table.write_text(
        f'"IPv6","2001:db8::1","2001:db8::2","0x1234abcd","AES-CTR [RFC3686]",'
        f'"0x{encr_key.hex()}","HMAC-SHA-256-128 [RFC4868]","0x{integ_key.hex()}"\n'
    )
    code, out, _ = decode(capsys, pcap, "--esp-keys", str(table))
    assert code == 0
    assert (
        out.count("ESP: transport mode, IPv6 [2001:db8::1]:5000 -> [2001:db8::2]:53 UDP, 12 octets")
        == 3
    )
    assert "ESP: SPI 0x1234ABCD, sequence number 3, AES-CTR-128/HMAC-SHA256-128" in out
    code, out, _ = decode(capsys, pcap, "--json", "--esp-keys", str(table))
    assert pyike_esp(json_records(out)) == tshark_esp(pcap, table.read_text().splitlines())


def test_nhrp_in_gre_inside_esp_is_shown_as_ios_debugs_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """DMVPN: a spoke's NHRP Registration Request in GRE (protocol type 0x2001) inside
    transport-mode ESP between the NBMA addresses, opened and shown in `debug nhrp packet`'s
    words."""
    registration = nhrp_codec.Packet(
        nhrp_codec.PacketType.REGISTRATION_REQUEST,
        IPv4Address("172.16.1.2"),
        IPv4Address("10.0.0.2"),
        IPv4Address("10.0.0.1"),
        request_id=7,
        cies=(nhrp_codec.Cie(0, 32, 1514, 7200),),
    )
    wire = nhrp_codec.encode(registration)
    transform = esp_transform(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    encr_key, integ_key = bytes(range(16)), bytes(range(20))
    sa = OutboundEspSa(0xD1A1, transform, encr_key, integ_key, mode=EspMode.TRANSPORT,
                       random_bytes=lambda n: bytes(n))  # fmt: skip
    gre = gre_wrap(wire, protocol_type=nhrp_codec.GRE_PROTOCOL_NHRP)
    pcap = _pcap(tmp_path, [wrap(sa.encapsulate(gre, GRE_PROTOCOL), "172.16.1.2", "172.16.1.1")])
    table = tmp_path / "esp_sa"
    table.write_text(
        f'"IPv4","172.16.1.2","172.16.1.1","0x0000d1a1","AES-CBC [RFC3602]",'
        f'"0x{encr_key.hex()}","HMAC-SHA-1-96 [RFC2404]","0x{integ_key.hex()}"\n'
    )
    code, out, _ = decode(capsys, pcap, "--esp-keys", str(table))
    assert code == 0
    assert "ESP: transport mode, IPv4 172.16.1.2 -> 172.16.1.1 GRE" in out
    assert f"NHRP: Registration Request, packet size: {len(wire)}\n" in out
    assert "     src NBMA: 172.16.1.2\n" in out
    assert "     src protocol: 10.0.0.2, dst protocol: 10.0.0.1\n" in out
    assert " (M) flags: " in out and "reqid: 7" in out
